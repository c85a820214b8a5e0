"""The store: findings, imports, assessment runs, the register of systems, rectifications.

Where: `--store PATH|URL`, else CITYGUARD_STORE, else `.cityguard/cityguard.db` here. A path is
an embedded SQLite file (WAL mode, 0600); `postgresql://user@host:port/db` is a central server
shared by the SOC's analysts (store/location.py, store/backends/). Both have the same schema and
the same numbered migrations (store/schema.py) and behave the same. One scan file is one
transaction: all of it or none of it.

Public API (used by cli, assess, gate and later the dashboard and the notifier):
    open_store(target=None, migrate=True) -> Store
    Store.import_findings(findings, file=, format=, tool=, system=, sha256=) -> ImportResult
    Store.list_findings(...), get_finding(ref), set_status(ref, action, reason, ...)
    Store.save_run(assessment_dict), load_run(run_id | "latest", system=None), list_runs(system)
    Store.db: the backend connection (store/backends/base.py) for modules that add tables
The register, posture and rectifications: store/register.py, posture.py, rectify.py, reached
through Store methods below.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cityguard.core.dates import resolve_today
from cityguard.core.errors import DataError, UsageError
from cityguard.model import Finding
from cityguard.model.register import Posture, Rectification, SystemRecord
from cityguard.store import ledger, maintenance, posture, queries, rectify, register, runs, sync
from cityguard.store.backends import Bulk, Db, connect
from cityguard.store.imports import (
    EarlyInsert,
    ImportResult,
    expire_acceptances,
    merge,
    merge_early,
    stage_findings,
    system_is_empty,
)
from cityguard.store.imports import record_transition as _transition
from cityguard.store.location import StoreLocation, default_path, locate
from cityguard.store.parallel import TwoParts, stage_in_two
from cityguard.store.schema import SCHEMA_VERSION, check_version, migrate

__all__ = ["DEFAULT_SYSTEM", "SCHEMA_VERSION", "ImportResult", "Store", "StoreLocation",
           "check_store", "copy_store", "default_path", "locate", "migrate_store",
           "open_store"]  # fmt: skip

DEFAULT_SYSTEM = "default"
ACTIONS = {"accept": "accepted", "false-positive": "false_positive", "reopen": "reopened"}


def open_store(target: str | Path | None = None, *, migrate_schema: bool = True) -> Store:
    """Open (creating and migrating as needed) the store named by `target` or the default."""
    location = locate(target)
    db = connect(location)
    try:
        if migrate_schema:
            migrate(db)
        else:
            check_version(db)
    except BaseException:
        db.close()
        raise
    return Store(location, db)


def now_stamp(now: datetime | None = None) -> tuple[str, str]:
    """(timestamp with timezone, date) for status changes and expiry checks; without `now`
    the date is today as every command judges it (--today, CITYGUARD_TODAY, the calendar)."""
    day = now.astimezone().date() if now is not None else resolve_today()
    now = (now or datetime.now()).astimezone()
    return now.isoformat(timespec="seconds"), day.isoformat()


def parse_date(value: str | date | None, flag: str, today: str | None = None) -> str | None:
    """A YYYY-MM-DD flag value; with `today`, one in the past is refused."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        day = date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise UsageError(f"{flag} {text!r} is not a date (YYYY-MM-DD)")
    if today is not None and day.isoformat() < today:
        raise UsageError(f"{flag} {day} is in the past")
    return day.isoformat()


def who(by: str | None) -> str:
    return by or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


#: SQLite's write lock is the whole store's: a split read of a system's first import takes it
#: early only when the child has at most this much left to parse (~3 s here), so the
#: dashboard's and other imports' writes never wait on a long parse (PostgreSQL locks the
#: system alone: no bound)
EARLY_LOCK_BYTES = 160 * 1024 * 1024


