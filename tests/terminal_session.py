"""Drive the real CLI on a pseudo-terminal (for the questions asked only in a terminal).

The child is started with subprocess on the pty's slave side, never with a bare fork: the
test process may still have threads from earlier tests, and a forked child can deadlock.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path


class TerminalSession:
    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
        self.fd, tty = pty.openpty()
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

    def close(self, timeout: float = 15) -> int:
        """The exit code; a child still waiting for input is killed (never hang the suite)."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        os.close(self.fd)
        return code
