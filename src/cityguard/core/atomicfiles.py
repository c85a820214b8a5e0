"""Files cityguard writes for people (reports): private, atomic, and no leftovers.

- Private: a report lists every weakness of a system and quotes evidence from its hosts, so
  files are 0600 and the folders cityguard creates for them 0700. A site that shares reports
  through group or other permissions sets CITYGUARD_REPORT_MODE (octal file mode, e.g. 0640);
  the folders then get the same bits plus x where r is set (0640 → 0750). Folders that exist
  already keep their mode: they are the user's.
- Atomic: each file is written to a hidden temporary file beside it (`.NAME.XXXXXXXX.tmp`)
  and renamed over NAME, so nobody sees half a report.
- No leftovers: a run killed with SIGKILL cannot remove its temporary files (a large report's
  can be hundreds of MB). The next write into the same folder removes them, but only ours
  and only stale ones: named `.NAME.XXXXXXXX.tmp` for a NAME we write, a regular file of this
  user, not locked (a writer holds an flock on its temporary file until the rename; the
  kernel drops it when the process dies), and untouched for STALE_TEMP_SECONDS.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from cityguard.core.errors import UsageError

MODE_ENV = "CITYGUARD_REPORT_MODE"
DEFAULT_FILE_MODE = 0o600
#: a temporary file left alone this long by a writer that holds no lock is a leftover
STALE_TEMP_SECONDS = 10 * 60
_TEMP_TAIL = re.compile(r"\.[A-Za-z0-9_]{8}\.tmp")  # what mkstemp puts after our prefix


def file_mode() -> int:
    """The mode of a report file: CITYGUARD_REPORT_MODE (octal) or 0600."""
    raw = os.environ.get(MODE_ENV, "").strip()
    if not raw:
        return DEFAULT_FILE_MODE
    try:
        mode = int(raw, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o666 or (mode & 0o600) != 0o600 or mode & 0o111:
        raise UsageError(f"{MODE_ENV}={raw!r} is not an octal file mode that lets the owner "
                         "read and write, without execute bits (e.g. 0600, 0640)")
    return mode


def dir_mode(mode: int | None = None) -> int:
    """The folder mode that goes with a file mode: x added wherever r is set."""
    mode = file_mode() if mode is None else mode
    return mode | ((mode & 0o444) >> 2)


def make_dirs(path: Path) -> None:
    """`path` and its missing parents, each created with dir_mode(); existing ones untouched."""
    path = Path(path)
    if path.is_dir():
        return
    missing = []
    for p in (path, *path.parents):
        if p.is_dir():
            break
        missing.append(p)
    mode = dir_mode()
    for p in reversed(missing):
        try:
            p.mkdir(mode=mode)
        except FileExistsError:
            if not p.is_dir():
                raise
            continue
        os.chmod(p, mode)  # mkdir's mode passes through the umask


class Staged:
    """A temporary file beside `dest`, locked while it is written; `commit()` renames it."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        mode = file_mode()
        fd, self.tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        self.fh: BinaryIO = os.fdopen(fd, "wb")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fresh file: nobody else holds it
            os.fchmod(fd, mode)
        except OSError:
            self.discard()
            raise

    def commit(self) -> None:
        self.fh.flush()
        os.replace(self.tmp, self.dest)
        self.fh.close()

    def discard(self) -> None:
        self.fh.close()
        if os.path.lexists(self.tmp):
            os.unlink(self.tmp)


def remove_stale_temps(folder: Path, names: Iterable[str], now: float | None = None) -> list[str]:
    """Remove our leftover temporary files for `names` in `folder`; the names removed."""
    wanted = set(names)
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if _is_stale_temp(entry, wanted, now):
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                continue  # gone already, or not ours to remove: leave it
    return removed


def _is_stale_temp(entry: os.DirEntry[str], names: set[str], now: float) -> bool:
    name = entry.name
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False
    tail = _TEMP_TAIL.search(name)
    if tail is None or tail.end() != len(name) or name[1:tail.start()] not in names:
        return False
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    if not entry.is_file(follow_symlinks=False) or st.st_uid != os.getuid():
        return False
    if now - st.st_mtime < STALE_TEMP_SECONDS:
        return False
    return not _locked(entry.path)


def _locked(path: str) -> bool:
    """Whether a live writer holds the file's lock (an open that fails counts as locked)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def write_atomic(dest: str | Path, data: bytes) -> Path:
    """One file written privately and atomically (leftovers of killed runs removed first)."""
    p = Path(dest)
    try:
        make_dirs(p.parent)
        remove_stale_temps(p.parent, [p.name])
        staged = Staged(p)
        try:
            staged.fh.write(data)
            staged.commit()
        finally:
            staged.discard()
    except OSError as exc:
        raise UsageError(f"cannot write {p}: {exc.strerror or exc}") from None
    return p
