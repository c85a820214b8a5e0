"""Finding → MLPS unit mapping: the rules file is sound and maps what the issue asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cityguard.core.errors import DataError
from cityguard.ingest import mapping
from cityguard.model import Finding, Severity

REPO = Path(__file__).resolve().parents[2]


def items(level: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for part in ("general", "cloud"):  # cloud: IaC and cloud-posture findings (issue 12)
        path = REPO / "policies/mlps2/items" / f"l{level}_{part}.yaml"
        out.update({i["unit_id"]: i for i in yaml.safe_load(path.read_text())["items"]})
    return out


def finding(**kw) -> Finding:
    base = {"tool": "nessus", "format": "nessus", "asset_kind": "host", "asset_key": "10.0.0.5",
            "rule_id": "1", "title": "something", "severity": Severity.MEDIUM}
    base.update(kw)
    return Finding(**base)


def test_every_unit_exists_at_its_level_under_the_rules_control_points() -> None:
    rules = mapping.load_rules()
    assert len({r.id for r in rules}) == len(rules)
    catalog = {level: items(level) for level in mapping.LEVELS}
    for rule in rules:
        assert set(rule.units) == set(mapping.LEVELS), rule.id
        assert any(rule.units.values()), rule.id
        for level, ids in rule.units.items():
            for uid in ids:
                assert uid in catalog[level], f"{rule.id}: {uid} is not a level-{level} item"
                cp = catalog[level][uid]["control_point"]
                assert cp in rule.control_points, f"{rule.id}: {uid} is {cp}"


@pytest.mark.parametrize(
    ("kw", "level", "expected"),
    [
        # a known vulnerability → the intrusion-prevention item on patching (+ vuln management)
        ({"tags": ("vuln",), "cves": ("CVE-2021-44228",)}, 3, {"L3-CES1-21", "L3-MMS1-13"}),
        ({"tags": ("vuln",)}, 2, {"L2-CES1-15", "L2-MMS1-09"}),
        # weak TLS → transmission integrity/confidentiality items
        ({"tags": ("tls",)}, 3, {"L3-CNS1-06", "L3-CNS1-07", "L3-CES1-25", "L3-CES1-27",
                                 "L3-CES1-03"}),
        # an exposed management port → unneeded services/ports, management-terminal limits
        ({"tags": ("port",), "port": 3389}, 3, {"L3-CES1-18", "L3-CES1-19", "L3-ABS1-07"}),
        ({"tags": ("mgmt-port",), "port": 2222}, 4, {"L4-CES1-17", "L4-CES1-18", "L4-ABS1-09"}),
        # an ordinary open port: only "disable unneeded services and ports"
        ({"tags": ("port",), "port": 443, "severity": Severity.INFO}, 3, {"L3-CES1-18"}),
        ({"tags": ("web",), "cwes": ("CWE-79",)}, 3, {"L3-CES1-20", "L3-CMS1-15"}),
        ({"tags": ("secret",)}, 3, {"L3-CES1-01", "L3-CES1-28"}),
        ({"tags": ("dependency",)}, 3, {"L3-CES1-21", "L3-MMS1-13", "L3-CMS1-15",
                                        "L3-CMS1-25"}),
        ({"tags": ("malware",)}, 2, {"L2-CES1-16", "L2-ABS1-07"}),
        # anonymous login: no identification (身份鉴别) and a default account (访问控制)
        ({"title": "FTP server allows anonymous login"}, 3, {"L3-CES1-01", "L3-CES1-06"}),
        ({"title": "Anonymous FTP login allowed", "tags": ("port",), "port": 21}, 2,
         {"L2-CES1-01", "L2-CES1-05", "L2-CES1-12", "L2-CES1-13", "L2-ABS1-04"}),
        # weak hashes (md5, sha1) → data integrity and confidentiality, never "unclassified"
        ({"cwes": ("CWE-327",)}, 3, {"L3-CES1-25", "L3-CES1-26", "L3-CES1-27", "L3-CES1-28"}),
        ({"cwes": ("CWE-328",)}, 2, {"L2-CES1-18"}),
        # certificate validation off (bandit B501, CWE-295) and hard-coded passwords by CWE alone
        ({"cwes": ("CWE-295",)}, 3, {"L3-CNS1-06", "L3-CNS1-07", "L3-CES1-25", "L3-CES1-27",
                                     "L3-CES1-03"}),
        ({"cwes": ("CWE-259",)}, 3, {"L3-CES1-01", "L3-CES1-28"}),
        # IaC: IAM wildcard → least privilege; unencrypted storage → confidentiality at rest
        ({"tags": ("config",), "rule_id": "CKV_AWS_49",
          "title": 'Ensure no IAM policies documents allow "*" as a statement\'s actions'},
         3, {"L3-CES1-08"}),
        ({"tags": ("config",), "rule_id": "AVD-AWS-0088", "title": "Unencrypted S3 bucket."},
         3, {"L3-CES1-28"}),
        # level 2 has no confidentiality item: the configuration fallback places it there
        ({"tags": ("config",), "rule_id": "AVD-AWS-0088", "title": "Unencrypted S3 bucket."},
         2, {"L2-MMS1-13", "L2-MMS1-18"}),
        # BEAST carries CWE-20 in testssl but is a TLS flaw, not an injection
        ({"tags": ("tls",), "cwes": ("CWE-20",), "rule_id": "BEAST"}, 3,
         {"L3-CNS1-06", "L3-CNS1-07", "L3-CES1-25", "L3-CES1-27", "L3-CES1-03"}),
        # XCCDF rules by their references (NIST 800-53) and by what they are about
        ({"tags": ("compliance",), "rule_id": "xccdf_org.ssgproject.content_rule_x",
          "references": ("NIST-800-53: AU-2", "NIST-800-53: AU-12")},
         3, {"L3-CES1-12", "L3-CES1-13", "L3-CES1-14"}),
        ({"tags": ("compliance",), "rule_id": "xccdf_org.ssgproject.content_rule_"
          "accounts_passwords_pam_faillock_deny"}, 3, {"L3-CES1-01", "L3-CES1-02"}),
        # a benchmark that names MLPS units itself maps to exactly those at their level
        ({"tags": ("compliance",), "rule_id": "cn_rule_9", "references": ("L3-CES1-04",)},
         3, {"L3-CES1-04"}),
        ({"tags": ("compliance",), "rule_id": "password_complexity",
          "references": ("L3-CES1-01",)}, 3, {"L3-CES1-01"}),
        ({"tags": ("compliance",), "rule_id": "cn_rule_9", "references": ("L3-CES1-04",)},
         2, {"L2-MMS1-13", "L2-MMS1-18"}),
        # nothing specific: a weakness goes to vulnerability management; info goes nowhere
        ({}, 3, {"L3-MMS1-13"}),
        ({"severity": Severity.INFO}, 3, set()),
        ({"tags": ("config",), "rule_id": "AVD-X-0001", "title": "Something odd"}, 1,
         {"L1-MMS1-05"}),
    ],
)
def test_mapping_examples(kw: dict, level: int, expected: set[str]) -> None:
    assert set(mapping.unit_ids_for(finding(**kw), level)) == expected


def test_map_finding_copies_and_keeps_identity() -> None:
    f = finding(tags=("vuln",))
    g = mapping.map_finding(f, 4)
    assert f.unit_ids == () and g.unit_ids == ("L4-CES1-20", "L4-MMS1-14")
    assert g.fingerprint == f.fingerprint
    assert [x.unit_ids for x in mapping.map_findings([f], 1)] == [("L1-MMS1-05",)]
    lazy = list(mapping.iter_mapped(iter([finding(tags=("tls",))]), 2))
    assert lazy[0].unit_ids == ("L2-CNS1-03", "L2-CES1-18", "L2-CES1-03")
    by_level = mapping.units_by_level(f)
    assert sorted(by_level) == [1, 2, 3, 4] and all(by_level.values())
    with pytest.raises(ValueError):
        mapping.unit_ids_for(f, 5)


def test_site_overlay_replaces_the_rules(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    (site / "mlps2").mkdir(parents=True)
    (site / "mlps2" / "finding_rules.yaml").write_text(
        "rules:\n  - id: everything\n    when: {min_severity: info}\n"
        "    units: {1: [L1-CES1-01], 2: [L2-CES1-01], 3: [L3-CES1-01], 4: [L4-CES1-01]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CITYGUARD_POLICIES", str(site))
    assert mapping.unit_ids_for(finding(tags=("vuln",)), 3) == ("L3-CES1-01",)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules:\n  - id: a\n    when: {colour: red}\n    units: {1: [], 2: [], 3: [], 4: []}\n",
         "unknown condition"),
        ("rules:\n  - id: a\n    when: {has_cve: true}\n    units: {3: [L3-CES1-21]}\n",
         "every level"),
        ("rules:\n  - id: a\n    when: {has_cve: true}\n"
         "    units: {1: [], 2: [], 3: [L2-CES1-15], 4: []}\n", "not a level-3 unit"),
        ("rules:\n  - id: a\n    when: {text: '('}\n    units: {1: [], 2: [], 3: [], 4: []}\n",
         "invalid condition"),
        ("rules: 3\n", "rules"),
    ],
)
def test_invalid_rules_files_name_file_and_field(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=problem) as err:
        mapping._load(str(path))
    assert str(path) in str(err.value)
