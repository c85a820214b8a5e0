"""Rectification tracking (整改跟踪): an owner, a due date and a state for a finding or a
non-compliant item, with every change kept in rectification_history.

Flow: open → in_progress → fixed → verified. A person moves a rectification up to `fixed`;
`verified` is set by evidence: a later import that no longer reports the finding, or a later
assessment run in which the item is compliant (a person may verify a `fixed` one with a reason,
for what no machine can test). A `fixed` one that a later import still reports, or whose item
a later run still finds non-compliant or partial, goes back to `open`. An item that is not
applicable or not assessed in a run changes nothing: that is not a proof of a fix.
"""

from __future__ import annotations

from typing import Any

from cityguard.core.errors import UsageError
from cityguard.model.register import RECTIFY_STATES, Rectification
from cityguard.store.backends import Db
from cityguard.store.where import Where

#: the moves a person may make (the machine's moves are in after_import / after_run)
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("in_progress", "fixed"),
    "in_progress": ("open", "fixed"),
    "fixed": ("open", "in_progress", "verified"),
    "verified": ("open",),
}
ACTIVE = ("open", "in_progress", "fixed")

_SELECT = (
    "SELECT r.*, s.name AS system, f.severity AS severity FROM rectifications r"
    " JOIN systems s ON s.id = r.system_id LEFT JOIN findings f ON f.id = r.finding_id"
)


def _model(row: Any, today: str) -> Rectification:
    r = Rectification(
        id=int(row["id"]), system=row["system"], owner=row["owner"], due=row["due"],
        state=row["state"], state_at=row["state_at"], state_by=row["state_by"],
        created=row["created"], finding_id=row["finding_id"], unit_id=row["unit_id"],
        asset=row["asset"], title=row["title"], note=row["note"],
        verified_by=row["verified_by"], severity=row["severity"],
    )  # fmt: skip
    r.overdue = r.state in ("open", "in_progress") and r.due < today
    return r


