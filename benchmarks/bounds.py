"""What the input bounds of issue 23 cost, each against its unbounded peer in the same run.

Usage: python benchmarks/bounds.py [--results 300000] [--lines 5000]

1. JSON: the nesting check (core/jsonio.guard) on a SARIF of --results results, as ijson
   reads it, against ijson reading the same file unguarded: seconds and the ratio.
2. Patterns: every pattern of the check library over --lines realistic lines (the check
   fixtures' files), matched through engine.patterns (regex module, budget, line cap) against
   the standard `re` doing the same matches: seconds and the ratio.
3. Hostile inputs, each in a child process: a 200 KB SARIF nested 100,000 levels and a 9 MB
   gzip bomb, with the time and the peak RSS of refusing them.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def bench_json(results: int, workdir: Path) -> None:
    import ijson

    from cityguard.core import jsonio
    from ingest import write_sarif  # the ingest benchmark's generator

    path = workdir / "bench.sarif"
    write_sarif(path, results)
    size = path.stat().st_size / 1e6

    def run(guarded: bool) -> float:
        start = time.perf_counter()
        with path.open("rb") as fh:
            source = jsonio.guard(fh, path) if guarded else fh
            n = sum(1 for _ in ijson.items(source, "runs.item.results.item", use_float=True))
        assert n == results
        return time.perf_counter() - start

    plain, guarded = min(run(False) for _ in range(2)), min(run(True) for _ in range(2))
    print(f"json     {size:.0f} MB SARIF, {results} results: ijson {plain:.2f} s, "
          f"guarded {guarded:.2f} s, ratio {guarded / plain:.2f}")


def _library_patterns() -> list[str]:
    from cityguard.engine.loader import load_library
    from cityguard.engine.spec import Rule

    found: set[str] = set()
    for check in load_library():
        stack = [n for n in (check.root, check.applies.present_when) if n is not None]
        while stack:
            node = stack.pop()
            if isinstance(node, Rule):
                if node.expect.op in ("regex", "not_regex"):
                    found.add(str(node.expect.arg))
                if isinstance(node.params.get("pattern"), str):
                    found.add(node.params["pattern"])
            else:
                stack.extend(node.children)
    return sorted(found)


def bench_patterns(lines: int) -> None:
    from cityguard.engine.patterns import Budget, compile_pattern

    text: list[str] = []
    for f in sorted((ROOT / "tests" / "fixtures").rglob("*")):
        if f.is_file() and f.stat().st_size < 1_000_000:
            text += f.read_text(encoding="utf-8", errors="replace").splitlines()
    text = (text * (lines // max(len(text), 1) + 1))[:lines]
    patterns = _library_patterns()

    start = time.perf_counter()
    hits_re = sum(1 for p in patterns for rx in [re.compile(p)] for line in text
                  if rx.search(line))
    std = time.perf_counter() - start
    start = time.perf_counter()
    hits = 0
    for p in patterns:
        rx, budget = compile_pattern(p), Budget("bench", seconds=3600)
        hits += sum(1 for line in text if budget.search(rx, line))
    bounded = time.perf_counter() - start
    assert hits == hits_re
    print(f"patterns {len(patterns)} patterns x {len(text)} lines: re {std:.2f} s, "
          f"bounded (regex module) {bounded:.2f} s, ratio {bounded / std:.2f}")


_CHILD = textwrap.dedent("""
    import resource, sys, time
    start = time.perf_counter()
    try:
        if sys.argv[1] == "json":
            from cityguard.core import jsonio
            jsonio.loads(open(sys.argv[2], "rb").read(), sys.argv[2])
        else:
            from cityguard.core.decompress import decompress
            decompress(sys.argv[2], open(sys.argv[2], "rb").read())
        outcome = "accepted"
    except Exception as exc:
        outcome = type(exc).__name__
    took = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{outcome} in {took:.2f} s, peak RSS {rss:.0f} MB")
""")


def bench_hostile(workdir: Path) -> None:
    deep = workdir / "deep.sarif"
    deep.write_bytes(b'{"runs": [{"results": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}]}")
    bomb = workdir / "Packages.gz"
    member = gzip.compress(b"\0" * (8 << 20), 9)  # 8 MiB of zeros in ~8 KB
    bomb.write_bytes(member * 1152)  # concatenated members: 9 GiB from ~9 MB
    for kind, path in (("json", deep), ("gzip", bomb)):
        out = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path)],
                             capture_output=True, text=True, timeout=600)
        size = path.stat().st_size / 1e6
        print(f"hostile  {path.name} ({size:.1f} MB): {out.stdout.strip() or out.stderr[-300:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=int, default=300_000)
    ap.add_argument("--lines", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cityguard-bounds-") as tmp:
        bench_json(args.results, Path(tmp))
        bench_patterns(args.lines)
        bench_hostile(Path(tmp))
    print(f"(cpu count {os.cpu_count()}; a busy machine stretches every figure alike)")


if __name__ == "__main__":
    main()
