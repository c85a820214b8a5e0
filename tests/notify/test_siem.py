"""SIEM export: OCSF records valid against the schema of the pinned release (1.8.0), CEF and
ECS lines, statuses that were not judged never a pass; pushes to an Elasticsearch bulk
endpoint and Splunk HEC on 127.0.0.1, partial failures included."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from notify_loopback import (  # noqa: F401 - fixtures
    HEC_TOKEN,
    receiver_fixture,
    run_doc,
    store_fixture,
    store_path_fixture,
    vuln,
    write_config,
)

from cityguard.notify.config import load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.notify.events import Event, event_id

SCHEMA = Path(__file__).resolve().parents[1] / "assets" / "notify" / "ocsf" / \
    "ocsf-1.8.0-findings.schema.json"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def fill(st) -> None:
    st.import_findings([vuln("10.0.0.1", "P1", sev="critical"), vuln("10.0.0.2", "P2")],
                       file="a.nessus", format="nessus", tool="nessus", system="城市大脑")
    results = [{"check_id": f"c_{s}", "asset": "web1", "status": s, "severity": "high",
                "unit_ids": ["L3-CES1-01"], "title_zh": f"检查 {s}"}
               for s in ("pass", "fail", "error", "not_applicable", "manual")]
    items = [{"unit_id": f"L3-CES1-0{n}", "verdict": v, "importance": "key",
              "summary_zh": f"条款 {v}"}
             for n, v in enumerate(("compliant", "partial", "non_compliant", "not_applicable",
                                    "not_assessed"), start=1)]
    st.save_run(run_doc("r1", "城市大脑", f"{date.today()}T09:00:00+08:00", results=results,
                        items=items, high=[{"case_id": "H3", "unit_ids": ["L3-CNS1-07"],
                                            "asset": "fw", "status": "open",
                                            "title_zh": "边界无访问控制"}]))


def export(cli, st, fmt: str, tmp_path: Path) -> list[str]:
    out = tmp_path / f"export.{fmt}"
    result = cli("export", "--format", fmt, "--since", YESTERDAY, "--output", str(out),
                 "--store", str(st.location.path))
    assert result.exit_code == 0, result.output
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    return out.read_text(encoding="utf-8").splitlines()


def test_ocsf_records_follow_the_pinned_schema(tmp_path, st, cli) -> None:
    from jsonschema import Draft202012Validator

    fill(st)
    lines = export(cli, st, "ocsf", tmp_path)
    records = [json.loads(x) for x in lines]
    assert len(records) == 2 + 5 + 5 + 1
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    for rec in records:
        errors = [e.message for e in validator.iter_errors(rec)]
        assert not errors, (rec, errors[:3])
    vulns = [r for r in records if r["class_uid"] == 2002]
    assert {v["vulnerabilities"][0]["cve"]["uid"] for v in vulns} == {"CVE-2021-44228"}
    comp = {r["compliance"]["control"]: r["compliance"] for r in records
            if r["class_uid"] == 2003}
    assert comp["c_pass"]["status_id"] == 1 and comp["L3-CES1-01"]["status_id"] == 1
    assert comp["c_fail"]["status_id"] == 3 and comp["L3-CES1-03"]["status_id"] == 3
    assert comp["L3-CES1-02"]["status_id"] == 2  # partial: a warning
    # not judged: never a pass, and it says what was not checked
    for control in ("c_error", "c_not_applicable", "c_manual", "L3-CES1-04", "L3-CES1-05"):
        assert comp[control]["status_id"] in (0, 99), control
        assert comp[control]["status_detail"]
        assert comp[control].get("status") != "Pass"
    assert comp["H3"]["status_id"] == 3
    # the same export again: the same ids (a SIEM deduplicates on them)
    again = [json.loads(x)["finding_info"]["uid"] for x in export(cli, st, "ocsf", tmp_path)]
    assert again == [r["finding_info"]["uid"] for r in records]


def test_cef_and_ecs_lines(tmp_path, st, cli) -> None:
    fill(st)
    cef = export(cli, st, "cef", tmp_path)
    assert all(x.startswith("CEF:0|cityguard|cityguard|") for x in cef)
    na = next(x for x in cef if "check:c_not_applicable" in x)
    assert "cs2=not_applicable" in na
    ecs = [json.loads(x) for x in export(cli, st, "ecs", tmp_path)]
    outcome = {d["rule"]["id"]: d["event"]["outcome"] for d in ecs if "rule" in d}
    assert outcome["c_pass"] == "success" and outcome["c_fail"] == "failure"
    assert outcome["c_not_applicable"] == "unknown" and outcome["L3-CES1-05"] == "unknown"
    result = cli("export", "--format", "ocsf", "--since", YESTERDAY, "--output", "-",
                 "--system", "没有这个系统", "--store", str(st.location.path))
    assert result.exit_code == 0 and "{" not in result.stdout


def test_bulk_push_with_partial_failures(tmp_path, st, cli, receiver) -> None:
    fill(st)
    cfg = write_config(tmp_path / "n.yaml", [{"name": "es", "type": "elastic",
                                              "url": receiver.url, "index": "cityguard"}])
    # one item rejected for good (400), one busy (429, sent again), one there already (409)
    def partial(status_for):
        def reply(seen_body: bytes):
            lines = [json.loads(x) for x in seen_body.decode().splitlines() if x.strip()]
            items = []
            for n, action in enumerate(lines[::2]):
                status = status_for(n)
                item = {"_id": action["create"]["_id"], "status": status}
                if status >= 400 and status != 409:
                    item["error"] = {"type": "mapper_parsing_exception", "reason": "bad field"}
                items.append({"create": item})
            return {"took": 3, "errors": True, "items": items}
        return reply

    first = {0: 400, 1: 429, 2: 409}
    import notify_loopback

    original = notify_loopback.default_reply
    calls = []

    def scripted(seen):
        if seen.path.endswith("/_bulk"):
            calls.append(seen)
            rule = first if len(calls) == 1 else {}
            return 200, {}, partial(lambda n: rule.get(n, 201))(seen.body)
        return original(seen)

    notify_loopback.default_reply = scripted
    try:
        result = cli("export", "--since", YESTERDAY, "--target", "es", "--config", str(cfg),
                     "--store", str(st.location.path))
    finally:
        notify_loopback.default_reply = original
    assert result.exit_code == 1  # one record was refused for good
    assert "mapper_parsing_exception" in result.output
    assert len(calls) == 2  # the busy one went again, alone
    second = [json.loads(x) for x in calls[1].body.decode().splitlines()]
    first_ids = [json.loads(x)["create"]["_id"] for x in
                 calls[0].body.decode().splitlines()[::2]]
    assert [a["create"]["_id"] for a in second[::2]] == [first_ids[1]]
    assert "pushed 12" in result.output or "已推送 12 条" in result.output
    assert calls[0].headers["content-type"] == "application/x-ndjson"
    assert calls[0].body.endswith(b"\n")


@pytest.mark.parametrize("reply, state", [
    ((200, {}, {"text": "Success", "code": 0}), "sent"),
    ((503, {}, {"text": "Server is busy", "code": 9}), "pending"),
    ((400, {}, {"text": "Incorrect index", "code": 7, "invalid-event-number": 0}), "failed"),
])
def test_hec_codes(tmp_path, st, monkeypatch, receiver, reply, state) -> None:
    monkeypatch.setenv("CG_HEC", HEC_TOKEN)
    cfg = load_config(write_config(tmp_path / "n.yaml", [
        {"name": "splunk", "type": "splunk_hec", "url": receiver.url, "token_env": "CG_HEC",
         "index": "soc", "retry": {"tries": 1}}]))
    receiver.answer("/services/collector", reply)
    event = Event(event_id("gate.blocked", "s", 1), "gate.blocked", "s", "high", 1.7e9,
                  {"stage": "deploy", "failed": ["r"]})
    enqueue(st, cfg, [event])
    Deliverer(st, cfg, sleep=lambda s: None).run()
    from cityguard.store import outbox

    row = outbox.deliveries(st.db)[0]
    assert row["state"] == state
    seen = receiver.seen[0]
    assert seen.signature_ok  # the Splunk token header
    body = json.loads(seen.body)
    assert body["index"] == "soc" and body["event"]["event"]["id"] == event.id
    if state == "failed":
        assert "index option" in row["error"]
