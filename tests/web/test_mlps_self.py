"""cityguard's own application-level expectations of MLPS level 3 (安全计算环境, L3-CES1),
checked against a running dashboard: one test per item the server meets by design
(docs/dashboard.md lists them, and the items it does not meet). Real server process, SQLite
store; the same rules on PostgreSQL are covered by test_auth.py."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests
from web_server import start_server

from conftest import PASSWORDS, PORTAL, ROLES, audit_rows, cli


@pytest.fixture(scope="module")
def house(sqlite_server):
    """This module's own server (its tests lock accounts and change passwords)."""
    return sqlite_server


def test_L3_CES1_01_identified_and_authenticated_unique_complex_aged(house, client_for, tmp_path):
    c = client_for(house)
    assert c.get("/").status_code == 303  # nobody is anonymous
    dup = cli("users", "add", "viewer1", "--role", "viewer", "--password-stdin",
              store=house.store, stdin="Another-Pass-2026!\n")
    assert dup.returncode == 2 and "exists already" in dup.stderr  # names are unique
    for weak in ("short1!", "alllowercaseletters", "Viewer2-is-my-name", "NoDigitsOrSigns"):
        p = cli("users", "add", "viewer2", "--role", "viewer", "--password-stdin",
                store=house.store, stdin=weak.replace("Viewer2", "viewer2") + "\n")
        assert p.returncode == 2 and "password needs" in p.stderr, weak
    from cityguard.store import open_store

    with open_store(house.store) as st, st.db.transaction():  # changed over 90 days ago
        st.db.execute("UPDATE users SET password_changed = '2020-01-01T00:00:00Z'"
                      " WHERE name = 'analyst1'")
    r = c.login("analyst1")
    assert r.status_code == 403 and "口令已过期" in r.text
    again = cli("users", "passwd", "analyst1", "--password-stdin", store=house.store,
                stdin=PASSWORDS["analyst1"] + "\n")
    assert again.returncode == 2 and "differ from the last" in again.stderr  # no reuse
    new = cli("users", "passwd", "analyst1", "--password-stdin", store=house.store,
              stdin="Analyst-Next-2027!\n")
    assert new.returncode == 0, new.stderr
    assert c.login("analyst1", "Analyst-Next-2027!").status_code == 303


def test_L3_CES1_02_failed_logins_lock_and_idle_sessions_end(house, client_for):
    c = client_for(house)
    results = [c.login("viewer1", "Wrong-Password-99!").status_code for _ in range(5)]
    assert results == [401, 401, 401, 401, 403]
    assert c.login("viewer1").status_code == 403
    cli("users", "lock", "viewer1", "--unlock", store=house.store)
    assert c.login("viewer1").status_code == 303
    from cityguard.store import open_store

    with open_store(house.store) as st, st.db.transaction():
        st.db.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00Z'")
    assert "expired=1" in c.get("/").headers["location"]


