"""The embedded backend: one SQLite file in WAL mode (the default; needs no server).

The file is created 0600 in a folder created 0700 (CITYGUARD_STORE_MODE, e.g. 0640, for a
store a group shares); SQLite gives its -wal and -shm files the same mode. Writers take the
database's write lock (BEGIN IMMEDIATE) and wait for another writer up to the busy bound; an
import stages its rows in a temporary table first, so two importers parse at the same time and
wait for each other only while merging.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

from cityguard.core.errors import DataError
from cityguard.store.backends.base import Bulk, Db, busy_seconds, row_class
from cityguard.store.location import StoreLocation

PAGE_SIZE = 16384


def store_mode() -> int:
    raw = os.environ.get("CITYGUARD_STORE_MODE", "").strip()
    if not raw:
        return 0o600
    try:
        mode = int(raw, 8)
    except ValueError:
        mode = -1
    if not 0o600 <= mode <= 0o666 or mode & 0o600 != 0o600:
        raise DataError("CITYGUARD_STORE_MODE", f"must be an octal file mode such as 0600 or "
                                                f"0640 (got {raw!r})")
    return mode


def _prepare_file(path: Path, mode: int) -> None:
    """Create the folder (0700 + group/other x where the mode shares) and the file with `mode`;
    an existing store of ours that is more open than `mode` is tightened."""
    folder = path.parent
    if not folder.exists():
        dir_mode = 0o700 | (mode & 0o066) | ((mode & 0o044) >> 2)
        folder.mkdir(parents=True, mode=dir_mode)
        os.chmod(folder, dir_mode)  # mkdir's mode is filtered by the umask
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(path, mode)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = p.stat()
        except OSError:
            continue
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & ~mode:
            os.chmod(p, stat.S_IMODE(st.st_mode) & mode)


def _factory(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Any:
    names = tuple(d[0] for d in cursor.description)
    cls = _CLASSES.get(names)
    if cls is None:
        cls = _CLASSES.setdefault(names, row_class(names))
    return cls(values)


_CLASSES: dict[tuple[str, ...], Any] = {}


class SqliteDb(Db):
    name = "sqlite"
    TYPES: ClassVar[dict[str, str]] = {
        "pk": "INTEGER PRIMARY KEY", "int": "INTEGER", "real": "REAL", "blob": "BLOB",
        "without_rowid": "WITHOUT ROWID",
        "hot_ref_systems": "REFERENCES systems(id)", "hot_ref_texts": "REFERENCES texts(key)",
        "hot_ref_imports": "REFERENCES imports(id)",
    }  # fmt: skip

    def __init__(self, location: StoreLocation) -> None:
        super().__init__(location)
        assert location.path is not None
        self.path = location.path
        self.busy = busy_seconds()
        try:
            _prepare_file(self.path, store_mode())
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=self.busy)
        except (OSError, sqlite3.Error) as exc:
            raise DataError(self.where, f"cannot open the store ({exc})") from None
        self.conn.row_factory = _factory
        try:
            with self.guard():
                # a new store gets 16 KiB pages (set before WAL, a no-op on an existing
                # store): a 200,000-finding import writes its rows and their five indexes
                # in a fifth less time and checkpoints them in half the time (4 KiB pages
                # stay as they are in older stores; `VACUUM` would change them)
                self.conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                self.conn.execute("PRAGMA journal_mode = WAL")
                for pragma in ("synchronous = NORMAL", "foreign_keys = ON",
                               f"busy_timeout = {int(self.busy * 1000)}", "temp_store = FILE",
                               "cache_size = -32000"):  # fmt: skip
                    self.conn.execute(f"PRAGMA {pragma}")
        except BaseException:
            self.conn.close()
            raise

    # --- errors ----------------------------------------------------------------------------

    @contextmanager
    def guard(self) -> Iterator[None]:
        """sqlite3's operational errors → one line naming the store (exit 2)."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise self.translate(exc) from None
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError,
                                sqlite3.InterfaceError)):
                raise  # a bug of ours: exit 3 with the traceback under CITYGUARD_DEBUG
            raise DataError(self.where, f"not a cityguard store ({exc})") from None

    def translate(self, exc: BaseException) -> DataError:
        text = str(exc)
        if "disk is full" in text or "disk I/O error" in text:
            return DataError(self.where, "the disk holding the store is full (or failing): "
                                         "this change was not written; what was stored before "
                                         "is intact. Free some space and run the command again")
        if "locked" in text or "busy" in text:
            return DataError(self.where, f"the store is busy (another cityguard is writing) and "
                                         f"stayed busy for {self.busy:g} s; nothing was "
                                         "written. Run the command again (CITYGUARD_STORE_TIMEOUT "
                                         "sets the wait)")
        if "readonly" in text or "read-only" in text:
            return DataError(self.where, "the store is read-only for this user")
        return DataError(self.where, f"store error ({text})")

    # --- statements ------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.guard():
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.guard():
            self.conn.executemany(sql, rows)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.guard():
            return self.conn.execute(sql, params).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        with self.guard():
            cursor = self.conn.execute(sql, params)
            yield from cursor

    # --- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Db]:
        with self.guard():
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        with self.guard():
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # after "database or disk is full" SQLite may already have rolled back by itself
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    @contextmanager
    def bulk(self) -> Iterator[Bulk]:
        staged = _SqliteBulk(self)
        try:
            yield staged
        except BaseException:
            self._rollback()
            staged.drop()
            raise
        with self.guard():
            try:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                staged.drop()
                raise
        staged.drop()

    # --- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version") or 0)

    def set_schema_version(self, version: int) -> None:
        self.execute(f"PRAGMA user_version = {int(version)}")

    def tables(self) -> set[str]:
        return {r[0] for r in self.all("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def close(self) -> None:
        self.conn.close()


class _SqliteBulk(Bulk):
    """Staging tables live in a private database attached for the import (`ATTACH ''`: a
    temporary file SQLite unlinks as soon as it is opened, so nothing of it outlives the
    process), outside the store's write lock.

    Why not the connection's temp schema: dropping a staged table there walks and frees
    every page of it (0.19 s of a 200,000-finding import), while detaching the private
    database only closes its file. Rows are loaded one transaction a batch (not one a row,
    as autocommit would: 0.25 s of the same import)."""

    db: SqliteDb
    SCHEMA: ClassVar[str] = "cg_stage"

    def __init__(self, db: SqliteDb) -> None:
        super().__init__(db)
        self.tables: list[str] = []
        self.attached = False

    def create(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        cols = ", ".join(f"{n} {self.db.render(t)}" for n, t in columns)
        if not self.attached:
            self.db.execute(f"ATTACH DATABASE '' AS {self.SCHEMA}")
            self.attached = True
            self.db.execute(f"PRAGMA {self.SCHEMA}.page_size = {PAGE_SIZE}")
            self.db.execute(f"PRAGMA {self.SCHEMA}.cache_size = -32000")
        self.db.execute(f"DROP TABLE IF EXISTS {self.SCHEMA}.{table}")
        self.db.execute(f"CREATE TABLE {self.SCHEMA}.{table} ({cols})")
        self.tables.append(table)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        rows = list(rows)
        staged = table in self.tables
        name = f"{self.SCHEMA}.{table}" if staged else table  # stage, or a store table
        sql = (f"INSERT INTO {name} ({', '.join(columns)}) VALUES"
               f" ({', '.join('?' * len(columns))})")  # fmt: skip
        conn = self.db.conn
        if staged and not conn.in_transaction:
            # the stage alone is written: the store stays unlocked
            with self.db.guard():
                conn.execute("BEGIN")
                try:
                    conn.executemany(sql, rows)
                    conn.execute("COMMIT")
                except BaseException:
                    self.db._rollback()
                    raise
        else:
            self.db.executemany(sql, rows)
        return len(rows)

    def index(self, table: str, column: str) -> None:
        self.db.execute(f"CREATE INDEX {self.SCHEMA}.{table}_{column} ON {table} ({column})")

    def lock(self, key: str) -> None:
        with self.db.guard():
            self.db.conn.execute("BEGIN IMMEDIATE")

    def drop(self) -> None:
        if self.attached:
            try:
                self.db.conn.execute(f"DETACH DATABASE {self.SCHEMA}")
                self.attached = False
            except sqlite3.Error:  # still in a transaction: the tables, at least, go
                for table in self.tables:
                    with suppress(sqlite3.Error):
                        self.db.conn.execute(f"DROP TABLE IF EXISTS {self.SCHEMA}.{table}")
        self.tables.clear()
