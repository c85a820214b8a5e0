"""A real OpenSSH server on 127.0.0.1, shared by the SSH target and fleet tests."""

from __future__ import annotations

import pytest

from sshd_server import SSHServer, sshd_available, start_sshd


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory) -> SSHServer:
    if not sshd_available():
        pytest.skip("OpenSSH server (sshd) not installed: apt-get install openssh-server")
    srv = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield srv
    srv.stop()
