"""A loopback SSH server that plays a network device for the tests (paramiko's server side).

It prints a prompt, echoes what it is sent as a device CLI does, answers the paging and
terminal commands netmiko sends on login with nothing, answers `show running-config` (or the
family's `display`) with a configuration file, and records every command line it receives, so
a test can prove that only read-only commands reached the device.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import paramiko

SESSION_COMMANDS = {"terminal width 511", "terminal length 0", "screen-length 0 temporary",
                    "screen-length disable", "exit", "quit", ""}


@dataclass
class DeviceServer:
    config: Path
    hostname: str = "CORE-RTR-01"
    show: str = "show running-config"
    username: str = "audit"
    password: str = "loopback-only-test"
    commands: list[str] = field(default_factory=list)
    host_key: paramiko.PKey = field(default_factory=lambda: paramiko.ECDSAKey.generate())
    port: int = 0

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.5)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DeviceServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {self.host_key.get_name()} {self.host_key.get_base64()}\n"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        server = _Interface(self.username, self.password)
        try:
            transport.start_server(server=server)
            chan = transport.accept(10)
            if chan is None or not server.shell.wait(10):
                return
            self._shell(chan)
        except (paramiko.SSHException, EOFError, OSError):
            return
        finally:
            transport.close()

    def _shell(self, chan: paramiko.Channel) -> None:
        prompt = f"{self.hostname}#"
        chan.sendall(f"\r\n{prompt}".encode())
        line, last = "", ""
        while not self._stop.is_set():
            data = chan.recv(4096)
            if not data:
                return
            for ch in data.decode("utf-8", "replace"):
                after_cr, last = last == "\r", ch
                if ch in "\r\n":
                    cmd = line.strip()
                    line = ""
                    if ch == "\n" and after_cr:  # the second half of a CR LF
                        continue
                    self.commands.append(cmd)
                    chan.sendall(("\r\n" + self._answer(cmd) + prompt).encode())
                    if cmd in ("exit", "quit"):
                        chan.close()
                        return
                else:
                    line += ch
                    chan.sendall(ch.encode())  # the echo a device CLI gives

    def _answer(self, cmd: str) -> str:
        if cmd == self.show:
            text = self.config.read_text(encoding="utf-8", errors="replace")
            return text.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
        if cmd in SESSION_COMMANDS:
            return ""
        return "% Invalid input detected at '^' marker.\r\n"


class _Interface(paramiko.ServerInterface):
    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.shell = threading.Event()

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.username and password == self.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else \
            paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        self.shell.set()
        return True
