"""The store's schema, as numbered migrations applied in order, the same on both backends.

A migration is appended, never edited once released: a store written by an older cityguard is
brought forward on open (or by `cityguard store migrate`); one written by a newer cityguard is
refused rather than damaged. Each migration is SQL that SQLite and PostgreSQL both accept, with
column types named by token ({pk} {int} {real} {blob} {without_rowid}, see backends/, and
{hot_ref_*}: the references of a finding row, which PostgreSQL checks with one trigger call per
row and per reference, half the time of a bulk import; there the importer keeps them (it
writes the parents first, in the same transaction) and `cityguard store check` verifies them),
plus
an optional Python step for what SQL cannot express portably (reading stored JSON).
Adding a table (users, an audit log, an outbox) is appending one Migration here.

SQLite keeps the version in PRAGMA user_version (stores of earlier cityguard releases carry
it), PostgreSQL in the table cityguard_schema. Migrating takes the write lock, so two clients
opening an old store at once migrate it once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cityguard.core.errors import DataError
from cityguard.store.backends import Db


@dataclass(frozen=True)
class Migration:
    script: str
    after: Callable[[Db], None] | None = None  # a data step run in the same transaction


# 1: systems, imports and their asset scope, findings, status history, assessment runs.
# Lists (cves, cwes, refs, tags) are stored newline-joined: none of their values can hold a
# newline, and joining is several times cheaper than JSON on a million-finding import.
# Long descriptions and solutions are stored once in `texts`, keyed by a 16-byte BLAKE2b digest
# (a scanner repeats the same plugin text on every host: a 30 MB .nessus made a 41 MB store,
# 12 MB with shared texts). `fp64` (a fingerprint's first 64 bits) keyed prefix look-ups
# until migration 7.
_V1 = """
CREATE TABLE systems (
    id          {pk},
    name        TEXT NOT NULL UNIQUE,
    created     TEXT NOT NULL
);
CREATE TABLE imports (
    id            {pk},
    system_id     {int} NOT NULL REFERENCES systems(id),
    file          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    format        TEXT NOT NULL,
    tool          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    findings_read {int} NOT NULL DEFAULT 0,
    new           {int} NOT NULL DEFAULT 0,
    seen          {int} NOT NULL DEFAULT 0,
    reopened      {int} NOT NULL DEFAULT 0,
    fixed         {int} NOT NULL DEFAULT 0,
    duplicates    {int} NOT NULL DEFAULT 0
);
CREATE INDEX imports_system ON imports(system_id, imported_at);
CREATE TABLE import_assets (
    import_id   {int} NOT NULL REFERENCES imports(id),
    tool        TEXT NOT NULL,
    asset_key   TEXT NOT NULL,
    PRIMARY KEY (import_id, tool, asset_key)
) {without_rowid};
CREATE TABLE texts (
    key         {blob} PRIMARY KEY,
    body        TEXT NOT NULL
) {without_rowid};
CREATE TABLE findings (
    id              {pk},
    system_id       {int} NOT NULL {hot_ref_systems},
    fingerprint     TEXT NOT NULL,
    fp64            {int} NOT NULL,
    tool            TEXT NOT NULL,
    format          TEXT NOT NULL,
    asset_kind      TEXT NOT NULL,
    asset_key       TEXT NOT NULL,
    port            {int},
    protocol        TEXT,
    rule_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    severity        TEXT NOT NULL,
    severity_raw    TEXT NOT NULL DEFAULT '',
    cvss_score      {real},
    cvss_vector     TEXT,
    cves            TEXT NOT NULL DEFAULT '',
    cwes            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    description_key {blob} {hot_ref_texts},
    solution        TEXT NOT NULL DEFAULT '',
    solution_key    {blob} {hot_ref_texts},
    location        TEXT NOT NULL DEFAULT '',
    evidence        TEXT NOT NULL DEFAULT '',
    refs            TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '',
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    status_at       TEXT,
    status_by       TEXT,
    status_reason   TEXT,
    status_until    TEXT,
    first_import_id {int} {hot_ref_imports},
    last_import_id  {int} {hot_ref_imports}
);
CREATE INDEX findings_fp64 ON findings(fp64);
CREATE INDEX findings_scope ON findings(system_id, tool, asset_key);
CREATE INDEX findings_accepted ON findings(status_until)
    WHERE status IN ('accepted', 'false_positive');
