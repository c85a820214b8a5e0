"""The floors of the package (docs/ARCHITECTURE.md): no upward import, no circle.

Read from the source with `ast`, so the test sees every import, including the ones inside
functions, without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cityguard"

#: package → floor; a package may import packages on lower floors only
FLOORS: dict[str, int] = {
    "model": 0,
    "core": 1, "schemas": 1,
    "policy": 2,
    "system": 3,
    "engine": 4, "targets": 4, "ingest": 4, "scoring": 4, "store": 4, "render": 4,
    "assess": 5, "gate": 5, "web": 5, "notify": 5,
    "cli": 6,
}
#: imports across one floor that the design allows (and why)
SIDEWAYS = {
    ("engine", "targets"),  # checks run on targets
    ("gate", "assess"),     # the gate judges a fresh assessment when none is given
    ("web", "assess"),      # the dashboard renders stored runs through the same reporting
}
TOP_LEVEL_ALLOWED = {"__init__.py", "__main__.py"}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported cityguard module, line, at module level) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    here = _name(path)
    package = here if _is_package(path) else here.rpartition(".")[0]
    top = {id(n) for n in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` blocks count as module level
        if isinstance(node, ast.If):
            top.update(id(n) for n in node.body)
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{a.name}" if _exists(f"{base}.{a.name}") else base
                     for a in node.names]
        for n in names:
            if n == "cityguard" or n.startswith("cityguard."):
                out.append((n, node.lineno, id(node) in top))
    return out


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (SRC / rel).with_suffix(".py").is_file() or (SRC / rel / "__init__.py").is_file()


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FLOORS else None


def test_nothing_but_init_and_main_at_the_top():
    flat = sorted(p.name for p in SRC.glob("*.py") if p.name not in TOP_LEVEL_ALLOWED)
    assert flat == [], f"modules at the top of src/cityguard/: {flat}"


def test_every_package_has_a_floor():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert packages <= set(FLOORS), f"no floor for {sorted(packages - set(FLOORS))}"


def test_no_upward_or_sideways_import():
    bad: list[str] = []
    for path in _modules():
        mine = _package_of(_name(path))
        if mine is None:
            continue
        for target, line, _top in _imports(path):
            theirs = _package_of(target)
            if theirs is None or theirs == mine or (mine, theirs) in SIDEWAYS:
                continue
            if FLOORS[theirs] >= FLOORS[mine]:
                bad.append(f"{path.relative_to(SRC)}:{line} {mine} → {theirs} ({target})")
    assert bad == [], "imports against the floors:\n" + "\n".join(bad)


def test_no_circle_between_modules():
    """Module-level imports form no cycle (a package __init__ reaching its own submodules
    to build a registry is the one exception, as the submodules never need it back)."""
    graph: dict[str, set[str]] = {}
    for path in _modules():
        me = _name(path)
        edges = graph.setdefault(me, set())
        for target, _line, top in _imports(path):
            if not top or target == me:
                continue
            if _is_package(path) and target.startswith(me + "."):
                continue
            if target != "cityguard" and not me.startswith(target + "."):
                edges.add(target)
    cycle = _find_cycle(graph)
    assert cycle is None, "import circle: " + " → ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("floor", ["model", "core", "policy", "system", "engine", "targets",
                                   "ingest", "scoring", "store", "render", "assess", "gate",
                                   "web", "notify"])
def test_no_cityguard_import_inside_functions_below_the_face(floor):
    """Below `cli/`, cityguard's own modules are cheap to import: importing them inside a
    function only hides the direction of a dependency. (Third-party libraries stay lazy.)"""
    inner = [f"{p.relative_to(SRC)}:{line} {t}"
             for p in _modules() if _package_of(_name(p)) == floor
             for t, line, top in _imports(p) if not top]
    assert inner == []
