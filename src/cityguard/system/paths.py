"""Where a manifest's targets and scan files are: paths resolved against its folder."""

from __future__ import annotations

from pathlib import Path


def resolve_target(target: str, base_dir: Path) -> str:
    if target.startswith("dir:"):
        p = Path(target[4:]).expanduser()
        return "dir:" + str(p if p.is_absolute() else (base_dir / p).resolve())
    return target


def expand_scans(patterns: tuple[str, ...] | list[str], base_dir: Path) -> list[Path]:
    out: dict[str, Path] = {}
    for pat in patterns:
        for p in _matches(pat, base_dir):
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
