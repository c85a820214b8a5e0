"""The dashboard's own house (MLPS level 3), over HTTP against a real server process on both
store backends: no anonymous access, wrong passwords, lockout, an administrator's lock, an
expired session, a missing CSRF token and a viewer trying to triage are refused and logged;
the audit log cannot be changed or erased; headers and cookies are as promised."""

from __future__ import annotations

import pytest

from conftest import PASSWORDS, audit_rows, cli

ROUTES = ["/", "/findings", "/system?name=x", "/findings/1", "/audit", "/users",
          "/audit/export.csv", "/system/report?name=x&run=y"]


def test_no_anonymous_access(server, client_for):
    c = client_for(server)
    for path in ROUTES:
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in ("/api/v1/overview", "/api/v1/systems", "/api/v1/findings", "/api/v1/runs"):
        assert c.get(path).status_code == 401, path
    r = c.post("/findings/1/accept", data={"reason": "x", "until": "2099-01-01"})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert audit_rows(server.store, action="post", outcome="refused")


def test_login_sets_a_strict_session_cookie_and_security_headers(server, client_for):
    c = client_for(server)
    r = c.login("viewer1")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.raw.headers.getlist("set-cookie") if h.startswith("cg_session="))
    flags = {p.strip().lower() for p in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= flags
    page = c.get("/")
    assert page.status_code == 200 and "全市等级保护态势概览" in page.text
    h = page.headers
    assert "default-src 'none'" in h["content-security-policy"]
    assert "form-action 'self'" in h["content-security-policy"]
    assert "script-src" not in h["content-security-policy"]  # no script at all
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-store" and h["referrer-policy"] == "no-referrer"
    assert "server" not in h
    assert audit_rows(server.store, actor="viewer1", action="login", outcome="ok")


def test_wrong_password_and_unknown_account_look_the_same_and_are_logged(server, client_for):
    c = client_for(server)
    wrong = c.login("viewer1", "Not-The-Pass-2026!")
    unknown = c.login("nobody", "Not-The-Pass-2026!")
    for r in (wrong, unknown):
        assert r.status_code == 401 and "账号或口令错误" in r.text
        assert "cg_session" not in c.cookies
    rows = audit_rows(server.store, action="login", outcome="failed")
    assert any(r["actor"] == "viewer1" and "wrong password" in r["reason"] for r in rows)
    assert any(r["actor"] == "nobody" for r in rows)
    assert not any("Not-The-Pass" in str(r) for r in audit_rows(server.store))  # never logged


def test_five_failures_lock_the_account_even_for_the_right_password(server, client_for):
    c = client_for(server)
    for _ in range(4):
        assert c.login("sysadmin1", "Wrong-Pass-2026!!").status_code == 401
    fifth = c.login("sysadmin1", "Wrong-Pass-2026!!")
    assert fifth.status_code == 403 and "暂时锁定" in fifth.text
    right = c.login("sysadmin1")
    assert right.status_code == 403 and "cg_session" not in c.cookies
    assert any("locked out" in r["reason"]
               for r in audit_rows(server.store, actor="sysadmin1", outcome="refused"))
    # the security administrator's unlock (cityguard users lock --unlock) lets it in again
    assert cli("users", "lock", "sysadmin1", "--unlock", store=server.store).returncode == 0
    assert c.login("sysadmin1").status_code == 303


def test_an_administrators_lock_ends_the_session_and_refuses_sign_in(server, client_for):
    c = client_for(server)
    assert c.login("secadmin1").status_code == 303
    assert c.get("/users").status_code == 200
    p = cli("users", "lock", "secadmin1", "--reason", "离职", store=server.store)
    assert p.returncode == 0, p.stderr
    assert c.get("/users").status_code == 303  # the session is gone
    again = c.login("secadmin1")
    assert again.status_code == 403 and "已被管理员锁定" in again.text
    assert audit_rows(server.store, actor="secadmin1", action="login", outcome="refused")
    assert any(r["reason"] == "离职" for r in audit_rows(server.store, action="user.lock"))
    cli("users", "lock", "secadmin1", "--unlock", store=server.store)


def test_an_idle_session_expires(server, client_for):
    from cityguard.store import open_store

    c = client_for(server)
    assert c.login("viewer1").status_code == 303
    with open_store(server.store) as st, st.db.transaction():
        st.db.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00Z'")
    r = c.get("/findings")
    assert r.status_code == 303 and "expired=1" in r.headers["location"]
    page = c.get(r.headers["location"])
    assert "空闲超时" in page.text
    assert audit_rows(server.store, action="session_expired", outcome="refused")


def test_a_change_without_the_csrf_token_is_refused_and_logged(server, client_for):
    c = client_for(server)
    assert c.login("analyst1").status_code == 303
    fid = server.facts["finding_ids"][0]
    for data in ({"reason": "无令牌", "until": "2099-01-01"},
                 {"reason": "错令牌", "until": "2099-01-01", "csrf": "forged"}):
        r = c.post(f"/findings/{fid}/accept", data=data)
        assert r.status_code == 403 and "防跨站令牌" in r.text
    assert len(audit_rows(server.store, actor="analyst1", outcome="refused",
                          reason="missing or wrong CSRF token")) >= 2
    from cityguard.store import open_store

    with open_store(server.store) as st:
        assert st.get_finding(str(fid)).status == "open"  # nothing changed
    # the sign-in form has its own token
    bare = c.post("/login", data={"name": "analyst1", "password": PASSWORDS["analyst1"]})
    assert bare.status_code == 403


def test_a_viewer_cannot_triage_and_the_attempt_is_logged(server, client_for):
    c = client_for(server)
    assert c.login("viewer1").status_code == 303
    fid = server.facts["finding_ids"][1]
    page = c.get(f"/findings/{fid}")
    assert page.status_code == 200 and 'action="/findings/' not in page.text  # no forms shown
    token = c.csrf()
    r = c.post(f"/findings/{fid}/accept", data={"csrf": token, "reason": "越权",
                                                "until": "2099-01-01"})
    assert r.status_code == 403 and "无权" in r.text
    assert any("lacks triage" in row["reason"]
               for row in audit_rows(server.store, actor="viewer1", outcome="refused"))


def test_the_audit_administrator_reads_the_audit_log_and_nothing_else(server, client_for):
    c = client_for(server)
    r = c.login("auditor1")
    assert r.status_code == 303 and r.headers["location"] == "/audit"
    page = c.get("/audit")
    assert page.status_code == 200 and "审计日志" in page.text
    export = c.get("/audit/export.csv")
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbfid,at,actor")
    for path in ("/", "/findings", "/users", f"/findings/{server.facts['finding_ids'][0]}"):
        assert c.get(path).status_code == 403, path
    assert c.get("/api/v1/findings").status_code == 403
    v = client_for(server)
    v.login("viewer1")
    assert v.get("/audit").status_code == 403 and v.get("/audit/export.csv").status_code == 403


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
def test_no_one_can_change_or_erase_the_audit_trail(server, sql):
    from cityguard.store import audit, open_store

    with open_store(server.store) as st:
        before = st.db.scalar("SELECT count(*) FROM audit_log")
        assert before > 0
        # the database's own triggers refuse, whoever asks (sqlite3 or psycopg raises)
        with pytest.raises(Exception, match="append-only|kept at least"), st.db.transaction():
            st.db.execute(sql)
        assert st.db.scalar("SELECT count(*) FROM audit_log") == before
        assert audit.verify(st.db) == []
        # retention removes only what is older than six months, and nothing here is
        assert audit.purge(st.db, "2000-01-01T00:00:00Z") == 0


def test_the_json_api_signs_in_and_pages_findings(server, client_for):
    import requests

    bad = requests.post(server.url + "/api/v1/login", json={"name": "viewer1",
                                                            "password": "nope"}, timeout=30)
    assert bad.status_code == 401
    r = requests.post(server.url + "/api/v1/login",
                      json={"name": "viewer1", "password": PASSWORDS["viewer1"]}, timeout=30)
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    auth = {"Authorization": "Bearer " + r.json()["token"]}
    ov = requests.get(server.url + "/api/v1/overview", headers=auth, timeout=30).json()
    assert ov["systems"] == 2 and len(ov["trend"]) == 12
    seen: list[int] = []
    after = None
    while True:
        q = {"size": 7, **({"after": after} if after else {})}
        page = requests.get(server.url + "/api/v1/findings", params=q, headers=auth,
                            timeout=30).json()
        seen += [f["id"] for f in page["findings"]]
        after = page["next"]
        if not after:
            break
    assert len(seen) == len(set(seen)) == 36  # 30 + 6, each once, across pages
    crit = requests.get(server.url + "/api/v1/findings", params={"severity": "critical"},
                        headers=auth, timeout=30).json()["findings"]
    assert crit and {f["severity"] for f in crit} == {"critical"}
    assert "evidence" not in crit[0] and "password" not in str(crit)
    runs = requests.get(server.url + "/api/v1/runs", headers=auth, timeout=30).json()["runs"]
    assert {r["run_id"] for r in runs} == set(server.facts["run_ids"])
