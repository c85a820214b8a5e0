"""One round trip that brings back everything a check library reads from an SSH host.

A fleet run asks each host for a few hundred files, their metadata, the listings of a few
dozen directories and whether some directories may be read. One `ssh` exec per item costs a
channel, a login shell and a process on both ends; on a loaded machine that, not the checks,
was the whole cost of a fleet run (issue 25). The script built here answers all of it in ONE
command and a handful of processes on the host, whatever the number of files:

- the shell expands the globs and tests each path with builtins (`[ -e ]`, `[ -f ]`, `[ -r ]`);
- ONE `stat -L -c` gives the metadata of every existing path and of every directory named;
- directory listings come from shell globs (`"$d"/*`, hidden names too): no `ls` per directory;
- ONE `tar -ch` carries the content of every readable non-empty regular file up to the size
  limit, picked by ONE `find -size` (tar's framing is exact, and Python's `tarfile` reads it);
- ONE `grep -H -a ''` carries the files that report size 0 but have content (/proc, /sys);
- the whole stream goes through `gzip -1` when the host has it, unless the host is this machine
  (a loopback address: there, compressing costs CPU on both ends of the same cores and saves
  nothing on the wire; 20 loopback hosts spent ~1.2 CPU-s on it, benchmarks/fleet.py).

Nothing is written on the host. Every section starts with a marker holding a random nonce,
so no file content can imitate one; names with a newline are never sent back (a listing that
had one is marked unreliable and is not used). Anything missing from the bundle is read on
demand by the target, as before, so a host without tar or gzip is only slower.
"""

from __future__ import annotations

import io
import re
import secrets
import shlex
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from cityguard.core.decompress import decompress
from cityguard.core.limits import MAX_DECOMPRESSED
from cityguard.targets.base import CommandResult, FileStat

#: characters escaped in a glob sent to the remote shell; * ? [ ] stay live
SHELL_SPECIAL = re.compile(r"([^A-Za-z0-9_*?\[\]/.,:=@%+\-])")
STAT_FORMAT = "%a|%u|%g|%U|%G|%s|%Y|%F"
_GLOB_CHARS = frozenset("*?[")
_CONTROL = re.compile(r"[\x00-\x1f]")


def is_glob(pattern: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in pattern)


def shell_word(pattern: str) -> str:
    """`pattern` for the remote shell: every character escaped except the glob's * ? [ ]."""
    return SHELL_SPECIAL.sub(r"\\\1", pattern)


def sendable(path: str) -> bool:
    """Only absolute paths without brace syntax or control characters go into the script."""
    return path.startswith("/") and "{" not in path and not _CONTROL.search(path)


@dataclass
class Bundle:
    """What one host answered; `stats` holds None for a literal path known to be absent."""

    stats: dict[str, FileStat] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)  # regular files the login cannot read
    absent: set[str] = field(default_factory=set)  # literal paths that are not there
    listings: dict[str, list[str]] = field(default_factory=dict)
    closed_dirs: set[str] = field(default_factory=set)  # exist, cannot be listed
    open_dirs: set[str] = field(default_factory=set)  # `test -r d -a -x d` holds
    globs: dict[str, list[str]] = field(default_factory=dict)
    existing: set[str] = field(default_factory=set)
    seen_dirs: set[str] = field(default_factory=set)  # listed dirs that exist
    commands: dict[tuple[str, ...], CommandResult] = field(default_factory=dict)


