"""Tell the duty channels at once, without a cron job: the hook that `assess`, `scans import`
and `gate --store` call once they have committed their facts to the store.

    config = prepare(choice, manifest, stored=…)   before any work: the notify configuration
                                                   that applies, or None (a bad one raises
                                                   DataError with its file and line: exit 2)
    told = tell(config, store, system)             after the commit: that system's new
                                                   events → outbox → targets, briefly

The scan is `notify scan`'s, limited to the system just written (sources.scan(system=…)):
another system's events are neither queued nor sent by this run, and the SOC-wide watermarks
are left to `notify scan`, which later finds these events already in the outbox (their ids
are stable). Delivery gets HOOK_SECONDS per target; what does not go within them stays
pending in the outbox, with its next try time, for `notify send` or cron: never lost, never
sent twice. Nothing here changes the command's exit code; the CLI says in one line what waits.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from cityguard.core.errors import UsageError
from cityguard.core.yamlio import read_yaml_text
from cityguard.notify import sources
from cityguard.notify.config import ENV_CONFIG, NotifyConfig, load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.policy.messages import t
from cityguard.store import open_store

#: seconds each target gets after a command (waits for a retry or a rate limit included)
HOOK_SECONDS = 5.0
#: one attempt's network timeout after a command (a target's own timeout_seconds if lower)
ATTEMPT_SECONDS = 3.0
MANIFEST = "cityguard.yaml"
# a top-level `notify:` key: the manifest is parsed (and checked) only when it has one
_NOTIFY_KEY = re.compile(r"^[\"']?notify[\"']?[ \t]*:", re.MULTILINE)


@dataclass
class Told:
    """What the hook did: events found, how many were new, and the deliveries' fate."""

    events: int = 0
    new: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    targets: list[str] = field(default_factory=list)  # the targets that received something
    problems: list[str] = field(default_factory=list)

    @property
    def undelivered(self) -> int:
        return self.failed + self.waiting


def config_path(manifest: str | Path | None) -> Path | None:
    """$CITYGUARD_NOTIFY (as `notify scan` reads it first), else the manifest the command
    reads (else ./cityguard.yaml) when it has a notify: block; None when neither applies."""
    env = os.environ.get(ENV_CONFIG, "").strip()
    if env:
        return Path(env)
    path = Path(manifest) if manifest else Path(MANIFEST)
    if not path.is_file():
        return None
    return path if _NOTIFY_KEY.search(read_yaml_text(path)) else None


def prepare(choice: bool | None, manifest: str | Path | None, *, stored: bool = True
            ) -> NotifyConfig | None:
    """The configuration the hook will use, read and checked now (before the command works),
    or None. `choice` is --notify (True), --no-notify (False) or neither (None: on when a
    configuration applies). `stored`: the command keeps its facts in the store."""
    if choice is False:
        return None
    path = config_path(manifest)
    if path is None:
        if choice:
            raise UsageError(t("notify.hook.no_config", "en", env=ENV_CONFIG))
        return None
    config = load_config(path)  # a bad configuration: DataError with file and line, exit 2
    if not stored:
        if choice:
            raise UsageError(t("notify.hook.needs_store", "en"))
        return None
    return brief(config)


def brief(config: NotifyConfig) -> NotifyConfig:
    """The configuration with each target's network timeout cut to ATTEMPT_SECONDS."""
    targets = tuple(
        replace(tg, options={**tg.options, "timeout_seconds": min(
            float(tg.opt("timeout_seconds", ATTEMPT_SECONDS)), ATTEMPT_SECONDS)})
        for tg in config.targets)
    return replace(config, targets=targets)


def tell(config: NotifyConfig, store: str | None, system: str, *,
         budget: float = HOOK_SECONDS) -> Told:
    """`notify scan` for one system: its new events into the outbox, then its deliveries out
    within `budget` seconds per target. Store errors propagate (CityguardError)."""
    with open_store(store) as st:
        events = sources.scan(st, config, system=system)
        told = Told(events=len(events))
        told.new, _ = enqueue(st, config, events)
        for report in Deliverer(st, config, system=system, budget=budget).run():
            told.sent += report.sent
            told.failed += report.failed
            told.waiting += report.waiting
            told.problems += report.problems
            if report.sent:
                told.targets.append(report.target)
    return told
