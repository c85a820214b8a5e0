"""The machine cityguard runs on."""

from __future__ import annotations

import glob as _glob
import os
import socket
import stat as _stat
import subprocess
import time
from typing import BinaryIO, ClassVar

from cityguard.core.errors import FileTooLarge
from cityguard.core.limits import MAX_TARGET_FILE
from cityguard.targets.base import CommandResult, FileStat, HostFacts, output_text
from cityguard.targets.osrelease import container_hint, facts_from_files

#: commands run with a fixed locale so that their output parses the same everywhere
_COMMAND_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL": "C",
    "LANG": "C",
}


def _names() -> tuple[dict[int, str], dict[int, str]]:
    import grp
    import pwd

    users = {p.pw_uid: p.pw_name for p in pwd.getpwall()}
    groups = {g.gr_gid: g.gr_name for g in grp.getgrall()}
    return users, groups


def stat_to_filestat(path: str, st: os.stat_result, is_link: bool,
                     users: dict[int, str], groups: dict[int, str]) -> FileStat:
    return FileStat(
        path=path,
        mode=_stat.S_IMODE(st.st_mode),
        uid=st.st_uid,
        gid=st.st_gid,
        owner=users.get(st.st_uid, str(st.st_uid)),
        group=groups.get(st.st_gid, str(st.st_gid)),
        size=st.st_size,
        mtime=st.st_mtime,
        is_dir=_stat.S_ISDIR(st.st_mode),
        is_file=_stat.S_ISREG(st.st_mode),
        is_link=is_link,
    )


class LocalTarget:
    name: ClassVar[str] = "local"
    kind: ClassVar[str] = "local"
    can_run_commands = True

    def __init__(self, spec: str = "local", asset_id: str | None = None) -> None:
        self.spec = spec
        self._facts: HostFacts | None = None
        self._ids: tuple[dict[int, str], dict[int, str]] | None = None
        self.asset_id = asset_id or socket.gethostname() or "local"

    def read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        # opening a FIFO or device would block or stream forever: only regular files are read
        st = os.stat(path)
        if _stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "is a directory", path)
        if not _stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file: {path}")
        if st.st_size > max_bytes:
            raise FileTooLarge(path, max_bytes, st.st_size)
        with open(path, "rb") as fh:
            return read_limited(fh, max_bytes, path)

    def stat(self, path: str) -> FileStat | None:
        try:
            st = os.stat(path)
            is_link = os.path.islink(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if self._ids is None:
            self._ids = _names()
        return stat_to_filestat(path, st, is_link, *self._ids)

    def list_dir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(path))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def glob(self, pattern: str) -> list[str]:
        return sorted(_glob.glob(pattern, recursive=True))

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        start = time.monotonic()
        try:
            proc = subprocess.run(
                argv, capture_output=True, timeout=timeout, env=_COMMAND_ENV,
                stdin=subprocess.DEVNULL, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            return CommandResult(
                tuple(argv), -1, output_text(exc.stdout), output_text(exc.stderr), timed_out=True,
                duration_s=time.monotonic() - start,
            )
        return CommandResult(
            tuple(argv), proc.returncode, output_text(proc.stdout), output_text(proc.stderr),
            duration_s=time.monotonic() - start,
        )

    def facts(self) -> HostFacts:
        if self._facts is None:
            markers = {}
            for p in ("/.dockerenv", "/run/.containerenv", "/proc/1/cgroup", "/proc/1/environ"):
                text = self._read_text(p)
                if text is not None:
                    markers[p] = text.replace("\0", "\n")
            self._facts = facts_from_files(
                self._read_text, socket.gethostname(),
                container_hint(markers, os.environ.get("container", "")),  # noqa: SIM112 - lower-case by convention
            )
        return self._facts

    def _read_text(self, path: str) -> str | None:
        try:
            return self.read_bytes(path, 1024 * 1024).decode("utf-8", "replace")
        except OSError:
            return None

    def close(self) -> None:
        return None


def read_limited(fh: BinaryIO, max_bytes: int, path: str) -> bytes:
    """The whole file, or FileTooLarge when it holds more than `max_bytes` (a file that grew
    after stat, or a procfs file: those report size 0). Read in chunks: procfs files refuse
    one huge read (ENOMEM)."""
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = fh.read(min(65536, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise FileTooLarge(path, max_bytes)