class _Opening:
    """An import once its rows are staged: the system's write lock, the import's row, the
    merge. A system's first import read by two processes opens early, as soon as this
    process's part is staged (store.parallel.OpenEarly)."""

    def __init__(self, bulk: Bulk, system: str, file: str, format: str, tool: str,
                 sha256: str, stamp: str, today: str) -> None:
        self.bulk, self.db = bulk, bulk.db
        self.system, self.file, self.format, self.tool = system, file, format, tool
        self.sha256, self.stamp, self.today = sha256, stamp, today
        self.system_id = self.expired = 0
        self.locked = False
        self.early: EarlyInsert | None = None

    def _lock(self) -> None:
        if not self.locked:
            self.locked = True
            self.bulk.lock(f"system:{self.system}")
            self.expired = expire_acceptances(self.db, self.today, self.stamp)
            self.system_id = register.system_id(self.db, self.system, self.stamp)

    def _import_row(self, gaps: list[Any]) -> int:
        return self.db.insert_id(
            "INSERT INTO imports (system_id, file, sha256, format, tool, scope, imported_at,"
            " gaps) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (self.system_id, self.file, self.sha256, self.format, self.tool,
             f"{self.system}/{self.tool}", self.stamp,
             json.dumps(gaps, ensure_ascii=False) if gaps else ""),
        )  # fmt: skip

    # store.parallel.OpenEarly
    def begin(self, first_part_rows: int, second_bytes: int) -> bool:
        if self.db.name == "sqlite" and second_bytes > EARLY_LOCK_BYTES:
            return False  # the lock would stop the whole store's writers too long
        self._lock()
        if not system_is_empty(self.db, self.system_id):
            return False
        self.early = EarlyInsert(self.db, self.system_id, self._import_row([]))
        self.early.first_part(first_part_rows)
        return True

    def more(self, end_seq: int) -> None:
        assert self.early is not None
        self.early.more(end_seq)

    def undo(self, resume_at: int) -> None:
        assert self.early is not None
        self.early.undo(resume_at)

    def finish(self, read: int, gaps: list[Any]) -> ImportResult:
        self._lock()
        if self.early is None:
            import_id = self._import_row(gaps)
        else:
            import_id = self.early.import_id
            if gaps:  # known once the whole file is read
                self.db.execute("UPDATE imports SET gaps = ? WHERE id = ?",
                                [json.dumps(gaps, ensure_ascii=False), import_id])
        result = ImportResult(self.file, self.format, self.tool, self.system, import_id,
                              self.sha256, read=read)
        result.expired = self.expired
        if self.early is not None:
            return merge_early(self.db, result, self.stamp, self.early)
        return merge(self.bulk, self.system_id, result, self.stamp)


