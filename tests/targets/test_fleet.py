"""Fleet assessment over SSH against a real OpenSSH server on 127.0.0.1."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from sshd_server import SSHServer, free_port

pytestmark = pytest.mark.ssh

# probes that only read files: over SSH they must give exactly what they give locally
FILE_PROBES = {"file", "file_content", "config_value", "accounts", "cron", "k8s", "listening"}


def _inventory(tmp_path: Path, server: SSHServer, n: int, dead: int = 0) -> Path:
    lines = ["[web]"]
    lines += [f"web{i:02d} ansible_host=127.0.0.1 ansible_port={server.port}"
              for i in range(1, n + 1)]
    lines += ["", "[db]", f"db01 ansible_host=127.0.0.1 ansible_port={server.port}"]
    if dead:
        lines += ["", "[dead]"]
        lines += [f"gone{i} ansible_host=127.0.0.1 ansible_port={free_port()}"
                  for i in range(dead)]
    lines += ["", "[all:vars]", f"ansible_user={server.user}"]
    inv = tmp_path / "hosts.ini"
    inv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return inv


def _file_based(check_ids: set[str]) -> set[str]:
    from cityguard.engine import load_library

    return {c.id for c in load_library() if c.id in check_ids and c.probes() <= FILE_PROBES
            and c.mode != "manual"}


def _privilege_errors(doc: dict) -> set[str]:
    return {r["check_id"] for r in doc["results"]
            if r["status"] == "error" and "permission denied" in r["reason"].lower()}


def test_remote_results_equal_local_for_file_based_checks(cli, ssh_server, tmp_path):
    """The SSH session logs in as an unprivileged account (see sshd_server): files only root can
    read give a clear 'permission denied' error remotely; every other file-based check must give
    exactly the local result."""
    remote, local = tmp_path / "remote.json", tmp_path / "local.json"
    res = cli("assess", "--target", ssh_server.spec, "--ssh-config", str(ssh_server.ssh_config),
              "--no-store", "--output", str(remote))
    assert res.exit_code == 0, res.output
    assert cli("assess", "--no-store", "--output", str(local)).exit_code == 0
    r_doc = json.loads(remote.read_text("utf-8"))
    l_doc = json.loads(local.read_text("utf-8"))
    r = {x["check_id"]: x["status"] for x in r_doc["results"]}
    lo = {x["check_id"]: x["status"] for x in l_doc["results"]}
    unprivileged = _privilege_errors(r_doc) if ssh_server.user != getpass.getuser() else set()
    ids = _file_based(set(r) & set(lo)) - unprivileged
    assert len(ids) > 50 and len(unprivileged) < 10
    assert {i: r[i] for i in ids} == {i: lo[i] for i in ids}
    other_errors = [x for x in r_doc["results"]
                    if x["status"] == "error" and x["check_id"] not in unprivileged]
    assert other_errors == []


def test_thirty_hosts_from_an_inventory_group_and_one_dead_host(cli, ssh_server, tmp_path):
    inv = _inventory(tmp_path, ssh_server, 30, dead=1)
    out = tmp_path / "fleet.json"
    res = cli("assess", "--inventory", str(inv), "--limit", "web,dead", "--ssh-config",
              str(ssh_server.ssh_config), "--connect-timeout", "3", "--jobs", "8", "--no-store",
              "--only", "L3-CES1-01,L3-CES1-02", "--output", str(out))
    # the live hosts are assessed and reported; the dead one fails the run (issue 20 item 8)
    assert res.exit_code == 2, res.output
    errors = [x for x in res.stderr.splitlines() if x.startswith("error:")]
    assert "gone0" in errors[0] or "127.0.0.1" in errors[0], errors
    doc = json.loads(out.read_text("utf-8"))
    assets = {a["id"] for a in doc["assets"]}
    assert assets == {f"web{i:02d}" for i in range(1, 31)} | {"gone0"}
    by_asset: dict[str, list[str]] = {}
    for r in doc["results"]:
        by_asset.setdefault(r["asset"], []).append(r["status"])
    assert set(by_asset["gone0"]) == {"error"}
    reasons = {r["reason"] for r in doc["results"] if r["asset"] == "gone0"}
    assert all("unreachable" in x for x in reasons)
    live_errors = [r for r in doc["results"] if r["asset"] != "gone0"
                   and r["status"] == "error" and "permission denied" not in r["reason"]]
    assert live_errors == []
    first = [r["status"] for r in doc["results"] if r["asset"] == "web01"]
    assert all([r["status"] for r in doc["results"] if r["asset"] == a] == first
               for a in assets - {"gone0"})
    assert any("unreachable" in line for line in doc["summary"]["not_checked"])


def test_limit_to_a_group_and_unknown_group(cli, ssh_server, tmp_path):
    inv = _inventory(tmp_path, ssh_server, 2)
    out = tmp_path / "db.json"
    res = cli("assess", "--inventory", str(inv), "--limit", "db", "--ssh-config",
              str(ssh_server.ssh_config), "--no-store", "--only", "L3-CES1-01",
              "--output", str(out))
    assert res.exit_code == 0, res.output
    assert {a["id"] for a in json.loads(out.read_text("utf-8"))["assets"]} == {"db01"}
    bad = cli("assess", "--inventory", str(inv), "--limit", "nosuch", "--no-store")
    assert bad.exit_code == 2 and "nosuch" in bad.stderr


def test_wrong_host_key_refuses_the_host(cli, ssh_server, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{ssh_server.port} ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIDJVhGeWz9mqzGOVgfWSo0i8W1y3g8vk0PeJmtPVDhxz\n")
    out = tmp_path / "x.json"
    res = cli("assess", "--target", ssh_server.spec, "--target", ssh_server.spec,
              "--ssh-config", str(ssh_server.ssh_config), "--known-hosts", str(known),
              "--no-store", "--only", "L3-CES1-01", "--output", str(out))
    assert res.exit_code == 2  # a refused host fails the run (issue 20 item 8)
    doc = json.loads(out.read_text("utf-8"))
    assert {r["status"] for r in doc["results"]} == {"error"}
    assert any("host key" in r["reason"].lower() for r in doc["results"])
