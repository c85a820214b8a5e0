"""Pages of findings filtered above the store (the dashboard's MLPS-unit filter), on both
backends: the level is a store filter, the test above the store is asked once per distinct
scanner rule, and a scan that stops early says where to go on."""

from __future__ import annotations

import pytest

from cityguard.model import Finding, Severity
from cityguard.model.register import SystemRecord
from cityguard.store import open_store
from cityguard.store.findings_page import Cursor, FindingFilter, page


def vuln(host: str, rule: str, sev: str = "high") -> Finding:
    return Finding(tool="nessus", format="nessus", asset_kind="host", asset_key=host,
                   rule_id=rule, title=f"plugin {rule}", severity=Severity(sev), port=443,
                   protocol="tcp", location="443/tcp", tags=("vuln",))


@pytest.fixture
def st(store_url: str):
    with open_store(store_url) as store:
        for name, level in (("三级系统", 3), ("四级系统", 4)):
            store.add_system(SystemRecord(name=name, department="大数据局", level=level,
                                          stage="operate"))
            # 40 hosts × 3 rules: three distinct rule combinations per system
            findings = [vuln(f"10.{level}.0.{h}", rule) for h in range(40)
                        for rule in ("1001", "1002", "1003")]
            store.import_findings(findings, file=f"{level}.nessus", format="nessus",
                                  tool="nessus", system=name, sha256="0" * 64)
        yield store


def test_the_level_is_a_store_filter(st) -> None:
    got = page(st.db, FindingFilter(level=4), Cursor(), 200)
    assert len(got.findings) == 120
    assert {f.extra["system"] for f in got.findings} == {"四级系统"}
    assert set(got.levels.values()) == {4}


def test_the_test_above_the_store_is_asked_once_per_distinct_rule(st) -> None:
    asked: list[str] = []

    def keep(f: Finding, level: int | None) -> bool:
        asked.append(f.rule_id)
        return f.rule_id == "1002"

    got = page(st.db, FindingFilter(level=3), Cursor(), 200, keep=keep)
    assert sorted(asked) == ["1001", "1002", "1003"]  # 120 rows, three questions
    assert len(got.findings) == 40 and {f.rule_id for f in got.findings} == {"1002"}
    assert {f.asset_key for f in got.findings} == {f"10.3.0.{h}" for h in range(40)}
    assert got.next is None and not got.scanned_out


def test_a_scan_that_stops_early_says_where_to_go_on(st) -> None:
    def nothing(f: Finding, level: int | None) -> bool:
        return False

    first = page(st.db, FindingFilter(level=3), Cursor(), 50, keep=nothing, scan_limit=70)
    assert first.findings == [] and first.scanned_out and first.next is not None
    rest = page(st.db, FindingFilter(level=3), first.next, 50, keep=nothing, scan_limit=70)
    assert rest.findings == [] and rest.next is None  # the other 50 rows end the list


def _sampled_rows(st) -> float:
    return float(st.db.scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)",
                              ["findings"]))


def test_postgresql_samples_a_table_that_imports_reshaped(st, backend) -> None:
    # the fixture's two first imports (120 rows each) grew the table from nothing: the
    # planner has a sample at once (autovacuum would take a minute, and with no sample a
    # city page joined every system to every row); a table grown by more than a tenth since
    # is sampled again
    if backend != "postgresql":
        pytest.skip("SQLite's planner reads no statistics for these queries")
    assert _sampled_rows(st) == 240
    st.add_system(SystemRecord(name="新系统", department="大数据局", level=3, stage="operate"))
    st.import_findings([vuln(f"10.9.{h // 250}.{h % 250}", "1001") for h in range(400)],
                       file="big.nessus", format="nessus", tool="nessus", system="新系统",
                       sha256="0" * 64)
    assert _sampled_rows(st) == 640
    plan = "\n".join(r[0] for r in st.db.all(
        "EXPLAIN SELECT 1 FROM findings WHERE system_id = ? ORDER BY system_id, fingerprint"
        " LIMIT 1", [999]))
    # a new system's emptiness test seeks an index, never scans the table
    assert "Index" in plan and "Seq Scan on findings" not in plan
