"""Reduce a fidelity root to the files the check library reads, for the CI copy in git.

Every check runs on the full root through a target that records each path it reads, stats
or lists; the recorded files are copied (modes and symlinks kept) into the output tree, and
directory listings are kept as empty entries. Three things are cut to size on the way:
- /var/lib/dpkg/status keeps the packages the library asks about and those with an update in
  the security lists; the security lists keep the installed packages' stanzas only (the other
  lists are not read by `apt_updates pockets: security`);
- unit directories keep *.wants links, the units the library names and the enabled timers;
- password hashes in /etc/shadow become placeholders with the same scheme prefix.
The modes git cannot keep go into <out>/../modes.yaml beside the tree.

    python benchmarks/fidelity/reduce_root.py ROOT OUT
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import yaml

from cityguard.engine import load_library, make_context, run_check
from cityguard.engine.probes.package import field, stanzas
from cityguard.engine.probes.service import UNIT_DIRS
from cityguard.targets.dir import DirTarget

SECURITY = re.compile(r"security.*_Packages$")


class Recorder(DirTarget):
    """A dir: target that remembers what was read (files) and listed (directories)."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.files: set[str] = set()  # read: copied with their content
        self.stated: set[str] = set()  # only looked at: copied empty, with their mode
        self.listed: set[str] = set()

    def read_bytes(self, path: str, max_bytes: int = 16 * 1024 * 1024) -> bytes:
        self.files.add(path)
        return super().read_bytes(path, max_bytes)

    def stat(self, path: str):  # type: ignore[no-untyped-def]
        self.stated.add(path)
        return super().stat(path)

    def list_dir(self, path: str) -> list[str]:
        self.listed.add(path)
        return super().list_dir(path)


def library_names() -> tuple[set[str], set[str]]:
    """(package names, unit names) any check of the library asks about."""
    packages: set[str] = set()
    units: set[str] = set()

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if node is None:
            return
        if hasattr(node, "children"):
            for c in node.children:
                walk(c)
            return
        names = node.params.get("name")
        names = names if isinstance(names, list) else [names] if names else []
        if node.probe == "package":
            packages.update(names)
        if node.probe == "service":
            units.update(n if "." in n else f"{n}.service" for n in names)

    for check in load_library():
        walk(check.root)
        walk(check.applies.present_when)
        if check.applies.service:
            units.add(f"{check.applies.service}.service")
    return packages, units


def _mkdirs(out: Path, rel: Path) -> None:
    """Create out/rel as directories, following symlinks already copied into out (Debian 12
    links /sbin to usr/sbin: the link's target must exist for anything below it)."""
    here = out
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            target = os.readlink(here)
            real = out / target.lstrip("/") if target.startswith("/") else here.parent / target
            real.mkdir(parents=True, exist_ok=True)
        elif not here.exists():
            here.mkdir()


def _copy(src_root: Path, out: Path, host_path: str, content: bool = True) -> None:
    src = src_root / host_path.lstrip("/")
    dst = out / host_path.lstrip("/")
    if not (src.exists() or src.is_symlink()) or dst.exists() or dst.is_symlink():
        return
    _mkdirs(out, Path(host_path.lstrip("/")).parent)
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        dst.mkdir(exist_ok=True)
    elif src.is_file() and content:  # never device nodes (mmdebstrap roots have /dev/urandom)
        shutil.copy2(src, dst)
    elif src.is_file():  # binaries and keys whose existence or mode is all a check looks at
        dst.touch()
        dst.chmod(src.stat().st_mode & 0o7777)


def _trim_packages(out: Path, packages: set[str]) -> None:
    lists = out / "var/lib/apt/lists"
    status = out / "var/lib/dpkg/status"
    if not status.is_file():
        return
    text = status.read_text(encoding="utf-8")
    installed = {field(s, "Package"): field(s, "Version") for _, s in stanzas(text)}
    pending: set[str] = set()
    for lst in sorted(lists.glob("*_Packages")) if lists.is_dir() else []:
        if not SECURITY.search(lst.name):
            lst.unlink()
            continue
        known = [s for _, s in stanzas(lst.read_text(encoding="utf-8"))
                 if field(s, "Package") in installed]
        # what apt_updates judges: security versions differing from the installed ones (and
        # a few equal ones, so a host without pending updates still has a real list)
        keep = [s for s in known if field(s, "Version") != installed[field(s, "Package")]]
        keep = keep or known[:3]
        pending.update(field(s, "Package") for s in keep)
        lst.write_text("\n\n".join(keep) + "\n", encoding="utf-8")
    wanted = packages | pending
    status.write_text("\n\n".join(s for _, s in stanzas(text) if field(s, "Package") in wanted)
                      + "\n", encoding="utf-8")


def _placeholder_hashes(out: Path) -> None:
    shadow = out / "etc/shadow"
    if not shadow.is_file():
        return
    lines = []
    for line in shadow.read_text(encoding="utf-8").splitlines():
        f = line.split(":")
        if len(f) > 1 and f[1].startswith(("$", "!$")):
            lock = "!" if f[1].startswith("!") else ""
            scheme = f[1].lstrip("!").split("$")[1]
            f[1] = f"{lock}${scheme}$fidelity$placeholder-not-a-hash"
        lines.append(":".join(f))
    mode = shadow.stat().st_mode
    shadow.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shadow.chmod(mode & 0o7777)


def reduce(root: Path, out: Path) -> dict[str, str]:
    target = Recorder(f"dir:{root}")
    ctx = make_context(target, level=3)
    for check in load_library():
        run_check(check, ctx)
    packages, units = library_names()
    enabled = set()
    for d in UNIT_DIRS:
        for sub in target.list_dir(d):
            if sub.endswith((".wants", ".requires")):
                enabled.update(target.list_dir(f"{d}/{sub}"))
    for path in sorted(target.files):
        _copy(root, out, path)
    for path in sorted(target.stated - target.files):
        _copy(root, out, path, content=False)
    for d in sorted(target.listed):
        _copy(root, out, d)
        for name in target.list_dir(d):
            if d in UNIT_DIRS and not (name.endswith((".wants", ".requires")) or name in units
                                       or (name.endswith(".timer") and name in enabled)):
                continue
            entry = f"{d}/{name}"
            src = root / entry.lstrip("/")
            if src.is_dir() and not src.is_symlink():
                _mkdirs(out, Path(entry.lstrip("/")))
            elif not (src.is_symlink() or src.is_file()):
                continue
            elif entry not in target.files:
                dst = out / entry.lstrip("/")
                if not (dst.exists() or dst.is_symlink()):
                    _mkdirs(out, Path(entry.lstrip("/")).parent)
                    if src.is_symlink():
                        os.symlink(os.readlink(src), dst)
                    else:
                        dst.touch()
    _trim_packages(out, packages)
    _placeholder_hashes(out)
    modes = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.stat().st_mode & 0o7777 not in (0o644, 0o755):
            modes[str(p.relative_to(out))] = f"0{p.stat().st_mode & 0o7777:o}"
    return modes


def main() -> int:
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    modes = reduce(root, out)
    (out.parent / f"{out.name}.modes.yaml").write_text(
        "# permission bits git cannot keep (applied to a copy before assessing)\n"
        + yaml.safe_dump(modes, sort_keys=True), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"{out}: {sum(1 for _ in out.rglob('*'))} entries, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
