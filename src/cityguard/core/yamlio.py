"""YAML loading for data files, with line numbers for error messages.

Files are parsed with the fast C loader when available. Only when something is wrong do we
compose the node tree again to find the line of the offending field, so the happy path stays
fast and every error can still name file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError


def _loader() -> type:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path, text: str | None = None) -> Any:
    """Parse one YAML file; a syntax error becomes DataError(path, line)."""
    import yaml

    p = Path(path)
    try:
        if text is None:
            text = p.read_text(encoding="utf-8-sig")
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise DataError(p, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(p, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DataError(p, exc.strerror or str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataError(p, f"invalid YAML: {problem}", line=line) from None
    except ValueError as exc:  # an implicit date that is no calendar day (2025-02-30)
        raise DataError(p, f"invalid value: {exc} (dates must be real days, YYYY-MM-DD)") \
            from None


def line_of(path: str | Path, location: Sequence[str | int], text: str | None = None) -> int | None:
    """Line (1-based) of the node at `location` (keys / indexes), or of its nearest parent."""
    import yaml

    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for step in location:
        if node is None:
            break
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(step):
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(step, int)
            and 0 <= step < len(node.value)
        ):
            nxt = node.value[step]
            line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line


def validate(data: Any, schema: dict[str, Any], path: str | Path, text: str | None = None) -> None:
    """JSON-Schema-validate parsed YAML; the first error (by position) becomes DataError."""
    errors = schema_errors(data, schema, path, text)
    if errors:
        raise errors[0]


def schema_errors(
    data: Any, schema: dict[str, Any], path: str | Path, text: str | None = None
) -> list[DataError]:
    """Every schema problem as a DataError naming file, line and field."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    out: list[DataError] = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        loc = list(err.absolute_path)
        field = ".".join(str(x) for x in loc) or None
        out.append(DataError(path, err.message, line=line_of(path, loc, text), field=field))
    return out


def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in cityguard/schemas/."""
    import json
    from importlib import resources

    return json.loads(resources.files("cityguard.schemas").joinpath(name).read_text("utf-8"))
