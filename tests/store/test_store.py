"""The store on both backends (a real SQLite file, a real PostgreSQL server): schema, dedup,
fixed/reopened, acceptance expiry, runs."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cityguard.core.errors import DataError, UsageError
from cityguard.core.ids import time_ordered_id
from cityguard.model import Finding, Severity
from cityguard.store import SCHEMA_VERSION, open_store
from cityguard.store.imports import BATCH


def vuln(host: str, rule: str, tool: str = "nessus", sev: str = "high", **kw) -> Finding:
    return Finding(
        tool=tool, format=tool, asset_kind="host", asset_key=host, rule_id=rule,
        title=f"plugin {rule}", severity=Severity(sev), port=443, protocol="tcp",
        location="443/tcp", cves=("CVE-2021-44228",), tags=("vuln",), **kw,
    )


def imp(st, findings, file="scan.nessus", tool="nessus", system=None, now=None):
    return st.import_findings(
        findings, file=file, format=tool, tool=tool, system=system, sha256="0" * 64, now=now
    )


def status_of(st, host: str, rule: str, tool: str = "nessus", system: str | None = None) -> str:
    fp = vuln(host, rule, tool).fingerprint
    return st.get_finding(fp[:16], system).status


@pytest.fixture
def st(store_url: str):
    with open_store(store_url) as store:
        yield store


def test_open_creates_a_wal_database_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "cg.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"systems", "imports", "import_assets", "findings", "status_history", "runs"} <= tables
    conn.close()
    open_store(path).close()  # reopening an up-to-date store migrates nothing and works


def test_default_location_and_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CITYGUARD_STORE")
    monkeypatch.chdir(tmp_path)
    with open_store() as s:
        assert s.path == tmp_path / ".cityguard" / "cityguard.db"
    monkeypatch.setenv("CITYGUARD_STORE", str(tmp_path / "env.db"))
    with open_store() as s:
        assert s.path == tmp_path / "env.db"
    assert (tmp_path / "env.db").is_file()


def test_newer_schema_and_non_database_files_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DataError, match="newer than this cityguard"):
        open_store(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DataError, match="not a cityguard store"):
        open_store(junk)


def test_dedup_across_imports_and_within_a_file(st) -> None:
    first = imp(st, [vuln("10.0.0.1", "1"), vuln("10.0.0.1", "2"), vuln("10.0.0.1", "1")])
    assert (first.read, first.new, first.seen, first.duplicates) == (3, 2, 0, 1)
    again = imp(st, [vuln("10.0.0.1", "1"), vuln("10.0.0.1", "2")], file="second.nessus")
    assert (again.new, again.seen, again.reopened, again.fixed) == (0, 2, 0, 0)
    assert len(list(st.list_findings())) == 2
    # the same identity from another tool family is another finding
    other = imp(st, [vuln("10.0.0.1", "1", tool="openvas")], tool="openvas")
    assert other.new == 1


def test_latest_scan_updates_descriptive_fields_but_not_identity(st) -> None:
    imp(st, [vuln("h", "1", sev="medium")])
    imp(st, [vuln("h", "1", sev="critical")])
    (f,) = st.list_findings()
    assert f.severity is Severity.CRITICAL
    assert f.extra["first_import_id"] == 1 and f.extra["last_import_id"] == 2


def test_missing_from_same_tool_and_scope_becomes_fixed_then_reopened(st) -> None:
    imp(st, [vuln("a", "1"), vuln("a", "2"), vuln("b", "1")])
    imp(st, [vuln("x", "9", tool="openvas")], tool="openvas")
    res = imp(st, [vuln("a", "1")], file="rescan-a.nessus")
    assert res.fixed == 1  # a/2 only: host b is outside this file's scope
    assert status_of(st, "a", "2") == "fixed"
    assert status_of(st, "b", "1") == "open"
    assert status_of(st, "x", "9", tool="openvas") == "open"
    back = imp(st, [vuln("a", "1"), vuln("a", "2")], file="rescan2-a.nessus")
    assert (back.reopened, back.seen, back.new) == (1, 1, 0)
    f = st.get_finding(vuln("a", "2").fingerprint[:10])
    assert f.status == "reopened"
    hist = st.history(f.id)
    assert [(h["old_status"], h["new_status"]) for h in hist] == [
        ("open", "fixed"), ("fixed", "reopened")
    ]
    assert "rescan-a.nessus" in hist[0]["reason"] and hist[0]["import_id"] == 3


def test_scope_is_per_system(st) -> None:
    imp(st, [vuln("a", "1"), vuln("a", "2")], system="web")
    imp(st, [vuln("a", "1"), vuln("a", "2")], system="db")
    res = imp(st, [vuln("a", "1")], system="web")
    assert res.fixed == 1
    assert status_of(st, "a", "2", system="web") == "fixed"
    assert status_of(st, "a", "2", system="db") == "open"
    assert st.systems() == ["db", "web"]


def test_acceptance_keeps_who_why_until_and_expires(st) -> None:
    imp(st, [vuln("a", "1"), vuln("a", "2")])
    today = datetime.now()
    until = (today + timedelta(days=3)).date().isoformat()
    f = st.set_status("1", "accept", "compensating WAF rule", by="alice", until=until)
    assert (f.status, f.extra["status_by"], f.extra["status_until"]) == ("accepted", "alice", until)
    # an accepted finding missing from a later scan keeps its acceptance
    res = imp(st, [vuln("a", "2")])
    assert res.fixed == 0 and st.get_finding("1").status == "accepted"
    # still valid on its last day, reopened the day after (on list and on show)
    assert st.get_finding("1", now=today + timedelta(days=3)).status == "accepted"
    listed = {x.id: x.status for x in st.list_findings(now=today + timedelta(days=4))}
    assert listed[1] == "reopened"
    hist = st.history(1)
    assert hist[-1]["new_status"] == "reopened" and "expired" in hist[-1]["reason"]
    assert hist[-2] == {
        "old_status": "open", "new_status": "accepted", "at": hist[-2]["at"], "by": "alice",
        "reason": "compensating WAF rule", "until": until, "import_id": None,
    }


def test_expiry_is_evaluated_on_import(st) -> None:
    imp(st, [vuln("a", "1")])
    tomorrow = (datetime.now() + timedelta(days=1)).date().isoformat()
    st.set_status("1", "false-positive", "banner only", by="bob", until=tomorrow)
    res = imp(st, [vuln("a", "1")], now=datetime.now() + timedelta(days=2))
    assert res.expired == 1
    assert st.get_finding("1").status == "reopened"


def test_status_changes_validate_their_input(st) -> None:
    imp(st, [vuln("a", str(i)) for i in range(40)])
    with pytest.raises(UsageError, match="in the past"):
        st.set_status("1", "accept", "x", until="2000-01-01")
    with pytest.raises(UsageError, match="not a date"):
        st.set_status("1", "accept", "x", until="soon")
    with pytest.raises(UsageError, match="reason"):
        st.set_status("1", "accept", "  ")
    with pytest.raises(UsageError, match="already open"):
        st.set_status("1", "reopen", "why not")
    with pytest.raises(UsageError, match="no finding"):
        st.set_status("9999", "accept", "x")
    seen: dict[str, str] = {}
    for i in range(100_000):  # two rules whose fingerprints share their first 4 hex digits
        fp = vuln("z", f"c{i}").fingerprint[:4]
        if fp in seen:
            imp(st, [vuln("z", seen[fp]), vuln("z", f"c{i}")], file="z.nessus")
            break
        seen[fp] = f"c{i}"
    with pytest.raises(UsageError, match="ambiguous"):
        st.get_finding(fp)
    f = st.set_status("2", "accept", "x")
    assert f.extra["status_until"] is None  # an acceptance without end date
    assert st.set_status("2", "reopen", "risk owner changed").status == "reopened"


def test_one_file_one_transaction_nothing_left_after_a_failure(st) -> None:
    imp(st, [vuln("a", "keep")], file="good.nessus")

    def broken():
        for i in range(BATCH * 2 + 7):  # several batches already written before the failure
            yield vuln("a", f"r{i}")
        raise DataError("bad.nessus", "invalid XML (no element found)", line=99)

    with pytest.raises(DataError, match="bad.nessus:99"):
        imp(st, broken(), file="bad.nessus", system="other")
    assert [f.rule_id for f in st.list_findings()] == ["keep"]
    assert st.get_finding("1").status == "open"  # not marked fixed by the failed file
    assert [i["file"] for i in st.imports()] == ["good.nessus"]
    assert st.systems() == ["default"]
    # the store is still usable afterwards
    assert imp(st, [vuln("a", "keep"), vuln("a", "new")]).new == 1


def test_imports_record_file_hash_counts_and_asset_scope(st) -> None:
    imp(st, [vuln("a", "1"), vuln("b", "1"), vuln("b", "2")], file="one.nessus")
    (row,) = st.imports()
    assert row["file"] == "one.nessus" and row["sha256"] == "0" * 64
    assert (row["findings_read"], row["new"], row["assets"]) == (3, 3, 2)
    assert row["scope"] == "default/nessus"


def test_filters_and_order(st) -> None:
    imp(st, [vuln("a", "1", sev="low"), vuln("a", "2", sev="critical"), vuln("a", "3")])
    imp(st, [vuln("b", "1", tool="trivy", sev="medium")], tool="trivy")
    assert [f.severity.value for f in st.list_findings()] == ["critical", "high", "medium", "low"]
    assert [f.rule_id for f in st.list_findings(severities=["high", "critical"])] == ["2", "3"]
    assert [f.tool for f in st.list_findings(tools=["trivy"])] == ["trivy"]
    assert len(list(st.list_findings(statuses=["fixed"]))) == 0
    with pytest.raises(UsageError, match="unknown status"):
        list(st.list_findings(statuses=["closed"]))
    assert st.counts()["open"] == {"low": 1, "critical": 1, "high": 1, "medium": 1}


def test_round_trip_of_every_field(st) -> None:
    f = vuln("a", "1", cvss_score=9.8, cvss_vector="CVSS:3.1/AV:N", severity_raw="4",
             cwes=("CWE-502",), description="d", solution="s", evidence="e",
             references=("https://x/1", "https://x/2"), source_file="scan.nessus")
    imp(st, [f])
    (g,) = st.list_findings()
    for name in ("tool", "format", "asset_kind", "asset_key", "port", "protocol", "rule_id",
                 "title", "severity", "severity_raw", "cvss_score", "cvss_vector", "cves",
                 "cwes", "description", "solution", "location", "evidence", "references",
                 "tags", "source_file"):
        assert getattr(g, name) == getattr(f, name), name
    assert g.fingerprint == f.fingerprint and g.extra["system"] == "default"


def test_runs_are_stored_and_loaded_by_id_latest_and_system(st) -> None:
    def doc(run_id, system, created, score):
        return {"run_id": run_id, "created": created, "system": {"name": system, "level": 3},
                "summary": {"conclusion": "non_compliant", "score": score,
                            "compliance_rate": 50.0}, "items": [{"unit_id": "L3-CES1-01"}]}

    st.save_run(doc("r1", "web", "2025-01-01T00:00:00+08:00", 60.0))
    st.save_run(doc("r2", "db", "2025-02-01T00:00:00+08:00", 70.0))
    st.save_run(doc("r3", "web", "2025-03-01T00:00:00+08:00", 80.0))
    assert st.load_run("latest")["run_id"] == "r3"
    assert st.load_run("latest", system="db")["run_id"] == "r2"
    assert st.load_run("r1")["items"] == [{"unit_id": "L3-CES1-01"}]
    runs = st.list_runs("web")
    assert [(r["run_id"], r["score"], r["level"]) for r in runs] == [("r1", 60.0, 3),
                                                                      ("r3", 80.0, 3)]
    with pytest.raises(UsageError, match="no stored run"):
        st.load_run("nope")
    with pytest.raises(DataError, match="run_id"):
        st.save_run({"system": {}})


def test_runs_made_in_the_same_second_come_back_in_the_order_they_were_made(st) -> None:
    # `created` has one-second resolution: the run ids (UUIDv7 layout) break the tie in time
    # order, so "latest" is the run made last however many runs share its second
    stamp = "2025-04-01T10:00:00+08:00"
    made = []
    for n in range(20):
        run_id = time_ordered_id()
        made.append(run_id)
        st.save_run({"run_id": run_id, "created": stamp, "system": {"name": "web", "level": 3},
                     "summary": {"conclusion": "compliant", "score": float(n)}, "items": []})
        time.sleep(0.002)  # ids order by millisecond
        assert st.load_run("latest")["run_id"] == run_id
    assert [r["run_id"] for r in st.list_runs("web")] == made


def test_run_ids_are_uuid7_hex_in_time_order() -> None:
    first = time_ordered_id()
    time.sleep(0.002)
    second = time_ordered_id()
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first < second
    assert uuid.UUID(first).version == 7 and uuid.UUID(first).variant == uuid.RFC_4122


def test_scope_follows_the_findings_tool_family_not_the_format(st) -> None:
    # one SARIF log can hold runs of several producers: each is its own tool family
    semgrep = [vuln(".", "r1", tool="sarif:semgrep"), vuln(".", "r2", tool="sarif:semgrep")]
    codeql = [vuln(".", "q1", tool="sarif:codeql")]
    imp(st, semgrep + codeql, file="all.sarif", tool="sarif")
    res = imp(st, semgrep[:1], file="semgrep-only.sarif", tool="sarif")
    assert res.fixed == 1
    assert status_of(st, ".", "r2", tool="sarif:semgrep") == "fixed"
    assert status_of(st, ".", "q1", tool="sarif:codeql") == "open"


def test_duplicates_across_batches_count_once(st) -> None:
    findings = [vuln("a", str(i)) for i in range(BATCH + 10)]
    res = imp(st, [*findings, *findings[:20]])  # the repeats arrive in a later batch
    assert (res.read, res.new, res.duplicates) == (BATCH + 30, BATCH + 10, 20)
    assert len(list(st.list_findings())) == BATCH + 10


def test_lookup_key_collisions_are_resolved_by_the_full_fingerprint(st, monkeypatch) -> None:
    from cityguard.store import imports

    monkeypatch.setattr(imports, "fp64", lambda fp: 42)  # every finding shares one lookup key
    first = imp(st, [vuln("a", "1"), vuln("a", "2"), vuln("b", "1")])
    second = imp(st, [vuln("a", "1"), vuln("a", "3")])
    assert (first.new, second.new, second.seen, second.fixed) == (3, 1, 1, 1)
    assert {f.rule_id: f.status for f in st.list_findings() if f.asset_key == "a"} == {
        "1": "open", "2": "fixed", "3": "open"}
