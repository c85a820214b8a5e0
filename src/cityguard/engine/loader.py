"""Load check files: YAML → schema validation → semantic checks → Check objects.

Every problem becomes a DataError naming file, line and field. `validate_paths` collects all
of them (for `cityguard checks validate`); `load_library` stops at the first (for a run).
A file that loaded without a problem is remembered by its path and text in the data cache
(cityguard.core.datacache), so a run does not parse or validate an unchanged library again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core import datacache
from cityguard.core.errors import DataError, UsageError
from cityguard.core.resources import overlay_files
from cityguard.core.yamlio import line_of, load_yaml, read_yaml_text
from cityguard.engine.probes import PROBES
from cityguard.engine.schema import OPERATORS, check_schema
from cityguard.engine.spec import Applies, Check, Expect, Group, Node, Rule
from cityguard.model import Severity

CHECK_GLOB = "**/*.yaml"


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(check_schema())


def _message(err: Any) -> str:
    """jsonschema's message, reworded where the generic text would puzzle an author."""
    schema = err.schema if isinstance(err.schema, dict) else {}
    props = schema.get("properties", {})
    if err.validator == "additionalProperties" and "equals" in props and "quantifier" in props:
        extra = sorted(set(err.instance) - set(props))
        return (f"unknown operator {', '.join(map(repr, extra))}; known: "
                f"{', '.join(OPERATORS)}")
    if err.validator == "additionalProperties" and set(props) == {"all", "any", "none"}:
        extra = sorted(set(err.instance) - set(props))
        return (f"a rule needs `probe:` or is one of all/any/none; unexpected: "
                f"{', '.join(map(repr, extra))}")
    if err.validator == "additionalProperties" and "probe" in props and "expect" in props:
        extra = sorted(set(err.instance) - set(props))
        return (f"unknown parameter {', '.join(map(repr, extra))} for probe "
                f"{err.instance.get('probe')!r}; known: "
                f"{', '.join(k for k in props if k not in ('probe', 'expect'))}")
    if err.validator == "not" and schema.get("not", {}).get("required") == ["rules"]:
        return "a manual check (mode: manual) has a question instead of rules"
    if err.validator == "enum" and list(err.absolute_path)[-1:] == ["probe"]:
        return f"unknown probe {err.instance!r}; known: {', '.join(err.validator_value)}"
    return err.message


class _FileLoader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = ""
        self.errors: list[DataError] = []

    def error(self, loc: Sequence[str | int], problem: str) -> None:
        field = ".".join(str(x) for x in loc) or None
        line = line_of(self.path, list(loc), self.text) if self.text else None
        self.errors.append(DataError(self.path, problem, line=line, field=field))

    def load(self) -> list[Check]:
        try:
            self.text = read_yaml_text(self.path)  # the size bound before the file is read
        except DataError as exc:
            self.errors.append(exc)
            return []
        except UnicodeDecodeError as exc:
            self.errors.append(DataError(self.path, f"not UTF-8 text ({exc.reason})"))
            return []
        except OSError as exc:
            self.errors.append(DataError(self.path, exc.strerror or str(exc)))
            return []
        # this exact text (at this path, with this code) loaded without a problem before:
        # its checks come back from the cache without parsing or schema validation
        key = datacache.digest("checks", str(self.path), self.text)
        hit = datacache.load("checks", key)
        if hit is not datacache.MISS:
            return list(hit)
        checks = self._parse_and_validate()
        if not self.errors:
            datacache.store("checks", key, tuple(checks))
        return checks

    def _parse_and_validate(self) -> list[Check]:
        try:
            data = load_yaml(self.path, self.text)
        except DataError as exc:
            self.errors.append(exc)
            return []
        if data is None:
            self.error([], "empty file: a check file holds `checks:` with at least one check")
            return []
        bad: set[int] = set()
        whole_file = False
        for err in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
            loc = list(err.absolute_path)
            self.error(loc, _message(err))
            if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
                bad.add(loc[1])
            else:
                whole_file = True
        if whole_file:
            return []
        return self._build(data, bad)

    def _build(self, data: dict[str, Any], bad: set[int]) -> list[Check]:
        checks = []
        for i, raw in enumerate(data.get("checks", [])):
            if i in bad:
                self._semantics_of_broken(raw, ["checks", i])
                continue
            check = self._check(raw, i)
            if check is not None:
                checks.append(check)
        return checks

    def _check(self, raw: dict[str, Any], i: int) -> Check | None:
        before = len(self.errors)
        loc: list[str | int] = ["checks", i]
        root = None
        if raw.get("mode", "automated") == "automated":
            children = tuple(self._node(r, [*loc, "rules", j]) for j, r in enumerate(raw["rules"]))
            root = Group(raw.get("condition", "all"), children)
        applies_raw = raw.get("applies") or {}
        present = applies_raw.get("present_when")
        applies = Applies(
            platform=tuple(applies_raw.get("platform", ())),
            os_family=tuple(applies_raw.get("os_family", ())),
            min_level=applies_raw.get("min_level"),
            service=applies_raw.get("service"),
            present_when=self._node(present, [*loc, "applies", "present_when"])
            if present else None,
        )
        if len(self.errors) > before:
            return None
        return Check(
            id=raw["id"], title_zh=raw["title_zh"], title_en=raw["title_en"],
            severity=Severity(raw["severity"]),
            rationale_zh=raw["rationale_zh"], rationale_en=raw["rationale_en"],
            remediation_zh=raw["remediation_zh"], remediation_en=raw["remediation_en"],
            source=str(self.path), index=i, aliases=tuple(raw.get("aliases", ())),
            references=tuple(raw.get("references", ())), applies=applies,
            mode=raw.get("mode", "automated"), question_zh=raw.get("question_zh", ""),
            question_en=raw.get("question_en", ""), root=root, raw=raw,
        )

    def _semantics_of_broken(self, raw: Any, loc: list[str | int]) -> None:
        """Report the semantic problems of a check that failed the schema, so that one
        `checks validate` run lists every problem; rules already reported are skipped."""
        reported = {e.field for e in self.errors}
        stack: list[tuple[Any, list[str | int]]] = []
        if isinstance(raw, dict):
            stack += [(r, [*loc, "rules", j]) for j, r in enumerate(raw.get("rules") or [])
                      if isinstance(raw.get("rules"), list)]
        while stack:
            node, where = stack.pop()
            if not isinstance(node, dict):
                continue
            field = ".".join(map(str, where))
            if any(f and f.startswith(field) for f in reported):
                continue
            if "probe" not in node:
                for op in ("all", "any", "none"):
                    if isinstance(node.get(op), list):
                        stack += [(c, [*where, op, k]) for k, c in enumerate(node[op])]
                continue
            if node["probe"] in PROBES and isinstance(node.get("expect"), dict):
                self._node(node, where)

    def _node(self, raw: dict[str, Any], loc: list[str | int]) -> Node:
        if "probe" not in raw:
            op, children = next(iter(raw.items()))
            return Group(op, tuple(self._node(c, [*loc, op, k]) for k, c in enumerate(children)))
        params = {k: v for k, v in raw.items() if k not in ("probe", "expect")}
        for name, problem in PROBES.get(raw["probe"]).problems(params):
            self.error([*loc, name], problem)
        try:
            expect = Expect.from_dict(raw["expect"])
        except ValueError as exc:  # re.error is a ValueError too
            self.error([*loc, "expect"], str(exc))
            expect = Expect("exists", True)
        return Rule(raw["probe"], params, expect, ".".join(map(str, loc)))