def _cert(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def test_L3_CES1_03_27_credentials_never_travel_in_clear(house, tmp_path):
    import sys

    p = subprocess.run([sys.executable, "-m", "cityguard", "serve", "--bind", "0.0.0.0:18443",
                        "--store", house.store], capture_output=True, text=True, timeout=60,
                       check=False)
    assert p.returncode == 2 and "needs TLS" in p.stderr  # no clear text beyond loopback
    cert, key = _cert(tmp_path)
    srv = start_server(house.store, "--cert", str(cert), "--key", str(key))
    try:
        base = srv.url.replace("http://", "https://")
        page = requests.get(base + "/login", verify=str(cert), timeout=30)
        assert page.status_code == 200
        assert page.headers["strict-transport-security"].startswith("max-age=")
        r = requests.post(base + "/api/v1/login", json={"name": "sysadmin1",
                                                        "password": PASSWORDS["sysadmin1"]},
                          verify=str(cert), timeout=30)
        assert r.status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(srv.url + "/login", timeout=10)  # plain HTTP is not served
    finally:
        srv.stop()


def test_L3_CES1_05_08_roles_least_privilege_and_three_administrators(house, client_for):
    allowed = {  # role → (overview, triage form, accounts, audit)
        "viewer": (True, False, False, False), "analyst": (True, True, False, False),
        "sysadmin": (True, False, True, False), "secadmin": (True, False, True, False),
        "auditadmin": (False, False, False, True),
    }
    fid = house.facts["finding_ids"][0]
    for name, role in ROLES.items():
        # analyst1's password was changed by the CES1-01 test
        password = "Analyst-Next-2027!" if name == "analyst1" else PASSWORDS[name]
        c = client_for(house)
        cli("users", "lock", name, "--unlock", store=house.store)
        assert c.login(name, password).status_code == 303, name
        overview, triage, accounts, audit = allowed[role]
        assert (c.get("/").status_code == 200) == overview, name
        page = c.get(f"/findings/{fid}")
        assert ('id="accept-form"' in page.text) == triage, name
        assert (c.get("/users").status_code == 200) == accounts, name
        assert (c.get("/audit").status_code == 200) == audit, name


def test_L3_CES1_06_no_default_account(tmp_path):
    from cityguard.store import open_store

    url = str(tmp_path / "fresh.db")
    with open_store(url) as st:
        assert st.db.scalar("SELECT count(*) FROM users") == 0  # none to rename or remove
    srv = start_server(url)
    try:
        for name in ("admin", "root", "cityguard"):
            r = requests.post(srv.url + "/api/v1/login", json={"name": name,
                                                               "password": "admin"}, timeout=30)
            assert r.status_code == 401
    finally:
        srv.stop()


def test_L3_CES1_12_13_every_event_audited_with_its_facts(house, client_for):
    c = client_for(house)
    c.login("viewer1", "nope")
    c.login("viewer1")
    c.get(f"/system?name={PORTAL}")
    c.post("/logout", data={"csrf": c.csrf()})
    rows = audit_rows(house.store, actor="viewer1")
    kinds = {(r["action"], r["outcome"]) for r in rows}
    assert {("login", "failed"), ("login", "ok"), ("view.system", "ok"),
            ("logout", "ok")} <= kinds
    for r in rows:  # when, who, what, outcome, from where
        assert r["at"].endswith("Z") and r["actor"] and r["action"] and r["outcome"]
        assert r["addr"] == "127.0.0.1" or r["action"].startswith("user.")


def test_L3_CES1_14_15_audit_records_protected_exported_verified(house, tmp_path):
    export = tmp_path / "audit.csv"
    p = cli("users", "audit-export", str(export), store=house.store)
    assert p.returncode == 0, p.stderr
    assert export.read_bytes().startswith(b"\xef\xbb\xbfid,at,actor")
    assert oct(export.stat().st_mode & 0o777) == "0o600"
    assert cli("users", "audit-verify", store=house.store).returncode == 0
    from cityguard.store import open_store

    with open_store(house.store) as st, pytest.raises(Exception, match="append-only"), \
            st.db.transaction():
        st.db.execute("UPDATE audit_log SET outcome = 'ok' WHERE outcome = 'refused'")
    # a record removed behind the database's back (its triggers dropped) shows in the chain
    import sqlite3

    conn = sqlite3.connect(house.store)
    conn.execute("DROP TRIGGER audit_log_keep")
    conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.commit()
    conn.close()
    broken = cli("users", "audit-verify", store=house.store)
    assert broken.returncode == 1 and "record 4" in broken.stderr


def test_L3_CES1_20_input_is_validated_and_bounded(house, client_for):
    c = client_for(house)
    c.login("sysadmin1")
    assert c.get("/findings?severity=<script>").status_code == 400
    assert c.get("/findings?unit=' OR 1=1 --").status_code == 400
    assert c.get("/findings?after=1.1;DROP TABLE findings").status_code == 400
    big = c.post("/logout", data={"csrf": "x" * 20_000})
    assert big.status_code in (303, 413)
    assert audit_rows(house.store, actor="sysadmin1")
