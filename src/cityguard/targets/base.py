"""How cityguard reaches an assessed object: one small protocol, three kinds.

`local` is the machine cityguard runs on, `dir:PATH` a directory treated as the root of a
host (file probes read PATH/etc/…; commands are not available), `ssh://user@host[:port]`
a remote host reached with the OpenSSH client. Probes see only this protocol, so the same
check library runs unchanged on each kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from cityguard.core.limits import MAX_TARGET_FILE


class CommandsUnavailable(Exception):
    """The target cannot run commands (a `dir:` target): command probes are not_applicable."""


class WouldBlock(BaseException):  # noqa: N818 - a signal, not an error: probes must not catch it
    """Raised inside a target's `memory_only()` block when an answer needs the host itself:
    the runner then runs the probe again in a watched thread (engine.runner._collect)."""


@dataclass(frozen=True)
class FileStat:
    path: str
    mode: int  # permission bits only (st_mode & 0o7777)
    uid: int
    gid: int
    owner: str  # user name, or the uid as text when unknown
    group: str
    size: int
    mtime: float  # seconds since the epoch
    is_dir: bool = False
    is_file: bool = True
    is_link: bool = False


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    duration_s: float = 0.0


@dataclass(frozen=True)
class HostFacts:
    """What the engine needs to decide where a check applies."""

    os_family: str = "unknown"  # debian | ubuntu | rhel-like | kylin | openeuler | uos | anolis | …
    os_id: str = ""  # ID= from os-release
    os_version: str = ""  # VERSION_ID= from os-release
    os_name: str = ""  # PRETTY_NAME
    hostname: str = ""
    platform: str = "linux"  # linux | unknown (a dir: of config files with no os-release)
    in_container: bool = False
    extra: dict[str, str] = field(default_factory=dict)


class Target(Protocol):
    """A host or host-like root. Paths are absolute host paths ("/etc/ssh/sshd_config")."""

    kind: ClassVar[str]  # local | dir | ssh (registry key)
    spec: str  # as the user wrote it: "local", "dir:/srv/cfg", "ssh://ops@10.0.0.5"
    asset_id: str  # the asset whose results this target gives (open_target(asset_id=…))
    can_run_commands: bool

    def read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        """Contents of a file. FileNotFoundError / PermissionError as the OS would raise;
        FileTooLarge (an OSError) above `max_bytes`: a check never judges a prefix."""
        ...

    def stat(self, path: str) -> FileStat | None:
        """None when the path does not exist (links are followed)."""
        ...

    def list_dir(self, path: str) -> list[str]:
        """Entry names of a directory (not full paths); [] when it does not exist."""
        ...

    def glob(self, pattern: str) -> list[str]:
        """Absolute host paths matching a glob pattern, sorted."""
        ...

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        """Run a program (never through a shell). Raises CommandsUnavailable on dir targets."""
        ...

    def facts(self) -> HostFacts: ...

    def close(self) -> None: ...


def output_text(data: bytes | str | None) -> str:
    """A command's captured output as text (undecodable bytes replaced, nothing for None)."""
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data
