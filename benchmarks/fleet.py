"""Fleet assessment over SSH: how `--jobs` scales, against one local assessment.

Usage: python benchmarks/fleet.py [--hosts 20] [--jobs 1,2,4,8,16] [--rounds 3]

Starts one throw-away OpenSSH server per host on 127.0.0.1 (as the tests do, see
tests/sshd_server.py and benchmarks/fleet_vs_ansible.py), writes an Ansible inventory, and
runs `cityguard assess --inventory … --jobs J` with the full level-3 library for every J in
`--jobs`, the values alternating round after round so that a change of machine load hits
each alike. It prints, per J, the median wall time, hosts per minute, the CPU-seconds of
cityguard's process tree (its ssh clients included) and the ratio to the fastest J; and, as
the peer measured in the same run, one local assessment of this machine. A J that is slower
than a smaller one by more than the spread of its runs is flagged: more jobs must never cost
time (issue 25).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from fleet_vs_ansible import (  # noqa: E402
    check_cityguard_output,
    load,
    run_cityguard,
    start_fleet,
    timed,
    write_inventory,
)

from sshd_server import sshd_available  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--jobs", default="1,2,4,8,16")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    if not sshd_available():
        print("sshd is not installed (apt-get install openssh-server): nothing measured")
        return 0
    work = Path(tempfile.mkdtemp(prefix="cityguard-fleet-"))
    servers, config = start_fleet(work, args.hosts)
    try:
        inv = write_inventory(work / "hosts.ini", servers)
        out = work / "fleet.json"
        print(f"{args.hosts} sshd on 127.0.0.1; {load()}", flush=True)
        run_cityguard(inv, config, out, jobs[0])  # warm the parsed-library cache once
        print(f"checked: {check_cityguard_output(out, args.hosts)}", flush=True)
        local = [sys.executable, "-m", "cityguard", "assess", "--no-store", "--lang", "en",
                 "--output", str(work / "local.json")]
        runs: dict[int, list[tuple[float, float]]] = {j: [] for j in jobs}
        local_s: list[float] = []
        for n in range(args.rounds):
            order = jobs if n % 2 == 0 else jobs[::-1]
            for j in order:
                runs[j].append(run_cityguard(inv, config, out, j))
            local_s.append(timed(local)[0])
            print(f"round {n + 1}: " + "  ".join(f"j{j} {runs[j][-1][0]:.1f}s" for j in jobs),
                  flush=True)
        medians = {j: statistics.median(w for w, _ in runs[j]) for j in jobs}
        best = min(medians.values())
        print(f"\n{args.hosts} hosts, median of {args.rounds} rounds")
        print("  jobs   wall s  hosts/min   CPU s   × fastest")
        for j in jobs:
            walls = [w for w, _ in runs[j]]
            fewer = [medians[k] for k in jobs if k < j]
            slower = bool(fewer) and medians[j] > min(fewer) + (max(walls) - min(walls))
            print(f"  {j:>4} {medians[j]:8.2f} {args.hosts / medians[j] * 60:10.0f} "
                  f"{statistics.median(c for _, c in runs[j]):7.2f} {medians[j] / best:10.2f}"
                  + ("   SLOWER than fewer jobs" if slower else ""))
        print(f"  one local assessment (peer)  {statistics.median(local_s):6.2f} s")
        print(load())
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
