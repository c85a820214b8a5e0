"""`ssh://user@host[:port]`: a remote host reached with the system's OpenSSH client.

Why the OpenSSH client and not a Python SSH library: government networks reach servers through
bastions, and operators already describe them in ~/.ssh/config (ProxyJump, IdentityFile,
certificates, agents, GSSAPI). The real `ssh` honours all of it exactly as the operator's own
terminal does. One master connection per host (ControlMaster) carries every probe, so a probe
costs one channel, not one handshake.

Nothing is installed or written on the host: every operation is a read-only command
(`cat`, `stat`, `ls`, a `for` over a glob) run through the remote user's shell.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from cityguard.core.errors import FileTooLarge, TargetError, UsageError
from cityguard.core.limits import MAX_TARGET_FILE
from cityguard.system.sshspec import parse_ssh_address
from cityguard.targets import TARGETS
from cityguard.targets.base import CommandResult, FileStat, HostFacts, output_text
from cityguard.targets.osrelease import container_hint, facts_from_files
from cityguard.targets.ssh_bundle import (
    STAT_FORMAT,
    build_script,
    parse_bundle,
    parse_stat,
    sendable,
    shell_word,
)
from cityguard.targets.ssh_memory import HostMemory


class _SlowFirstCommand(Exception):
    """The command that was to open the connection did not end in time."""


@dataclass(frozen=True)
class SSHOptions:
    """How to reach hosts; the defaults trust only keys already in known_hosts."""

    accept_new_host_keys: bool = False  # StrictHostKeyChecking=accept-new instead of yes
    known_hosts: str | None = None  # UserKnownHostsFile (default: the user's own)
    config_file: str | None = None  # ssh -F (default: ~/.ssh/config and /etc/ssh/ssh_config)
    identity_file: str | None = None
    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    sudo: bool = False  # read files and run commands through `sudo -n`
    extra_options: tuple[str, ...] = field(default_factory=tuple)  # raw "-o Key=Value" pairs


def parse_ssh_spec(spec: str) -> tuple[str | None, str, int | None]:
    """ssh://user@host:port → (user, host, port); IPv6 hosts in brackets.

    Host, user and port are checked strictly (system.sshspec): none can start with `-` or
    carry characters ssh or a shell would read as syntax.
    """
    addr = parse_ssh_address(spec)
    return addr.user, addr.host, addr.port


class SSHTarget(HostMemory):
    name: ClassVar[str] = "ssh"
    kind: ClassVar[str] = "ssh"
    can_run_commands = True

    def __init__(
        self, spec: str, options: SSHOptions | None = None, *, asset_id: str | None = None
    ) -> None:
        self.spec = spec
        self.asset_id = asset_id or spec
        self.user, self.host, self.port = parse_ssh_spec(spec)
        self.options = options or SSHOptions()
        if shutil.which("ssh") is None:
            raise TargetError(f"{spec}: the OpenSSH client (ssh) is not installed")
        self._control_dir = tempfile.mkdtemp(prefix="cityguard-ssh-")
        self._lock = threading.Lock()
        self._connected = False
        #: the first command opens a master connection (ControlPersist) that later commands
        #: share. A fleet host whose bundle is expected to answer everything opens none: one
        #: ssh process, no master to fork and end; a later command opens the master then
        self.keep_master = True
        HostMemory.__init__(self)
        self._fetch_lock = threading.Lock()
        self._facts: HostFacts | None = None

    # -- connection --------------------------------------------------------------------------

    def _argv(self, *command: str, control: str | None = None,
              master: bool = True) -> list[str]:
        """ssh's options, then `--`, then the destination and the remote command.

        The `--` is what keeps a destination from ever being read as an option (a host
        `-oProxyCommand=…` would run a local command); hosts are also validated on parsing.
        """
        control_op = ["-O", control] if control else []
        return [*self._options(master), *control_op, "--", self.host, *command]

    def _options(self, master: bool = True) -> list[str]:
        o = self.options
        argv = ["ssh", "-T", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]
        if o.config_file:
            argv += ["-F", o.config_file]
        argv += [
            "-o", f"StrictHostKeyChecking={'accept-new' if o.accept_new_host_keys else 'yes'}",
            "-o", f"ConnectTimeout={max(1, int(o.connect_timeout))}",
            "-o", f"ControlMaster={'auto' if master else 'no'}",
            "-o", f"ControlPath={self._control_dir}/cm",
            *(("-o", "ControlPersist=120") if master else ()),
            "-o", "ServerAliveInterval=15",
        ]
        if o.known_hosts:
            argv += ["-o", f"UserKnownHostsFile={o.known_hosts}"]
        if o.identity_file:
            argv += ["-i", o.identity_file, "-o", "IdentitiesOnly=yes"]
        for opt in o.extra_options:
            argv += ["-o", opt]
        if self.port:
            argv += ["-p", str(self.port)]
        if self.user:
            argv += ["-l", self.user]
        return argv

    def connect(self) -> None:
        """Open the master connection; a clear TargetError when the host cannot be reached."""
        self._open("true")

    def _open(self, command: str, timeout: float = 0.0) -> subprocess.CompletedProcess | None:
        """Open the master connection with `command` as its first session, so that connecting
        and the first real work are one round trip; None when already connected."""
        self._may_block()
        with self._lock:
            if self._connected:
                return None
            try:
                proc = subprocess.run(
                    self._argv(command, master=self.keep_master),
                    capture_output=True,
                    timeout=self.options.connect_timeout + 5 + timeout,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                if command != "true":
                    raise _SlowFirstCommand from None
                raise TargetError(
                    f"{self.spec}: no SSH answer within {self.options.connect_timeout:g} s"
                ) from None
            if proc.returncode == 255 or (command == "true" and proc.returncode != 0):
                raise self._ssh_failed(proc.stderr)
            self._connected = True
            return proc

    def _ssh_failed(self, stderr: bytes | str | None) -> TargetError:
        """ssh itself failed (exit 255: connection refused or lost, master gone): its last
        line of stderr says why."""
        return TargetError(f"{self.spec}: {_last_line(output_text(stderr)) or 'ssh failed'}")

    def _remote(self, command: str, timeout: float | None = None) -> CommandResult:
        self._may_block()
        self.connect()
        started = time.monotonic()
        limit = timeout if timeout is not None else self.options.command_timeout
        argv = self._argv(command)
        try:
            proc = subprocess.run(
                argv, capture_output=True, timeout=limit, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            return CommandResult(
                (command,), -1, output_text(exc.stdout), output_text(exc.stderr), True,
                time.monotonic() - started,
            )
        if proc.returncode == 255:  # ssh itself failed (connection lost, master gone)
            raise self._ssh_failed(proc.stderr)
        return CommandResult(
            (command,), proc.returncode, output_text(proc.stdout), output_text(proc.stderr), False,
            time.monotonic() - started,
        )

    def _sudo(self, command: str) -> str:
        return f"sudo -n {command}" if self.options.sudo else command

    # -- prefetch: everything the checks read, in one round trip ----------------------------

    def prefetch(
        self, patterns: list[str], dirs: Sequence[str] = (), max_bytes: int = 4 * 1024 * 1024,
        commands: Sequence[tuple[tuple[str, ...], float]] = (),
    ) -> int:
        """Read every file matching `patterns` (absolute globs), their metadata, the listings
        of `dirs` and the output of `commands` (argv, timeout) in ONE remote command
        (targets.ssh_bundle), which also opens the connection when it is not open yet;
        returns the number of files cached. Literal paths that do not exist are remembered
        as absent; anything not prefetched is still read or run on demand."""
        listed = sorted({d for d in dirs if sendable(d)})
        # the listed directories are stat'ed too: whether they exist and may be read
        live = sorted({p for p in patterns if sendable(p)} | set(listed))
        if not live and not listed:
            return 0
        script, nonce = build_script(live, listed, max_bytes, commands,
                                     compress=not _is_loopback(self.host))
        res = self._remote_bytes(self._sudo(f"sh -c {shlex.quote(script)}"), timeout=120)
        if res is None:
            return 0
        try:
            bundle = parse_bundle(res, live, nonce, max_bytes, commands)
        except ValueError:
            return 0
        return self._load_bundle(bundle, live, listed)

    def _remote_bytes(self, command: str, timeout: float) -> bytes | None:
        """stdout of a remote command as bytes (the first one also connects); None when it
        failed or timed out."""
        try:
            proc = self._open(command, timeout)
        except _SlowFirstCommand:  # slow work, or a host that never answers? ask plainly
            self.connect()
            return None
        if proc is None:
            try:
                proc = subprocess.run(self._argv(command), capture_output=True,
                                      timeout=timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                return None
        if proc.returncode == 255:
            raise self._ssh_failed(proc.stderr)
        return proc.stdout if proc.returncode == 0 else None

    # -- the Target protocol (each answer traced for the fleet's memo: targets.ssh_memo) ----

    def read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        return self._traced("read_bytes", (path, max_bytes),
                            lambda: self._read_bytes(path, max_bytes))

    def stat(self, path: str) -> FileStat | None:
        return self._traced("stat", (path,), lambda: self._stat(path))

    def list_dir(self, path: str) -> list[str]:
        return self._traced("list_dir", (path,), lambda: self._list_dir(path))

    def glob(self, pattern: str) -> list[str]:
        return self._traced("glob", (pattern,), lambda: self._glob(pattern))

    def run(self, argv: list[str], timeout: float) -> CommandResult:
        return self._traced("run", (tuple(argv), timeout),
                            lambda: self._run(list(argv), timeout))

    def _read_bytes(self, path: str, max_bytes: int = MAX_TARGET_FILE) -> bytes:
        cached = self._read_cache.get(path)
        if cached is None and self._known_absent(path):
            cached = FileNotFoundError(2, "No such file or directory", path)
        if isinstance(cached, BaseException):  # without the tracebacks of earlier raises
            raise cached.with_traceback(None)
        if cached is not None:
            if len(cached) > max_bytes:
                raise FileTooLarge(path, max_bytes, len(cached))
            return cached
        st = self._stat_cache.get(path)
        if st is not None and st.is_file and st.size > max_bytes:  # as `head -c` would show
            raise FileTooLarge(path, max_bytes, st.size)
        with self._fetch_lock:  # checks in flight often want the same file: fetch it once
            if path in self._read_cache:
                return self._read_bytes(path, max_bytes)
            return self._fetch(path, max_bytes)

    def _fetch(self, path: str, max_bytes: int) -> bytes:
        self._may_block()
        self.connect()
        self.missed_paths.add(path)
        # one byte more than allowed: a file that has it is refused, never judged on a prefix
        cmd = self._sudo(f"head -c {int(max_bytes) + 1} -- {shlex.quote(path)}")
        argv = self._argv(cmd)
        try:
            proc = subprocess.run(
                argv, capture_output=True, timeout=self.options.command_timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise TargetError(f"{self.spec}: reading {path} timed out") from None
        if proc.returncode == 255:
            raise self._ssh_failed(proc.stderr)
        if proc.returncode != 0:
            err = output_text(proc.stderr)
            exc: OSError
            if "No such file" in err or "Not a directory" in err:
                exc = FileNotFoundError(2, "No such file or directory", path)
            elif "Permission denied" in err or "a password is required" in err:
                exc = PermissionError(13, "Permission denied", path)
            elif "Is a directory" in err:
                exc = IsADirectoryError(21, "Is a directory", path)
            else:
                exc = OSError(5, _last_line(err) or "read failed", path)
            self._read_cache[path] = exc
            raise exc
        if len(proc.stdout) > max_bytes:
            raise FileTooLarge(path, max_bytes)
        self._read_cache[path] = proc.stdout
        return proc.stdout

    def _stat(self, path: str) -> FileStat | None:
        if path in self._stat_cache:
            return self._stat_cache[path]
        if self._known_absent(path):
            return None
        with self._key_lock(("stat", path)):  # concurrent checks ask once
            if path in self._stat_cache:
                return self._stat_cache[path]
            self.missed_paths.add(path)
            cmd = self._sudo(f"stat -L -c '{STAT_FORMAT}' -- {shlex.quote(path)}")
            res = self._remote(cmd)
            st = parse_stat(path, res.stdout) if res.exit_code == 0 else None
            self._stat_cache[path] = st
            return st

    def _list_dir(self, path: str) -> list[str]:
        if path in self._list_cache:
            return sorted(self._list_cache[path])
        if path in self._closed_dirs:  # as `ls` on a closed directory: nothing listed
            return []
        with self._key_lock(("list", path)):
            if path not in self._list_cache:
                self.missed_dirs.add(path)
                res = self._remote(self._sudo(f"ls -1A -- {shlex.quote(path)}"))
                names = sorted(filter(None, res.stdout.splitlines())) if res.exit_code == 0 \
                    else []
                self._list_cache[path] = names  # the host does not change during one run
            return sorted(self._list_cache[path])

    def _glob(self, pattern: str) -> list[str]:
        if not pattern.startswith("/"):
            raise UsageError(f"glob pattern {pattern!r} must be an absolute path")
        if pattern in self._glob_cache:
            return list(self._glob_cache[pattern])
        parent, _, leaf = pattern.rpartition("/")
        if parent in self._list_cache and not any(ch in parent for ch in "*?["):
            import fnmatch

            return sorted(f"{parent}/{n}" for n in self._list_cache[parent]
                          if fnmatch.fnmatchcase(n, leaf) and not n.startswith("."))
        self.missed_paths.add(pattern)
        live = shell_word(pattern)
        script = f'for f in {live}; do [ -e "$f" ] && printf "%s\\n" "$f"; done; true'
        res = self._remote(self._sudo(f"sh -c {shlex.quote(script)}"))
        return sorted({line for line in res.stdout.splitlines() if line})

    def _run(self, argv: list[str], timeout: float) -> CommandResult:
        answered = self._answers.get(tuple(argv))
        if answered is not None:
            return answered
        self._may_block()
        self.missed_commands.add((tuple(argv), float(timeout)))
        res = self._remote(self._sudo(shlex.join(argv)), timeout=timeout)
        return CommandResult(
            tuple(argv), res.exit_code, res.stdout, res.stderr, res.timed_out, res.duration_s
        )

    def facts(self) -> HostFacts:
        if self._facts is None:
            def read_text(path: str) -> str | None:
                try:
                    return self.read_bytes(path).decode("utf-8", "replace")
                except OSError:
                    return None

            hostname = (read_text("/proc/sys/kernel/hostname") or "").strip()
            markers = ("/.dockerenv", "/run/.containerenv", "/proc/1/cgroup")
            hints = {p: t for p in markers if (t := read_text(p)) is not None}
            self._facts = facts_from_files(read_text, hostname, container_hint(hints))
        return self._facts

    def close(self) -> None:
        # a fleet keeps its target objects until the end: drop what was read from this host
        self.forget()
        if self._connected and os.path.exists(f"{self._control_dir}/cm"):
            subprocess.run(
                self._argv(control="exit"),
                capture_output=True, timeout=10, stdin=subprocess.DEVNULL,
            )
        self._connected = False
        shutil.rmtree(self._control_dir, ignore_errors=True)

    def __del__(self) -> None:  # a forgotten close must not leave master processes behind
        try:
            if self._connected or os.path.isdir(self._control_dir):
                self.close()
        except Exception:  # noqa: S110 - best effort during interpreter shutdown
            pass


def _is_loopback(host: str) -> bool:
    """This machine itself (127.0.0.0/8, ::1, localhost): bytes cost nothing to move."""
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False



def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _register() -> None:
    if "ssh" not in TARGETS:
        TARGETS.register(SSHTarget)


_register()
