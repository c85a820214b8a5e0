"""Build the fidelity roots (Debian 12 with mmdebstrap, and the assembled openEuler layout).

Roots are cached under ~/.cache/cityguard-fidelity/<name> (or $CITYGUARD_FIDELITY_CACHE) and
rebuilt only when a recipe changes (a stamp holds the hash of the recipe code), so a second
run takes a second. Needs root (chroot, file ownership) and, for the Debian roots, mmdebstrap
and access to deb.debian.org.

    python benchmarks/fidelity/build_roots.py [NAME …] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import openeuler  # noqa: E402
from recipes import RECIPES, Recipe  # noqa: E402

NAMES = [*RECIPES, "openeuler"]


def cache_dir() -> Path:
    env = os.environ.get("CITYGUARD_FIDELITY_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "cityguard-fidelity"


def stamp(name: str) -> str:
    h = hashlib.sha256(name.encode())
    for f in ("recipes.py", "rootedit.py", "openeuler.py"):
        h.update((HERE / f).read_bytes())
    return h.hexdigest()[:16]


def is_current(root: Path, name: str) -> bool:
    marker = root / ".fidelity-stamp"
    return marker.is_file() and marker.read_text().strip() == stamp(name)


def mmdebstrap(recipe: Recipe, out: Path) -> None:
    argv = ["mmdebstrap", "--variant=important", "--include=" + ",".join(recipe.packages),
            "--skip=cleanup/apt/lists", "--skip=cleanup/apt/cache"]
    if recipe.later_sources:
        lines = "\\n".join(recipe.later_sources)
        argv += [f'--customize-hook=printf "{lines}\\n" > "$1/etc/apt/sources.list"',
                 '--customize-hook=chroot "$1" apt-get update -q']
    argv += ["--customize-hook=chroot \"$1\" apt-get clean", "bookworm", str(out),
             *recipe.sources]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def build(name: str, force: bool = False) -> Path:
    root = cache_dir() / name
    if not force and is_current(root, name):
        return root
    tmp = cache_dir() / f".{name}.building"
    if tmp.exists():
        shutil.rmtree(tmp)
    started = time.monotonic()
    if name == "openeuler":
        tmp.mkdir(parents=True)
        openeuler.assemble(tmp)
    else:
        recipe = RECIPES[name]
        mmdebstrap(recipe, tmp)
        recipe.edit(tmp)
    (tmp / ".fidelity-stamp").write_text(stamp(name) + "\n")
    if root.exists():
        shutil.rmtree(root)
    tmp.rename(root)
    print(f"built {name} in {time.monotonic() - started:.0f} s: {root}", file=sys.stderr)
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"roots to build (default: {' '.join(NAMES)})")
    ap.add_argument("--force", action="store_true", help="rebuild even when cached")
    args = ap.parse_args()
    for name in args.names or NAMES:
        if name not in NAMES:
            ap.error(f"unknown root {name!r}; choose from {', '.join(NAMES)}")
        print(build(name, args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
