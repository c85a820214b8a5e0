"""Every YAML input is bounded: bombs, deep nesting, huge files, duplicate keys, wrong types.

Each hostile file is made at test time and fed to a real `cityguard` process capped in memory
and time (bounded.run_bounded): a "billion laughs" that got expanded would die of the memory
cap or the timeout instead of ending in exit 2 with one line naming the file and the line.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from bounded import assert_refused, run_bounded

from cityguard.core.errors import DataError
from cityguard.core.limits import (
    MAX_NESTING,
    MAX_YAML_ALIAS_NODES,
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
)
from cityguard.core.yamlio import compose_documents, load_yaml


def laughs(key: str = "lol", indent: str = "") -> str:
    """The classic bomb: 9 levels of 9 aliases each, 9**9 = 387 million strings expanded."""
    lines = [f'{indent}{key}0: &{key}0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        refs = ",".join([f"*{key}{n - 1}"] * 9)
        lines.append(f"{indent}{key}{n}: &{key}{n} [{refs}]")
    return "\n".join(lines) + "\n"


BOMB_LINE = 6  # the collection whose aliases first expand past MAX_YAML_ALIAS_NODES


def test_the_loader_refuses_a_bomb_within_a_second(tmp_path):
    f = tmp_path / "bomb.yaml"
    f.write_text(laughs(), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(DataError) as exc:
        load_yaml(f)
    assert time.monotonic() - started < 1.0
    assert exc.value.path == str(f) and exc.value.line == BOMB_LINE
    assert str(MAX_YAML_ALIAS_NODES) in exc.value.problem


def test_alias_count_nesting_loops_size_and_duplicate_keys(tmp_path):
    def problem(text: str) -> DataError:
        with pytest.raises(DataError) as exc:
            load_yaml(tmp_path / "x.yaml", text)
        return exc.value

    many = "a: &a 1\nl:\n" + "".join("  - *a\n" for _ in range(MAX_YAML_ALIASES + 1))
    e = problem(many)
    assert e.line == 3 and f"more than {MAX_YAML_ALIASES} aliases" in str(e)  # the list
    deep = "x: " + "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5) + "\n"
    assert f"deeper than {MAX_NESTING}" in str(problem(deep))
    block = "".join("  " * i + "k:\n" for i in range(MAX_NESTING + 5)) + "  " * 300 + "k: 1\n"
    assert f"deeper than {MAX_NESTING}" in str(problem(block))
    assert "contains it" in str(problem("a: &a [1, *a]\n"))
    dup = problem("name: s\nlevel: 3\nstage: plan\nlevel: 4\n")
    assert dup.line == 4 and "'level' is given twice (first at line 2)" in str(dup)
    assert "given twice" in str(problem("x: {a: 1, a: 2}\n"))
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # sparse: nothing written to disk
        fh.truncate(MAX_YAML_BYTES + 1)
    with pytest.raises(DataError, match="over the limit"):
        load_yaml(big)
    # what hand-written files do stays allowed: a few aliases, merge keys, repeated values
    ok = load_yaml(tmp_path / "ok.yaml", "base: &b {x: 1}\nu: {<<: *b, y: 2}\nl: [*b, *b]\n")
    assert ok["u"] == {"x": 1, "y": 2} and ok["l"] == [{"x": 1}, {"x": 1}]
    # YAML files of an assessed host (engine.docpath, the k8s and config_value probes)
    with pytest.raises(DataError, match="expand to more than"):
        compose_documents("---\nx: 1\n---\n" + laughs())


def _manifest(root: Path, extra: str = "") -> Path:
    m = root / "cityguard.yaml"
    m.write_text(f"name: s\nlevel: 3\nstage: deploy\n{extra}", encoding="utf-8")
    return m


def _bounded(args: tuple[str, ...], cwd: Path, env: dict[str, str] | None = None):
    started = time.monotonic()
    p = run_bounded(*args, cwd=cwd, env=env, timeout=60)
    return p, time.monotonic() - started


# (what, how the file is made, the command, where the error must point)
def _case_manifest(root: Path):
    _manifest(root, laughs())
    return ("validate", "cityguard.yaml"), "cityguard.yaml:9:"


def _case_manifest_gate(root: Path):
    _manifest(root, laughs())
    return ("gate", "--stage", "deploy"), "cityguard.yaml:9:"


def _case_waivers(root: Path):
    _manifest(root, "waivers:\n  - reason: r\n" + laughs("w", "    "))
    return ("assess", "--no-store", "--output", "out"), "cityguard.yaml:11:"


def _case_answers(root: Path):
    (root / "answers.yaml").write_text("answers: {}\n" + laughs(), encoding="utf-8")
    return (("assess", "--target", "dir:.", "--answers", "answers.yaml", "--no-store",
             "--output", "out"), "answers.yaml:7:")


def _case_inventory(root: Path):
    (root / "hosts.yml").write_text("all:\n  vars:\n" + laughs("v", "    "), encoding="utf-8")
    return ("assess", "--inventory", "hosts.yml", "--no-store", "--output", "out"), "hosts.yml:8:"


def _case_custom_check(root: Path):
    (root / "checks").mkdir()
    (root / "checks" / "site.yaml").write_text("checks: []\n" + laughs(), encoding="utf-8")
    return ("checks", "validate", "checks"), "site.yaml:7:"


def _case_policy(root: Path):
    (root / "pol" / "mlps2").mkdir(parents=True)
    (root / "pol" / "mlps2" / "catalog.yaml").write_text(laughs(), encoding="utf-8")
    return ("catalog", "--level", "3", "--policies", "pol"), "catalog.yaml:6:"


CASES = {f.__name__[6:]: f for f in (_case_manifest, _case_manifest_gate, _case_waivers,
                                      _case_answers, _case_inventory, _case_custom_check,
                                      _case_policy)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bomb_in_any_yaml_input_is_exit_2(tmp_path, case):
    args, where = CASES[case](tmp_path)
    p, elapsed = _bounded(args, tmp_path, env={"CITYGUARD_CACHE": "off"})
    assert_refused(p, where, "YAML bomb")
    assert elapsed < 30  # interpreter start included; a bomb that expanded never gets here


def test_a_bomb_in_the_site_messages_is_exit_2(tmp_path):
    (tmp_path / "site" / "i18n").mkdir(parents=True)
    (tmp_path / "site" / "i18n" / "messages.yaml").write_text(laughs(), encoding="utf-8")
    (tmp_path / "host" / "etc").mkdir(parents=True)
    p, _ = _bounded(("assess", "--target", "dir:host", "--no-store", "--format", "md",
                     "--output", "out"), tmp_path,
                    env={"CITYGUARD_REPORTS": str(tmp_path / "site"), "CITYGUARD_CACHE": "off"})
    assert_refused(p, "messages.yaml:6:", "YAML bomb")


def test_a_bomb_on_an_assessed_host_is_an_error_result_not_a_hang(tmp_path):
    """Host files are data, not input errors: the check that reads one is `error`."""
    (tmp_path / "host" / "etc").mkdir(parents=True)
    (tmp_path / "host" / "etc" / "app.yaml").write_text(laughs(), encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "site.yaml").write_text(
        "checks:\n"
        "  - id: site.app_debug_off\n"
        "    title_zh: 应用关闭调试\n    title_en: The application has debugging off\n"
        "    severity: low\n"
        "    rationale_zh: 测试用。\n    rationale_en: For the test.\n"
        "    remediation_zh: 关闭调试。\n    remediation_en: Turn debugging off.\n"
        "    applies: {platform: [linux]}\n    condition: all\n"
        "    rules:\n"
        "      - {probe: config_value, path: /etc/app.yaml, style: yaml, key: lol8,"
        " expect: {exists: true}}\n", encoding="utf-8")
    p, _ = _bounded(("assess", "--target", "dir:host", "--checks", "checks", "--only",
                     "site.app_debug_off", "--no-store", "--format", "json", "--output",
                     "out", "--lang", "en"), tmp_path)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    doc = (tmp_path / "out" / "assessment.json").read_text(encoding="utf-8")
    assert '"status": "error"' in doc and "expand to more than" in doc


def test_duplicate_keys_are_errors_with_both_lines(tmp_path):
    _manifest(tmp_path, "assets:\n  - {id: a, target: local}\nstage: plan\n")
    p, _ = _bounded(("validate", "cityguard.yaml"), tmp_path)
    assert_refused(p, "cityguard.yaml:6:", "'stage' is given twice (first at line 3)")
    fleet = tmp_path / "fleet"  # no cityguard.yaml here
    fleet.mkdir()
    (fleet / "hosts.yml").write_text(
        "all:\n  hosts:\n    web1: {ansible_host: 10.0.0.1}\n    web1: {ansible_host: 10.0.0.2}\n",
        encoding="utf-8")
    p, _ = _bounded(("assess", "--inventory", "hosts.yml", "--no-store"), fleet)
    assert_refused(p, "hosts.yml:4:", "'web1' is given twice")


@pytest.mark.parametrize(("text", "line", "what"), [
    ("all:\n  hosts: [web1, web2]\n", 2, "hosts of group 'all' must be a mapping, not a list"),
    ("all:\n  hosts:\n    web1: [10.0.0.1]\n", 3, "host 'web1' must be a mapping"),
    ("all:\n  vars: ansible_user=ops\n", 2, "vars of group 'all' must be a mapping, not text"),
    ("all:\n  children: [web]\n", 2, "children of group 'all' must be a mapping"),
    ("all:\n  children:\n    web: [a]\n", 3, "group 'web' must be a mapping, not a list"),
    ("all:\n  hosts:\n    web1:\n      ansible_port: [22]\n", 4, "must be a single value"),
    ("all:\n  hosts:\n    web1:\n      ansible_port: 70000\n", 4, "is not a number from 1"),
    ("all:\n  hosts:\n    web1:\n      ansible_port: true\n", 4, "is not a number from 1"),
    ("[all, web]\n", 1, "a mapping of groups"),
])
def test_wrong_types_in_a_yaml_inventory_are_data_errors(tmp_path, text, line, what):
    from cityguard.system.inventory import load_inventory

    inv = tmp_path / "hosts.yml"
    inv.write_text(text if text.startswith("all") else "---\n" + text, encoding="utf-8")
    line += 0 if text.startswith("all") else 1
    with pytest.raises(DataError) as exc:
        load_inventory(inv)
    assert exc.value.line == line and what in str(exc.value)


def test_wrong_types_in_a_yaml_inventory_are_exit_2_not_3(tmp_path):
    inv = tmp_path / "hosts.yml"
    inv.write_text("all:\n  hosts: [web1, web2]\n", encoding="utf-8")
    p, _ = _bounded(("assess", "--inventory", str(inv), "--no-store"), tmp_path)
    assert_refused(p, f"{inv}:2:", "must be a mapping, not a list")


def test_a_sparse_huge_manifest_is_refused_before_it_is_read(tmp_path):
    m = tmp_path / "cityguard.yaml"
    with m.open("wb") as fh:
        fh.truncate(MAX_YAML_BYTES + 1)
    p, _ = _bounded(("validate", "cityguard.yaml"), tmp_path)
    assert_refused(p, "cityguard.yaml", "over the limit")
    assert os.stat(m).st_blocks == 0  # nothing was ever written to disk
