"""Where the shipped data directories (policies/, checks/, reports/) are.

In a wheel they sit inside the package as cityguard/_data/<name>; in a source checkout
(editable install, tests) they sit at the repository root. Sites add their own directories
with flags or the environment variables CITYGUARD_POLICIES, CITYGUARD_CHECKS and
CITYGUARD_REPORTS (os.pathsep-separated); those are searched after the built-in one, and
a file there with the same relative path replaces the built-in file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cityguard.core.errors import UsageError

DATA_KINDS = ("policies", "checks", "reports")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_dir(kind: str) -> Path:
    if kind not in DATA_KINDS:
        raise ValueError(kind)
    packaged = _PACKAGE_DIR / "_data" / kind
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise UsageError(f"the built-in {kind}/ directory is missing from this installation")


def env_dirs(kind: str) -> list[Path]:
    raw = os.environ.get(f"CITYGUARD_{kind.upper()}", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def search_dirs(kind: str, extra: Iterable[str | Path] = ()) -> list[Path]:
    """Built-in first, then the environment's, then the flags' directories."""
    dirs = [builtin_dir(kind), *env_dirs(kind), *(Path(p) for p in extra)]
    for d in dirs[1:]:
        if not d.is_dir():
            raise UsageError(f"{kind} directory {d} does not exist")
    return dirs


def overlay_files(kind: str, pattern: str, extra: Iterable[str | Path] = ()) -> list[Path]:
    """Files matching `pattern` across the search dirs; later dirs replace same-named files."""
    chosen: dict[str, Path] = {}
    for d in search_dirs(kind, extra):
        for f in sorted(d.glob(pattern)):
            if f.is_file():
                chosen[f.relative_to(d).as_posix()] = f
    return [chosen[k] for k in sorted(chosen)]
