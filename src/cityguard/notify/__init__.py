"""Warning and response: events into the duty channels and the SIEM, through an outbox.

    sources.scan(store, config)      facts of the store → events (digests, stable ids)
    deliver.enqueue(store, config, events)   events and their deliveries into the outbox
    deliver.deliver(store, config)   pending deliveries out, with rate limits and retries
    hook.prepare / hook.tell         the same for one system, at once, after assess, scans
                                     import and gate --store (a few seconds per target)
    channels/                        one module per channel type (CHANNELS registry)
    siem/                            OCSF, CEF and ECS records for `cityguard export`

docs/notify.md describes the configuration, the events and the commands.
"""
