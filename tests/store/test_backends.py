"""Where the store is, and what goes wrong there: bad URLs, a server that is down, wrong
credentials, a store of a newer schema, a busy store. Each is one line and exit 2."""

from __future__ import annotations

import pytest

from cityguard.core.errors import DataError
from cityguard.store import SCHEMA_VERSION, locate, open_store
from cityguard.store.location import mask
from pg_server import PGServer
from sshd_server import free_port


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://cg@/cityguard", "needs a host"),
        ("postgresql://cg@db.example:5432/", "needs a database name"),
        ("postgresql://cg@db.example:99999/x", "not a valid PostgreSQL URL"),
        ("postgresql://cg@db.example/x?sslmod=require", "unknown connection option 'sslmod'"),
        ("postgresql://-oProxyCommand=x@db.example/x", "user name"),
        ("postgresql://cg@db.example/x;drop", "needs a database name"),
        ("mysql://cg@db.example/x", "unknown store URL scheme 'mysql'"),
    ],
)
def test_bad_urls_are_refused_naming_the_problem(url: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        locate(url)


def test_passwords_never_appear_in_messages() -> None:
    loc = locate("postgresql://analyst:s3cr%40t@db.example:5432/soc?sslmode=verify-full")
    assert loc.kind == "postgresql" and "s3cr" not in loc.display and "***" in loc.display
    assert "sslmode=verify-full" in loc.display
    assert mask("postgresql://a@h/d") == "postgresql://a@h/d"


def test_environment_variable_takes_a_url(monkeypatch) -> None:
    monkeypatch.setenv("CITYGUARD_STORE", "postgresql://cg@127.0.0.1:5/soc")
    assert locate(None).kind == "postgresql"
    assert locate("/tmp/x.db").kind == "sqlite"  # the flag wins over the environment


def _one_line_exit_2(proc) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_server_down_is_one_line(tmp_path, cityguard_proc) -> None:
    url = f"postgresql://cg:pw@127.0.0.1:{free_port()}/soc?connect_timeout=3"
    line = _one_line_exit_2(cityguard_proc("findings", "list", "--store", url, timeout=60))
    assert "cannot connect to the store server" in line and ":pw@" not in line


def test_wrong_credentials_are_one_line_without_the_password(pg_server: PGServer,
                                                             cityguard_proc) -> None:
    url = pg_server.url("postgres", password="wrong-horse-battery")
    line = _one_line_exit_2(cityguard_proc("store", "migrate", "--store", url, timeout=60))
    assert "refused the credentials" in line and "wrong-horse-battery" not in line
    unknown_db = pg_server.url("no_such_db")
    line = _one_line_exit_2(cityguard_proc("systems", "list", "--store", unknown_db))
    assert "no_such_db" in line and pg_server.password not in line


def test_password_from_pgpassword_and_pgpass(pg_server: PGServer, tmp_path,
                                             cityguard_proc) -> None:
    url = pg_server.new_database()
    bare = url.replace(f":{pg_server.password}@", "@")
    ok = cityguard_proc("store", "migrate", "--store", bare,
                       env={"PGPASSWORD": pg_server.password})
    assert ok.returncode == 0, ok.stderr
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_server.port}:*:cityguard:{pg_server.password}\n")
    pgpass.chmod(0o600)
    ok = cityguard_proc("store", "check", "--store", bare, env={"PGPASSFILE": str(pgpass)})
    assert ok.returncode == 0, ok.stderr


def test_a_newer_schema_is_refused_on_both_backends(store_url: str, cityguard_proc) -> None:
    open_store(store_url).close()
    with open_store(store_url) as st:
        st.db.set_schema_version(SCHEMA_VERSION + 1)
    line = _one_line_exit_2(cityguard_proc("findings", "list", "--store", store_url))
    assert f"store schema {SCHEMA_VERSION + 1} is newer" in line
    line = _one_line_exit_2(cityguard_proc("store", "check", "--store", store_url))
    assert "upgrade cityguard" in line


def test_migrate_then_check_on_both_backends(store_url: str, cityguard_proc) -> None:
    first = cityguard_proc("store", "migrate", "--store", store_url, "--lang", "en")
    assert first.returncode == 0 and f"from 0 to {SCHEMA_VERSION}" in first.stderr
    again = cityguard_proc("store", "migrate", "--store", store_url, "--lang", "en")
    assert again.returncode == 0 and "up to date" in again.stderr
    check = cityguard_proc("store", "check", "--store", store_url, "--format", "json")
    assert check.returncode == 0, check.stderr
    assert '"ok": true' in check.stdout


def test_an_old_sqlite_store_is_migrated_in_place(tmp_path) -> None:
    """A store written by the previous release (schema 1) keeps its findings."""
    import sqlite3

    from cityguard.store.backends import connect
    from cityguard.store.schema import MIGRATIONS, statements

    path = tmp_path / "old.db"
    db = connect(locate(str(path)))
    for stmt in statements(db.render(MIGRATIONS[0].script)):
        db.execute(stmt)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO systems (name, created) VALUES ('web', '2025-01-01')")
    db.close()
    with open_store(path) as st:
        assert st.systems() == ["web"] and st.db.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
