"""The store's schema, as numbered migrations applied in order (PRAGMA user_version).

A migration is appended, never edited once released: a store written by an older cityguard
is brought forward on open; one written by a newer cityguard is refused rather than damaged.
"""

from __future__ import annotations

import sqlite3

from cityguard.core.errors import DataError

# Lists (cves, cwes, refs, tags) are stored newline-joined: none of their values can hold a
# newline, and joining is several times cheaper than JSON on a million-finding import.
# Long descriptions and solutions are stored once in `texts`, keyed by a 16-byte BLAKE2b digest
# (short ones stay inline in the finding row):
# a scanner repeats the same plugin text on every host, and that text was most of the bytes
# (a 30 MB .nessus made a 41 MB store; 12 MB with shared texts, and 3x faster to write).
# A finding is unique per (system, fingerprint); the store enforces it in the import (one
# writer at a time: BEGIN IMMEDIATE) and looks fingerprints up through `fp64`, their first
# 64 bits as an integer, because a UNIQUE index over 64-character strings slowed a
# million-finding import down by more than half once it outgrew the page cache.
MIGRATIONS: list[str] = [
    # 1: systems, imports and their asset scope, findings, status history, assessment runs
    """
    CREATE TABLE systems (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        created     TEXT NOT NULL
    );
    CREATE TABLE imports (
        id            INTEGER PRIMARY KEY,
        system_id     INTEGER NOT NULL REFERENCES systems(id),
        file          TEXT NOT NULL,
        sha256        TEXT NOT NULL,
        format        TEXT NOT NULL,
        tool          TEXT NOT NULL,
        scope         TEXT NOT NULL,
        imported_at   TEXT NOT NULL,
        findings_read INTEGER NOT NULL DEFAULT 0,
        new           INTEGER NOT NULL DEFAULT 0,
        seen          INTEGER NOT NULL DEFAULT 0,
        reopened      INTEGER NOT NULL DEFAULT 0,
        fixed         INTEGER NOT NULL DEFAULT 0,
        duplicates    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX imports_system ON imports(system_id, imported_at);
    CREATE TABLE import_assets (
        import_id   INTEGER NOT NULL REFERENCES imports(id),
        tool        TEXT NOT NULL,
        asset_key   TEXT NOT NULL,
        PRIMARY KEY (import_id, tool, asset_key)
    ) WITHOUT ROWID;
    CREATE TABLE texts (
        key         BLOB PRIMARY KEY,
        body        TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE findings (
        id              INTEGER PRIMARY KEY,
        system_id       INTEGER NOT NULL REFERENCES systems(id),
        fingerprint     TEXT NOT NULL,
        fp64            INTEGER NOT NULL,
        tool            TEXT NOT NULL,
        format          TEXT NOT NULL,
        asset_kind      TEXT NOT NULL,
        asset_key       TEXT NOT NULL,
        port            INTEGER,
        protocol        TEXT,
        rule_id         TEXT NOT NULL,
        title           TEXT NOT NULL,
        severity        TEXT NOT NULL,
        severity_raw    TEXT NOT NULL DEFAULT '',
        cvss_score      REAL,
        cvss_vector     TEXT,
        cves            TEXT NOT NULL DEFAULT '',
        cwes            TEXT NOT NULL DEFAULT '',
        description     TEXT NOT NULL DEFAULT '',
        description_key BLOB REFERENCES texts(key),
        solution        TEXT NOT NULL DEFAULT '',
        solution_key    BLOB REFERENCES texts(key),
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
        first_import_id INTEGER REFERENCES imports(id),
        last_import_id  INTEGER REFERENCES imports(id)
    );
    CREATE INDEX findings_fp64 ON findings(fp64);
    CREATE INDEX findings_scope ON findings(system_id, tool, asset_key);
    CREATE INDEX findings_accepted ON findings(status_until)
        WHERE status IN ('accepted', 'false_positive');
    CREATE TABLE status_history (
        id          INTEGER PRIMARY KEY,
        finding_id  INTEGER NOT NULL REFERENCES findings(id),
        old_status  TEXT,
        new_status  TEXT NOT NULL,
        at          TEXT NOT NULL,
        by          TEXT NOT NULL,
        reason      TEXT NOT NULL DEFAULT '',
        until       TEXT,
        import_id   INTEGER REFERENCES imports(id)
    );
    CREATE INDEX status_history_finding ON status_history(finding_id, id);
    CREATE TABLE runs (
        run_id          TEXT PRIMARY KEY,
        system          TEXT NOT NULL,
        created         TEXT NOT NULL,
        level           INTEGER,
        conclusion      TEXT,
        score           REAL,
        compliance_rate REAL,
        document        TEXT NOT NULL
    );
    CREATE INDEX runs_system_created ON runs(system, created);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the database up to SCHEMA_VERSION; returns the version found before."""
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DataError(path, f"not a cityguard store ({exc})") from None
    if found > SCHEMA_VERSION:
        raise DataError(
            path,
            f"store schema {found} is newer than this cityguard understands ({SCHEMA_VERSION});"
            " upgrade cityguard",
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
            conn.execute("COMMIT")  # another process migrated meanwhile
            continue
        _apply(conn, version, MIGRATIONS[version - 1], path)
    return found


def _apply(conn: sqlite3.Connection, version: int, script: str, path: str) -> None:
    try:
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        conn.execute("ROLLBACK")
        raise DataError(path, f"cannot migrate the store to schema {version} ({exc})") from None


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
