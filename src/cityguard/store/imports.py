"""One scan file into the store: one transaction, streamed in batches, deduplicated.

Definitions (also in docs of `cityguard scans import`):
- identity: a finding is its fingerprint within a system (tool family, asset, rule, location);
- scope of an import: (system, tool family, the set of asset keys that appear in the file).
  After the file is read, every `open`/`reopened` finding of that system and tool on one of
  those assets that the file did not report again becomes `fixed`. Assets the file does not
  mention are left alone, so scanning one host never "fixes" another host's findings;
- a `fixed` finding reported again becomes `reopened`; `accepted` and `false_positive` ones
  keep their status while their acceptance lasts (expiry is checked on every import).
Memory stays bounded: findings go to SQLite in batches, and "seen in this import" is the
row's last_import_id, not a Python set.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from cityguard.model import Finding

BATCH = 500  # ≤ 999 host parameters per IN (…) for old SQLite builds


@dataclass
class ImportResult:
    """What importing one file did (the row `cityguard scans import` prints)."""

    file: str
    format: str
    tool: str
    system: str
    import_id: int
    sha256: str
    read: int = 0  # findings the importer yielded
    new: int = 0  # fingerprints never seen before in this system
    seen: int = 0  # already known and still open / accepted / false positive
    reopened: int = 0  # known as fixed, reported again
    fixed: int = 0  # open in scope but missing from this file
    duplicates: int = 0  # the same fingerprint more than once in this file
    expired: int = 0  # acceptances past their date, reopened before this import

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


_COLUMNS = (
    "system_id", "fingerprint", "tool", "format", "asset_kind", "asset_key", "port", "protocol",
    "rule_id", "title", "severity", "severity_raw", "cvss_score", "cvss_vector", "cves", "cwes",
    "description", "solution", "location", "evidence", "refs", "tags", "first_seen",
    "last_seen", "first_import_id", "last_import_id", "source_file",
)  # fmt: skip
_KEEP_ON_UPDATE = {"system_id", "fingerprint", "tool", "asset_key", "rule_id", "location",
                   "first_seen", "first_import_id"}  # fmt: skip
_UPSERT = (
    f"INSERT INTO findings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(system_id, fingerprint) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in _KEEP_ON_UPDATE)
    + ", first_seen = min(findings.first_seen, excluded.first_seen)"
)


def _row(f: Finding, system_id: int, import_id: int, now: str) -> tuple[object, ...]:
    sev = f.severity.value if hasattr(f.severity, "value") else str(f.severity)
    return (
        system_id, f.fingerprint, f.tool, f.format, f.asset_kind, f.asset_key, f.port,
        f.protocol, f.rule_id, f.title, sev, f.severity_raw, f.cvss_score, f.cvss_vector,
        "\n".join(f.cves), "\n".join(f.cwes), f.description, f.solution, f.location,
        f.evidence, "\n".join(f.references), "\n".join(f.tags), f.first_seen or now,
        f.last_seen or now, import_id, import_id, f.source_file,
    )  # fmt: skip


def _batches(findings: Iterable[Finding]) -> Iterator[list[Finding]]:
    it = iter(findings)
    while batch := list(islice(it, BATCH)):
        yield batch


def record_transition(
    conn: sqlite3.Connection,
    ids: list[int],
    old: str | None,
    new: str,
    *,
    at: str,
    by: str,
    reason: str,
    until: str | None = None,
    import_id: int | None = None,
) -> None:
    """Set a status on findings and keep who/why/when/until in status_history."""
    if not ids:
        return
    conn.executemany(
        "INSERT INTO status_history (finding_id, old_status, new_status, at, by, reason, until,"
        " import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, old, new, at, by, reason, until, import_id) for i in ids],
    )
    conn.executemany(
        "UPDATE findings SET status = ?, status_at = ?, status_by = ?, status_reason = ?,"
        " status_until = ? WHERE id = ?",
        [(new, at, by, reason, until, i) for i in ids],
    )


def import_findings(
    conn: sqlite3.Connection,
    system_id: int,
    findings: Iterable[Finding],
    result: ImportResult,
    now: str,
) -> ImportResult:
    """Stream findings into an open transaction; the caller commits or rolls back."""
    import_id = result.import_id
    by = f"import #{import_id}"
    for batch in _batches(findings):
        result.read += len(batch)
        fps = list(dict.fromkeys(f.fingerprint for f in batch))
        marks = ",".join("?" * len(fps))
        known = {
            fp: (fid, status, last)
            for fid, fp, status, last in conn.execute(
                "SELECT id, fingerprint, status, last_import_id FROM findings"
                f" WHERE system_id = ? AND fingerprint IN ({marks})",
                [system_id, *fps],
            )
        }
        reopen: list[int] = []
        counted: set[str] = set()
        for f in batch:
            fp = f.fingerprint
            if fp in counted or (fp in known and known[fp][2] == import_id):
                result.duplicates += 1
            elif fp not in known:
                result.new += 1
            elif known[fp][1] == "fixed":
                result.reopened += 1
                reopen.append(known[fp][0])
            else:
                result.seen += 1
            counted.add(fp)
        conn.executemany(_UPSERT, [_row(f, system_id, import_id, now) for f in batch])
        conn.executemany(
            "INSERT OR IGNORE INTO import_assets (import_id, asset_key) VALUES (?, ?)",
            [(import_id, a) for a in {f.asset_key for f in batch}],
        )
        record_transition(
            conn, reopen, "fixed", "reopened", at=now, by=by, import_id=import_id,
            reason=f"reported again by {result.file}",
        )  # fmt: skip
    result.fixed = _mark_fixed(conn, system_id, result, now, by)
    conn.execute(
        "UPDATE imports SET findings_read = ?, new = ?, seen = ?, reopened = ?, fixed = ?,"
        " duplicates = ? WHERE id = ?",
        (result.read, result.new, result.seen, result.reopened, result.fixed,
         result.duplicates, import_id),
    )  # fmt: skip
    return result


def _mark_fixed(
    conn: sqlite3.Connection, system_id: int, result: ImportResult, now: str, by: str
) -> int:
    where = (
        " FROM findings WHERE system_id = ? AND tool = ? AND status IN ('open', 'reopened')"
        " AND last_import_id IS NOT ? AND asset_key IN"
        " (SELECT asset_key FROM import_assets WHERE import_id = ?)"
    )
    args = (system_id, result.tool, result.import_id, result.import_id)
    reason = f"not reported by {result.file}"
    conn.execute(
        "INSERT INTO status_history (finding_id, old_status, new_status, at, by, reason,"
        " import_id) SELECT id, status, 'fixed', ?, ?, ?, ?" + where,
        (now, by, reason, result.import_id, *args),
    )
    cur = conn.execute(
        "UPDATE findings SET status = 'fixed', status_at = ?, status_by = ?, status_reason = ?,"
        " status_until = NULL WHERE id IN (SELECT id" + where + ")",
        (now, by, reason, *args),
    )
    return cur.rowcount


def expire_acceptances(conn: sqlite3.Connection, today: str, now: str) -> int:
    """Reopen accepted / false-positive findings whose `until` date has passed."""
    rows = conn.execute(
        "SELECT id, status, status_until FROM findings WHERE status IN"
        " ('accepted', 'false_positive') AND status_until IS NOT NULL AND status_until < ?",
        (today,),
    ).fetchall()
    for fid, status, until in rows:
        record_transition(
            conn, [fid], status, "reopened", at=now, by="cityguard",
            reason=f"{status.replace('_', ' ')} expired (until {until})",
        )  # fmt: skip
    return len(rows)
