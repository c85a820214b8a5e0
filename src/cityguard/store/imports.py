"""One scan file into the store: one transaction, streamed in batches, deduplicated.

Definitions (also in docs/ingest.md):
- identity: a finding is its fingerprint within a system (tool family, asset, rule, location);
- scope of an import: the system plus the set of (tool family, asset key) pairs that appear in
  the file's findings (a SARIF file's tool family is its producer, e.g. "sarif:semgrep").
  After the file is read, every `open`/`reopened` finding of that system on one of those
  (tool, asset) pairs that the file did not report again becomes `fixed`. Assets the file does not
  mention are left alone, so scanning one host never "fixes" another host's findings;
- a `fixed` finding reported again becomes `reopened`; `accepted` and `false_positive` ones
  keep their status while their acceptance lasts (expiry is checked on every import).
Memory stays bounded: findings go to SQLite in batches, and "seen in this import" is the
row's last_import_id, not a Python set.
"""

from __future__ import annotations

import hashlib
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
    "system_id", "fingerprint", "fp64", "tool", "format", "asset_kind", "asset_key", "port",
    "protocol", "rule_id", "title", "severity", "severity_raw", "cvss_score", "cvss_vector",
    "cves", "cwes", "description", "description_key", "solution", "solution_key", "location",
    "evidence", "refs", "tags", "first_seen", "last_seen", "first_import_id", "last_import_id",
)  # fmt: skip
_INSERT = f"INSERT INTO findings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_KEEP_ON_UPDATE = {"system_id", "fingerprint", "fp64", "tool", "asset_key", "rule_id",
                   "location", "first_seen", "first_import_id"}  # fmt: skip
# the UPDATE reuses the INSERT's parameter tuple (numbered parameters) plus the row id at the end
_UPDATE = (
    "UPDATE findings SET "
    + ", ".join(f"{c} = ?{i}" for i, c in enumerate(_COLUMNS, 1) if c not in _KEEP_ON_UPDATE)
    + f", first_seen = min(first_seen, ?{_COLUMNS.index('first_seen') + 1})"
    + f" WHERE id = ?{len(_COLUMNS) + 1}"
)


def fp64(fingerprint: str) -> int:
    """The first 64 bits of a fingerprint as a signed integer: the store's lookup key.

    An index of 8-byte integers stays a fraction of one of 64-character strings, which keeps a
    million-finding import fast; the full fingerprint is compared after the lookup.
    """
    return int(fingerprint[:16], 16) - (1 << 63)


class _Texts:
    """Digest keys for shared long texts, with a bounded memo of texts already keyed.

    Texts shorter than SHARED_FROM stay inline in the finding row: keying them costs more
    than it saves (SARIF messages, nikto lines are short and unique per result).
    """

    MEMO_CHARS = 8_000_000  # bounded memory: forget the memo past ~8 M characters of text
    SHARED_FROM = 200  # characters

    def __init__(self) -> None:
        self.memo: dict[str, bytes] = {}
        self.memo_chars = 0
        self.pending: dict[bytes, str] = {}  # texts of the current batch not yet written

    def key(self, text: str) -> bytes:
        key = self.memo.get(text)
        if key is None:
            if self.memo_chars > self.MEMO_CHARS:
                self.memo.clear()
                self.memo_chars = 0
            key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            self.memo[text] = key
            self.memo_chars += len(text)
            self.pending[key] = text
        return key

    def take(self) -> list[tuple[bytes, str]]:
        out, self.pending = list(self.pending.items()), {}
        return out


def _row(f: Finding, system_id: int, import_id: int, now: str, texts: _Texts) -> tuple[object, ...]:
    # the hot loop of a million-finding import: plain attribute reads, no enum machinery
    sev = getattr(f.severity, "_value_", None) or str(f.severity)
    fp = f.fingerprint
    desc, sol, short = f.description, f.solution, texts.SHARED_FROM
    return (
        system_id, fp, fp64(fp), f.tool, f.format, f.asset_kind, f.asset_key, f.port,
        f.protocol, f.rule_id, f.title, sev, f.severity_raw, f.cvss_score, f.cvss_vector,
        "\n".join(f.cves), "\n".join(f.cwes),
        desc if len(desc) < short else "", None if len(desc) < short else texts.key(desc),
        sol if len(sol) < short else "", None if len(sol) < short else texts.key(sol),
        f.location, f.evidence, "\n".join(f.references), "\n".join(f.tags),
        f.first_seen or now, f.last_seen or now, import_id, import_id,
    )  # fmt: skip


@dataclass
class _Batch:
    fingerprints: list[str]  # one per finding, in file order
    rows: list[tuple[object, ...]]  # upsert parameters
    pairs: set[tuple[str, str]]  # (tool, asset_key): the import's scope
    texts: list[tuple[bytes, str]]  # shared texts first seen in this batch


def _prepare(
    findings: Iterable[Finding], system_id: int, import_id: int, now: str
) -> Iterator[_Batch]:
    """Parse, fingerprint and build rows: the Python-heavy half of an import."""
    it = iter(findings)
    texts = _Texts()
    while batch := list(islice(it, BATCH)):
        yield _Batch(
            [f.fingerprint for f in batch],
            [_row(f, system_id, import_id, now, texts) for f in batch],
            {(f.tool, f.asset_key) for f in batch},
            texts.take(),
        )


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
    for batch in _prepare(findings, system_id, import_id, now):
        result.read += len(batch.rows)
        keys = list({row[2] for row in batch.rows})
        known = {
            fp: (fid, status, last)
            for fid, fp, status, last in conn.execute(
                "SELECT id, fingerprint, status, last_import_id FROM findings"
                # `+system_id`: look up by fp64 (a system may hold millions of findings)
                f" WHERE fp64 IN ({','.join('?' * len(keys))}) AND +system_id = ?",
                [*keys, system_id],
            )
        }
        inserts: dict[str, tuple[object, ...]] = {}  # last occurrence wins
        updates: dict[int, tuple[object, ...]] = {}
        reopen: list[int] = []
        for fp, row in zip(batch.fingerprints, batch.rows, strict=True):
            old = known.get(fp)
            if old is None:
                if fp in inserts:
                    result.duplicates += 1
                else:
                    result.new += 1
                inserts[fp] = row
                continue
            fid, status, last = old
            if last == import_id or fid in updates:
                result.duplicates += 1
            elif status == "fixed":
                result.reopened += 1
                reopen.append(fid)
            else:
                result.seen += 1
            updates[fid] = (*row, fid)
        conn.executemany("INSERT OR IGNORE INTO texts (key, body) VALUES (?, ?)", batch.texts)
        conn.executemany(_INSERT, inserts.values())
        conn.executemany(_UPDATE, updates.values())
        conn.executemany(
            "INSERT OR IGNORE INTO import_assets (import_id, tool, asset_key) VALUES (?, ?, ?)",
            [(import_id, t, a) for t, a in batch.pairs],
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
        " FROM findings WHERE system_id = ? AND status IN ('open', 'reopened')"
        " AND last_import_id IS NOT ? AND (tool, asset_key) IN"
        " (SELECT tool, asset_key FROM import_assets WHERE import_id = ?)"
    )
    args = (system_id, result.import_id, result.import_id)
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