CREATE TABLE status_history (
    id          {pk},
    finding_id  {int} NOT NULL REFERENCES findings(id),
    old_status  TEXT,
    new_status  TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    until       TEXT,
    import_id   {int} REFERENCES imports(id)
);
CREATE INDEX status_history_finding ON status_history(finding_id, id);
CREATE TABLE runs (
    run_id          TEXT PRIMARY KEY,
    system          TEXT NOT NULL,
    created         TEXT NOT NULL,
    level           {int},
    conclusion      TEXT,
    score           {real},
    compliance_rate {real},
    document        TEXT NOT NULL
);
CREATE INDEX runs_system_created ON runs(system, created);
"""

# 2: the register of systems, a finding's identity as a unique constraint (dedup across
# processes and servers), what posture reads without opening run documents (open high-risk
# issues, current waivers, gate results), and rectification tracking (整改跟踪) with history.
_REGISTER_COLUMNS = (
    "department TEXT NOT NULL DEFAULT ''", "district TEXT NOT NULL DEFAULT ''",
    "owner TEXT NOT NULL DEFAULT ''", "contact TEXT NOT NULL DEFAULT ''", "level {int}",
    "grade TEXT NOT NULL DEFAULT ''", "extensions TEXT NOT NULL DEFAULT ''",
    "filing_number TEXT NOT NULL DEFAULT ''", "filing_date TEXT", "stage TEXT NOT NULL DEFAULT ''",
    "tags TEXT NOT NULL DEFAULT ''", "manifest TEXT NOT NULL DEFAULT ''",
    "manifest_fields TEXT NOT NULL DEFAULT ''", "interval_months {int}",
    "report_date TEXT", "report_conclusion TEXT", "registered {int} NOT NULL DEFAULT 0",
    "updated TEXT",
)  # fmt: skip
_V2 = "".join(f"ALTER TABLE systems ADD COLUMN {c};\n" for c in _REGISTER_COLUMNS) + """
CREATE UNIQUE INDEX findings_identity ON findings(system_id, fingerprint);
CREATE INDEX findings_posture ON findings(system_id, status, severity);
ALTER TABLE runs ADD COLUMN high_risks_open {int};
ALTER TABLE runs ADD COLUMN non_compliant_items {int};
CREATE TABLE waivers (
    system      TEXT NOT NULL,
    ref         TEXT NOT NULL,
    subject     TEXT NOT NULL,
    expires     TEXT NOT NULL,
    source      TEXT NOT NULL,
    PRIMARY KEY (system, ref)
);
CREATE TABLE gate_results (
    id          {pk},
    system      TEXT NOT NULL,
    stage       TEXT NOT NULL,
    passed      {int} NOT NULL,
    at          TEXT NOT NULL,
    failed      TEXT NOT NULL DEFAULT '',
    run_id      TEXT
);
CREATE INDEX gate_results_system ON gate_results(system, stage, at);
CREATE TABLE rectifications (
    id          {pk},
    system_id   {int} NOT NULL REFERENCES systems(id),
    finding_id  {int} REFERENCES findings(id),
    unit_id     TEXT,
    asset       TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    owner       TEXT NOT NULL,
    due         TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'open',
    state_at    TEXT NOT NULL,
    state_by    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    verified_by TEXT
);
CREATE INDEX rectifications_system ON rectifications(system_id, state, due);
CREATE UNIQUE INDEX rectifications_finding ON rectifications(finding_id)
    WHERE state <> 'verified';
