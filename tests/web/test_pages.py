"""What the pages and the API show, on both store backends: filters, keyset pages, a stored
run's report and the diff of two runs rendered on demand, rectification from the browser's
form, and the accounts list that never shows a password hash."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from conftest import PORTAL, cli


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<td class="fid"><a href="/findings/(\d+)">', html)]


def test_findings_filters_and_keyset_pages(server, client_for):
    c = client_for(server)
    assert c.login("viewer1").status_code == 303
    seen, url = [], "/findings?size=8"
    while url:
        page = c.get(url)
        assert page.status_code == 200
        seen += _ids(page.text)
        m = re.search(r'id="next-page" href="([^"]+)"', page.text)
        url = m.group(1).replace("&amp;", "&") if m else ""
    assert len(seen) == len(set(seen)) == 36
    crit = c.get("/findings?severity=critical").text
    assert "严重" in crit and "中危</span>" not in crit
    cve = c.get("/findings?cve=CVE-2024-6392").text
    assert _ids(cve) and all("CVE-2024-6392" in row for row in
                             re.findall(r"<tr>.*?</tr>", cve, re.S)[1:])
    dept = c.get("/findings?department=" + quote("市大数据局")).text
    assert len(_ids(dept)) == 30  # the portal's findings only
    unit = c.get("/findings?unit=L3-CES1-21").text  # known vulnerabilities (8.1.4.4 e)
    assert _ids(unit)
    assert c.get("/findings?after=9.9").status_code == 400


def test_a_stored_run_renders_on_demand_and_two_runs_compare(server, client_for):
    c = client_for(server)
    c.login("viewer1")
    a, b = server.facts["run_ids"]
    report = c.get(f"/system/report?name={quote(PORTAL)}&run={b}")
    assert report.status_code == 200 and "网络安全等级保护测评报告" in report.text
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]
    assert "script-src" not in report.headers["content-security-policy"]
    diff = c.get(f"/system/diff?name={quote(PORTAL)}&a={a}&b={b}")
    assert diff.status_code == 200 and b in diff.text
    # only the system's own stored runs: never a path (reporting reads files too)
    assert c.get(f"/system/report?name={quote(PORTAL)}&run=../../etc/x.json").status_code == 404


def test_rectification_assigned_from_the_form(server, client_for):
    c = client_for(server)
    c.login("analyst1", "Analyst-Pass-2026!")
    fid = server.facts["finding_ids"][5]
    token = c.csrf(f"/findings/{fid}")
    r = c.post(f"/findings/{fid}/rectify", data={"csrf": token, "owner": "张三",
                                                 "due": "2099-06-30", "note": "升级组件"})
    assert r.status_code == 303 and r.headers["location"].endswith("done=rectify")
    page = c.get(f"/system?name={quote(PORTAL)}")
    assert "张三" in page.text and "2099-06-30" in page.text
    bad = c.post(f"/findings/{fid}/rectify", data={"csrf": token, "owner": "", "due": "x"})
    assert bad.status_code == 400


def test_api_system_and_users_list(server, client_for):
    c = client_for(server)
    r = c.post("/api/v1/login", json={"name": "viewer1", "password": "Viewer-Pass-2026!"})
    auth = {"Authorization": "Bearer " + r.json()["token"]}
    one = c.get("/api/v1/system?name=" + quote(PORTAL), headers=auth).json()
    assert one["name"] == PORTAL and one["posture"]["conclusion"] == "non_compliant"
    assert len(one["runs"]) == 2
    assert c.get("/api/v1/system?name=nope", headers=auth).status_code == 404
    listed = cli("users", "list", "--format", "json", store=server.store)
    users = json.loads(listed.stdout)
    assert {u["name"] for u in users} >= {"viewer1", "auditor1"}
    assert "password_hash" not in listed.stdout and "argon2" not in listed.stdout
