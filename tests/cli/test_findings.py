"""`cityguard findings list|show|accept|false-positive|reopen` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

SARIF = {
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "semgrep", "rules": [
            {"id": "sqli", "properties": {"security-severity": "9.1", "tags": ["CWE-89"]}},
            {"id": "xss", "properties": {"security-severity": "6.1", "tags": ["CWE-79"]}},
            {"id": "style", "properties": {"security-severity": "1.0"}},
        ]}},
        "results": [
            {"ruleId": rule, "ruleIndex": idx, "message": {"text": f"{rule} here"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"app/{rule}.py"},
                                                 "region": {"startLine": 10}}}]}
            for idx, rule in enumerate(("sqli", "xss", "style"))
        ],
    }],
}


@pytest.fixture
def loaded(cli, tmp_path: Path) -> Path:
    p = tmp_path / "app.sarif"
    p.write_text(json.dumps(SARIF), encoding="utf-8")
    res = cli("scans", "import", str(p), "--system", "portal")
    assert res.exit_code == 0, res.output
    return Path(os.environ["CITYGUARD_STORE"])


def listing(cli, *args: str) -> list[dict]:
    res = cli("findings", "list", "--format", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_list_formats_and_filters(cli, loaded: Path) -> None:
    found = listing(cli)
    assert [f["severity"] for f in found] == ["critical", "medium", "low"]
    assert {f["system"] for f in found} == {"portal"}
    assert {f["tool"] for f in found} == {"semgrep"}  # SARIF from a known tool takes its family
    assert [f["rule_id"] for f in listing(cli, "--severity", "medium+")] == ["sqli", "xss"]
    assert [f["rule_id"] for f in listing(cli, "--severity", "low,critical")] == ["sqli", "style"]
    assert listing(cli, "--status", "fixed") == []
    assert listing(cli, "--tool", "nessus") == []
    assert len(listing(cli, "--tool", "semgrep")) == 3
    assert listing(cli, "--system", "other") == []
    res = cli("findings", "list", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["rule_id"] for r in table] == ["sqli", "xss", "style"]
    assert table[0]["cwes"] == "CWE-89" and table[0]["status"] == "open"
    res = cli("findings", "list", "--lang", "en")
    assert "Critical" in res.stdout and "3 finding(s)" in res.stderr
    res = cli("findings", "list")
    assert "严重" in res.stdout and "未修复" in res.stdout and "共 3 条" in res.stderr


def test_show_by_id_and_fingerprint_prefix(cli, loaded: Path) -> None:
    sqli = listing(cli)[0]
    res = cli("findings", "show", str(sqli["id"]), "--format", "json")
    shown = json.loads(res.stdout)
    assert shown["fingerprint"] == sqli["fingerprint"]
    assert "L3-CES1-20" in shown["mlps_units"]["3"]  # injection → input validation
    assert shown["history"] == []
    res = cli("findings", "show", sqli["fingerprint"][:10], "--lang", "en")
    assert res.exit_code == 0 and sqli["fingerprint"] in res.stdout
    assert "MLPS units L3" in res.stdout


def test_accept_false_positive_reopen_keep_history(cli, loaded: Path) -> None:
    sqli, xss, _style = listing(cli)
    until = (date.today() + timedelta(days=30)).isoformat()
    res = cli("findings", "accept", str(sqli["id"]), "--reason", "WAF virtual patch",
              "--until", until, "--by", "zhang.wei")
    assert res.exit_code == 0, res.output
    assert f"is now accepted until {until}" in res.stderr and "zhang.wei" in res.stderr
    res = cli("findings", "false-positive", xss["fingerprint"][:8], "--reason", "test code")
    assert res.exit_code == 0, res.output
    assert [f["rule_id"] for f in listing(cli, "--status", "accepted,false_positive")] == [
        "sqli", "xss"]
    res = cli("findings", "reopen", str(sqli["id"]), "--reason", "WAF removed", "--by", "li.na")
    assert res.exit_code == 0
    shown = json.loads(cli("findings", "show", str(sqli["id"]), "--format", "json").stdout)
    assert shown["status"] == "reopened"
    assert [(h["old_status"], h["new_status"], h["by"], h["reason"], h["until"])
            for h in shown["history"]] == [
        ("open", "accepted", "zhang.wei", "WAF virtual patch", until),
        ("accepted", "reopened", "li.na", "WAF removed", None),
    ]


def test_an_acceptance_past_its_date_reopens_on_list(cli, loaded: Path) -> None:
    sqli = listing(cli)[0]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert cli("findings", "accept", str(sqli["id"]), "--reason", "r", "--until",
               tomorrow).exit_code == 0
    # let two days pass in the store (the date is data; the clock is not mocked)
    conn = sqlite3.connect(loaded)
    past = (date.today() - timedelta(days=1)).isoformat()
    conn.execute("UPDATE findings SET status_until = ? WHERE id = ?", (past, sqli["id"]))
    conn.commit()
    conn.close()
    assert listing(cli, "--status", "accepted") == []
    shown = json.loads(cli("findings", "show", str(sqli["id"]), "--format", "json").stdout)
    assert shown["status"] == "reopened"
    assert shown["history"][-1]["by"] == "cityguard" and "expired" in shown["history"][-1]["reason"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["findings", "accept", "1", "--reason", "x", "--until", "2001-01-01"], "in the past"),
        (["findings", "accept", "1", "--reason", "x", "--until", "next week"], "not a date"),
        (["findings", "reopen", "1", "--reason", "x"], "already open"),
        (["findings", "show", "999"], "no finding"),
        (["findings", "show", "zz"], "fingerprint prefix"),
        (["findings", "list", "--severity", "severe"], "unknown severity"),
        (["findings", "list", "--status", "closed"], "unknown status"),
        (["findings", "list", "--format", "xml"], "--format must be one of"),
    ],
)
def test_errors_are_one_line_and_exit_2(cli, loaded: Path, cityguard_proc, args: list[str],
                                        message: str) -> None:
    res = cityguard_proc(*args)
    assert res.returncode == 2, res.stderr
    assert message in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_reason_is_required(cityguard_proc, loaded: Path) -> None:
    res = cityguard_proc("findings", "accept", "1")
    assert res.returncode == 2 and "--reason" in res.stderr
