"""The one interface both store backends implement: `Db`, an open connection.

Every query of the store is written once, in the SQL that SQLite and PostgreSQL share, with `?`
placeholders (PostgreSQL's backend translates them); values are always bound, never pasted into
the text. What differs between the two lives behind these few methods: how a transaction takes
the write lock, how rows are bulk-loaded (executemany vs COPY), the column types of a
migration (`{pk}`, `{int}`, `{real}`, `{blob}`, `{without_rowid}`), where the schema version is
kept, and how driver errors become one clear line (DataError, exit 2).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from cityguard.core.errors import DataError
from cityguard.store.location import StoreLocation

#: how long a write waits for another writer (seconds); CITYGUARD_STORE_TIMEOUT overrides
DEFAULT_BUSY_SECONDS = 30.0


def busy_seconds() -> float:
    raw = os.environ.get("CITYGUARD_STORE_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_BUSY_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise DataError("CITYGUARD_STORE_TIMEOUT", f"must be seconds between 0 and 3600 "
                                                   f"(got {raw!r})")
    return value


def lock_id(key: str) -> int:
    """A signed 64-bit number for a lock name (PostgreSQL advisory locks take bigint)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


class Row(tuple):  # noqa: SLOT001 - per-query subclasses carry the column names
    """A result row: a tuple (unpacking, index) that also answers row["column"] and keys()."""

    __slots__ = ()
    _names: ClassVar[tuple[str, ...]] = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self._names


def row_class(names: Sequence[str]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_names": tuple(names),
                                "_index": {n: i for i, n in enumerate(names)}})


class Db:
    """An open store connection. Subclasses: backends/sqlite.py, backends/postgresql.py."""

    name: ClassVar[str] = ""
    #: column types a migration names by token
    TYPES: ClassVar[dict[str, str]] = {}

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.where = location.display

    # --- statements ------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the cursor (iterate it, fetchone, rowcount)."""
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """Rows one at a time, never the whole result in memory (a store of millions)."""
        raise NotImplementedError

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def insert_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        """An INSERT … RETURNING id; the new row's id."""
        return int(self.one(sql, params)[0])

    # --- transactions ----------------------------------------------------------------------

    def transaction(self, lock: str | None = None) -> AbstractContextManager[Db]:
        """One write transaction; every exception (even Ctrl-C) rolls all of it back.

        `lock` names what the transaction serialises on (a system's imports): SQLite takes
        the database's write lock at BEGIN anyway; PostgreSQL takes an advisory lock on it,
        so writers of different systems do not wait for each other.
        """
        raise NotImplementedError

    def bulk(self) -> AbstractContextManager[Bulk]:
        """A transaction that stages rows first and takes the write lock only to merge them."""
        raise NotImplementedError

    def refresh_statistics(self, table: str, changed: int) -> None:
        """After a write of `changed` rows into `table` (committed): let the query planner
        know the table's new shape when the change is large. SQLite's planner needs no
        statistics for the store's queries (they name their index); PostgreSQL's does."""

    # --- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        raise NotImplementedError

    def set_schema_version(self, version: int) -> None:
        raise NotImplementedError

    def tables(self) -> set[str]:
        raise NotImplementedError

    def render(self, script: str) -> str:
        """A migration's text with this backend's column types."""
        text = script
        for token, value in self.TYPES.items():
            text = text.replace("{" + token + "}", value)
        return text

    def close(self) -> None:
        raise NotImplementedError


class Bulk:
    """Inside Db.bulk(): temporary staging tables, then lock(), then the merge statements."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def create(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        """A temporary table (name, type token) private to this transaction."""
        raise NotImplementedError

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Bulk-load rows into a staging table (COPY on PostgreSQL); how many."""
        raise NotImplementedError

    def index(self, table: str, column: str) -> None:
        """An index on one column of a staging table (named `{table}_{column}`)."""
        raise NotImplementedError

    def lock(self, key: str) -> None:
        """Take the write lock for `key`; merge statements follow."""
        raise NotImplementedError


