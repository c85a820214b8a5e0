"""YAML loading for data files, with line numbers for error messages and bounds for bombs.

Every YAML file cityguard reads goes through here (manifests, answers, inventories, waivers,
custom checks, policies, messages, and YAML files of assessed hosts), so the bounds of
core.limits hold everywhere (docs/security.md, "YAML limits"):

- the file size (MAX_YAML_BYTES) before a byte is parsed;
- alias references (MAX_YAML_ALIASES), the nodes they would add when expanded
  (MAX_YAML_ALIAS_NODES) and the nesting depth (MAX_NESTING), checked on the composed node
  graph, where an alias is one shared node: a "billion laughs" file is a few dozen nodes
  there and is refused before anything expands it;
- a key given twice in one mapping is an error naming both lines (never last-wins).

Files are composed with the fast C parser when available; the node check is one pass over
the nodes, and the Python constructor builds the data from the same nodes afterwards. Only
when something is wrong do we compose again to find the line of an offending field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError
from cityguard.core.limits import (
    MAX_NESTING,
    MAX_YAML_ALIAS_NODES,
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
    check_size,
)

_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@lru_cache(maxsize=2)
def _loader(dates: bool = True) -> type:
    """The safe loader (C parser when built); `dates=False` keeps YYYY-MM-DD as text."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if dates:
        return base  # type: ignore[no-any-return]

    class _TextDates(base):  # type: ignore[misc,valid-type]
        yaml_implicit_resolvers = {
            ch: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
            for ch, resolvers in base.yaml_implicit_resolvers.items()
        }

    return _TextDates


def read_yaml_text(path: str | Path) -> str:
    """The text of a YAML file, refused (DataError) before reading when over MAX_YAML_BYTES."""
    p = Path(path)
    try:
        check_size(p, MAX_YAML_BYTES, "YAML file")
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(p, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(p, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DataError(p, exc.strerror or str(exc)) from None


def load_yaml(path: str | Path, text: str | None = None, *, dates: bool = True) -> Any:
    """Parse one YAML file within the bounds; a syntax error becomes DataError(path, line).

    `dates=False` keeps dates as text, for loaders that check each day themselves.
    """
    import yaml

    p = Path(path)
    text = read_yaml_text(p) if text is None else _bounded(p, text)
    loader = _loader(dates)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node(node, p)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _syntax_error(p, exc) from None
    except ValueError as exc:  # an implicit date that is no calendar day (2025-02-30)
        raise DataError(p, f"invalid value: {exc} (dates must be real days, YYYY-MM-DD)") \
            from None
    finally:
        loader.dispose()


def compose_documents(text: str, path: str | Path = "<input>") -> list[Any]:
    """The node tree of every document of a (multi-document) YAML text, each within the
    bounds; for readers that need the nodes' own line numbers (engine.docpath)."""
    import yaml

    p = Path(path)
    text = _bounded(p, text)
    try:
        nodes = [n for n in yaml.compose_all(text, Loader=_loader()) if n is not None]
    except yaml.YAMLError as exc:
        raise _syntax_error(p, exc) from None
    for node in nodes:
        check_node(node, p)
    return nodes


def _bounded(path: Path, text: str) -> str:
    if len(text) > MAX_YAML_BYTES:  # characters <= bytes: a file within the limit passes
        raise DataError(path, f"YAML text of {len(text)} characters is over the limit of "
                              f"{MAX_YAML_BYTES} bytes")
    return text


def _syntax_error(path: Path, exc: Exception) -> DataError:
    """The problem and the place only: the parser quotes what it found (an alias name, a
    tag, a snippet of the line), and on a host's file that could be a secret."""
    import re

    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    problem = " ".join(re.sub(r"'(?!<)[^'\n]*'", "", problem).split())  # keeps '<scalar>'
    return DataError(path, f"invalid YAML: {problem}", line=line)


def check_node(root: Any, path: str | Path) -> None:
    """DataError (file and line) when the composed tree breaks a bound or repeats a key.

    One pass over the nodes: a node met a second time is an alias. Each collection's expanded
    size (itself and everything below, aliases expanded) is known once its children are
    done, so what an alias would add is counted without expanding it. The recursion is
    bounded by MAX_NESTING, far below Python's own limit.
    """
    import yaml

    mapping_node, sequence_node = yaml.MappingNode, yaml.SequenceNode
    size: dict[int, int] = {}  # id(node) → expanded size, once walked
    walking: set[int] = set()  # collections being walked: an alias to one is a loop
    aliases = [0, 0]  # alias references, values they add

    def fail(node: Any, problem: str) -> DataError:
        return DataError(path, problem, line=node.start_mark.line + 1)

    def seen_again(node: Any, parent: Any) -> int:
        # an alias is the anchored node itself: the place named is the collection holding it
        done = size[id(node)]
        aliases[0] += 1
        aliases[1] += done
        if aliases[0] > MAX_YAML_ALIASES:
            raise fail(parent, f"more than {MAX_YAML_ALIASES} aliases (*name)")
        if aliases[1] > MAX_YAML_ALIAS_NODES:
            raise fail(parent, f"aliases would expand to more than {MAX_YAML_ALIAS_NODES} "
                               "values (a YAML bomb?)")
        return done

    def walk(node: Any, depth: int) -> int:
        if depth > MAX_NESTING:
            raise fail(node, f"nested deeper than {MAX_NESTING} levels")
        nid = id(node)
        walking.add(nid)
        if type(node) is mapping_node:
            _no_duplicate_keys(node, fail)
            children = [n for pair in node.value for n in pair]
        else:
            children = node.value
        total = 1
        for child in children:
            cid = id(child)
            if cid in size:
                total += seen_again(child, node)
            elif type(child) is mapping_node or type(child) is sequence_node:
                if cid in walking:
                    raise fail(node, "an alias refers to a collection that contains it")
                total += walk(child, depth + 1)
            else:
                size[cid] = 1
                total += 1
        walking.discard(nid)
        size[nid] = total
        return total

    if isinstance(root, (mapping_node, sequence_node)):
        walk(root, 1)


def _no_duplicate_keys(node: Any, fail: Any) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if key.tag == _MERGE or not isinstance(key.value, str):  # merges and complex keys
            continue
        name = (key.tag, key.value)
        if name in seen:
            raise fail(key, f"key {key.value!r} is given twice (first at line {seen[name]})")
        seen[name] = key.start_mark.line + 1


def line_of(path: str | Path, location: Sequence[str | int], text: str | None = None) -> int | None:
    """Line (1-based) of the node at `location` (keys / indexes), or of its nearest parent."""
    import yaml

    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=_loader())  # the C parser keeps marks too
    except (OSError, yaml.YAMLError):
        return None
    return node_line(node, location)


def node_line(node: Any, location: Sequence[str | int]) -> int | None:
    """Line (1-based) of the node at `location` below a composed YAML `node`, or of its nearest
    parent that exists (None for an empty document)."""
    import yaml

    line = node.start_mark.line + 1 if node is not None else None
    for step in location:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(step):
                    nxt, line = v, k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and 0 <= step < len(node.value):
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
