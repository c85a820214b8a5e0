"""Recording what happens on the dashboard, and by `cityguard users`, in the store's audit log.

Every record has the time (UTC), who (the account, or the name tried at a failed login), the
role, the kind of event, its object, the outcome (ok | refused | failed), why (a reason given,
or why it was refused) and the client's address (L3-CES1-13). What a password was is never
recorded, not even a wrong one.
"""

from __future__ import annotations

from collections.abc import Iterator

from cityguard.core.csvsafe import csv_lines
from cityguard.store import Store
from cityguard.store import audit as audit_store
from cityguard.store.schema import AUDIT_FLOOR_DAYS
from cityguard.web import clock

OK, REFUSED, FAILED = "ok", "refused", "failed"
EXPORT_COLUMNS = ("id", "at", "actor", "role", "action", "target", "outcome", "reason", "addr",
                  "prev_hash", "hash")  # fmt: skip


def record(store: Store, actor: str, role: str, action: str, outcome: str, *,
           target: str = "", reason: str = "", addr: str = "") -> int:
    return audit_store.append(store.db, at=clock.stamp(), actor=actor, role=role,
                              action=action, target=target, outcome=outcome, reason=reason,
                              addr=addr)


def export_csv(store: Store, since: str = "", until: str = "") -> Iterator[bytes]:
    """The audit log as CSV (UTF-8 with BOM for spreadsheets), oldest first, streamed; cells
    go through core.csvsafe (a logged name someone typed is never run as a formula)."""
    rows = ([getattr(rec, c) for c in EXPORT_COLUMNS]
            for rec in audit_store.stream(store.db, since, until))
    first = True
    for line in csv_lines(EXPORT_COLUMNS, rows, "\r\n"):
        yield (("\ufeff" if first else "") + line).encode("utf-8")
        first = False


def apply_retention(store: Store, days: int) -> int:
    """Delete records older than the retention period (never younger than six months)."""
    return audit_store.purge(store.db, clock.ago(days=max(days, AUDIT_FLOOR_DAYS)))
