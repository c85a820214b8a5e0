"""One scan file into the store: staged, merged in one transaction, deduplicated.

Definitions (also in docs/ingest.md):
- identity: a finding is its fingerprint within a system (tool family, asset, rule, location);
  the unique constraint findings_identity (system_id, fingerprint) makes it so on every backend
  and across processes: a new row is inserted with ON CONFLICT DO NOTHING, never after a
  read that another importer could race;
- scope of an import: the system plus the set of (tool family, asset key) pairs that appear in
  the file's findings (a SARIF file's tool family is its producer, e.g. "semgrep").
  After the file is read, every `open`/`reopened` finding of that system on one of those
  (tool, asset) pairs that the file did not report again becomes `fixed`. Assets the file does
  not mention are left alone, so scanning one host never "fixes" another host's findings;
- a `fixed` finding reported again becomes `reopened`; `accepted` and `false_positive` ones
  keep their status while their acceptance lasts (expiry is checked on every import).

How: the file's rows are streamed in batches into a temporary staging table (COPY on
PostgreSQL), with no lock held, so importers parse side by side; then the write lock of the
system is taken and set-based statements merge the stage into the store (the first import of
a system, with nothing to match, inserts the stage as it is). A failure anywhere (a bad file,
Ctrl-C, a killed process, a server gone) leaves nothing of the file. Memory stays bounded:
only one batch is in Python at a time.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from cityguard.model import Finding, fp64
from cityguard.store import rectify
from cityguard.store.backends import Bulk, Db

BATCH = 2000  # rows per staging load (one COPY or one executemany)


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


#: the staged columns, in row order; (name, type token). `seq` is the key of the stage (on
#: SQLite its rowid), so the merge reads the rows in file order without sorting them.
STAGE = (
    ("seq", "{pk}"), ("fingerprint", "TEXT"), ("fp64", "{int}"), ("tool", "TEXT"),
    ("format", "TEXT"), ("asset_kind", "TEXT"), ("asset_key", "TEXT"), ("port", "{int}"),
    ("protocol", "TEXT"), ("rule_id", "TEXT"), ("title", "TEXT"), ("severity", "TEXT"),
    ("severity_raw", "TEXT"), ("cvss_score", "{real}"), ("cvss_vector", "TEXT"),
    ("cves", "TEXT"), ("cwes", "TEXT"), ("description", "TEXT"), ("description_key", "{blob}"),
    ("solution", "TEXT"), ("solution_key", "{blob}"), ("location", "TEXT"),
    ("evidence", "TEXT"), ("refs", "TEXT"), ("tags", "TEXT"), ("first_seen", "TEXT"),
    ("last_seen", "TEXT"),
)  # fmt: skip
_NAMES = [n for n, _ in STAGE]
_TEXT_NAMES = ("key", "body")
_FINDING_COLUMNS = _NAMES[1:]  # everything staged but the sequence number
#: descriptive fields a later scan refreshes (identity, first_seen and status stay)
_REFRESH = ("format", "asset_kind", "port", "protocol", "title", "severity", "severity_raw",
            "cvss_score", "cvss_vector", "cves", "cwes", "description", "description_key",
            "solution", "solution_key", "evidence", "refs", "tags", "last_seen")  # fmt: skip


class Texts:
    """Digest keys for shared long texts, with a bounded memo of texts already keyed.

    Texts shorter than SHARED_FROM stay inline in the finding row: keying them costs more
    than it saves (SARIF messages, nikto lines are short and unique per result).
    """

    MEMO_CHARS = 8_000_000  # bounded memory: forget the memo past ~8 M characters of text
    SHARED_FROM = 200  # characters

    def __init__(self) -> None:
        self.memo: dict[str, bytes] = {}
        self.memo_chars = 0
        self.pending: dict[bytes, str] = {}  # texts of the current batch not yet staged

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


def _clean(text: str) -> str:
    # PostgreSQL text cannot hold NUL; both backends drop it so they store the same value
    return text.replace("\x00", "") if "\x00" in text else text


def _row(f: Finding, seq: int, now: str, texts: Texts) -> tuple[object, ...]:
    # the hot loop of a million-finding import: plain attribute reads, no enum machinery, and
    # one test for NUL over the free-text fields joined (XML cannot even hold one) instead of
    # one call per field
    sev = getattr(f.severity, "_value_", None) or str(f.severity)
    fp = f.fingerprint
    tool, asset, rule, title, raw = f.tool, f.asset_key, f.rule_id, f.title, f.severity_raw
    desc, sol, location, evidence = f.description, f.solution, f.location, f.evidence
    refs, tags = "\n".join(f.references), "\n".join(f.tags)
    if "\x00" in "".join((tool, asset, rule, title, raw, desc, sol, location, evidence, refs,
                          tags)):  # fmt: skip
        tool, asset, rule, title, raw, desc, sol, location, evidence, refs, tags = map(
            _clean, (tool, asset, rule, title, raw, desc, sol, location, evidence, refs, tags))
    short = texts.SHARED_FROM
    return (
        seq, fp, fp64(fp), tool, f.format, f.asset_kind, asset, f.port, f.protocol, rule, title,
        sev, raw, f.cvss_score, f.cvss_vector, "\n".join(f.cves), "\n".join(f.cwes),
        desc if len(desc) < short else "", None if len(desc) < short else texts.key(desc),
        sol if len(sol) < short else "", None if len(sol) < short else texts.key(sol),
        location, evidence, refs, tags, f.first_seen or now, f.last_seen or now,
    )  # fmt: skip


def create_stage(bulk: Bulk) -> None:
    bulk.create("stage", STAGE)
    bulk.create("stage_texts", (("key", "{blob}"), ("body", "TEXT")))


def staged_batches(findings: Iterable[Finding], now: str, first_seq: int = 0,
                   texts: Texts | None = None) -> Iterator[tuple[list[tuple[object, ...]],
                                                                 list[tuple[bytes, str]]]]:
    """(stage rows, new shared texts) per BATCH findings, numbered from `first_seq`."""
    it = iter(findings)
    texts = texts or Texts()
    seq = first_seq
    while batch := list(islice(it, BATCH)):
        yield [_row(f, seq + i, now, texts) for i, f in enumerate(batch)], texts.take()
        seq += len(batch)


def load_batch(bulk: Bulk, rows: list[tuple[object, ...]], texts: list[tuple[bytes, str]]) -> None:
    bulk.load("stage", _NAMES, rows)
    if texts:
        bulk.load("stage_texts", _TEXT_NAMES, texts)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Reading makes a few dozen container objects a finding and no reference cycles, all
    freed by reference counting: the cyclic collector would only walk them again and again
    (~7% of a 200,000-finding import). It is back on as soon as the file is read, or fails."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def stage_findings(bulk: Bulk, findings: Iterable[Finding], now: str, *, first_seq: int = 0,
                   texts: Texts | None = None, create: bool = True,
                   between: Callable[[], object] | None = None) -> int:
    """Stream the findings into the staging tables (created first, unless `create` is
    false: a later part of the same file); how many were read. `between` runs after each
    batch (store.parallel loads the other part's rows there)."""
    if create:
        create_stage(bulk)
    read = 0
    with no_cycle_collection():
        for rows, new_texts in staged_batches(findings, now, first_seq, texts):
            load_batch(bulk, rows, new_texts)
            read += len(rows)
            if between is not None:
                between()
    return read


def record_transition(
    db: Db,
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
    db.executemany(
        "INSERT INTO status_history (finding_id, old_status, new_status, at, by, reason, until,"
        " import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, old, new, at, by, reason, until, import_id) for i in ids],
    )
    db.executemany(
        "UPDATE findings SET status = ?, status_at = ?, status_by = ?, status_reason = ?,"
        " status_until = ? WHERE id = ?",
        [(new, at, by, reason, until, i) for i in ids],
    )


_MATCH = " FROM findings f JOIN stage s ON f.fingerprint = s.fingerprint WHERE f.system_id = ?"


def _repeats(db: Db, read: int) -> int:
    """How many staged rows repeat a fingerprint of an earlier one. Distinct 64-bit prefixes
    are counted first (integers sort in a third of the time of 64-character texts): as many
    as rows read means no repeat; else the fingerprints themselves are counted."""
    if int(db.scalar("SELECT count(DISTINCT fp64) FROM stage") or 0) == read:
        return 0
    return read - int(db.scalar("SELECT count(DISTINCT fingerprint) FROM stage") or 0)


def system_is_empty(db: Db, system_id: int) -> bool:
    # ordered as the identity index: the planner walks it (a seek) whatever its statistics
    # say; with statistics sampled from other systems, PostgreSQL scanned the whole table
    # for a new system's first import (20 ms an import at 300,000 findings)
    return db.one("SELECT 1 FROM findings WHERE system_id = ? ORDER BY system_id, fingerprint"
                  " LIMIT 1", [system_id]) is None


def merge(bulk: Bulk, system_id: int, result: ImportResult, now: str) -> ImportResult:
    """Merge the staged file into the store (the caller holds the system's write lock)."""
    db = bulk.db
    if system_is_empty(db, system_id):
        return _merge_into_empty(db, system_id, result, now)
    iid, by = result.import_id, f"import #{result.import_id}"
    # PostgreSQL: the index first (counting distinct fingerprints then walks it instead of
    # sorting them), then statistics, which a temporary table lacks until asked. SQLite: no
    # index unless the file repeats a fingerprint: with one, its planner walked the system's
    # findings and probed the stage, updating rows in random order (1.7 s for 200,000);
    # without, it reads the stage in file order and seeks each finding (1.2 s), and the
    # index is not built (0.3 s)
    postgres = db.name == "postgresql"
    if postgres:
        bulk.index("stage", "fingerprint")
    result.duplicates = _repeats(db, result.read)
    if postgres:
        db.execute("ANALYZE stage")
    elif result.duplicates:  # the statements below look fingerprints up in the stage
        bulk.index("stage", "fingerprint")
    if result.duplicates:
        # the last occurrence's values win, in the place of the first occurrence (ids follow
        # the file's order): mark the kept rows with their first place, encoded negative
        db.execute("UPDATE stage SET seq = -1 - (SELECT min(d.seq) FROM stage d WHERE"
                   " d.fingerprint = stage.fingerprint) WHERE seq IN (SELECT max(seq) FROM stage"
                   " GROUP BY fingerprint HAVING count(*) > 1)")
        db.execute("DELETE FROM stage WHERE seq >= 0 AND fingerprint IN"
                   " (SELECT fingerprint FROM stage WHERE seq < 0)")
        db.execute("UPDATE stage SET seq = -1 - seq WHERE seq < 0")
    _insert_texts(db)
    reason = f"reported again by {result.file}"
    # the counts come from the statements' own row counts (the stage holds each fingerprint
    # once by now): the rows reopened, then the rows refreshed, which are all the known ones.
    # Matching the stage against the fixed findings is skipped when the system has none (the
    # common case: 0.34 s of a 200,000-finding re-import on SQLite, whose stage has no index)
    if db.one("SELECT 1 FROM findings WHERE system_id = ? AND status = 'fixed' LIMIT 1",
              [system_id]) is not None:
        result.reopened = max(db.execute(
            "INSERT INTO status_history (finding_id, old_status, new_status, at, by, reason,"
            " import_id) SELECT f.id, 'fixed', 'reopened', ?, ?, ?, ?" + _MATCH
            + " AND f.status = 'fixed' ORDER BY f.id", [now, by, reason, iid, system_id]
        ).rowcount, 0)  # fmt: skip
    reopen = "CASE WHEN findings.status = 'fixed' THEN {} ELSE findings.{} END"
    known = max(db.execute(
        "UPDATE findings SET " + ", ".join(f"{c} = s.{c}" for c in _REFRESH)
        + ", first_seen = CASE WHEN s.first_seen < findings.first_seen THEN s.first_seen"
        " ELSE findings.first_seen END, last_import_id = ?"
        + f", status = {reopen.format(repr('reopened'), 'status')}"
        + f", status_at = {reopen.format('?', 'status_at')}"
        + f", status_by = {reopen.format('?', 'status_by')}"
        + f", status_reason = {reopen.format('?', 'status_reason')}"
        + f", status_until = {reopen.format('NULL', 'status_until')}"
        " FROM stage s WHERE findings.system_id = ? AND findings.fingerprint = s.fingerprint",
        [iid, now, by, reason, system_id],
    ).rowcount, 0)  # fmt: skip
    result.seen = known - result.reopened
    if known < result.read - result.duplicates:  # else every staged row is known: none new
        result.new = _insert_new(db, system_id, iid)
    db.execute("INSERT INTO import_assets (import_id, tool, asset_key) SELECT DISTINCT ?, tool,"
               " asset_key FROM stage WHERE true ON CONFLICT DO NOTHING", [iid])
    result.fixed = _mark_fixed(db, system_id, result, now, by)
    return _finish(db, system_id, result, now)


def _insert_new(db: Db, system_id: int, import_id: int, seqs: tuple[int, int] | None = None
                ) -> int:
    """Staged rows whose fingerprint the system lacks, in file order (those numbered in
    [first, end) when `seqs` is given); how many."""
    cols = ", ".join(_FINDING_COLUMNS)
    where, args = "true", [system_id, import_id, import_id]
    if seqs is not None:
        where = "s.seq >= ? AND s.seq < ?"
        args += list(seqs)
    cur = db.execute(
        f"INSERT INTO findings (system_id, {cols}, first_import_id, last_import_id)"
        f" SELECT ?, {', '.join('s.' + c for c in _FINDING_COLUMNS)}, ?, ? FROM stage s"
        f" WHERE {where} ORDER BY s.seq ON CONFLICT (system_id, fingerprint) DO NOTHING", args,
    )  # fmt: skip
    return max(cur.rowcount, 0)


def _insert_texts(db: Db) -> None:
    db.execute("INSERT INTO texts (key, body) SELECT key, min(body) FROM stage_texts WHERE true"
               " GROUP BY key ON CONFLICT (key) DO NOTHING")


class EarlyInsert:
    """The first import of a system, read by two processes, inserted into `findings` while
    the child still parses (store.parallel), instead of all at once at the end.

    Rows go in by ranges of their numbers, in file order, and the result is the same as
    `_merge_into_empty` inserting them in one statement: the same ids, the first of a
    repeated fingerprint in its place (its last values are given at the end, over the whole
    stage). The write lock is taken when this process's part is staged, not when the file is
    read: other writers wait the child's remaining parse longer. What was inserted from the
    child's rows sits after a savepoint, so a failed child is undone (`undo`) and this
    process's reading of the rest goes in at the end.
    """

    def __init__(self, db: Db, system_id: int, import_id: int) -> None:
        self.db, self.system_id, self.import_id = db, system_id, import_id
        self.new = 0
        self.before_child = 0  # of `new`, inserted before the savepoint
        self.next = 0  # rows numbered below this are in `findings`
        self.saved = False
        self.pending = 0  # calls of more() since the last insert

    EVERY = 8

    def first_part(self, end: int) -> None:
        """Insert this process's part (numbered below `end`), then open the savepoint."""
        self._insert(end)
        self.before_child = self.new
        self.db.execute("SAVEPOINT child_rows")
        self.saved = True

    def more(self, end: int) -> None:
        """Insert the child's rows staged so far (numbered below `end`), a few batches at
        a time (one statement a batch cost twice as much a row)."""
        self.pending += 1
        if self.pending >= self.EVERY:
            self.pending = 0
            self._insert(end)

    def _insert(self, end: int) -> None:
        if end > self.next:
            _insert_texts(self.db)
            self.new += _insert_new(self.db, self.system_id, self.import_id, (self.next, end))
            self.next = end

    def undo(self, resume_at: int) -> None:
        """Forget what came from the child: this process reads the rest, numbered from
        `resume_at`, and it goes in with the final insert."""
        if self.saved:
            self.db.execute("ROLLBACK TO SAVEPOINT child_rows")
            self.db.execute("RELEASE SAVEPOINT child_rows")
            self.saved = False
        self.new = self.before_child
        self.next = resume_at


def merge_early(db: Db, result: ImportResult, now: str, early: EarlyInsert) -> ImportResult:
    """The end of an import whose first rows went in early: the rest, then as
    `_merge_into_empty`."""
    return _merge_into_empty(db, early.system_id, result, now, early)


def _finish(db: Db, system_id: int, result: ImportResult, now: str) -> ImportResult:
    db.execute(
        "UPDATE imports SET findings_read = ?, new = ?, seen = ?, reopened = ?, fixed = ?,"
        " duplicates = ? WHERE id = ?",
        (result.read, result.new, result.seen, result.reopened, result.fixed,
         result.duplicates, result.import_id),
    )  # fmt: skip
    rectify.after_import(db, system_id, result.import_id, result.file, now)
    return result


def _merge_into_empty(db: Db, system_id: int, result: ImportResult, now: str,
                      early: EarlyInsert | None = None) -> ImportResult:
    """The first import of a system: every staged row is new, nothing is seen again,
    reopened or fixed, so the stage needs no index and no matching against the store.

    Rows go in file order, the first of a repeated fingerprint taking its place; only when
    the insert kept fewer rows than were read (a fingerprint repeated in the file) are the
    kept rows given their last occurrence's values, as merge() does.
    """
    iid = result.import_id
    _insert_texts(db)
    if early is None:
        result.new = _insert_new(db, system_id, iid)
    else:  # the rows numbered below early.next are in already
        result.new = early.new + _insert_new(db, system_id, iid, (early.next, 1 << 62))
    result.duplicates = result.read - result.new
    if result.duplicates:
        db.execute(
            "UPDATE findings SET " + ", ".join(f"{c} = s.{c}" for c in _FINDING_COLUMNS[1:])
            + " FROM stage s WHERE findings.system_id = ? AND findings.fingerprint ="
            " s.fingerprint AND s.seq IN (SELECT max(seq) FROM stage GROUP BY fingerprint"
            " HAVING count(*) > 1)", [system_id])
    db.execute("INSERT INTO import_assets (import_id, tool, asset_key) SELECT DISTINCT ?, tool,"
               " asset_key FROM stage WHERE true ON CONFLICT DO NOTHING", [iid])
    return _finish(db, system_id, result, now)


def _mark_fixed(db: Db, system_id: int, result: ImportResult, now: str, by: str) -> int:
    where = (
        " FROM findings WHERE system_id = ? AND status IN ('open', 'reopened')"
        " AND last_import_id <> ? AND (tool, asset_key) IN"
        " (SELECT tool, asset_key FROM import_assets WHERE import_id = ?)"
    )
    args = (system_id, result.import_id, result.import_id)
    reason = f"not reported by {result.file}"
    db.execute(
        "INSERT INTO status_history (finding_id, old_status, new_status, at, by, reason,"
        " import_id) SELECT id, status, 'fixed', ?, ?, ?, ?" + where + " ORDER BY id",
        (now, by, reason, result.import_id, *args),
    )
    cur = db.execute(
        "UPDATE findings SET status = 'fixed', status_at = ?, status_by = ?, status_reason = ?,"
        " status_until = NULL WHERE id IN (SELECT id" + where + ")",
        (now, by, reason, *args),
    )
    return cur.rowcount


def expire_acceptances(db: Db, today: str, now: str) -> int:
    """Reopen accepted / false-positive findings whose `until` date has passed."""
    rows = db.all(
        "SELECT id, status, status_until FROM findings WHERE status IN"
        " ('accepted', 'false_positive') AND status_until IS NOT NULL AND status_until < ?",
        (today,),
    )
    for fid, status, until in rows:
        record_transition(
            db, [fid], status, "reopened", at=now, by="cityguard",
            reason=f"{status.replace('_', ' ')} expired (until {until})",
        )  # fmt: skip
    return len(rows)
