"""The published schemas of cityguard's JSON outputs, and one helper that validates against them.

Used by the output tests and, through the `_outputs_follow_their_schemas` fixture of
tests/conftest.py, on every `assessment.json` and `gate.json` a test leaves in its temporary
folder: whatever a test makes cityguard write must follow the schema users are promised.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "cityguard" / "schemas"
#: output file name → its schema
BY_NAME = {"assessment.json": "assessment.schema.json", "gate.json": "gate.schema.json"}


@functools.cache
def validator(schema_file: str) -> Any:
    from jsonschema import FormatChecker, validators

    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=FormatChecker())


def problems(doc: Any, schema_file: str) -> list[str]:
    """Every way `doc` breaks the schema, as 'path: message' lines (empty when valid)."""
    errors = sorted(validator(schema_file).iter_errors(doc), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message[:300]}" for e in errors]


def check_file(path: Path) -> list[str]:
    """Problems of one output file named as cityguard names it (assessment.json, gate.json)."""
    schema = BY_NAME.get(path.name)
    if schema is None:
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # a test of broken input wrote it on purpose; not an output of cityguard
    if not isinstance(doc, dict) or ("run_id" not in doc and "rules" not in doc):
        return []
    return [f"{path.name}: {p}" for p in problems(doc, schema)]


def check_tree(folder: Path, limit: int = 20) -> list[str]:
    """Problems of every output file below `folder` (the first `limit` files looked at)."""
    found: list[str] = []
    for n, path in enumerate(p for name in BY_NAME for p in folder.rglob(name)):
        if n >= limit:
            break
        found += check_file(path)
    return found