def build_script(patterns: list[str], dirs: list[str], max_bytes: int,
                 commands: Sequence[tuple[tuple[str, ...], float]] = (),
                 nonce: str | None = None, compress: bool = True) -> tuple[str, str]:
    """(script, nonce): a POSIX sh script printing the bundle of `patterns`, `dirs` and
    `commands` (argv, timeout); through `gzip -1` when `compress` and the host has gzip."""
    nonce = nonce or secrets.token_hex(8)
    runs = "\n".join(f"__cg_r {i} {int(max(1, t))} {shlex.join(argv)}"
                      for i, (argv, t) in enumerate(commands, 1))
    calls = "\n".join(f"__cg_g {i} {word}" for i, word in enumerate(map(shell_word, patterns), 1))
    list_words = " ".join(map(shell_word, dirs)) or "/nonexistent-"
    m = f"@{nonce}:"
    limit = int(max_bytes)
    gzip_test = "command -v gzip >/dev/null 2>&1" if compress else "false"
    script = f"""nl='
'
__to=
command -v timeout >/dev/null 2>&1 && __to=1
__cg_r() {{
__i=$1; __t=$2; shift 2
__w=0
if [ -n "$__to" ] && command -v "$1" >/dev/null 2>&1; then set -- timeout "$__t" "$@"; __w=1; fi
__o=$( {{ __e=$("$@" 2>&1 1>&3 3>&-; printf 'x%s' "$?"); printf '%s|%s' '{m}' "$__e"; }} 3>&1 )
printf 'C\\t%s\\t%s\\t%s\\n%s\\n' "$__i" "$__w" "$(LC_ALL=C; printf %s "${{#__o}}")" "$__o"
}}
__cg_g() {{
i=$1; shift
for p in "$@"; do
  case $p in *"$nl"*) continue;; esac
  if [ ! -e "$p" ]; then  # absent for sure when the nearest existing ancestor is searchable
    d=${{p%/*}}
    while [ -n "$d" ] && [ ! -e "$d" ]; do d=${{d%/*}}; done
    [ -x "${{d:-/}}" ] && printf 'N\\t%s\\n' "$p"
    continue
  fi
  printf 'G\\t%s\\t%s\\n' "$i" "$p"
  el="$el$p$nl"
  if [ -f "$p" ]; then
    if [ ! -r "$p" ]; then printf 'D\\t%s\\n' "$p"
    elif [ -s "$p" ]; then tl="$tl$p$nl"
    else zl="$zl$p$nl"; fi
  elif [ -d "$p" ]; then
    if [ -r "$p" ] && [ -x "$p" ]; then printf 'A\\t%s\\n' "$p"; else printf 'U\\t%s\\n' "$p"; fi
  fi
done
}}
__cg_main() {{
el=
tl=
zl=
{calls}
for d in {list_words}; do
  case $d in *"$nl"*) continue;; esac
  [ -d "$d" ] || continue
  if [ -r "$d" ] && [ -x "$d" ]; then
    printf 'E\\t%s\\n' "$d"
    for n in "$d"/* "$d"/.[!.]* "$d"/..?*; do
      [ -e "$n" ] || [ -L "$n" ] || continue
      case $n in *"$nl"*) printf 'X\\t%s\\n' "$d"; continue;; esac
      printf 'L\\t%s\\n' "$n"
    done
  else printf 'U\\t%s\\n' "$d"; fi
done
printf '%sS\\n' '{m}'
IFS=$nl; set -f
set -- $el
set +f; unset IFS
[ $# -gt 0 ] && stat -L -c '{STAT_FORMAT}|%n' -- "$@" 2>/dev/null
printf '%sC\\n' '{m}'
{runs}
printf '%sZ\\n' '{m}'
IFS=$nl; set -f
set -- $zl
if [ $# -gt 0 ]; then grep -H -a '' -- "$@" 2>/dev/null; printf '%sR%s\\n' '{m}' "$?"; fi
set -- $tl
set +f; unset IFS
printf '%sT\\n' '{m}'
[ $# -gt 0 ] && find -L "$@" -maxdepth 0 -type f -size -{limit + 1}c -print 2>/dev/null \\
  | tar -chf - -T - 2>/dev/null
}}
if {gzip_test}; then __cg_main 2>/dev/null | gzip -1
else __cg_main 2>/dev/null; fi
true
"""
    return script, nonce


def parse_bundle(raw: bytes, patterns: list[str], nonce: str, max_bytes: int,
                 commands: Sequence[tuple[tuple[str, ...], float]] = ()) -> Bundle:
    """The Bundle in `raw` (gzip or plain); ValueError when it is not one."""
    if raw[:2] == b"\x1f\x8b":
        raw = decompress("bundle.gz", raw, MAX_DECOMPRESSED)
    m = f"@{nonce}:".encode()
    sections: list[bytes] = []
    pos = 0
    for tag in (b"S\n", b"C\n", b"Z\n", b"T\n"):  # found in place: the 2 MB are copied once
        at = raw.find(m + tag, pos)
        if at < 0:
            raise ValueError("the host's answer is not a complete bundle")
        sections.append(raw[pos:at])
        pos = at + len(m) + len(tag)
    head, stats_part, c_part, z_part = sections
    tar_part = raw[pos:]
    b = Bundle()
    _parse_commands(c_part, m + b"|", commands, b)
    _parse_head(head.decode("utf-8", "surrogateescape"), patterns, b)
    for line in stats_part.decode("utf-8", "surrogateescape").split("\n"):
        parts = line.split("|", 8)
        if len(parts) == 9 and parts[8] in b.existing:
            st = parse_stat(parts[8], "|".join(parts[:8]))
            if st is not None:
                b.stats[parts[8]] = st
    zero = [p for p in b.existing if p not in b.denied and (st := b.stats.get(p)) is not None
            and st.is_file and st.size == 0]
    _parse_zero(z_part, m, zero, b)
    _parse_tar(tar_part, max_bytes, b)
    return b


