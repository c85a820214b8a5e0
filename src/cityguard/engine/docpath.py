"""Dotted paths into JSON / YAML documents (`spec.containers[*].image`), with line numbers.

YAML is composed (not just loaded) so that every value keeps the line it came from; JSON
values carry no line. A path step that is absent yields MISSING for that branch, so a caller
can tell "this container has no securityContext" from "there are no containers".
"""

from __future__ import annotations

import re
from typing import Any

from cityguard.core.yamlio import compose_documents

MISSING = object()
_STEP = re.compile(r"([^.\[\]]+)|\[(\*|-?\d+)\]")


class LDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the line of each key's value."""

    lines: dict[Any, int]


class LList(list):  # type: ignore[type-arg]
    lines: list[int]


def parse_path(path: str) -> list[str | int]:
    """'a.b[0].c[*]' → ['a', 'b', 0, 'c', '*']; ValueError when malformed."""
    steps: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == "." and steps:
            pos += 1
        m = _STEP.match(text, pos)
        if not m:
            raise ValueError(f"bad path {path!r} at {pos + 1}")
        if m.group(1) is not None:
            steps.append(m.group(1))
        else:
            idx = m.group(2)
            steps.append("*" if idx == "*" else int(idx))
        pos = m.end()
    if not steps:
        raise ValueError(f"empty path {path!r}")
    return steps


def resolve(data: Any, steps: list[str | int], line: int | None = None
            ) -> list[tuple[Any, int | None]]:
    """Every (value, line) the path reaches; absent branches give (MISSING, nearest line)."""
    if not steps:
        return [(data, line)]
    step, rest = steps[0], steps[1:]
    if isinstance(step, str) and step != "*":
        if isinstance(data, dict) and step in data:
            lines = getattr(data, "lines", {})
            return resolve(data[step], rest, lines.get(step, line))
        return [(MISSING, line)]
    if not isinstance(data, list):
        if step == "*" and isinstance(data, dict):  # [*] over a mapping: its values
            lines = getattr(data, "lines", {})
            out: list[tuple[Any, int | None]] = []
            for k, v in data.items():
                out.extend(resolve(v, rest, lines.get(k, line)))
            return out
        return [(MISSING, line)]
    lines_l = getattr(data, "lines", None)
    if step == "*":
        out = []
        for i, v in enumerate(data):
            out.extend(resolve(v, rest, lines_l[i] if lines_l else line))
        return out
    assert isinstance(step, int)
    if -len(data) <= step < len(data):
        return resolve(data[step], rest, lines_l[step] if lines_l else line)
    return [(MISSING, line)]


def load_yaml_documents(text: str) -> list[Any]:
    """Every document of a (multi-document) YAML text, with line numbers kept."""
    # the YAML bounds (aliases, nesting, size) hold before _construct expands anything
    docs = [_construct(node) for node in compose_documents(text)]
    return [d for d in docs if d is not None]  # `---` followed by nothing


def _construct(node: Any) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.lines = {}
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                continue
            key = _construct(k)
            if isinstance(key, (list, dict)):
                continue
            out[key] = _construct(v)
            out.lines[key] = v.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList(_construct(v) for v in node.value)
        seq.lines = [v.start_mark.line + 1 for v in node.value]
        return seq
    return yaml.constructor.SafeConstructor().construct_object(node)