def load_file(path: str | Path) -> tuple[list[Check], list[DataError]]:
    f = _FileLoader(Path(path))
    checks = f.load()
    return checks, sorted(f.errors, key=lambda e: e.line or 0)


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(x for x in p.glob(CHECK_GLOB) if x.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"{p}: no such file or directory")
    return out


def validate_paths(paths: Iterable[str | Path]) -> tuple[list[Check], list[DataError]]:
    """Every check and every problem in these files or directories (all problems, not the first)."""
    files = _expand(paths)
    return _collect(files)


def _collect(files: Sequence[Path]) -> tuple[list[Check], list[DataError]]:
    checks: list[Check] = []
    errors: list[DataError] = []
    seen: dict[str, Check] = {}
    for f in files:
        got, errs = load_file(f)
        errors.extend(errs)
        for c in got:
            for name in (c.id, *c.aliases):
                if name in seen:
                    other = seen[name]

                    errors.append(DataError(
                        c.source, f"duplicate check id {name!r} (also in {other.source})",
                        line=line_of(c.source, ["checks", c.index, "id"]),
                        field=f"checks.{c.index}.id",
                    ))
                    break
                seen[name] = c
            else:
                checks.append(c)
    return checks, errors


def library_files(extra_dirs: Sequence[str | Path] = ()) -> list[Path]:
    """Check files of the built-in library, CITYGUARD_CHECKS and `--checks` directories.

    A file in a later directory replaces the built-in file with the same relative path.
    """
    for d in map(Path, extra_dirs):
        if d.is_dir() and not _readable(d):
            raise UsageError(f"checks directory {d} is not readable")
    return overlay_files("checks", CHECK_GLOB, extra_dirs)


def _readable(d: Path) -> bool:
    import os

    return os.access(d, os.R_OK | os.X_OK)


def load_library(extra_dirs: Sequence[str | Path] = ()) -> list[Check]:
    """The checks to run; the first problem found raises DataError (file, line, field)."""
    files = library_files(extra_dirs)
    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return list(_load_cached(key))


@lru_cache(maxsize=4)
def _load_cached(key: tuple[tuple[str, int, int], ...]) -> tuple[Check, ...]:
    checks, errors = _collect([Path(k[0]) for k in key])
    if errors:
        raise errors[0]
    return tuple(checks)


def index(checks: Iterable[Check]) -> dict[str, Check]:
    """id and every alias → check."""
    out: dict[str, Check] = {}
    for c in checks:
        for name in (c.id, *c.aliases):
            out[name] = c
    return out
