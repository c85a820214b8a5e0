"""The system manifest: loading the example, derived levels, paths, and every problem at once."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from cityguard.core.errors import DataError
from cityguard.system.manifest import load_manifest, validate_manifest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal" / "cityguard.yaml"
VARIANTS = sorted((REPO / "examples" / "variants").glob("*/cityguard.yaml"))


def write(tmp_path: Path, text: str, name: str = "cityguard.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


def test_example_loads_with_every_part():
    m = load_manifest(EXAMPLE)
    assert (m.name, m.level, m.grade, m.stage) == ("智慧城市门户", 3, "S3A3", "deploy")
    assert [a.id for a in m.assets] == ["web01", "portal-image"]
    # dir: targets are resolved against the manifest's directory, wherever the cwd is
    assert m.targets() == ["dir:" + str(EXAMPLE.parent / "hosts" / "web01")]
    assert [p.name for p in m.scan_files()] == ["portal-image.trivy.json", "web01.nessus"]
    assert m.answers == EXAMPLE.parent / "answers.yaml"
    filing = next(e for e in m.evidence if e.type == "filing_certificate")
    assert filing.date == date(2025, 2, 15) and filing.get("number") == "31010099001-25001"
    assert filing.file.is_file() and filing.ref == "BA-2025-001"
    drill = next(e for e in m.evidence if e.type == "contingency_plan")
    assert drill.get("last_drill") == date(2025, 6, 20)
    w1 = m.waivers[0]
    assert (w1.id, w1.finding, w1.expires) == ("W1", "c65d0bbe9968570b", date(2025, 10, 31))
    assert w1.reason and w1.approver and w1.compensating
    assert not w1.expired(date(2025, 10, 31)) and w1.expired(date(2025, 11, 1))
    assert m.system_info().grade == "S3A3"
    assets = {a.id: a for a in m.model_assets()}
    assert assets["web01"].cia == {"c": 4, "i": 4, "a": 4} and assets["portal-image"].target == ""


def test_example_and_its_variants_validate():
    assert validate_manifest(EXAMPLE) == []
    assert len(VARIANTS) >= 17
    for path in VARIANTS:
        # the variants reuse the example's files, outside their own folder: the operator allows it
        problems = validate_manifest(path, allow_outside_paths=True)
        if path.parent.name == "build.supervision":  # its point: the report's file is missing
            assert len(problems) == 1 and "does not exist" in problems[0].problem
            load_manifest(path, allow_outside_paths=True)  # the gate's to judge, not fatal
        else:
            assert problems == [], (path, problems)
        # without the flag, every reused path is refused with its line and field
        refused = validate_manifest(path)
        assert refused and all("outside the manifest's folder" in p.problem and p.line
                               for p in refused if "does not exist" not in p.problem)


def test_level_from_grading_inputs_or_grade(tmp_path):
    m = load_manifest(write(tmp_path, """
        name: s
        stage: plan
        grading: {info: social:serious, service: citizens:general}
    """))
    assert (m.level, m.s_level, m.a_level, m.grade) == (3, 3, 1, "S3A1")
    m = load_manifest(write(tmp_path, "name: s\nstage: plan\ngrade: S2A3\n"))
    assert (m.level, m.grade) == (3, "S2A3")
    m = load_manifest(write(tmp_path, "name: s\nstage: plan\nlevel: 2\n"))
    assert (m.level, m.grade) == (2, "S2A2")


def test_validate_reports_every_problem_with_lines(tmp_path):
    (tmp_path / "doc.md").write_text("ok")
    path = write(tmp_path, """
        name: broken
        stage: deploy
        level: 2
        grade: S3A2
        assets:
          - {id: web01, target: "dir:missing-tree"}
          - {id: web01, value: 9}
        scans: [scans/*.json]
        evidence:
          - {type: grading_report, path: doc.md, date: 2025-02-30, approver: a}
          - {type: acceptance_tset, path: nowhere.md, date: 2025-01-01}
        waivers:
          - {check: linux.x, asset: web01, approver: b}
          - {check: linux.y, item: L3-CES1-01, reason: r, approver: b, expires: 2025-12-31}
        gate: {min_conclusion: 良好}
        colour: blue
    """)
    problems = validate_manifest(path)
    by_line = {}
    for p in problems:
        assert p.path == str(path) and p.line is not None
        by_line.setdefault(p.line, []).append(p.problem)
    text = "\n".join(f"{line}: {msgs}" for line, msgs in sorted(by_line.items()))
    assert any("level 2 is not max(S, A) = 3" in m for m in by_line[3]), text
    assert any("missing-tree" in m and "does not exist" in m for m in by_line[6]), text
    assert any("used twice" in m for m in by_line[7]), text
    assert any("9 is greater than the maximum" in m for m in by_line[7]), text
    assert any("no file matches" in m for m in by_line[8]), text
    assert any("not a real calendar day" in m for m in by_line[10]), text
    assert any("acceptance_tset" in m for m in by_line[11]), text
    assert any("nowhere.md does not exist" in m for m in by_line[11]), text
    # a waiver without reason or expiry is invalid, and names exactly one target
    assert any("'reason' is a required property" in m for m in by_line[13]), text
    assert any("'expires' is a required property" in m for m in by_line[13]), text
    assert any("exactly one of check, item or finding" in m for m in by_line[14]), text
    assert any("良好" in m for m in by_line[15]), text
    assert any("colour" in m for m in by_line[1]), text
    assert problems == sorted(problems, key=lambda p: p.line or 0)


def test_load_raises_the_first_problem_and_counts_the_rest(tmp_path):
    path = write(tmp_path, """
        name: s
        stage: launch
        level: 7
    """)
    with pytest.raises(DataError) as exc:
        load_manifest(path)
    assert exc.value.line == 2 and "launch" in str(exc.value)
    assert "1 more: run `cityguard validate" in str(exc.value)


def test_missing_level_yaml_error_and_missing_file(tmp_path):
    problems = validate_manifest(write(tmp_path, "name: s\nstage: plan\n"))
    assert len(problems) == 1 and "give the system's level" in problems[0].problem
    bad = write(tmp_path, "name: [unclosed\n", name="bad.yaml")
    (p,) = validate_manifest(bad)
    assert "invalid YAML" in p.problem and p.line is not None
    (p,) = validate_manifest(tmp_path / "absent.yaml")
    assert "file not found" in p.problem


def test_answers_and_mitigations_are_checked(tmp_path):
    (tmp_path / "answers.yaml").write_text("answers:\n  L3-CES1-01: {verdict: maybe}\n")
    path = write(tmp_path, """
        name: s
        stage: deploy
        level: 3
        answers: answers.yaml
        mitigations:
          - {case: "6.4.1.1", colour: red}
    """)
    problems = validate_manifest(path)
    assert any(p.path.endswith("answers.yaml") and "maybe" in p.problem for p in problems)
    assert any(p.field == "mitigations.0" and "colour" in p.problem for p in problems)


def test_absolute_and_relative_paths(tmp_path):
    tree = tmp_path / "hosts" / "h1"
    tree.mkdir(parents=True)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.json").write_text("{}")
    (tmp_path / "scans" / "b.json").write_text("{}")
    sub = tmp_path / "conf"
    sub.mkdir()
    path = write(sub, f"""
        name: s
        stage: operate
        level: 3
        assets:
          - {{id: h1, target: "dir:../hosts/h1"}}
          - {{id: h2, target: "dir:{tree}"}}
          - {{id: h3, target: "ssh://ops@10.0.0.3:22"}}
        scans: ["../scans/*.json", "{tmp_path / 'scans' / 'a.json'}"]
    """)
    with pytest.raises(DataError, match="outside the manifest's folder"):
        load_manifest(path)  # every one of these paths leaves conf/: refused unless allowed
    m = load_manifest(path, allow_outside_paths=True)
    assert m.targets() == [f"dir:{tree}", f"dir:{tree}", "ssh://ops@10.0.0.3:22"]
    assert [p.name for p in m.scan_files()] == ["a.json", "b.json"]  # each file once