def _parse_head(text: str, patterns: list[str], b: Bundle) -> None:
    unreliable: set[str] = set()
    for line in text.split("\n"):
        kind, _, rest = line.partition("\t")
        if kind == "G":
            idx, _, path = rest.partition("\t")
            if idx.isdigit() and 0 < int(idx) <= len(patterns):
                b.existing.add(path)
                b.globs.setdefault(patterns[int(idx) - 1], []).append(path)
        elif kind == "D":
            b.denied.add(rest)
        elif kind == "N":  # absent, and its directory could be searched: truly absent
            b.absent.add(rest)
        elif kind == "A":
            b.open_dirs.add(rest)
        elif kind == "U":
            b.closed_dirs.add(rest)
            b.seen_dirs.add(rest)
        elif kind == "E":
            b.open_dirs.add(rest)
            b.seen_dirs.add(rest)
            b.listings.setdefault(rest, [])
        elif kind == "L":
            parent, _, name = rest.rpartition("/")
            b.listings.setdefault(parent or "/", []).append(name)
        elif kind == "X":
            unreliable.add(rest)
    for d in unreliable:
        b.listings.pop(d, None)


def _parse_commands(data: bytes, sep: bytes, commands: Sequence[tuple[tuple[str, ...], float]],
                    b: Bundle) -> None:
    """`C <index> <wrapped in timeout> <length>` headers, each followed by that many bytes:
    stdout, the separator, stderr, `x` and the exit code."""
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            return
        head = data[pos:end].split(b"\t")
        if len(head) != 4 or head[0] != b"C" or not all(x.isdigit() for x in head[1:]):
            return
        idx, wrapped, size = (int(x) for x in head[1:])
        body = data[end + 1:end + 1 + size]
        pos = end + 2 + size
        out, found, rest = body.partition(sep)
        err, x, code = rest.rpartition(b"x")
        if not (found and x and code.isdigit()) or not 0 < idx <= len(commands):
            continue
        argv, timeout = commands[idx - 1]
        rc = int(code)
        b.commands[argv] = CommandResult(
            argv, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
            bool(wrapped) and rc == 124, 0.0)


def _parse_zero(data: bytes, marker: bytes, zero: list[str], b: Bundle) -> None:
    """`grep -H` lines: the longest known name followed by ':' owns the line. Used only when
    grep ran (status 0, or 1 when every file was empty)."""
    body, found, status = data.rpartition(marker + b"R")
    if not zero or not found or status.strip() not in (b"0", b"1"):
        return
    owners = {n.encode("utf-8", "surrogateescape"): n for n in zero}
    chunks: dict[str, list[bytes]] = {n: [] for n in zero}
    for line in body.split(b"\n")[:-1]:
        at = len(line)  # the longest name: tried at each ':' from the right, a lookup each
        while (at := line.rfind(b":", 0, at)) > 0:
            if (name := owners.get(line[:at])) is not None:
                chunks[name].append(line[at + 1:] + b"\n")
                break
    for n, lines in chunks.items():
        b.contents[n] = b"".join(lines)


def _parse_tar(data: bytes, max_bytes: int, b: Bundle) -> None:
    if not data:
        return
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for member in tar:
                path = "/" + member.name.lstrip("/")
                if member.islnk():  # the same file named twice (a symlink and its target)
                    first = "/" + member.linkname.lstrip("/")
                    if first in b.contents:
                        b.contents[path] = b.contents[first]
                    continue
                if not member.isfile() or member.size > max_bytes:
                    continue
                fh = tar.extractfile(member)
                if fh is not None:
                    b.contents[path] = fh.read()
    except (tarfile.TarError, EOFError, OSError):
        return  # what was read stands; the rest is read on demand


def parse_stat(path: str, out: str) -> FileStat | None:
    """A FileStat from one `stat -L -c STAT_FORMAT` line; None when it is not one."""
    fields_ = out.strip().split("|")
    if len(fields_) != 8:
        return None
    mode, uid, gid, owner, group, size, mtime, ftype = fields_
    try:
        return FileStat(path=path, mode=int(mode, 8), uid=int(uid), gid=int(gid), owner=owner,
                        group=group, size=int(size), mtime=float(mtime),
                        is_dir=ftype == "directory", is_file=ftype.startswith("regular"),
                        is_link=False)
    except ValueError:
        return None


__all__ = ["STAT_FORMAT", "Bundle", "build_script", "is_glob", "parse_bundle", "parse_stat",
           "sendable"]
