"""store.where: the WHERE of a filtered listing, on a real SQLite database."""

from __future__ import annotations

import sqlite3

from cityguard.store.where import Where, in_list


def _db() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, owner TEXT, state TEXT)")
    db.executemany("INSERT INTO t (owner, state) VALUES (?, ?)",
                   [("li", "open"), ("wang", "fixed"), ("li", "verified"), ("zhao", "open")])
    return db


def _ids(db: sqlite3.Connection, where: Where) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM t" + where.sql() + " ORDER BY id",
                                     where.args)]


def test_filters_not_given_add_nothing() -> None:
    where = Where().equal("owner", None).equal("owner", "").any_of("state", ())
    assert where.sql() == "" and where.args == []
    assert _ids(_db(), where) == [1, 2, 3, 4]


def test_filters_given_are_anded_in_order_with_bound_values() -> None:
    db = _db()
    where = Where().equal("owner", "li").any_of("state", ["open", "verified"])
    assert where.sql() == " WHERE owner = ? AND state IN (?, ?)"
    assert where.args == ["li", "open", "verified"]
    assert _ids(db, where) == [1, 3]
    assert _ids(db, Where().add("id > ?", 1).extend(Where().equal("state", "open"))) == [4]


def test_a_value_is_never_pasted_into_the_sql() -> None:
    hostile = "li' OR '1'='1"
    where = Where().equal("owner", hostile)
    assert hostile not in where.sql()
    assert _ids(_db(), where) == []
    assert in_list(3) == "?, ?, ?"
