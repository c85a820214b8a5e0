"""A real `cityguard serve` process on a free port of 127.0.0.1 (tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

from sshd_server import free_port


@dataclass
class Server:
    url: str
    store: str
    proc: subprocess.Popen
    facts: dict[str, object] = field(default_factory=dict)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def start_server(store_url: str, *extra: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cityguard", "serve", "--bind", f"127.0.0.1:{port}",
         "--store", store_url, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("serve did not listen within 30 s")
    return Server(f"http://127.0.0.1:{port}", store_url, proc)
