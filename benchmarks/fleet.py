"""Fleet assessment over SSH: N targets against a real OpenSSH server on 127.0.0.1.

Usage: python benchmarks/fleet.py [--hosts 100] [--jobs 8]
Starts a throw-away sshd (as the tests do, see tests/sshd_server.py), writes an Ansible inventory
of N hosts that all point at it, runs `cityguard assess --inventory … --jobs J` with the full
level-3 library, and prints hosts per minute, the per-host overhead compared with one local
assessment of the same machine measured in the same run, and the peak RSS of the cityguard
process. Target: 100 hosts in under 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from sshd_server import sshd_available, start_sshd  # noqa: E402

TARGET_S = 120.0


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    if not sshd_available():
        print("sshd is not installed (apt-get install openssh-server): nothing measured")
        return 0
    work = Path(tempfile.mkdtemp(prefix="cityguard-fleet-"))
    server = start_sshd(work / "sshd")
    try:
        inv = work / "hosts.ini"
        lines = ["[fleet]"] + [
            f"host{i:03d} ansible_host=127.0.0.1 ansible_port={server.port} "
            f"ansible_user={server.user}" for i in range(args.hosts)
        ]
        inv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        base = [sys.executable, "-m", "cityguard", "assess", "--no-store", "--lang", "en"]
        # warm the parsed-data cache so neither run pays for it
        subprocess.run([*base, "--output", str(work / "warm.json")], cwd=work,
                       capture_output=True)
        local_s, proc = timed([*base, "--output", str(work / "local.json")], work)
        if proc.returncode != 0:
            print(proc.stderr)
            return 1
        fleet_s, proc = timed(
            [*base, "--inventory", str(inv), "--ssh-config", str(server.ssh_config),
             "--jobs", str(args.jobs), "--output", str(work / "fleet.json")],
            work,
        )
        if proc.returncode != 0:
            print(proc.stderr)
            return 1
        doc = json.loads((work / "fleet.json").read_text("utf-8"))
        errors = sum(1 for r in doc["results"] if r["status"] == "error")
        per_host = fleet_s / args.hosts
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"checks per host            {len(doc['results']) // args.hosts}")
        print(f"local assessment           {local_s:6.2f} s")
        print(f"{args.hosts} SSH hosts, jobs {args.jobs:<3}   {fleet_s:6.2f} s  "
              f"({args.hosts / fleet_s * 60:.0f} hosts/min, {per_host:.2f} s/host wall)")
        print(f"results with status error  {errors} (permission-denied reads count here)")
        print(f"peak RSS of a child        {rss_mb:.0f} MiB")
        verdict = "meets" if fleet_s < TARGET_S * args.hosts / 100 else "MISSES"
        print(f"target < {TARGET_S:.0f} s per 100 hosts: {verdict}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
