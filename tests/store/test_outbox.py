"""The notification outbox on both backends: events kept once, one delivery per target, every
attempt kept, failed ones queued again; `store copy` carries it, `store check` checks it."""

from __future__ import annotations

from cityguard.store import copy_store, open_store, outbox


def row(n: int, kind: str = "gate.blocked") -> tuple:
    return (f"cg-{n:032x}", kind, "城市大脑", "high", 1_700_000_000.0 + n,
            {"facts": {"stage": "deploy", "n": n}, "counts": {}})


def test_outbox_keeps_events_once_and_records_attempts(store_url: str, tmp_path) -> None:
    with open_store(store_url) as st:
        db = st.db
        routes = {row(n)[0]: ["ding", "siem"] for n in range(3)}
        assert outbox.enqueue(db, [row(n) for n in range(3)], routes) == (3, 6)
        assert outbox.enqueue(db, [row(n) for n in range(4)], routes) == (1, 0)
        queue = outbox.pending(db, "ding")
        assert [q.event_id for q in queue] == [row(n)[0] for n in range(3)]
        assert queue[0].payload["facts"] == {"stage": "deploy", "n": 0}
        outbox.record(db, queue[0].delivery_id, at=1.0, outcome="retry", code="http 503",
                      detail="busy", next_at=61.0)
        outbox.record(db, queue[0].delivery_id, at=61.0, outcome="sent", code="0",
                      state="sent")
        outbox.record(db, queue[1].delivery_id, at=62.0, outcome="failed", code="310000",
                      detail="sign", state="failed")
        assert [q.event_id for q in outbox.pending(db, "ding")] == [row(2)[0]]
        assert outbox.sent_times(db, "ding", 0.0) == [1.0, 61.0, 62.0]
        summary = {(s["target"], s["state"]): s["count"] for s in outbox.summary(db)}
        assert summary == {("ding", "failed"): 1, ("ding", "pending"): 1,
                           ("ding", "sent"): 1, ("siem", "pending"): 3}
        assert [a["outcome"] for a in outbox.attempts(db, queue[0].delivery_id)] == \
            ["retry", "sent"]
        assert outbox.requeue(db, target="ding") == 2
        assert len(outbox.pending(db, "ding")) == 2
        outbox.set_state(db, "scan.imports", "7")
        outbox.set_state(db, "scan.imports", "9")
        assert outbox.get_state(db, "scan.imports") == "9"
    copy = tmp_path / "copy.db"
    rows = copy_store(store_url, copy)
    assert rows["notify_events"] == 4 and rows["notify_deliveries"] == 6
    assert rows["notify_attempts"] == 3 and rows["notify_state"] == 1
    with open_store(copy) as st:
        assert len(outbox.pending(st.db, "siem")) == 3
