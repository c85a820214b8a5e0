"""Helpers for engine tests: write a check as YAML, load it through the real loader, run it.

A module of its own (not conftest.py): tests/targets has a conftest too, and two modules
named `conftest` cannot both be imported by name in one pytest run.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml

from cityguard.engine import load_file, make_context, run_check
from cityguard.model import CheckResult
from cityguard.targets import open_target

_counter = itertools.count()


def check_yaml(rules: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    check = {
        "id": f"test.engine.check_{next(_counter)}",
        "title_zh": "测试检查", "title_en": "Test check", "severity": "medium",
        "rationale_zh": "测试。", "rationale_en": "Test.",
        "remediation_zh": "无。", "remediation_en": "None.",
    }
    if rules is not None:
        check["rules"] = rules
    check.update(fields)
    return check


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create files under root: {"etc/ssh/sshd_config": "text", …}."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def make_run_rules(tmp_path: Path):
    """run_rules(target_or_root, rules, **check_fields) → CheckResult via the real loader."""
    checks_dir = tmp_path / "_checks"
    checks_dir.mkdir()

    def run(where: Any, rules: list[dict[str, Any]] | None = None, *, level: int = 3,
            **fields: Any) -> CheckResult:
        doc = {"checks": [check_yaml(rules, **fields)]}
        path = checks_dir / f"c{next(_counter)}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        checks, errors = load_file(path)
        assert not errors, [str(e) for e in errors]
        target = open_target(f"dir:{where}") if isinstance(where, Path) else where
        return run_check(checks[0], make_context(target, level, base_dir=tmp_path))

    return run


def statuses(result: CheckResult) -> str:
    return result.status.value
