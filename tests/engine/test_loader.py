"""Loading and validating check files: every problem named by file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from engine_helpers import check_yaml

from cityguard.core.errors import DataError, UsageError
from cityguard.engine import load_file, load_library, validate_paths
from cityguard.engine.schema import build_check_schema, shipped_schema_path

BROKEN = """checks:
  - id: test.broken.one
    title_zh: 坏
    title_en: Broken
    severity: hgh
    rationale_zh: x
    rationale_en: x
    remediation_zh: x
    remediation_en: x
    rules:
      - probe: filez
        expect: {equals: 1}
      - probe: file
        path: /etc/x
        colour: red
        expect: {equals: 1}
      - probe: file
        path: /etc/x
        expect: {equalz: 1}
      - probe: file_content
        path: /etc/x
        pattern: "(("
        expect: {equals: 1, regex: x}
      - prob: file
      - probe: config_value
        path: /etc/x
        style: toml
        key: a
        expect: {equals: 1}
      - probe: config_value
        path: /etc/x.yaml
        style: yaml
        key: "a..b["
        expect: {equals: 1}
"""


def test_every_problem_has_file_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text(BROKEN, encoding="utf-8")
    checks, errors = validate_paths([tmp_path])
    assert checks == []
    got = [(e.line, e.field, e.problem.split(";")[0]) for e in errors]
    assert (5, "checks.0.severity", "'hgh' is not one of ['critical', 'high', 'medium', 'low', "
                                    "'info']") in got
    assert (11, "checks.0.rules.0.probe", "unknown probe 'filez'") in got
    assert (13, "checks.0.rules.1", "unknown parameter 'colour' for probe 'file'") in got
    assert (19, "checks.0.rules.2.expect", "unknown operator 'equalz'") in got
    assert (22, "checks.0.rules.3.pattern",
            "invalid regular expression: missing ), unterminated subpattern at position 1") in got
    assert (23, "checks.0.rules.3.expect", "expect needs exactly one operator, got equals, "
                                           "regex") in got
    assert (24, "checks.0.rules.4", "a rule needs `probe:` or is one of all/any/none") in got
    assert any(line == 27 and field == "checks.0.rules.5.style" for line, field, _ in got)
    assert any(line == 33 and field == "checks.0.rules.6.key" for line, field, _ in got)
    assert all(str(e).startswith(f"{f}:") for e in errors)
    assert [e.line for e in errors] == sorted(e.line for e in errors)


def test_yaml_syntax_error_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("checks:\n  - id: [unclosed\n")
    (tmp_path / "b.yaml").write_text("")
    _, errors = validate_paths([tmp_path])
    assert errors[0].path.endswith("a.yaml") and errors[0].line == 3
    assert "invalid YAML" in errors[0].problem
    assert errors[1].path.endswith("b.yaml") and "empty file" in errors[1].problem


def test_manual_checks_and_missing_fields(tmp_path: Path) -> None:
    manual = check_yaml(mode="manual", question_zh="是否启用双因素认证？",
                        question_en="Do administrators log in with two factors?")
    no_question = check_yaml(mode="manual")
    manual_with_rules = check_yaml([{"probe": "file", "path": "/x", "expect": {"exists": True}}],
                                   mode="manual", question_zh="?", question_en="?")
    no_rules = check_yaml()
    no_title = check_yaml([{"probe": "file", "path": "/x", "expect": {"exists": True}}])
    del no_title["title_en"]
    f = tmp_path / "m.yaml"
    f.write_text(yaml.safe_dump({"checks": [manual, no_question, manual_with_rules, no_rules,
                                            no_title]}, allow_unicode=True))
    checks, errors = load_file(f)
    assert [c.mode for c in checks] == ["manual"]
    fields: dict[str, str] = {}
    for e in errors:
        fields[e.field] = fields.get(e.field, "") + e.problem + "\n"
    assert "question_zh" in fields["checks.1"] and "question_en" in fields["checks.1"]
    assert "manual check" in fields["checks.2"]
    assert "'rules' is a required property" in fields["checks.3"]
    assert "'title_en' is a required property" in fields["checks.4"]


def test_duplicate_ids_and_aliases(tmp_path: Path) -> None:
    a = check_yaml([{"probe": "file", "path": "/x", "expect": {"exists": True}}], id="a.b.c",
                   aliases=["old.b.c"])
    b = check_yaml([{"probe": "file", "path": "/x", "expect": {"exists": True}}], id="old.b.c")
    (tmp_path / "1.yaml").write_text(yaml.safe_dump({"checks": [a]}))
    (tmp_path / "2.yaml").write_text(yaml.safe_dump({"checks": [b]}))
    checks, errors = validate_paths([tmp_path])
    assert [c.id for c in checks] == ["a.b.c"]
    assert len(errors) == 1 and "duplicate check id 'old.b.c'" in errors[0].problem
    lines = (tmp_path / "2.yaml").read_text().splitlines()
    id_line = next(n for n, line in enumerate(lines, 1) if line.endswith("id: old.b.c"))
    assert errors[0].line == id_line and errors[0].path.endswith("2.yaml")


def test_nested_groups_and_applies(tmp_path: Path) -> None:
    rule = {"probe": "file", "path": "/x", "expect": {"exists": True}}
    c = check_yaml([{"any": [rule, {"none": [rule]}]}], condition="none",
                   applies={"os_family": ["kylin"], "min_level": 3, "service": "nginx",
                            "present_when": {"all": [rule]}})
    (tmp_path / "n.yaml").write_text(yaml.safe_dump({"checks": [c]}))
    (check,), errors = load_file(tmp_path / "n.yaml")
    assert not errors
    assert check.root is not None and check.root.op == "none"
    assert check.root.children[0].op == "any"  # type: ignore[union-attr]
    assert check.applies.os_family == ("kylin",) and check.applies.min_level == 3
    assert check.probes() == {"file"}


def test_paths_that_do_not_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        validate_paths([tmp_path / "none"])


def test_library_with_extra_dir_and_first_error(tmp_path: Path) -> None:
    good = check_yaml([{"probe": "file", "path": "/x", "expect": {"exists": True}}],
                      id="site.extra.check")
    (tmp_path / "site.yaml").write_text(yaml.safe_dump({"checks": [good]}))
    ids = {c.id for c in load_library([tmp_path])}
    assert "site.extra.check" in ids and len(ids) > 100
    (tmp_path / "zz_bad.yaml").write_text(BROKEN)
    with pytest.raises(DataError) as exc:
        load_library([tmp_path])
    assert exc.value.path.endswith("zz_bad.yaml") and exc.value.line is not None
    with pytest.raises(UsageError, match="does not exist"):
        load_library([tmp_path / "missing"])


def test_shipped_schema_is_current() -> None:
    shipped = json.loads(shipped_schema_path().read_text(encoding="utf-8"))
    assert shipped == build_check_schema(), (
        "src/cityguard/schemas/check.schema.json is stale: run "
        "`python -m cityguard.engine.schema`")


def test_every_probe_is_registered_under_its_module_name() -> None:
    import pkgutil

    import cityguard.engine.probes as probes
    from cityguard.engine.probes import PROBES

    modules = {m.name for m in pkgutil.iter_modules(probes.__path__)} - {"base"}
    assert modules == set(PROBES.names())
    for name in PROBES.names():
        probe = PROBES.get(name)
        assert probe.name == name
        assert set(probe.required) <= set(probe.params)
