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


def _by_check(doc: dict, asset: str | None = None) -> dict[str, dict]:
    """check id → its result without the asset and timing (what must not differ)."""
    out = {}
    for r in doc["results"]:
        if asset is None or r["asset"] == asset:
            out[r["check_id"]] = {k: v for k, v in r.items() if k not in ("asset", "duration_ms")}
    return out


def test_fleet_gives_host_by_host_what_a_local_run_gives(cli, ssh_server, tmp_path,
                                                         monkeypatch):
    """The fast path of a fleet (a scout host read file by file, the others from one bundle
    each, probes inline) against the slow truth: every host of a fleet over the same files
    gives the same results as every other, evidence and reasons included, and each gives the
    local run's results for every check that reads files the SSH login may read."""
    from cityguard.targets.ssh import SSHTarget

    asked: dict[str, int] = {}  # remote commands beyond the bundles, per host
    remote, fetch = SSHTarget._remote, SSHTarget._fetch

    def count(real):
        def wrapped(self, *a, **k):
            if not getattr(self._local, "memory_only", False):  # else: WouldBlock, retried
                asked[self.asset_id] = asked.get(self.asset_id, 0) + 1
            return real(self, *a, **k)
        return wrapped

    monkeypatch.setattr(SSHTarget, "_remote", count(remote))
    monkeypatch.setattr(SSHTarget, "_fetch", count(fetch))
    # a cache of its own: the first run has no memory of an earlier fleet, the second has
    monkeypatch.setenv("CITYGUARD_CACHE", str(tmp_path / "cache"))
    inv = tmp_path / "hosts.ini"
    inv.write_text("[web]\n" + "".join(
        f"web{i} ansible_host=127.0.0.1 ansible_port={ssh_server.port} "
        f"ansible_user={ssh_server.user}\n" for i in range(1, 4)), encoding="utf-8")
    fleet, again, local = tmp_path / "fleet.json", tmp_path / "again.json", tmp_path / "local.json"
    res = cli("assess", "--inventory", str(inv), "--ssh-config", str(ssh_server.ssh_config),
              "--no-store", "--jobs", "3", "--output", str(fleet))
    assert res.exit_code == 0, res.output
    # the scout asked for what the library reads beyond the static list; the others did not
    assert asked.get("web1", 0) > 0 and asked.get("web2", 0) == 0 and asked.get("web3", 0) == 0
    # the next run remembers what that was: no host goes ahead, and none has to ask
    asked.clear()
    res = cli("assess", "--inventory", str(inv), "--ssh-config", str(ssh_server.ssh_config),
              "--no-store", "--jobs", "3", "--output", str(again))
    assert res.exit_code == 0, res.output
    assert asked == {}, asked
    assert cli("assess", "--no-store", "--output", str(local)).exit_code == 0
    f_doc = json.loads(fleet.read_text("utf-8"))
    l_doc = json.loads(local.read_text("utf-8"))
    hosts = {h: _by_check(f_doc, h) for h in ("web1", "web2", "web3")}
    assert len(hosts["web1"]) > 150
    assert hosts["web2"] == hosts["web1"] and hosts["web3"] == hosts["web1"]
    a_doc = json.loads(again.read_text("utf-8"))
    for host in hosts:
        assert _by_check(a_doc, host) == hosts["web1"], host
    lo = _by_check(l_doc)
    unprivileged = _privilege_errors(f_doc) if ssh_server.user != getpass.getuser() else set()
    ids = _file_based(set(hosts["web1"]) & set(lo)) - unprivileged
    assert len(ids) > 50
    for host, results in hosts.items():
        assert {i: results[i]["status"] for i in ids} == {i: lo[i]["status"] for i in ids}, host
        assert {i: results[i]["reason"] for i in ids} == {i: lo[i]["reason"] for i in ids}, host
        assert {i: results[i]["evidence"] for i in ids} == {i: lo[i]["evidence"] for i in ids}


def test_hosts_in_flight_follow_jobs_or_the_cores():
    import os

    from cityguard.assess.fleet import HOSTS_PER_CORE, hosts_in_flight

    assert hosts_in_flight(3, 100) == 3 and hosts_in_flight(1, 1) == 1
    assert hosts_in_flight(None, 1000) == min(64, HOSTS_PER_CORE * (os.cpu_count() or 1))
    assert hosts_in_flight(None, 2) == 2
