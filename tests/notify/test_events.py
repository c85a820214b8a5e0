"""Events from the store's facts (`cityguard notify scan`): digests, never one per finding;
stable ids, so a re-run posts nothing twice; messages cut cleanly at a channel's byte budget."""

from __future__ import annotations

import json
from datetime import date, timedelta

from notify_loopback import (  # noqa: F401 - fixtures
    run_doc,
    store_fixture,
    store_path_fixture,
    vuln,
    write_config,
)

from cityguard.model.register import SystemRecord
from cityguard.notify.config import load_config
from cityguard.notify.events import Event
from cityguard.notify.service import scan
from cityguard.notify.text import Message, clean, json_len, message_for

TODAY = date.today()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def stamp(days: int = 0) -> str:
    return f"{day(days)}T10:00:00+08:00"


def lines_of(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_scan_turns_the_stores_facts_into_digests(tmp_path, st, cli) -> None:
    out = tmp_path / "events.ndjson"
    cfg_path = write_config(tmp_path / "n.yaml", [{"name": "air-gap", "type": "file",
                                                   "path": str(out)}], due_days=30,
                            expiry_days=14)
    st.add_system(SystemRecord(name="城市大脑", department="市大数据局", level=3,
                               stage="operate"))
    st.add_system(SystemRecord(name="政务云", department="数据资源局", level=4,
                               stage="operate"))
    # a run a year ago (so the next one is due) and the run of today with a new high risk
    st.save_run(run_doc("r0", "城市大脑", stamp(-700), high=[{"case_id": "H1", "asset": "a",
                                                             "status": "open"}]))
    st.save_run(run_doc("r1", "城市大脑", stamp(-350), high=[
        {"case_id": "H1", "asset": "a", "status": "open", "title_zh": "旧风险"},
        {"case_id": "H7", "asset": "db1", "status": "open", "title_zh": "数据库弱口令",
         "unit_ids": ["L3-CES1-01"]}],
        results=[{"check_id": "ssh_root", "asset": "web1", "status": "fail",
                  "severity": "high", "title_zh": "禁止 root 远程登录"}]))
    # 2,000 new findings in one import: one event, not 2,000
    findings = [vuln(f"10.0.{n // 250}.{n % 250}", f"P{n % 40}",
                     sev=("critical" if n < 3 else "medium")) for n in range(2000)]
    st.import_findings(findings, file="week.nessus", format="nessus", tool="nessus",
                       system="城市大脑")
    st.save_gate("政务云", "deploy", False, ["deploy.pentest_report"])
    st.add_rectification(owner="张三", due=day(5), system="城市大脑", unit_id="L3-CES1-01")
    st.db.execute("UPDATE rectifications SET due = ?", [day(-3)])  # now past due
    result = cli("notify", "scan", "--config", str(cfg_path), "--store",
                 str(st.location.path), "--since", day(-400))
    assert result.exit_code == 0, result.output
    records = lines_of(out)
    kinds = sorted(r["finding_info"]["types"][0] for r in records)
    # 城市大脑: assessed 350 days ago, due within 30 days; 政务云: live and never assessed
    # r0 is older than --since: not told again
    assert kinds == sorted(["run.finished", "high_risk.new",
                            "finding.new", "gate.blocked", "assessment.due",
                            "assessment.overdue", "rectification.overdue"]), kinds
    by_kind = {r["finding_info"]["types"][0]: r for r in records}
    assert by_kind["high_risk.new"]["severity_id"] == 5
    # H1 was open in the run before: only H7 is new
    assert by_kind["high_risk.new"]["finding_info"]["title"] == \
        "【重大风险隐患】城市大脑 新增高风险问题 1 项"
    # a second scan, and a scan of the same window: nothing new is written or sent
    for extra in ((), ("--since", day(-400))):
        again = cli("notify", "scan", "--config", str(cfg_path), "--store",
                    str(st.location.path), *extra)
        assert again.exit_code == 0 and "（新 0 个）" in again.output
    assert len(lines_of(out)) == len(records)
    status = cli("notify", "status", "--store", str(st.location.path), "--format", "json")
    assert status.exit_code == 0
    assert {s["state"] for s in json.loads(status.output)["summary"]} == {"sent"}


def test_the_new_findings_digest_as_a_person_reads_it(tmp_path, st) -> None:
    cfg = load_config(write_config(tmp_path / "n.yaml", [
        {"name": "f", "type": "file", "path": str(tmp_path / "x")}]))
    findings = [vuln("10.0.0.1", f"P{n}", sev="critical" if n < 2 else "low",
                     title=f"漏洞 {n}") for n in range(300)]
    st.import_findings(findings, file="a.nessus", format="nessus", tool="nessus",
                       system="城市大脑")
    events = scan(st, cfg, since=day(-1), send=False).events
    (event,) = [e for e in events if e.kind == "finding.new"]
    assert event.counts == {"critical": 2, "low": 298} and len(event.facts["findings"]) == 100
    # a WeCom text holds 2048 bytes: whole lines, then how many more
    text = message_for(event, "zh", min_severity="info").text(2048, json_len)
    assert json_len(text) <= 2048
    lines = text.split("\n")
    assert lines[0] == "【新发现问题】城市大脑 新增 300 个问题"
    assert lines[1] == "按严重程度：严重 2 · 低危 298"
    assert lines[3].startswith("[严重] 漏洞 0 — 10.0.0.1:443")
    assert lines[-1].startswith("……另有 ") and lines[-1].endswith(" 条")
    shown = sum(1 for x in lines if x.startswith("["))
    assert int(lines[-1][5:-2]) == 101 - shown  # 100 listed + "200 not listed" line
    # a target that only wants high and above sees the two critical ones only
    high = message_for(event, "en", min_severity="high").text(4096)
    assert "By severity: Critical 2" in high and "Low" not in high
    assert "[Critical] 漏洞 1" in high and "漏洞 2 " not in high


def test_hostile_titles_cannot_break_a_message() -> None:
    evil = "x\n\r\u2028\u202e<b>" + "长" * 100_000
    assert clean(evil) == ("x <b>" + "长" * 154 + "…")
    event = Event("cg-1", "gate.blocked", evil, "high", 1.0, {"stage": "deploy",
                                                            "failed": [evil] * 3})
    msg = message_for(event, "zh")
    assert "\n" not in msg.title and len(msg.title) <= 300
    text = msg.text(20000, json_len)
    assert json_len(text) <= 20000 and text.count("\n") == 3
    tiny = Message(title="标题" * 50, lines=["行"] * 10).text(60)
    assert len(tiny.encode()) <= 60
