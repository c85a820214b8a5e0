"""Peak memory of writing a large run's machine outputs (target: < 500 MB at 100,000 findings).

Usage: python benchmarks/large_run.py [--findings 100000] [--formats json,csv,oscal,sarif,junit]

The run: the real findings of the corpus's Nessus files (shared/corpus/scans/nessus: plugin
output, descriptions and solutions as a scanner writes them), repeated over as many hosts as it
takes to reach N findings, plus the synthetic items, check results and risk register of
benchmarks/render.py. Each format is written by `cityguard.assess.outputs.write_outputs` into a
temporary folder in a fresh process, so every figure is that process's own peak (ru_maxrss).
The peer, measured in the same run on the same Assessment: the whole document built in memory
and dumped at once (`json.dumps(assessment_to_dict(a))`), as the JSON renderer did before it
streamed. Prints, per format, the peak, what writing added to the loaded run, the file size and
the time; exit status 1 when any format peaks at 500 MB or more.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "scans" / "nessus"
TARGET_MB = 500.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def build(n: int):
    """An Assessment with `n` real Nessus findings spread over hosts."""
    sys.path.insert(0, str(HERE))
    from cityguard.ingest import read_file
    from render import build as synthetic  # benchmarks/render.py

    seed = []
    for path in sorted(CORPUS.glob("*.nessus")) + sorted(CORPUS.glob("*.xml")):
        seed += read_file(path).findings
    if not seed:
        raise SystemExit(f"no Nessus findings under {CORPUS}")
    a = synthetic(findings=0, assets=200, risks=5000)
    findings = []
    host = 0
    while len(findings) < n:
        host += 1
        for f in seed[: n - len(findings)]:
            ip = f"10.{host // 65536}.{host // 256 % 256}.{host % 256}"
            # a text of its own per finding, as a real scan has (shared strings would flatter)
            findings.append(replace(f, asset_key=ip, evidence=f"{f.evidence}\nhost {ip}",
                                    _fingerprint=""))
    return replace(a, findings=findings)


def child(n: int, fmt: str) -> None:
    """In a fresh process: load the run, write one format, print the figures as JSON."""
    a = build(n)
    loaded = _rss_mb()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "peer":
            from cityguard.model.serialize import assessment_to_dict

            text = json.dumps(assessment_to_dict(a), ensure_ascii=False)
            size = len(text.encode("utf-8"))
        else:
            from cityguard.assess.outputs import write_outputs

            (written,) = write_outputs(a, [fmt], Path(tmp) / "out")
            size = written.stat().st_size
    print(json.dumps({"format": fmt, "loaded_mb": loaded, "peak_mb": _peak_mb(),
                      "seconds": time.perf_counter() - t0, "bytes": size}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--formats", default="json,csv_findings,oscal,sarif,junit")
    ap.add_argument("--child", default="")
    args = ap.parse_args()
    if args.child:
        child(args.findings, args.child)
        return 0
    rows = []
    for fmt in [*args.formats.split(","), "peer"]:
        p = subprocess.run([sys.executable, __file__, "--findings", str(args.findings),
                            "--child", fmt], capture_output=True, text=True, check=False)
        if p.returncode:
            print(p.stderr[-2000:], file=sys.stderr)
            return 2
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
    peer = next(r for r in rows if r["format"] == "peer")
    print(f"{args.findings:,} findings; peer = the whole JSON document built and dumped at once")
    print(f"{'format':<14}{'peak MB':>9}{'loaded MB':>11}{'added MB':>10}{'vs peer':>9}"
          f"{'MB out':>9}{'s':>7}")
    over = False
    for r in rows:
        added = r["peak_mb"] - r["loaded_mb"]
        ratio = added / max(1.0, peer["peak_mb"] - peer["loaded_mb"])
        print(f"{r['format']:<14}{r['peak_mb']:>9.0f}{r['loaded_mb']:>11.0f}{added:>10.0f}"
              f"{ratio:>9.2f}{r['bytes'] / 2**20:>9.1f}{r['seconds']:>7.1f}")
        over |= r["format"] != "peer" and r["peak_mb"] >= TARGET_MB
    print(f"target: every format below {TARGET_MB:.0f} MB peak: {'MISSED' if over else 'met'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
