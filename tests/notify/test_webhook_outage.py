"""The signed webhook (Standard Webhooks), and a channel that is down for a while: events wait
in the outbox and arrive once, in order, when it is back."""

from __future__ import annotations

import base64

from notify_loopback import (  # noqa: F401 - fixtures
    WEBHOOK_KEY,
    Receiver,
    receiver_fixture,
    store_fixture,
    store_path_fixture,
    write_config,
)

from cityguard.notify.channels.webhook import github_signature, signing_key, standard_signature
from cityguard.notify.config import load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.notify.events import Event, event_id
from cityguard.store import outbox


def test_signatures_match_the_reference_vectors() -> None:
    body = b'{"hello":"world"}'
    key = signing_key("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3")
    assert standard_signature(key, "msg_1", "1700000000", body) == \
        "v1,RKbz6C6TvynzYUG00Gv+oo3ZFrCCxrDHC6P/qkuXYaM="
    assert github_signature(b"gh-secret", body) == \
        "sha256=387838a2cb04ae6a5befa8a8e3307a9d52966b180440a0ae7e51e947192e72f8"


def events(n: int) -> list[Event]:
    return [Event(event_id("gate.blocked", "s", i), "gate.blocked", "s", "high", float(i),
                  {"stage": "deploy", "failed": [f"rule {i}"]}) for i in range(n)]


def config(tmp_path, monkeypatch, url: str):
    monkeypatch.setenv("CG_HOOK_SECRET", WEBHOOK_KEY)
    return load_config(write_config(tmp_path / "n.yaml", [
        {"name": "hook", "type": "webhook", "url": f"{url}/hook", "secret_env": "CG_HOOK_SECRET",
         "retry": {"tries": 2, "base_seconds": 0.01, "cap_seconds": 0.02}}]))


def test_webhook_is_signed_and_carries_the_event_id(tmp_path, monkeypatch, receiver,
                                                    st) -> None:
    cfg = config(tmp_path, monkeypatch, receiver.url)
    enqueue(st, cfg, events(1))
    assert Deliverer(st, cfg).run()[0].sent == 1
    seen = receiver.seen[0]
    assert seen.signature_ok and seen.headers["webhook-id"] == events(1)[0].id
    key = base64.b64decode(WEBHOOK_KEY[6:])
    assert seen.headers["x-hub-signature-256"] == github_signature(key, seen.body)
    body = seen.json()
    assert body["type"] == "cityguard.gate.blocked" and body["data"]["system"] == "s"


def test_a_receiver_down_for_a_while_gets_everything_once_in_order(tmp_path, monkeypatch,
                                                                  st) -> None:
    rx = Receiver().start()
    port = rx.port
    cfg = config(tmp_path, monkeypatch, rx.url)
    enqueue(st, cfg, events(3))
    assert Deliverer(st, cfg).run()[0].sent == 3
    rx.stop()  # the receiver goes away
    enqueue(st, cfg, events(8)[3:])
    down = Deliverer(st, cfg, sleep=lambda s: None).run()[0]
    assert (down.sent, down.failed, down.waiting) == (0, 0, 5)
    assert "unreachable" in down.problems[0]
    first = outbox.deliveries(st.db, states=["pending"], limit=10)
    assert len(first) == 5 and all(d["attempts"] <= 2 for d in first)
    back = Receiver(port=port).start()  # back on the same address
    try:
        # not yet due: nothing is sent before its next try time …
        assert Deliverer(st, cfg, clock=lambda: 0.0).run()[0].sent == 0
        # … then everything, once, in the order it was written
        done = Deliverer(st, cfg, clock=lambda: 4e9).run()[0]
        assert (done.sent, done.waiting) == (5, 0)
        ids = [s.headers["webhook-id"] for s in back.seen]
        assert ids == [e.id for e in events(8)[3:]]
        assert all(s.signature_ok for s in back.seen)
        assert Deliverer(st, cfg, clock=lambda: 4e9).run()[0].sent == 0  # nothing twice
    finally:
        back.stop()


def test_410_gone_is_final_and_a_bad_event_does_not_block(tmp_path, monkeypatch, receiver,
                                                          st) -> None:
    cfg = config(tmp_path, monkeypatch, receiver.url)
    receiver.answer("/hook", (410, {}, b"gone"), (400, {}, b"bad"))
    enqueue(st, cfg, events(3))
    report = Deliverer(st, cfg).run()[0]
    assert (report.sent, report.failed) == (1, 2)
    assert [d["state"] for d in reversed(outbox.deliveries(st.db))] == ["failed", "failed",
                                                                        "sent"]
