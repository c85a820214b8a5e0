"""Posture, rectification tracking and `store copy` on both backends, with real files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from test_store import imp, vuln

from cityguard.model.register import SystemRecord
from cityguard.store import open_store

TODAY = date.today()


def _day(delta: int) -> str:
    return (TODAY + timedelta(days=delta)).isoformat()


def _run(run_id: str, system: str, created: str, conclusion: str, rate: float, *,
         high_open: int = 0, items: list | None = None, waivers: list | None = None) -> dict:
    return {"run_id": run_id, "created": created + "T10:00:00+08:00",
            "system": {"name": system, "level": 3},
            "summary": {"conclusion": conclusion, "score": rate, "compliance_rate": rate},
            "high_risks": [{"case_id": f"H{i}", "status": "open"} for i in range(high_open)]
            + [{"case_id": "HX", "status": "mitigated"}],
            "items": items or [], "waivers": waivers or []}


def test_posture_from_the_store(store_url: str, cli) -> None:
    with open_store(store_url) as st:
        st.add_system(SystemRecord(name="城市大脑", department="大数据局", level=3))
        st.add_system(SystemRecord(name="政务云", department="数据资源局", level=4,
                                   stage="operate"))
        st.add_system(SystemRecord(name="新系统", level=3, stage="build"))
        st.save_run(_run("r1", "城市大脑", _day(-500), "non_compliant", 60.0))
        st.save_run(_run("r2", "城市大脑", _day(-30), "basically_compliant", 82.5, high_open=2,
                         waivers=[{"id": "W1", "item": "L3-CES1-01", "expires": _day(10)},
                                  {"id": "W2", "item": "L3-CES1-02", "expires": _day(90)}]))
        st.save_run(_run("r3", "政务云", _day(-200), "compliant", 95.0))
        imp(st, [vuln("a", "1", sev="critical"), vuln("a", "2"), vuln("a", "3", sev="low")],
            system="城市大脑")
        st.set_status(vuln("a", "3").fingerprint[:12], "accept", "补偿措施", until=_day(5))
        st.save_gate("城市大脑", "deploy", False, ["deploy.security_test"])
        st.save_gate("城市大脑", "deploy", True)
        st.save_gate("城市大脑", "operate", False, ["operate.filing_valid"])
        by_name = {p.system.name: p for p in st.posture()}
    brain, cloud, new = by_name["城市大脑"], by_name["政务云"], by_name["新系统"]
    assert (brain.last_assessed, brain.conclusion, brain.compliance_rate, brain.last_run_id) \
        == (_day(-30), "basically_compliant", 82.5, "r2")
    assert brain.next_due and brain.next_due > TODAY.isoformat() and not brain.overdue
    assert brain.high_risks_open == 2 and brain.findings_open == {"critical": 1, "high": 1}
    assert brain.waivers_expiring == 2  # W1 (10 days) and the acceptance (5 days); W2 not
    assert brain.gates == {"deploy": "pass", "operate": "fail"}
    assert cloud.overdue and cloud.interval_months == 6  # level 4: every half year
    assert new.never_assessed and not new.overdue  # still being built
    # the default interval is configurable
    with open_store(store_url) as st:
        relaxed = {p.system.name: p for p in st.posture(intervals={4: 12})}
    assert not relaxed["政务云"].overdue
    res = cli("systems", "list", "--overdue", "--format", "json", "--store", store_url)
    assert [d["name"] for d in json.loads(res.stdout)] == ["政务云"]
    res = cli("systems", "list", "--high-risk", "--conclusion", "基本符合", "--format", "json",
              "--store", store_url)
    assert [d["name"] for d in json.loads(res.stdout)] == ["城市大脑"]
    res = cli("systems", "list", "--level", "3", "--sort", "findings", "--format", "csv",
              "--store", store_url)
    lines = res.stdout.splitlines()
    assert lines[0].startswith("系统名称,单位") and lines[1].startswith("城市大脑,")
    res = cli("systems", "list", "--interval", "4=12", "--overdue", "--format", "json",
              "--store", store_url)
    assert json.loads(res.stdout) == []
    bad = cli("systems", "list", "--conclusion", "优秀", "--store", store_url)
    assert bad.exit_code == 2 and "--conclusion" in bad.output


def test_systems_list_is_legible_at_80_columns(store_url: str, cityguard_proc,
                                                tmp_path: Path) -> None:
    with open_store(store_url) as st:
        for n in range(3):
            st.add_system(SystemRecord(name=f"城市大脑第{n}号业务系统", level=3,
                                       department="市大数据资源管理局", stage="operate"))
    for lang in ("zh", "en"):
        res = cityguard_proc("systems", "list", "--lang", lang, "--store", store_url,
                             env={"COLUMNS": "80"})
        assert res.returncode == 0, res.stderr
        from rich.cells import cell_len

        assert max(cell_len(line) for line in res.stdout.splitlines()) <= 80
        assert "城市大脑" in res.stdout
    out = tmp_path / "posture.xlsx"
    res = cityguard_proc("systems", "list", "--format", "xlsx", "--output", str(out),
                         "--store", store_url)
    assert res.returncode == 0 and out.stat().st_mode & 0o077 == 0
    from openpyxl import load_workbook

    ws = load_workbook(out).worksheets[0]
    assert ws.cell(1, 1).value == "系统名称" and ws.max_row == 4


def test_rectification_flow_verified_by_a_later_scan(store_url: str, cli) -> None:
    with open_store(store_url) as st:
        imp(st, [vuln("a", "1"), vuln("a", "2")], system="门户")
        f1 = st.get_finding(vuln("a", "1").fingerprint[:12])
        r = st.add_rectification(finding=str(f1.id), owner="张三", due=_day(-1), by="lead")
        assert r.state == "open" and r.overdue and r.severity == "high"
        late = st.rectifications(overdue=True)
        assert [x.id for x in late] == [r.id]
        st.change_rectification(r.id, state="in_progress", reason="已排期", by="张三")
        st.change_rectification(r.id, state="fixed", reason="已升级组件", by="张三")
        # the re-test still reports it: back to open
        imp(st, [vuln("a", "1"), vuln("a", "2")], system="门户", file="retest1.nessus")
        assert st.rectification(r.id).state == "open"
        st.change_rectification(r.id, state="fixed", reason="再次修复", due=_day(30))
        # the next scan no longer reports it: verified by that import
        imp(st, [vuln("a", "2")], system="门户", file="retest2.nessus")
        done = st.rectification(r.id)
        assert done.state == "verified" and done.verified_by == "import #3"
        states = [(h["old_state"], h["new_state"]) for h in st.rectification_history(r.id)]
        assert states == [(None, "open"), ("open", "in_progress"), ("in_progress", "fixed"),
                          ("fixed", "open"), ("open", "fixed"), ("open", "fixed"),
                          ("fixed", "verified")]
    bad = cli("rectify", "update", str(r.id), "--state", "in_progress", "--reason", "x",
              "--store", store_url)
    assert bad.exit_code == 2 and "can move to open" in bad.output
    again = cli("rectify", "add", "--finding", str(f1.id), "--owner", "李四", "--due",
                _day(9), "--store", store_url)
    assert again.exit_code == 0  # a verified one does not block a new one
    dup = cli("rectify", "add", "--finding", str(f1.id), "--owner", "李四", "--due", _day(9),
              "--store", store_url)
    assert dup.exit_code == 2 and "already tracks" in dup.output
    shown = cli("rectify", "show", str(r.id), "--format", "json", "--store", store_url)
    assert json.loads(shown.stdout)["history"][-1]["by"] == "import #3"


def test_item_rectification_verified_by_a_later_assessment(store_url: str, cli) -> None:
    with open_store(store_url) as st:
        st.add_system(SystemRecord(name="门户", level=3))
    res = cli("rectify", "add", "--item", "L3-CES1-01", "--system", "门户", "--asset", "web01",
              "--owner", "王五", "--due", _day(20), "--store", store_url)
    assert res.exit_code == 0, res.output
    item = {"unit_id": "L3-CES1-01", "verdict": "partial",
            "objects": [{"asset": "web01", "verdict": "non_compliant"},
                        {"asset": "db01", "verdict": "compliant"}]}
    with open_store(store_url) as st:
        (r,) = st.rectifications(system="门户")
        st.change_rectification(r.id, state="fixed", reason="已配置口令复杂度")
        st.save_run(_run("a1", "门户", _day(-2), "non_compliant", 70.0, items=[item]))
        assert st.rectification(r.id).state == "open"  # still non-compliant on web01
        item["objects"][0]["verdict"] = "not_applicable"
        st.save_run(_run("a2", "门户", _day(-1), "non_compliant", 70.0, items=[item]))
        assert st.rectification(r.id).state == "open"  # not applicable proves nothing
        item["objects"][0]["verdict"] = "compliant"
        st.save_run(_run("a3", "门户", _day(0), "compliant", 90.0, items=[item]))
        done = st.rectification(r.id)
        assert (done.state, done.verified_by) == ("verified", "run a3")
    listed = cli("rectify", "list", "--state", "verified", "--format", "csv", "--store",
                 store_url)
    assert listed.exit_code == 0 and "L3-CES1-01" in listed.stdout


def test_store_copy_round_trips_a_real_store(corpus: Path, tmp_path: Path, cityguard_proc,
                                             pg_server) -> None:
    team = tmp_path / "team.db"
    scans = sorted((corpus / "trivy").glob("*.json"))[:3] + sorted((corpus / "nmap")
                                                                   .glob("*.xml"))[:2]
    res = cityguard_proc("scans", "import", *map(str, scans), "--system", "城市大脑", "--store",
                         str(team))
    assert res.returncode == 0, res.stderr
    res = cityguard_proc("scans", "import", *map(str, scans[:2]), "--system", "城市大脑",
                         "--store", str(team))  # a second round: seen again, some fixed
    with open_store(team) as st:
        f = next(iter(st.list_findings()))
        st.set_status(str(f.id), "accept", "补偿措施已到位", until=_day(40))
        st.add_system(SystemRecord(name="政务云", level=4, district="滨江区"))
        st.add_rectification(finding=str(f.id), owner="张三", due=_day(10))
        st.save_run(_run("r1", "城市大脑", _day(-3), "basically_compliant", 81.0))
    central = pg_server.new_database()
    res = cityguard_proc("store", "copy", str(team), central, "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "copied and verified" in res.stderr and pg_server.password not in res.stderr
    back = tmp_path / "back.db"
    assert cityguard_proc("store", "copy", central, str(back)).returncode == 0
    stores = [open_store(p) for p in (team, central, back)]
    try:
        seen = [(st.db.scalar("SELECT count(*) FROM findings"),
                 sorted(x.fingerprint + x.status for x in st.list_findings()),
                 [tuple(h.values()) for h in st.history(int(f.id or 0))],
                 [i["file"] for i in st.imports()], st.list_runs(), st.systems())
                for st in stores]
        assert seen[0] == seen[1] == seen[2] and seen[0][0] > 50
        # ids continue after the copied ones on the server
        imp(stores[1], [vuln("z", "new")], system="城市大脑")
    finally:
        for st in stores:
            st.close()
    again = cityguard_proc("store", "copy", str(team), central)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_a_gate_with_a_store_records_its_decision(store_url: str) -> None:
    from cityguard.gate.run import GateRequest, run_gate

    manifest = Path(__file__).resolve().parents[2] / "examples" / "smart-city-portal" \
        / "cityguard.yaml"
    run = run_gate(GateRequest(stage="plan", system=str(manifest), store=store_url,
                               today="2025-09-01"))
    with open_store(store_url) as st:
        (p,) = [x for x in st.posture() if x.system.name == "智慧城市门户"]
    assert p.gates == {"plan": "pass" if run.result.passed else "fail"}
