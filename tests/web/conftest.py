"""The dashboard under test: a real `cityguard serve` process on a free loopback port over a
seeded store (SQLite file, or a database on the real PostgreSQL server of tests/pg_server.py),
accounts made with the real `cityguard users add`, and an HTTP client that keeps its cookies
by hand (the session cookie is Secure; a test client must still send it to http://127.0.0.1).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))

from render_sample import PAYLOADS, build_sample  # noqa: E402
from web_server import Server, start_server  # noqa: E402

from pg_server import pg_available, start_postgres  # noqa: E402

PASSWORDS = {
    "viewer1": "Viewer-Pass-2026!", "analyst1": "Analyst-Pass-2026!",
    "sysadmin1": "Sysadmin-Pass-2026!", "secadmin1": "Secadmin-Pass-2026!",
    "auditor1": "Auditor-Pass-2026!",
}  # fmt: skip
ROLES = {"viewer1": "viewer", "analyst1": "analyst", "sysadmin1": "sysadmin",
         "secadmin1": "secadmin", "auditor1": "auditadmin"}
PORTAL = "市政务门户系统"
#: a system whose register fields are scanner/manifest-style hostile text
HOSTILE_SYSTEM = "城市大脑" + PAYLOADS[0]
HOSTILE_DEPARTMENT = "市大数据局" + PAYLOADS[1]


def cli(*args: str, store: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cityguard", *args, "--store", store],
                          input=stdin, capture_output=True, text=True, timeout=120,
                          check=False)


def seed(store_url: str) -> dict[str, object]:
    """Two systems (one with hostile names), the sample's hostile findings, two runs, users."""
    from dataclasses import replace

    from cityguard.model.register import SystemRecord
    from cityguard.model.serialize import assessment_to_dict
    from cityguard.store import open_store
    from cityguard.web import accounts
    from cityguard.web.config import Policy

    sample = build_sample()
    with open_store(store_url) as st:
        st.add_system(SystemRecord(name=PORTAL, department="市大数据局", district="滨江区",
                                   level=3, stage="operate"))
        st.add_system(SystemRecord(name=HOSTILE_SYSTEM[:200], department=HOSTILE_DEPARTMENT,
                                   district="上城区" + PAYLOADS[3][:60], level=3))
        fresh = [replace(f, id=None, status="open") for f in sample.findings]
        st.import_findings(fresh, file="scans/portal.nessus", format="nessus", tool="nessus",
                           system=PORTAL)
        st.import_findings(fresh[:6], file="scans/brain.nessus", format="nessus",
                           tool="nessus", system=HOSTILE_SYSTEM[:200])
        older = replace(build_sample(history=False), run_id="20250210-city-portal",
                        created="2025-02-10T09:00:00+08:00")
        st.save_run(assessment_to_dict(older))
        st.save_run(assessment_to_dict(build_sample(history=False)))
        ids = [int(f.id or 0) for f in st.list_findings(system=PORTAL)]
        # in-process (the CLI is proved by test_users_cli.py and the CES1-01 test)
        for name, password in PASSWORDS.items():
            accounts.add_user(st, name, ROLES[name], password, by="seed", policy=Policy())
    return {"finding_ids": ids, "run_ids": ["20250210-city-portal", sample.run_id]}


@pytest.fixture(scope="session")
def web_pg():
    if not pg_available():
        pytest.skip("PostgreSQL server not installed: apt-get install postgresql")
    server = start_postgres()
    yield server
    server.destroy()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """A running dashboard over a seeded store, on each backend, shared by the modules that
    use it (they leave the accounts as they found them: unlocked, their own passwords)."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("web") / "cg.db")
    else:
        url = request.getfixturevalue("web_pg").new_database()
    facts = seed(url)
    srv = start_server(url)
    srv.facts = facts
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    url = str(tmp_path_factory.mktemp("web") / "cg.db")
    facts = seed(url)
    srv = start_server(url)
    srv.facts = facts
    yield srv
    srv.stop()


class Client:
    """requests with the cookies kept by hand (Secure cookies to http://127.0.0.1)."""

    def __init__(self, base: str) -> None:
        import requests

        self.base = base
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}

    def _keep(self, response) -> None:
        for header in response.raw.headers.getlist("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, method: str, path: str, **kw):
        headers = dict(kw.pop("headers", {}) or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = self.http.request(method, self.base + path, headers=headers,
                              allow_redirects=False, timeout=30, **kw)
        self._keep(r)
        return r

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    def login_form_token(self) -> str:
        page = self.get("/login")
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def login(self, name: str, password: str | None = None):
        token = self.login_form_token()
        return self.post("/login", data={"csrf": token, "name": name,
                                          "password": password or PASSWORDS[name],
                                          "next": "/"})

    def csrf(self, path: str = "/") -> str:
        page = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def client_for():
    def make(srv: Server) -> Client:
        return Client(srv.url)

    return make


def audit_rows(store_url: str, **match: str) -> list[dict[str, str]]:
    from cityguard.store import audit, open_store

    with open_store(store_url) as st:
        rows = [r.to_dict() for r in audit.listing(st.db, limit=1000)]
    return [r for r in rows if all(r.get(k) == v for k, v in match.items())]