def _history(db: Db, ids: list[int], old: str | None, new: str, *, at: str, by: str,
             reason: str, import_id: int | None = None, run_id: str | None = None) -> None:
    db.executemany(
        "INSERT INTO rectification_history (rectification_id, old_state, new_state, at, by,"
        " reason, import_id, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, old, new, at, by, reason, import_id, run_id) for i in ids])


def add(db: Db, *, system_id: int, owner: str, due: str, by: str, now: str,
        finding_id: int | None = None, unit_id: str | None = None, asset: str = "",
        title: str = "", note: str = "") -> int:
    """A new open rectification (the caller holds a transaction); its id."""
    if not owner.strip():
        raise UsageError("a rectification needs an owner (--owner)")
    clash = db.scalar(
        "SELECT id FROM rectifications WHERE state <> 'verified' AND ((finding_id = ?) OR"
        " (system_id = ? AND unit_id = ? AND asset = ?))",
        [finding_id, system_id, unit_id, asset])
    if clash is not None:
        raise UsageError(f"rectification {clash} already tracks this; change it with "
                         f"`cityguard rectify update {clash}`")
    rid = db.insert_id(
        "INSERT INTO rectifications (system_id, finding_id, unit_id, asset, title, owner, due,"
        " state, state_at, state_by, note, created) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?,"
        " ?, ?) RETURNING id",
        [system_id, finding_id, unit_id, asset, title, owner.strip(), due, now, by, note, now])
    _history(db, [rid], None, "open", at=now, by=by, reason=note or f"owner {owner}, due {due}")
    return rid


def get(db: Db, rid: int, today: str) -> Rectification:
    row = db.one(_SELECT + " WHERE r.id = ?", [rid])
    if row is None:
        raise UsageError(f"no rectification {rid}")
    return _model(row, today)


def change(db: Db, rid: int, *, by: str, now: str, reason: str, state: str | None = None,
           owner: str | None = None, due: str | None = None) -> None:
    """A person's change: a move along the flow, a new owner or a new due date."""
    row = db.one("SELECT state, owner, due FROM rectifications WHERE id = ?", [rid])
    if row is None:
        raise UsageError(f"no rectification {rid}")
    old = row["state"]
    if state is not None and state != old:
        if state not in RECTIFY_STATES:
            raise UsageError(f"unknown state {state!r}; known: {', '.join(RECTIFY_STATES)}")
        if state not in MOVES[old]:
            allowed = ", ".join(MOVES[old])
            raise UsageError(f"rectification {rid} is {old}: it can move to {allowed}, "
                             f"not to {state}")
        verified = f"by {by}: {reason}" if state == "verified" else None
        db.execute("UPDATE rectifications SET state = ?, state_at = ?, state_by = ?,"
                   " verified_by = ? WHERE id = ?", [state, now, by, verified, rid])
        _history(db, [rid], old, state, at=now, by=by, reason=reason)
    changes = []
    if owner and owner.strip() != row["owner"]:
        db.execute("UPDATE rectifications SET owner = ? WHERE id = ?", [owner.strip(), rid])
        changes.append(f"owner {row['owner']} → {owner.strip()}")
    if due and due != row["due"]:
        db.execute("UPDATE rectifications SET due = ? WHERE id = ?", [due, rid])
        changes.append(f"due {row['due']} → {due}")
    if changes:
        _history(db, [rid], old, state or old, at=now, by=by,
                 reason=f"{reason} ({'; '.join(changes)})")
    if (state is None or state == old) and not changes:
        raise UsageError("nothing to change: give --state, --owner or --due")


def listing(db: Db, today: str, *, system: str | None = None, states: tuple[str, ...] = (),
            owner: str | None = None, overdue: bool = False) -> list[Rectification]:
    for s in states:
        if s not in RECTIFY_STATES:
            raise UsageError(f"unknown state {s!r}; known: {', '.join(RECTIFY_STATES)}")
    where = Where().equal("s.name", system).any_of("r.state", states).equal("r.owner", owner)
    if overdue:
        where.add("r.state IN ('open', 'in_progress') AND r.due < ?", today)
    return [_model(r, today)
            for r in db.all(_SELECT + where.sql() + " ORDER BY r.due, r.id", where.args)]


def history(db: Db, rid: int) -> list[dict[str, Any]]:
    rows = db.all("SELECT old_state, new_state, at, by, reason, import_id, run_id FROM"
                  " rectification_history WHERE rectification_id = ? ORDER BY id", [rid])
    return [dict(r) for r in rows]


def after_import(db: Db, system_id: int, import_id: int, file: str, now: str) -> None:
    """A scan decides: gone from it → verified; still in it although `fixed` → open again."""
    by = f"import #{import_id}"
    gone = [r[0] for r in db.all(
        "SELECT r.id FROM rectifications r JOIN findings f ON f.id = r.finding_id"
        " WHERE r.system_id = ? AND r.state IN ('open', 'in_progress', 'fixed')"
        " AND f.status = 'fixed' AND f.status_by = ?", [system_id, by])]
    _machine_move(db, gone, "verified", at=now, by=by, import_id=import_id,
                  reason=f"not reported by {file}")
    still = [r[0] for r in db.all(
        "SELECT r.id FROM rectifications r JOIN findings f ON f.id = r.finding_id"
        " WHERE r.system_id = ? AND r.state = 'fixed' AND f.last_import_id = ?",
        [system_id, import_id])]
    _machine_move(db, still, "open", at=now, by=by, import_id=import_id,
                  reason=f"still reported by {file}")


def after_run(db: Db, system: str, run_id: str, document: dict[str, Any], now: str) -> None:
    """An assessment decides for item rectifications: compliant → verified; non-compliant or
    partial while `fixed` → open again (per asset when the rectification names one)."""
    rows = db.all(
        "SELECT r.id, r.unit_id, r.asset, r.state FROM rectifications r JOIN systems s ON"
        " s.id = r.system_id WHERE s.name = ? AND r.unit_id IS NOT NULL AND r.state IN"
        " ('open', 'in_progress', 'fixed')", [system])
    if not rows:
        return
    verdicts = _verdicts(document)
    by = f"run {run_id}"
    for rid, unit_id, asset, state in rows:
        verdict = verdicts.get((unit_id, asset))
        if verdict == "compliant":
            _machine_move(db, [rid], "verified", at=now, by=by, run_id=run_id,
                          reason=f"{unit_id} compliant in run {run_id}")
        elif verdict in ("non_compliant", "partial") and state == "fixed":
            _machine_move(db, [rid], "open", at=now, by=by, run_id=run_id,
                          reason=f"{unit_id} still {verdict} in run {run_id}")


def _verdicts(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for item in document.get("items") or ():
        unit = item.get("unit_id")
        out[(unit, "")] = item.get("verdict")
        for obj in item.get("objects") or ():
            out[(unit, obj.get("asset", ""))] = obj.get("verdict")
    return out


def _machine_move(db: Db, ids: list[int], new: str, *, at: str, by: str, reason: str,
                  import_id: int | None = None, run_id: str | None = None) -> None:
    for rid in ids:
        old = db.scalar("SELECT state FROM rectifications WHERE id = ?", [rid])
        if new == "open" and db.scalar(
            "SELECT count(*) FROM rectifications WHERE state <> 'verified' AND id <> ? AND"
            " finding_id = (SELECT finding_id FROM rectifications WHERE id = ?)", [rid, rid]):
            continue
        db.execute("UPDATE rectifications SET state = ?, state_at = ?, state_by = ?,"
                   " verified_by = ? WHERE id = ?",
                   [new, at, by, by if new == "verified" else None, rid])
        _history(db, [rid], old, new, at=at, by=by, reason=reason, import_id=import_id,
                 run_id=run_id)
