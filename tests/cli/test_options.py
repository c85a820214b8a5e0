"""The shared options (cli/_options.py): Enum choices in step with the model, values refused
while the command line is parsed (one line, exit 2), --manifest and the old --system, and
every UI string of cli/ from messages.yaml."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cityguard.cli import _options as options

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "src" / "cityguard" / "cli"
EXAMPLE = REPO / "examples" / "smart-city-portal" / "cityguard.yaml"
WEAK = REPO / "tests" / "fixtures" / "hosts" / "weak"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_choices_are_the_model_s_values():
    from cityguard.model import Severity
    from cityguard.system.manifest import CONCLUSIONS, STAGES

    assert [s.value for s in options.Severity] == [s.value for s in Severity]
    assert [s.value for s in options.Stage] == list(STAGES)
    assert {c.value for c in options.Conclusion} == set(CONCLUSIONS.values())


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf", "soon"])
def test_timeouts_must_be_positive_finite_seconds(cli, value):
    res = cli("assess", "--target", f"dir:{WEAK}", "--probe-timeout", value)
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"error: --probe-timeout must be a finite number of seconds "
                                  f"above 0 (got '{value}')")
    res = cli("assess", "--target", f"dir:{WEAK}", "--connect-timeout", value)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1


@pytest.mark.parametrize(("args", "words"), [
    (["--lang", "fr"], "--lang must be zh or en (got 'fr')"),
    (["--fail-on", "severe"], "--fail-on must be one of critical, high, medium, low, info"),
    (["--top", "-2"], "--top must be at least 0"),
    (["--jobs", "x"], "--jobs must be at least 1"),
    (["--bogus"], "No such option: --bogus"),
])
def test_bad_values_are_one_line_before_anything_runs(cli, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    res = cli("assess", "--target", f"dir:{WEAK}", *args)
    assert res.exit_code == 2 and words in res.stderr
    assert res.stderr.count("\n") == 1 and not (tmp_path / "cityguard-report").exists()


def test_min_conclusion_in_chinese_or_english(cityguard_proc):
    for value in ("基本符合", "basically_compliant", "basically-compliant"):
        p = cityguard_proc("gate", "--manifest", str(EXAMPLE), "--stage", "plan",
                           "--today", "2025-09-01", "--min-conclusion", value, "--format", "json")
        assert p.returncode == 0, p.stderr
        assert '"min_conclusion": "basically_compliant"' in p.stdout


def test_manifest_and_the_old_system_flag(cityguard_proc):
    new = cityguard_proc("gate", "--manifest", str(EXAMPLE), "--stage", "plan",
                         "--today", "2025-09-01")
    assert new.returncode == 0 and "warning" not in new.stderr
    old = cityguard_proc("gate", "--system", str(EXAMPLE), "--stage", "plan",
                         "--today", "2025-09-01")
    assert old.returncode == 0
    assert old.stderr.startswith("warning: --system of gate and assess is now --manifest")
    both = cityguard_proc("gate", "--system", str(EXAMPLE), "--manifest", "other.yaml")
    assert both.returncode == 2 and "name different manifests" in both.stderr
    helptext = cityguard_proc("gate", "--help").stdout
    assert "--manifest PATH" in helptext and "--system" not in helptext


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants that are shown to a user: not help texts, metavars or docstrings."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("help", "metavar"):
            skip.update(id(n) for n in ast.walk(node.value))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) \
                and ast.get_docstring(node):
            skip.add(id(node.body[0].value))  # type: ignore[attr-defined]
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


def test_cli_strings_come_from_messages_yaml():
    """No `… if lang == "zh" else …` and no Chinese literal in cli/ outside help texts: every
    UI string is a key of reports/i18n/messages.yaml read with t(key, lang)."""
    sources = [*CLI.glob("*.py"), REPO / "src" / "cityguard" / "assess" / "views.py"]
    ternary = re.compile(r"""lang\s*==\s*["'](zh|en)["']|\bzh\s*=\s*lang\b""")
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}:{n}" for n, line in enumerate(text.splitlines(), 1)
                  if ternary.search(line)]
        found += [f"{path.name}:{n}: {s[:30]}" for n, s in _literals(ast.parse(text))
                  if HAN.search(s)]
    assert found == []