class Store:
    def __init__(self, location: StoreLocation, db: Db) -> None:
        self.location = location
        self.db = db
        # a file path for SQLite (as before), the masked URL for a server
        self.path: Path | str = location.path if location.path is not None else location.display

    @property
    def backend(self) -> str:
        return self.db.name

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- imports -----------------------------------------------------------------------------

    def systems(self) -> list[str]:
        return sorted(r[0] for r in self.db.all("SELECT name FROM systems"))

    def import_findings(
        self,
        findings: Iterable[Finding],
        *,
        file: str,
        format: str,
        tool: str,
        system: str | None = None,
        sha256: str = "",
        now: datetime | None = None,
        gaps: Callable[[], Sequence[dict[str, Any]]] | None = None,
        parts: TwoParts | None = None,
    ) -> ImportResult:
        """Import one file's findings in one transaction (rolled back if reading fails).

        With `parts` (ingest.split_file: a large file of a format that can be split), the
        file is read in two processes (store.parallel) and `findings` is not used.

        `gaps` is asked once the findings are read: what the file says was not checked
        (ingest.gaps_of(importer), as dicts), kept with the import for `scans history`."""
        stamp, today = now_stamp(now)
        db = self.db
        with db.bulk() as bulk:
            opening = _Opening(bulk, system or DEFAULT_SYSTEM, file, format, tool, sha256,
                               stamp, today)
            if parts is not None:  # a large file read by two processes
                read = stage_in_two(bulk, parts, stamp, opening)
            else:
                read = stage_findings(bulk, findings, stamp)
            result = opening.finish(read, list(gaps()) if gaps is not None else [])
        db.refresh_statistics("findings", result.new)  # committed: a big first import
        return result

    def imports(self, system: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT i.*, s.name AS system, (SELECT count(*) FROM import_assets a"
            " WHERE a.import_id = i.id) AS assets FROM imports i"
            " JOIN systems s ON s.id = i.system_id"
        )
        args: list[Any] = []
        if system:
            sql += " WHERE s.name = ?"
            args.append(system)
        rows = [dict(r) for r in self.db.all(sql + " ORDER BY i.id", args)]
        for row in rows:  # what each import did not check, as the importer recorded it
            row["gaps"] = json.loads(row["gaps"]) if row.get("gaps") else []
        return rows

    # --- findings ----------------------------------------------------------------------------

    def expire_acceptances(self, now: datetime | None = None) -> int:
        stamp, today = now_stamp(now)
        if not self.db.scalar("SELECT count(*) FROM findings WHERE status IN ('accepted',"
                              " 'false_positive') AND status_until < ?", [today]):
            return 0  # nothing expired: no write lock taken for a read
        with self.db.transaction():
            return expire_acceptances(self.db, today, stamp)

    def list_findings(
        self,
        *,
        system: str | None = None,
        severities: Sequence[str] = (),
        statuses: Sequence[str] = (),
        tools: Sequence[str] = (),
        limit: int | None = None,
        now: datetime | None = None,
    ) -> Iterator[Finding]:
        self.expire_acceptances(now)
        return queries.list_findings(
            self.db, system=system, severities=severities, statuses=statuses, tools=tools,
            limit=limit,
        )  # fmt: skip

    def get_finding(
        self, ref: str, system: str | None = None, now: datetime | None = None
    ) -> Finding:
        self.expire_acceptances(now)
        return queries.get_finding(self.db, ref, system)

    def history(self, finding_id: int) -> list[dict[str, Any]]:
        return queries.history(self.db, finding_id)

    def counts(self, system: str | None = None) -> dict[str, dict[str, int]]:
        return queries.counts(self.db, system)

    def set_status(
        self,
        ref: str,
        action: str,
        reason: str,
        *,
        by: str | None = None,
        until: str | date | None = None,
        system: str | None = None,
        now: datetime | None = None,
    ) -> Finding:
        """accept | false-positive | reopen one finding, keeping who, why, when and until."""
        if action not in ACTIONS:
            raise UsageError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        if not reason or not reason.strip():
            raise UsageError("a reason is required (--reason)")
        stamp, today = now_stamp(now)
        new = ACTIONS[action]
        if until is not None and new == "reopened":
            raise UsageError("--until applies to accept and false-positive only")
        until_day = parse_date(until, "--until", today) if new != "reopened" else None
        with self.db.transaction() as db:
            expire_acceptances(db, today, stamp)
            f = queries.get_finding(db, ref, system)
            if new == "reopened" and f.status in ("open", "reopened"):
                raise UsageError(f"finding {f.id} is already {f.status}")
            _transition(db, [int(f.id or 0)], f.status, new, at=stamp, by=who(by),
                        reason=reason.strip(), until=until_day)  # fmt: skip
        return queries.get_finding(self.db, str(f.id))

    # --- assessment runs and gate results ------------------------------------------------------

    def save_run(self, assessment: dict[str, Any]) -> str:
        """Keep an Assessment JSON document (assessment_to_dict) under its run_id."""
        return runs.save_run(self.db, assessment, now_stamp()[0])

    def load_run(self, run_id: str = "latest", system: str | None = None) -> dict[str, Any]:
        """One stored Assessment document; "latest" = the newest (of a system, if given)."""
        return runs.load_run(self.db, run_id, system)

    def list_runs(self, system: str | None = None) -> list[dict[str, Any]]:
        return runs.list_runs(self.db, system)

    def save_gate(self, system: str, stage: str, passed: bool, failed: Sequence[str] = (),
                  run_id: str | None = None) -> None:
        runs.save_gate(self.db, system, stage, passed, now_stamp()[0], list(failed), run_id)

    # --- the register ------------------------------------------------------------------------

    def system(self, name: str) -> SystemRecord:
        return register.get(self.db, name)

    def register_list(self) -> list[SystemRecord]:
        return register.listing(self.db)

    def add_system(self, record: SystemRecord) -> None:
        with self.db.transaction():
            register.add(self.db, record, now_stamp()[0])

    def edit_system(self, name: str, changes: dict[str, Any]) -> SystemRecord:
        with self.db.transaction():
            return register.edit(self.db, name, changes, now_stamp()[0])

    def remove_system(self, name: str, *, purge: bool = False) -> dict[str, int]:
        with self.db.transaction(lock=f"system:{name}"):
            return register.remove(self.db, name, purge=purge)

    def save_systems(self, records: Sequence[SystemRecord],
                     waivers: dict[str, list[tuple[str, str, str]]] | None = None) -> None:
        """Store many records at once (sync, ledger import): all of them or none."""
        for rec in records:
            register.check(rec)
        stamp = now_stamp()[0]
        with self.db.transaction():
            for rec in records:
                register.save(self.db, rec, stamp)
            for name, items in (waivers or {}).items():
                runs.set_waivers(self.db, name, items, "manifest")

    def sync_manifests(self, dirs: Sequence[Path]) -> list[SystemRecord]:
        """Every cityguard.yaml below `dirs` into the register (all or nothing)."""
        found = sync.read_all(sync.find_manifests(list(dirs)))
        records = [sync.merge(register.find(self.db, r.name), r) for r, _ in found]
        self.save_systems(records, {r.name: w for r, w in found})
        return records

    def import_ledger(self, path: str | Path) -> tuple[list[SystemRecord], ledger.Ledger]:
        """A spreadsheet ledger into the register (all rows or none). The columns it has
        replace the register's values, except the fields a system's manifest holds."""
        sheet = ledger.read_ledger(path)
        records = []
        for new in sheet.records:
            old = register.find(self.db, new.name)
            if old is not None:
                taken = {f: getattr(new, f) for f in sheet.columns
                         if f not in old.manifest_fields}
                new = replace(old, **taken)
            records.append(new)
        for n, rec in enumerate(records):
            found = register.problems(rec)
            if found:
                raise DataError(path, f"system {rec.name!r}: {found[0][0]}: {found[0][1]}",
                                field=f"row {n + 2}")
        self.save_systems(records)
        return records, sheet

    def posture(self, today: date | None = None, *, intervals: dict[int, int] | None = None
                ) -> list[Posture]:
        self.expire_acceptances()
        return posture.compute(self.db, today or resolve_today(), overrides=intervals)

    # --- rectifications ----------------------------------------------------------------------

    def add_rectification(self, *, owner: str, due: str, by: str | None = None,
                          finding: str | None = None, system: str | None = None,
                          unit_id: str | None = None, asset: str = "", note: str = ""
                          ) -> Rectification:
        stamp, today = now_stamp()
        due_day = parse_date(due, "--due")
        if (finding is None) == (unit_id is None):
            raise UsageError("give either --finding REF or --item UNIT_ID (with --system)")
        with self.db.transaction() as db:
            if finding is not None:
                f = queries.get_finding(db, finding, system)
                sid = register.system_id(db, str(f.extra["system"]), stamp)
                rid = rectify.add(db, system_id=sid, owner=owner, due=str(due_day),
                                  by=who(by), now=stamp, finding_id=int(f.id or 0),
                                  asset=f.asset_key, title=f.title, note=note)
            else:
                if not system:
                    raise UsageError("--item needs --system NAME")
                sid = register.get(db, system).id or 0
                rid = rectify.add(db, system_id=sid, owner=owner, due=str(due_day),
                                  by=who(by), now=stamp, unit_id=unit_id, asset=asset,
                                  title=unit_id or "", note=note)
        return rectify.get(self.db, rid, today)

    def change_rectification(self, rid: int, *, reason: str, by: str | None = None,
                             state: str | None = None, owner: str | None = None,
                             due: str | None = None) -> Rectification:
        if not reason or not reason.strip():
            raise UsageError("a reason is required (--reason)")
        stamp, today = now_stamp()
        with self.db.transaction():
            rectify.change(self.db, rid, by=who(by), now=stamp, reason=reason.strip(),
                           state=state, owner=owner, due=parse_date(due, "--due"))
        return rectify.get(self.db, rid, today)

    def rectification(self, rid: int) -> Rectification:
        return rectify.get(self.db, rid, now_stamp()[1])

    def rectifications(self, **filters: Any) -> list[Rectification]:
        return rectify.listing(self.db, now_stamp()[1], **filters)

    def rectification_history(self, rid: int) -> list[dict[str, Any]]:
        return rectify.history(self.db, rid)


def migrate_store(target: str | Path | None = None) -> tuple[int, int]:
    """(schema before, schema now) of the store named by `target`."""
    db = connect(locate(target))
    try:
        return migrate(db), SCHEMA_VERSION
    finally:
        db.close()


def check_store(target: str | Path | None = None) -> maintenance.CheckReport:
    """Is the store sound? (opened without migrating it)"""
    location = locate(target)
    if location.path is not None and not location.path.is_file():
        raise DataError(location.display, "no store here")
    db = connect(location)
    try:
        return maintenance.check(db)
    finally:
        db.close()


def copy_store(source: str | Path, destination: str | Path) -> dict[str, int]:
    """Every row of one store into another, empty one (one transaction, verified)."""
    src_loc, dst_loc = locate(source), locate(destination)
    if src_loc.path is not None and not src_loc.path.is_file():
        raise DataError(src_loc.display, "no store here")
    if src_loc == dst_loc:
        raise UsageError("the source and the destination are the same store")
    with open_store(source) as src, open_store(destination) as dst:
        return maintenance.copy(src.db, dst.db)


def describe(target: str | Path | None) -> str:
    """The store a command would use, for messages (a URL's password masked)."""
    try:
        return locate(target).display
    except DataError as exc:
        return exc.one_line()
