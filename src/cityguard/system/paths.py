"""Where a manifest's targets and scan files are: paths resolved against its folder.

A manifest usually comes from a repository, and in CI whoever can push decides what it says.
So every file or directory it names must stay inside the manifest's own folder once resolved
(symlinks followed): a manifest must not make the assessor read `/etc/shadow` or a CI
runner's keys. The operator lifts that with `--allow-outside-paths` (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path

OUTSIDE_FLAG = "--allow-outside-paths"


def resolve_target(target: str, base_dir: Path) -> str:
    for scheme in ("dir:", "netdev:"):  # netdev: a device backup file or a folder of them
        if target.startswith(scheme):
            p = Path(target[len(scheme):]).expanduser()
            return scheme + str(p if p.is_absolute() else (base_dir / p).resolve())
    return target


def inside(path: Path, base_dir: Path) -> bool:
    """True when `path`, symlinks resolved, is `base_dir` or below it."""
    return path.resolve().is_relative_to(base_dir.resolve())


def outside_problem(written: str, full: Path, base_dir: Path) -> str | None:
    """Why the manifest may not name `written` (resolving to `full`), or None when it may."""
    if inside(full, base_dir):
        return None
    return (f"{written!r} resolves to {full.resolve()}, outside the manifest's folder "
            f"{base_dir.resolve()} (pass {OUTSIDE_FLAG} to allow files outside it)")


def expand_scans(patterns: tuple[str, ...] | list[str], base_dir: Path, *,
                 confine: bool = False) -> list[Path]:
    """Every file the patterns match, sorted, each once; `confine` drops any outside base_dir
    (the manifest's validation has already refused those with file and line)."""
    out: dict[str, Path] = {}
    for pat in patterns:
        for p in _matches(pat, base_dir):
            if not confine or inside(p, base_dir):
                out.setdefault(str(p), p)
    return [out[k] for k in sorted(out)]


def _matches(pattern: str, base_dir: Path) -> list[Path]:
    p = Path(pattern).expanduser()
    if not any(ch in pattern for ch in "*?["):
        full = p if p.is_absolute() else base_dir / p
        return [full.resolve()] if full.is_file() else []
    if p.is_absolute():
        anchor = Path(p.anchor)
        found = anchor.glob(str(p.relative_to(anchor)))
    else:
        found = base_dir.glob(pattern)
    return sorted(f.resolve() for f in found if f.is_file())
