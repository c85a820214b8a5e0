"""The import's write path on both backends (issue 12's speed work): NUL characters dropped
the same way everywhere, and fingerprint-prefix look-ups through the identity index once
findings_fp64 is gone (schema 7), across systems and within one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cityguard.core.errors import UsageError
from cityguard.model import Finding, Severity
from cityguard.store import open_store


def finding(host: str, rule: str, **kw: Any) -> Finding:
    fields: dict[str, Any] = {
        "tool": "nessus", "format": "nessus", "asset_kind": "host", "asset_key": host,
        "rule_id": rule, "title": f"plugin {rule}", "severity": Severity.HIGH, "port": 443,
        "protocol": "tcp", "location": "443/tcp", **kw,
    }  # fmt: skip
    return Finding(**fields)


def imp(st, findings, system="default"):
    return st.import_findings(findings, file="scan.json", format="nessus", tool="nessus",
                              system=system, sha256="0" * 64)  # fmt: skip


def test_nul_characters_are_dropped_from_every_text_field(store_url: str) -> None:
    long_text = "x" * 300  # long enough to be kept once in `texts`
    dirty = finding("10.0.0.1", "1", title="t\x00itle", severity_raw="4\x00",
                    description=long_text + "\x00", solution="fix\x00 it", evidence="e\x00v",
                    references=("https://a\x00.example",), tags=("vu\x00ln",))  # fmt: skip
    clean = finding("10.0.0.1", "2", title="plain", description=long_text)
    with open_store(store_url) as st:
        assert imp(st, [dirty, clean]).new == 2
        got = st.get_finding(dirty.fingerprint[:12])
        assert (got.title, got.severity_raw, got.solution, got.evidence) == (
            "title", "4", "fix it", "ev")
        assert got.description == long_text and got.references == ("https://a.example",)
        assert got.tags == ("vuln",)
        assert st.get_finding(clean.fingerprint[:12]).description == long_text


def test_prefix_lookup_across_systems_and_within_one(store_url: str) -> None:
    a, b = finding("10.0.0.1", "7"), finding("10.0.0.2", "7")
    with open_store(store_url) as st:
        imp(st, [a], "甲系统")
        imp(st, [a, b], "乙系统")  # the same identity in two systems: two rows
        ambiguous = a.fingerprint[:6]
        with pytest.raises(UsageError, match="ambiguous"):
            st.get_finding(ambiguous)
        assert st.get_finding(ambiguous, "甲系统").extra["system"] == "甲系统"
        assert st.get_finding(b.fingerprint, "乙系统").asset_key == "10.0.0.2"
        with pytest.raises(UsageError, match="no finding"):
            st.get_finding(b.fingerprint[:8], "甲系统")
        # every hex digit after the prefix is inside the searched range (f is its last)
        last = "f" * 63
        with pytest.raises(UsageError, match="no finding"):
            st.get_finding(last)


def test_first_import_of_a_system_counts_and_keeps_duplicates_as_later_imports_do(
        store_url: str) -> None:
    """A system's first import takes the short way (nothing to match): the same file gives the
    same counts and the same stored rows as into a system that already has findings, the
    last occurrence's values in the first occurrence's place."""
    def scan(tag: str) -> list[Finding]:
        return [finding("h", "1", evidence=f"{tag} first"), finding("h", "2"),
                finding("h", "1", evidence=f"{tag} last", severity=Severity.CRITICAL),
                finding("h", "3")]  # fmt: skip

    with open_store(store_url) as st:
        fresh = imp(st, scan("a"), "新系统")
        imp(st, [finding("other", "9")], "老系统")
        known = imp(st, scan("a"), "老系统")
        for res in (fresh, known):
            assert (res.read, res.new, res.seen, res.duplicates, res.fixed) == (4, 3, 0, 1, 0)
        for system in ("新系统", "老系统"):
            rows = {f.rule_id: f for f in st.list_findings(system=system) if f.asset_key == "h"}
            assert rows["1"].evidence == "a last" and rows["1"].severity is Severity.CRITICAL
            assert sorted(rows, key=lambda r: rows[r].id or 0) == ["1", "2", "3"]
        assert [i["assets"] for i in st.imports("新系统")] == [1]
        again = imp(st, scan("b")[1:], "新系统")  # 1 and 2 and 3 again, nothing new
        assert (again.new, again.seen, again.fixed) == (0, 3, 0)
        gone = imp(st, [finding("h", "2")], "新系统")
        assert (gone.seen, gone.fixed) == (1, 2)


def test_findings_show_by_prefix_on_the_command_line(cli, store_url: str) -> None:
    a, b = finding("10.0.0.1", "7"), finding("10.0.0.2", "8")
    with open_store(store_url) as st:
        imp(st, [a, b], "城市大脑")
    shown = cli("findings", "show", a.fingerprint[:6], "--format", "json", "--store", store_url)
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.output)
    assert doc["fingerprint"] == a.fingerprint and doc["asset_key"] == "10.0.0.1"
    other = cli("findings", "show", b.fingerprint[:8], "--system", "城市大脑", "--format",
                "json", "--store", store_url)  # fmt: skip
    assert other.exit_code == 0 and json.loads(other.output)["rule_id"] == "8"
    absent = next(p for p in ("ffff", "0000") if p not in (a.fingerprint[:4], b.fingerprint[:4]))
    missing = cli("findings", "show", absent, "--store", store_url)
    assert missing.exit_code == 2 and "no finding" in missing.output
