"""Every problem of a system manifest: JSON Schema first, then what a schema cannot say.

Part of the manifest loader (cityguard.system.manifest). Problems are collected, never raised,
so that `cityguard validate` can list all of them at once, each with file, line and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.core.dates import parse_day
from cityguard.core.errors import DataError
from cityguard.core.yamlio import load_schema, load_yaml, node_line, read_yaml_text, schema_errors
from cityguard.policy.grading import harm_level
from cityguard.system.answers import load_answers
from cityguard.system.devicetypes import family_of, unknown_device_type
from cityguard.system.paths import expand_scans, outside_problem
from cityguard.system.sshspec import ssh_spec_problem

_DAY_FIELDS = ("date", "expires", "last_drill")


@lru_cache(maxsize=16)
def _tree(text: str) -> Any:
    import yaml

    try:
        # the C parser (when built) keeps line marks as well; the text loaded within bounds
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def line_at(path: str | Path, location: Sequence[str | int], text: str | None = None
            ) -> int | None:
    """Line (1-based) of the node at `location`, or of its nearest parent that exists."""
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError:
            return None
    return node_line(_tree(text), location)


def read_manifest(path: Path, *, deep: bool = True, allow_outside_paths: bool = False
                  ) -> tuple[dict[str, Any], list[DataError], list[DataError]]:
    """(data, problems, soft problems), each list ordered by line; days stay YYYY-MM-DD text.

    Soft problems (an evidence file that is not there) make `cityguard validate` fail but not
    loading: the gate judges a missing deliverable itself and blocks (exit 1), as it must in
    CI, instead of refusing the manifest (exit 2). `deep` also reads the answers file through
    its own loader (validate does; loading leaves that to whoever reads the answers).
    Every path must stay inside the manifest's folder unless `allow_outside_paths`.
    """
    if not path.exists():
        return {}, [DataError(path, "file not found (create one with `cityguard init`)")], []
    try:
        text = read_yaml_text(path)
        # dates stay text: `2025-02-30` must become a problem with a line, not a crash of
        # the date constructor; the checks below parse each day themselves
        data = load_yaml(path, text, dates=False)
    except DataError as exc:
        return {}, [exc], []
    if not isinstance(data, dict):
        return {}, [DataError(path, "expected a mapping (name:, level:, stage:, …)", line=1)], []
    errors = schema_errors(data, load_schema("manifest.schema.json"), path, text)
    sem = _Semantics(path, text, data, deep=deep, allow_outside_paths=allow_outside_paths)
    errors += sem.run()
    return data, _ordered(errors), _ordered(sem.soft)


def _ordered(errors: list[DataError]) -> list[DataError]:
    seen: set[str] = set()
    unique = []
    for e in errors:
        if str(e) not in seen:
            seen.add(str(e))
            unique.append(e)
    return sorted(unique, key=lambda e: (e.line or 0, e.field or ""))


class _Semantics:
    """What the schema cannot say: dates that exist, files that exist, consistent levels."""

    def __init__(self, path: Path, text: str, data: dict[str, Any], *, deep: bool = True,
                 allow_outside_paths: bool = False) -> None:
        self.path, self.text, self.data, self.deep = path, text, data, deep
        self.allow_outside = allow_outside_paths
        self.base = path.resolve().parent
        self.errors: list[DataError] = []
        self.soft: list[DataError] = []

    def add(self, location: list[str | int], problem: str, *, soft: bool = False) -> None:
        err = DataError(self.path, problem, line=line_at(self.path, location, self.text),
                        field=".".join(map(str, location)) or None)
        (self.soft if soft else self.errors).append(err)

    def confined(self, location: list[str | int], written: str, full: Path) -> bool:
        """False (and a problem at `location`) when `full` is outside the manifest's folder."""
        problem = None if self.allow_outside else outside_problem(written, full, self.base)
        if problem:
            self.add(location, problem)
        return problem is None

    def run(self) -> list[DataError]:
        self.levels()
        self.assets()
        self.scans()
        self.evidence()
        self.waivers()
        self.answers()
        self.mitigations()
        self.notify()
        return self.errors

    def _list(self, key: str) -> list[Any]:
        value = self.data.get(key)
        return value if isinstance(value, list) else []

    def levels(self) -> None:

        d = self.data
        level = d.get("level") if isinstance(d.get("level"), int) else None
        grade = d.get("grade") if isinstance(d.get("grade"), str) else None
        grading = d.get("grading") if isinstance(d.get("grading"), dict) else None
        if level is None and grade is None and grading is None:
            self.add([], "give the system's level (level: 3), its grade (grade: S3A2) or the "
                         "grading inputs (grading: {info: social:serious, service: …})")
            return
        sa: tuple[int, int] | None = None
        if grading is not None:
            try:
                sa = (harm_level(str(grading.get("info"))), harm_level(str(grading.get("service"))))
            except Exception:  # the schema already names the malformed harm
                sa = None
        if grade and len(grade) == 4 and grade[1].isdigit() and grade[3].isdigit():
            g = (int(grade[1]), int(grade[3]))
            if sa is not None and g != sa:
                self.add(["grade"], f"grade {grade} disagrees with the grading inputs, which "
                                    f"give S{sa[0]}A{sa[1]}")
            sa = g
        if sa is not None and level is not None and level != max(sa):
            self.add(["level"], f"level {level} is not max(S, A) = {max(sa)} of grade "
                                f"S{sa[0]}A{sa[1]} (GB/T 22240-2020 §6.4)")
        if sa is not None and max(sa) > 4 and level is None:
            self.add(["grading"], "level 5 systems are outside what cityguard assesses (1–4)")

    def assets(self) -> None:
        seen: dict[str, int] = {}
        for n, a in enumerate(self._list("assets")):
            if not isinstance(a, dict):
                continue
            aid = a.get("id")
            if isinstance(aid, str):
                if aid in seen:
                    self.add(["assets", n, "id"], f"asset id {aid!r} is used twice "
                                                  f"(first at assets.{seen[aid]})")
                seen.setdefault(aid, n)
            if "value" in a and "cia" in a:
                self.add(["assets", n], "give either value or cia, not both")
            target = a.get("target")
            self._device_type(n, a.get("device_type"), target)
            where: list[str | int] = ["assets", n, "target"]
            if isinstance(target, str) and target.startswith("dir:"):
                p = Path(target[4:]).expanduser()
                p = p if p.is_absolute() else self.base / p
                if not self.confined(where, target, p):
                    continue
                if not p.is_dir():
                    self.add(where, f"directory {p} does not exist")
            elif isinstance(target, str) and target.startswith("netdev:"):
                p = Path(target[7:]).expanduser()
                p = p if p.is_absolute() else self.base / p
                if self.confined(where, target, p) and not p.exists():
                    self.add(where, f"device configuration {p} does not exist")
            elif isinstance(target, str) and target.startswith("ssh://"):
                problem = ssh_spec_problem(target)
                if problem:
                    self.add(where, f"ssh target: {problem}")

    def _device_type(self, n: int, name: Any, target: Any) -> None:
        """`device_type` names a family cityguard reads, on a target that is a device."""
        if not isinstance(name, str) or not name:
            return  # absent, or a wrong type the schema already names
        where: list[str | int] = ["assets", n, "device_type"]
        if family_of(name) is None:
            self.add(where, unknown_device_type(name))
        elif not (isinstance(target, str) and target.startswith(("netdev:", "ssh://"))):
            self.add(where, "device_type needs a netdev: or ssh:// target (a network device)")

    def scans(self) -> None:

        for n, pat in enumerate(self._list("scans")):
            if not isinstance(pat, str) or not pat:
                continue
            # a glob is not walked from outside the folder (`/**` would read the whole disk)
            if not self.confined(["scans", n], pat, self.base / _literal_prefix(pat)):
                continue
            found = expand_scans([pat], self.base)
            if not found:
                self.add(["scans", n], f"no file matches {pat!r} (relative to {self.base})")
            for f in found:
                if not self.confined(["scans", n], f"{pat} → {f}", f):
                    break

    def _day(self, location: list[str | int], value: Any) -> None:

        if isinstance(value, str) and len(value) == 10 and parse_day(value) is None:
            self.add(location, f"{value!r} is not a real calendar day")

    def evidence(self) -> None:
        asset_ids = {a.get("id") for a in self._list("assets") if isinstance(a, dict)}
        for n, e in enumerate(self._list("evidence")):
            if not isinstance(e, dict):
                continue
            for key in _DAY_FIELDS:
                self._day(["evidence", n, key], e.get(key))
            path = e.get("path")
            if isinstance(path, str) and path:
                full = (self.base / path)
                if self.confined(["evidence", n, "path"], path, full) and not full.is_file():
                    self.add(["evidence", n, "path"], f"evidence file {path} does not exist "
                                                      f"(looked for {full.resolve()})", soft=True)
            if e.get("asset") and e["asset"] not in asset_ids:
                self.add(["evidence", n, "asset"], f"no asset {e['asset']!r} in assets")

    def waivers(self) -> None:
        for n, w in enumerate(self._list("waivers")):
            if not isinstance(w, dict):
                continue
            named = [k for k in ("check", "item", "finding") if w.get(k)]
            if len(named) != 1:
                self.add(["waivers", n], "a waiver names exactly one of check, item or finding "
                                         f"(found {', '.join(named) or 'none'})")
            self._day(["waivers", n, "expires"], w.get("expires"))

    def answers(self) -> None:
        ans = self.data.get("answers")
        if not isinstance(ans, str) or not ans:
            return
        full = self.base / ans
        if not self.confined(["answers"], ans, full):
            return
        if not full.is_file():
            self.add(["answers"], f"answers file {ans} does not exist")
            return
        if not self.deep:
            return

        try:
            load_answers(full)
        except DataError as exc:
            self.errors.append(exc)

    def mitigations(self) -> None:
        schema = load_schema("answers.schema.json")
        sub = {"$defs": schema["$defs"], **schema["$defs"]["mitigation"]}
        for n, m in enumerate(self._list("mitigations")):
            for err in schema_errors(m, sub, self.path, "{}"):
                self.add(["mitigations", n], f"mitigation: {err.problem}")

    def notify(self) -> None:
        """The notify block against its own schema (cityguard notify also refuses secrets)."""
        if isinstance(self.data.get("notify"), dict):
            self.errors += schema_errors({"notify": self.data["notify"]},
                                         load_schema("notify.schema.json"), self.path, self.text)


def _literal_prefix(pattern: str) -> Path:
    """The folder part of a scan pattern before its first wildcard (`../x/*.json` → `../x`)."""
    parts = Path(pattern).expanduser().parts
    literal = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        literal.append(part)
    return Path(*literal) if literal else Path(".")
