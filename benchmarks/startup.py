"""Start-up time of `cityguard --version` and `cityguard --help` against a bare interpreter.

Usage: python benchmarks/startup.py [--runs N]
Prints the median wall time of each (fresh process every run) and the overhead over
`python -c pass`. Target: under 0.3 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

TARGET_S = 0.3


def median_time(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    bare = median_time([py, "-c", "pass"], args.runs)
    print(f"python -c pass        median {bare * 1000:7.1f} ms")
    worst = 0.0
    for flag in ("--version", "--help"):
        t = median_time([py, "-m", "cityguard", flag], args.runs)
        worst = max(worst, t)
        print(
            f"cityguard {flag:<11} median {t * 1000:7.1f} ms  "
            f"(+{(t - bare) * 1000:.1f} ms over bare python, {t / bare:.1f}x)"
        )
    verdict = "meets" if worst < TARGET_S else "MISSES"
    print(f"target < {TARGET_S * 1000:.0f} ms: {verdict} ({worst * 1000:.1f} ms worst median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
