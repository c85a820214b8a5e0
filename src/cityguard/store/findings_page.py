"""Pages of findings across the city for the dashboard: keyset paging that stays fast at
1,000,000 findings.

The order is most severe first, then by id. A page never counts or skips rows (OFFSET reads
every row it skips): it continues after the last (severity rank, id) of the page before, one
severity at a time, each walking an index (findings_severity, or a system's own
findings_system_severity), so page 1,000 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cityguard.core.errors import UsageError
from cityguard.model import FINDING_STATUSES, Finding
from cityguard.store.backends import Db
from cityguard.store.queries import row_to_finding

#: severities in page order
RANKED = ("critical", "high", "medium", "low", "info")
MAX_PAGE = 200
#: what a page's `keep` test may read of a finding (with the system's level)
KEEP_COLUMNS = ("tool", "rule_id", "title", "port", "tags", "cves", "cwes", "refs", "severity",
                "system_level")
_SELECT = (
    "SELECT f.*, s.name AS system, s.level AS system_level, s.department AS department,"
    " coalesce(d.body, f.description) AS description, coalesce(r.body, f.solution) AS solution,"
    " li.file AS source_file FROM findings f JOIN imports li ON li.id = f.last_import_id"
    " JOIN systems s ON s.id = f.system_id LEFT JOIN texts d ON d.key = f.description_key"
    " LEFT JOIN texts r ON r.key = f.solution_key"
)


@dataclass
class FindingFilter:
    systems: Sequence[str] = ()  # names
    department: str = ""
    severities: Sequence[str] = ()
    statuses: Sequence[str] = ()
    tools: Sequence[str] = ()
    cve: str = ""
    level: int | None = None  # systems graded at this level (unset: level 3, as elsewhere)


@dataclass
class Cursor:
    """Where a page ends: the severity rank and id of its last finding."""

    rank: int = 0
    after_id: int = 0

    def token(self) -> str:
        return f"{self.rank}.{self.after_id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        rank, _, after = text.partition(".")
        if not (rank.isdigit() and after.isdigit()) or int(rank) >= len(RANKED):
            raise UsageError(f"bad page cursor {text[:40]!r}")
        return cls(int(rank), int(after))


@dataclass
class Page:
    findings: list[Finding] = field(default_factory=list)
    levels: dict[int, int | None] = field(default_factory=dict)  # finding id → system level
    departments: dict[int, str] = field(default_factory=dict)
    next: Cursor | None = None
    scanned_out: bool = False  # the scan limit ended this page early (a filter above the store)


def _system_ids(db: Db, flt: FindingFilter) -> list[int] | None:
    """The systems a filter restricts to (None: all of them)."""
    if not flt.systems and not flt.department:
        return None
    where, args = [], []
    if flt.systems:
        where.append(f"name IN ({', '.join('?' * len(flt.systems))})")
        args.extend(flt.systems)
    if flt.department:
        where.append("department = ?")
        args.append(flt.department)
    return [int(r[0]) for r in db.all("SELECT id FROM systems WHERE " + " AND ".join(where),
                                      args)]


def rows(db: Db, flt: FindingFilter, cursor: Cursor, batch: int) -> Iterator[tuple[int, Any]]:
    """(rank, row) in page order from `cursor` on, `batch` rows per query."""
    for status in flt.statuses:
        if status not in FINDING_STATUSES:
            raise UsageError(f"unknown status {status!r}; known: {', '.join(FINDING_STATUSES)}")
    ids = _system_ids(db, flt)
    if ids is not None and not ids:
        return
    where: list[str] = []
    args: list[Any] = []
    if ids is not None:
        where.append(f"f.system_id IN ({', '.join('?' * len(ids))})")
        args.extend(ids)
    for column, values in (("f.status", flt.statuses), ("f.tool", flt.tools)):
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            args.extend(values)
    if flt.level is not None and db.name == "postgresql":
        # by id: PostgreSQL cannot estimate coalesce(s.level, 3) and started from the systems,
        # reading every row of half the city and sorting it for each batch (1.6 s a page at
        # 1,000,000 findings); a list of ids lets it walk the index in page order. The ids
        # are written into the text (integers read from the store, never a user's value):
        # as parameters, the generic plan of the prepared statement (psycopg prepares a query
        # from its sixth run) knew none of them and went back to the systems first
        level_ids = [int(r[0]) for r in db.all(
            "SELECT id FROM systems WHERE coalesce(level, 3) = ?", [flt.level])]
        if not level_ids:
            return
        where.append(f"f.system_id IN ({', '.join(str(i) for i in level_ids)})")
    elif flt.level is not None:  # SQLite walks the severity index and joins each row's system
        where.append("coalesce(s.level, 3) = ?")
        args.append(flt.level)
    if flt.cve:
        where.append("('\n' || f.cves || '\n') LIKE ?")
        args.append(f"%\n{flt.cve.strip().upper()}\n%")
    select = _SELECT
    if ids is not None and db.name == "sqlite":  # it would walk the city's index otherwise
        select = _SELECT.replace("findings f", "findings f INDEXED BY findings_system_severity")
    for rank in range(cursor.rank, len(RANKED)):
        if flt.severities and RANKED[rank] not in flt.severities:
            continue
        after = cursor.after_id if rank == cursor.rank else 0
        while True:
            sql = (select + " WHERE " + " AND ".join(["f.severity = ?", "f.id > ?", *where])
                   + " ORDER BY f.id LIMIT ?")
            got = db.all(sql, [RANKED[rank], after, *args, batch])
            for row in got:
                yield rank, row
            if len(got) < batch:
                break
            after = int(got[-1]["id"])


def page(db: Db, flt: FindingFilter, cursor: Cursor | None = None, size: int = 50, *,
         keep: Callable[[Finding, int | None], bool] | None = None,
         scan_limit: int = 20_000) -> Page:
    """One page of findings matching `flt` (and `keep`, a test made above the store, such as
    an MLPS unit's mapping), and the cursor of the next page (None: this is the last).

    `keep` may read only what the findings of one scanner rule share (KEEP_COLUMNS: tool,
    rule, title, port, tags, CVEs, CWEs, references, severity) and the system's level: its
    answer is kept per distinct combination, so the rows of one rule on many hosts are tested
    once, and a row it refuses is never turned into a Finding. At most `scan_limit` rows are
    read for one page: a page that stops there is shorter, its cursor says where to go on,
    and `scanned_out` says so."""
    size = max(1, min(int(size), MAX_PAGE))
    out = Page()
    last: Cursor | None = None
    scanned = 0
    answers: dict[tuple[Any, ...], bool] = {}
    for rank, row in rows(db, flt, cursor or Cursor(), size + 1 if keep is None else 500):
        if len(out.findings) == size:
            out.next = last
            return out
        scanned += 1
        last = Cursor(rank, int(row["id"]))
        f = None
        if keep is not None:
            key = tuple(row[c] for c in KEEP_COLUMNS)
            kept = answers.get(key)
            if kept is None:
                f = row_to_finding(row)
                kept = answers[key] = keep(f, row["system_level"])
            if not kept:
                if scanned >= scan_limit:
                    out.next, out.scanned_out = last, True
                    return out
                continue
        out.findings.append(f or row_to_finding(row))
        out.levels[int(row["id"])] = row["system_level"]
        out.departments[int(row["id"])] = row["department"] or ""
    return out
