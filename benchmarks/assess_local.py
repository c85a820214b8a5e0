"""Wall time and peak memory of a full local level-3 `cityguard assess`, against oscap.

Each run is a real `python -m cityguard assess` process (what a user waits for: interpreter
start, imports, catalog, library, every check, the JSON report). Peak memory is the child's
maximum resident set size from wait4(2). The first run starts with an empty validation cache
and is reported apart ("cold"); the median is over the warm runs that follow.

When `oscap` and the Debian SCAP Security Guide content are installed, `oscap xccdf eval`
of the standard profile is timed in the same session and the ratio printed.

    python benchmarks/assess_local.py [--runs 5] [--level 3] [--jobs 4]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.5
SSG_GLOBS = ("/usr/share/xml/scap/ssg/content/ssg-debian*-ds.xml",
             "/usr/share/scap-security-guide/ssg-debian*-ds.xml")
PROFILE = "xccdf_org.ssgproject.content_profile_standard"


def timed(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss, proc.returncode


def slowest(report: Path, n: int = 3) -> list[tuple[float, str]]:
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    return sorted(((r["duration_ms"] / 1000, r["check_id"]) for r in results), reverse=True)[:n]


def oscap_time(work: str) -> float | None:
    contents = sorted(p for g in SSG_GLOBS for p in glob.glob(g))
    if shutil.which("oscap") is None or not contents:
        return None
    argv = ["oscap", "xccdf", "eval", "--profile", PROFILE, "--results",
            os.path.join(work, "oscap-results.xml"), contents[-1]]
    seconds, _, code = timed(argv, dict(os.environ), work)
    return seconds if code in (0, 2) else None  # 2: some rules failed, which is normal


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cityguard-bench-") as work:
        env = {**os.environ, "CITYGUARD_CACHE": os.path.join(work, "cache")}
        report = Path(work) / "assessment.json"
        argv = [sys.executable, "-m", "cityguard", "assess", "--level", str(args.level),
                "--jobs", str(args.jobs), "--format", "json", "--output", str(report)]
        cold, cold_rss, code = timed(argv, env, work)
        if code != 0:
            print(f"cityguard assess exited {code}; run it by hand to see why")
            return 1
        times, peaks = [], [cold_rss]
        for _ in range(args.runs):
            seconds, rss, code = timed(argv, env, work)
            times.append(seconds)
            peaks.append(rss)
        n_results = len(json.loads(report.read_text(encoding="utf-8"))["results"])
        median = statistics.median(times)
        print(f"cityguard assess (local, level {args.level}, {n_results} results, "
              f"jobs {args.jobs}, {os.cpu_count()} CPUs)")
        print(f"  cold run (empty validation cache): {cold:.3f} s")
        print(f"  median of {args.runs} warm runs:       {median:.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f})")
        print(f"  peak memory (max RSS):             {max(peaks) / 1024:.1f} MiB")
        print(f"  target < {TARGET_S} s: {'met' if median < TARGET_S else 'NOT met'}")
        top = slowest(report)
        print("  slowest checks: " + ", ".join(f"{cid} {s:.2f} s" for s, cid in top))
        if top and top[0][0] > TARGET_S / 2:
            # one external program can dominate (apt-get -s upgrade rebuilds apt's cache on
            # images that disable pkgcache.bin): show what the rest of the run costs
            rest = [timed([*argv, "--skip", top[0][1]], env, work)[0] for _ in range(args.runs)]
            print(f"  median without {top[0][1]}: {statistics.median(rest):.3f} s")
        oscap = oscap_time(work)
        if oscap is None:
            print("oscap: absent (needs `oscap` and the Debian SSG data stream); no ratio")
        else:
            print(f"oscap xccdf eval ({PROFILE}): {oscap:.3f} s; "
                  f"cityguard/oscap = {median / oscap:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
