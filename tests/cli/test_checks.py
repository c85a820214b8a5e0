"""`cityguard checks list|show|validate`."""

from __future__ import annotations

import json
from pathlib import Path

BROKEN = """checks:
  - id: site.bad.check
    title_zh: 坏
    title_en: Bad
    severity: medium
    rationale_zh: x
    rationale_en: x
    remediation_zh: x
    remediation_en: x
    rules:
      - probe: file
        path: /etc/x
        expect: {equalz: 1}
      - probe: nosuchprobe
        expect: {exists: true}
"""


def test_list_table_and_json(cli) -> None:
    res = cli("checks", "list", "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    assert len(rows) >= 100 and len({r["id"] for r in rows}) == len(rows)
    assert {"id", "severity", "mode", "probes", "title_zh", "title_en"} <= set(rows[0])
    table = cli("checks", "list", "--lang", "en")
    assert table.exit_code == 0 and f"{len(rows)} checks" in table.output


def test_show_with_unit_ids_per_level(cli) -> None:
    rows = json.loads(cli("checks", "list", "--format", "json").stdout)
    cid = next(r["id"] for r in rows if r["mode"] == "automated")
    res = cli("checks", "show", cid, "--format", "json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["id"] == cid and set(doc["unit_ids"]) == {"1", "2", "3", "4"}
    assert any(doc["unit_ids"].values())
    table = cli("checks", "show", cid, "--lang", "en")
    assert table.exit_code == 0 and "level 3 units" in table.output and "rules:" in table.output
    missing = cli("checks", "show", "no.such.check")
    assert missing.exit_code == 2 and "no check 'no.such.check'" in missing.output


def test_validate_library_is_clean(cli) -> None:
    res = cli("checks", "validate")
    assert res.exit_code == 0, res.output
    assert "checks valid" in res.output


def test_validate_reports_every_problem(cli, tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BROKEN, encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(BROKEN.replace("site.bad.check", "site.good.check")
                    .replace("equalz", "equals").replace("nosuchprobe", "file\n        path: /x"))
    res = cli("checks", "validate", str(tmp_path))
    assert res.exit_code == 2
    assert f"{f}:13: checks.0.rules.0.expect: unknown operator 'equalz'" in res.output
    assert f"{f}:14: checks.0.rules.1.probe: unknown probe 'nosuchprobe'" in res.output
    assert "2 problem(s)" in res.output
    ok = cli("checks", "validate", str(good))
    assert ok.exit_code == 0 and "1 checks valid" in ok.output
    assert cli("checks", "validate", str(tmp_path / "none.yaml")).exit_code == 2
