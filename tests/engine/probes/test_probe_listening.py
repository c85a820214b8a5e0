"""`listening`: sockets from /proc/net (a fixture tree, and this machine)."""

from __future__ import annotations

import socket
from pathlib import Path

from engine_helpers import write_tree

from cityguard.targets import open_target

TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0
   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112
   2: 0100007F:0CEA 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   112
"""
TCP6 = """  sl  local_address                         remote_address                        st
   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A
   1: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A
"""
UDP = """  sl  local_address rem_address   st
  10: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0
"""


def test_parses_proc_net(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"proc/net/tcp": TCP, "proc/net/tcp6": TCP6,
                                       "proc/net/udp": UDP})
    res = run_rules(root, [{"probe": "listening", "protocol": "tcp",
                            "expect": {"in": ["tcp:0.0.0.0:22", "tcp:127.0.0.1:3306",
                                              "tcp:[::]:80", "tcp:127.0.0.1:8080"]}}])
    assert res.status.value == "pass"
    assert [e.observed for e in res.evidence] == ["tcp:0.0.0.0:22", "tcp:127.0.0.1:3306",
                                                  "tcp:[::]:80", "tcp:127.0.0.1:8080"]
    telnet = run_rules(root, [{"probe": "listening", "protocol": "tcp", "port": [23, 514],
                               "expect": {"exists": False}}])
    assert telnet.status.value == "pass"
    udp = run_rules(root, [{"probe": "listening", "protocol": "udp", "port": 514,
                            "expect": {"exists": True}}])
    assert udp.status.value == "pass"
    mysql = run_rules(root, [{"probe": "listening", "port": 3306,
                              "expect": {"regex": r"^tcp:127\.0\.0\.1:"}}])
    assert mysql.status.value == "pass"
    addr = run_rules(root, [{"probe": "listening", "protocol": "tcp", "address": "0.0.0.0",
                             "expect": {"count": {"equals": 1}}}])
    assert addr.status.value == "pass"


def test_dir_without_proc_is_not_applicable(tmp_path: Path, run_rules) -> None:
    res = run_rules(tmp_path, [{"probe": "listening", "expect": {"exists": False}}])
    assert res.status.value == "not_applicable" and "/proc/net" in res.reason


def test_a_real_listening_socket_on_this_machine(run_rules) -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    try:
        res = run_rules(open_target("local"), [{"probe": "listening", "protocol": "tcp",
                                                "port": port,
                                                "expect": {"equals": f"tcp:127.0.0.1:{port}"}}])
        assert res.status.value == "pass"
    finally:
        srv.close()
