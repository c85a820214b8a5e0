"""Paths as a reader of the report should see them: never the rendering machine's own.

The Assessment records scan files and `dir:` targets as the absolute paths the run resolved
(the manifest's folder joined with what it says). A report handed to a city official must not
show `/tmp/ci-1234/…` or a home directory: it shows them relative to the run's common folder
(the manifest's folder when a manifest named them), and a lone path as its last part.
Paths on an assessed host (`/etc/shadow` in evidence) are not touched: they are facts of that
host, not of this machine.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from cityguard.model import Assessment

DIR_PREFIX = "dir:"


def _absolute(path: str) -> bool:
    return path.startswith("/") or (len(path) > 2 and path[1] == ":" and path[2] in "\\/")


def _norm(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def common_base(paths: Iterable[str]) -> str:
    """The deepest folder holding every absolute path given ("" when there is none)."""
    absolute = [_norm(p) for p in paths if p and _absolute(p)]
    if not absolute:
        return ""
    if len(absolute) == 1:
        return posixpath.dirname(absolute[0])
    return posixpath.commonpath(absolute)


def run_base(a: Assessment) -> str:
    """The folder the run's own files are shown relative to (scan files, dir: targets)."""
    paths = [str(s.get("file") or s.get("path") or "") for s in a.scans]
    paths += [x.target[len(DIR_PREFIX):] for x in a.assets if x.target.startswith(DIR_PREFIX)]
    paths += [f.source_file for f in a.findings[:1000] if f.source_file]
    base = common_base(paths)
    # a base of "/" would leave the paths absolute: show their last parts instead
    return base if base not in ("", "/") else ""


def shown_path(path: str, base: str) -> str:
    """`path` relative to `base`; an absolute path outside it by its file name only."""
    if not path or not _absolute(path):
        return path
    p = _norm(path)
    if base and (p == base or p.startswith(base.rstrip("/") + "/")):
        rel = posixpath.relpath(p, base)
        return "." if rel == "." else rel
    return posixpath.basename(p) or p


def shown_target(target: str, base: str) -> str:
    """An asset's target for the report: `dir:` paths relative, ssh:// and local as given."""
    if target.startswith(DIR_PREFIX):
        return DIR_PREFIX + shown_path(target[len(DIR_PREFIX):], base)
    return shown_path(target, base)
