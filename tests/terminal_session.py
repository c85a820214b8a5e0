"""Drive the real CLI on a pseudo-terminal (for the questions asked only in a terminal).

The child is started with subprocess on the pty's slave side, never with a bare fork: the
test process may still have threads from earlier tests, and a forked child can deadlock.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path


class TerminalSession:
    """`columns=None`: a wide plain terminal (COLUMNS=200, NO_COLOR, TERM=dumb) for prompts.
    `columns=N`: a colour terminal N cells wide, as a user's (the width comes from the pty's
    window size, not from $COLUMNS); `env` adds or overrides variables."""

    def __init__(self, *args: str, cwd: Path | None = None, columns: int | None = None,
                 rows: int = 50, env: dict[str, str] | None = None) -> None:
        base = {k: v for k, v in os.environ.items()
                if k not in ("CI", "COLUMNS", "LINES", "NO_COLOR")}
        if columns is None:
            base.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
        else:
            base.update(TERM="xterm-256color")
        base.update(env or {})
        env = base
        self.fd, tty = pty.openpty()
        if columns is not None:
            fcntl.ioctl(tty, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cityguard", *args],
            stdin=tty, stdout=tty, stderr=tty, env=env, cwd=cwd, start_new_session=True,
        )
        os.close(tty)
        self.buf = bytearray()

    def read_until(self, needle: bytes, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while needle not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not seen in {bytes(self.buf)!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                self.buf.extend(chunk)

    def answer(self, prompt_end: bytes, text: str) -> None:
        """Wait for a prompt, type the answer, and wait for its echo."""
        self.read_until(prompt_end)
        self.buf.clear()
        os.write(self.fd, text.encode() + b"\n")
        self.read_until(text.encode() + b"\r\n")

    def read_to_end(self, timeout: float = 120) -> str:
        """Everything the program writes until it exits (decoded; control codes kept)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                self.buf.extend(chunk)
            elif self.proc.poll() is not None:
                break
        return bytes(self.buf).decode("utf-8", "replace")

    def close(self, timeout: float = 15) -> int:
        """The exit code; a child still waiting for input is killed (never hang the suite)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        os.close(self.fd)
        return code