CREATE UNIQUE INDEX rectifications_item ON rectifications(system_id, unit_id, asset)
    WHERE state <> 'verified' AND unit_id IS NOT NULL;
CREATE TABLE rectification_history (
    id                {pk},
    rectification_id  {int} NOT NULL REFERENCES rectifications(id),
    old_state         TEXT,
    new_state         TEXT NOT NULL,
    at                TEXT NOT NULL,
    by                TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    import_id         {int},
    run_id            TEXT
);
CREATE INDEX rectification_history_of ON rectification_history(rectification_id, id);
"""


def run_facts(document: dict) -> tuple[int, int]:
    """(open high-risk issues, non-compliant items) of an Assessment document."""
    high = sum(1 for h in document.get("high_risks") or () if h.get("status", "open") == "open")
    items = sum(1 for i in document.get("items") or () if i.get("verdict") == "non_compliant")
    return high, items


def _backfill_runs(db: Db) -> None:
    for run_id, doc in db.all("SELECT run_id, document FROM runs"):
        try:
            high, items = run_facts(json.loads(doc))
        except (ValueError, AttributeError):
            continue
        db.execute("UPDATE runs SET high_risks_open = ?, non_compliant_items = ?"
                   " WHERE run_id = ?", [high, items, run_id])


# 3: a page of findings across the city, most severe first, walks this index per severity
# instead of sorting every match (1,000,000 findings: a first page in milliseconds)
# One system's counts by severity and status (posture) and its pages read the second; it
# replaces findings_posture, whose column order made a grouping sort a million rows.
_V3 = """
CREATE INDEX findings_severity ON findings(severity, id);
CREATE INDEX findings_system_severity ON findings(system_id, severity, status);
DROP INDEX findings_posture;
"""

# the notification outbox (store/outbox.py): every event is written before it is sent, one
# delivery row per event and target (the unique pair is the dedup: a re-run or a retry never
# posts twice), every attempt kept; times are epoch seconds so the queue and the rate limits
# compare numbers. notify_state holds the event scanner's watermarks.
_OUTBOX = """
CREATE TABLE notify_events (
    id          {pk},
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    system      TEXT NOT NULL DEFAULT '',
    severity    TEXT NOT NULL,
    created     {real} NOT NULL,
    payload     TEXT NOT NULL
);
CREATE TABLE notify_deliveries (
    id          {pk},
    event_ref   {int} NOT NULL REFERENCES notify_events(id),
    target      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    {int} NOT NULL DEFAULT 0,
    next_at     {real} NOT NULL DEFAULT 0,
    last_code   TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     {real},
    UNIQUE (event_ref, target)
);
CREATE INDEX notify_deliveries_queue ON notify_deliveries(target, state, id);
CREATE TABLE notify_attempts (
    id          {pk},
    delivery_id {int} NOT NULL REFERENCES notify_deliveries(id),
    at          {real} NOT NULL,
    outcome     TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    bytes       {int} NOT NULL DEFAULT 0
);
CREATE INDEX notify_attempts_of ON notify_attempts(delivery_id, id);
CREATE TABLE notify_state (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
);
"""

# 5: the dashboard's own house (cityguard serve): its users with roles and lockout state, their
# sessions (only a digest of each session token is kept), and the audit log of logins, failures,
# views of sensitive pages and every change. The audit log is append-only: the database itself
# refuses to change a record, and to delete one younger than AUDIT_FLOOR_DAYS (retention may
# only remove older ones), whoever asks (_audit_guards). Each record carries a hash chained to
# the one before it, so a gap or an edit made behind the database's back shows.
_ACCOUNTS = """
CREATE TABLE users (
    id               {pk},
    name             TEXT NOT NULL UNIQUE,
    role             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    password_changed TEXT NOT NULL,
    failed_logins    {int} NOT NULL DEFAULT 0,
    locked_until     TEXT,
    locked           {int} NOT NULL DEFAULT 0,
    created          TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    last_login       TEXT
);
CREATE TABLE password_history (
    id          {pk},
    user_id     {int} NOT NULL REFERENCES users(id),
    hash        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     {int} NOT NULL REFERENCES users(id),
    csrf        TEXT NOT NULL,
    created     TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    addr        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE audit_log (
    id          {pk},
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    addr        TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
"""

#: audit records younger than this many days cannot be deleted, by anyone (MLPS: ≥ 6 months)
AUDIT_FLOOR_DAYS = 180


def _audit_guards(db: Db) -> None:
    """Triggers that make the audit log append-only on both backends."""
    days = int(AUDIT_FLOOR_DAYS)
    if db.name == "sqlite":
        db.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN"
                   " SELECT RAISE(ABORT, 'the audit log is append-only'); END")
        db.execute("CREATE TRIGGER audit_log_keep BEFORE DELETE ON audit_log"
                   f" WHEN old.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-{days} days')"
                   " BEGIN SELECT RAISE(ABORT, 'audit records are kept at least"
                   f" {days} days'); END")
        return
    db.execute("CREATE FUNCTION cityguard_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$"
               " BEGIN IF TG_OP <> 'DELETE' THEN RAISE EXCEPTION 'the audit log is append-only';"
               " END IF; IF OLD.at > to_char(now() AT TIME ZONE 'UTC' - interval"
               f" '{days} days', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') THEN RAISE EXCEPTION"
               f" 'audit records are kept at least {days} days'; END IF; RETURN OLD; END $$")
    db.execute("CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log"
               " FOR EACH ROW EXECUTE FUNCTION cityguard_audit_guard()")
    db.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
               " FOR EACH STATEMENT EXECUTE FUNCTION cityguard_audit_guard()")


# 6: what an import did not check (ingest/gaps.py: the scan did not run, audited nothing, could
# not reach targets), a JSON list of {kind, file, tool, detail…}; '' when the file had no gap.
# `scans history` shows them, so "0 findings" from a scan that never ran cannot pass for clean.
_IMPORT_GAPS = """
ALTER TABLE imports ADD COLUMN gaps TEXT NOT NULL DEFAULT ''
"""

# 7: the import's write path keeps one index fewer. A fingerprint-prefix look-up (`findings
# show 3fa9…`) walks findings_identity (system_id, fingerprint) once per system instead, a few
# hundred index seeks; the fp64 column stays (dropping a column rewrites the table) but no
# index keys it. Inserting 200,000 findings: ~2.3 s → ~1.9 s CPU on SQLite.
_IMPORT_INDEXES = """
DROP INDEX findings_fp64
"""

MIGRATIONS: list[Migration] = [Migration(_V1), Migration(_V2, _backfill_runs), Migration(_V3),
                               Migration(_OUTBOX), Migration(_ACCOUNTS, _audit_guards),
                               Migration(_IMPORT_GAPS), Migration(_IMPORT_INDEXES)]

SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """A migration split into statements (none of ours holds a ';' inside a literal)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def check_version(db: Db) -> int:
    """The store's schema version; DataError when it is newer than this cityguard."""
    found = db.schema_version()
    if found > SCHEMA_VERSION:
        raise DataError(db.where, f"store schema {found} is newer than this cityguard "
                                  f"understands ({SCHEMA_VERSION}); upgrade cityguard")
    return found


def migrate(db: Db) -> int:
    """Bring the store up to SCHEMA_VERSION; returns the version found before."""
    found = check_version(db)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        with db.transaction(lock="cityguard:migrate"):
            if db.schema_version() >= version:
                continue  # another process migrated meanwhile
            migration = MIGRATIONS[version - 1]
            try:
                for statement in statements(db.render(migration.script)):
                    db.execute(statement)
                if migration.after is not None:
                    migration.after(db)
                db.set_schema_version(version)
            except DataError as exc:
                raise DataError(db.where, f"cannot migrate the store to schema {version} "
                                          f"({exc.problem})") from None
    return found
