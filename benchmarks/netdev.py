"""Network-device backups: a directory of N configurations assessed end to end.

Usage: python benchmarks/netdev.py [--devices 1000] [--jobs 4]
Writes N device configurations into a temporary directory, cycling through the real
configurations of shared/corpus/netconf (each copy with its own hostname, as a city's Oxidized
folder holds one file per device), runs `cityguard assess --target netdev:DIR --no-store
--format json` as a user would, and prints the wall time, devices per second, the time per
device, the peak RSS of the cityguard process, and the ratio of the per-device time in the big
run to a one-device run of the same command measured in the same run (what the batch saves
over assessing devices one by one). Target: 1,000 devices in under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / ".." / "shared" / "corpus" / "netconf"
TARGET_S = 30.0
#: corpus files that say nothing about their vendor on their own (need --device-type)
SKIP = {"h3c_comware/netutils_comware_special_syntax.cfg"}
_NAME = re.compile(r"^(\s*(?:sysname|hostname|set system host-name|set hostname)\s+)\"?[\w.-]+\"?",
                   re.M)


def write_devices(folder: Path, n: int) -> None:
    with open(CORPUS / "MANIFEST.csv", encoding="utf-8") as fh:
        sources = [CORPUS / row["file"] for row in csv.DictReader(fh) if row["file"] not in SKIP]
    texts = [(p, p.read_text(encoding="utf-8", errors="replace")) for p in sources]
    for i in range(n):
        src, text = texts[i % len(texts)]
        name = f"dev{i:04d}"
        folder.joinpath(f"{name}{src.suffix}").write_text(_NAME.sub(rf"\g<1>{name}", text, 1),
                                                          encoding="utf-8")


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"{CORPUS} is missing: nothing measured")
        return 0
    work = Path(tempfile.mkdtemp(prefix="cityguard-netdev-"))
    many, one = work / "many", work / "one"
    many.mkdir()
    one.mkdir()
    write_devices(many, args.devices)
    write_devices(one, 1)
    base = [sys.executable, "-m", "cityguard", "assess", "--no-store", "--lang", "en",
            "--format", "json", "--jobs", str(args.jobs)]
    # warm the parsed-data cache (check library, catalog) so neither run pays for it
    subprocess.run([*base, "--target", f"netdev:{one}", "--output", str(work / "warm.json")],
                   cwd=work, capture_output=True)
    one_s, proc = timed([*base, "--target", f"netdev:{one}", "--output",
                         str(work / "one.json")], work)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return 1
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    many_s, proc = timed([*base, "--target", f"netdev:{many}", "--output",
                          str(work / "many.json")], work)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return 1
    doc = json.loads((work / "many.json").read_text(encoding="utf-8"))
    devices = sum(1 for a in doc["assets"] if a["type"] == "network_device")
    errors = sum(1 for r in doc["results"] if r["status"] == "error")
    per_device_ms = many_s / max(devices, 1) * 1000
    print(f"devices assessed:        {devices} ({len(doc['results'])} check results, "
          f"{errors} errors)")
    print(f"wall time:               {many_s:.1f} s (target < {TARGET_S:.0f} s: "
          f"{'met' if many_s < TARGET_S else 'NOT met'})")
    print(f"CPU time:                {cpu_s:.1f} s (user + system; the machine's load "
          f"average was {os.getloadavg()[0]:.1f} during the run)")
    print(f"devices per second:      {devices / many_s:.1f}")
    print(f"time per device:         {per_device_ms:.1f} ms")
    print(f"one-device run (peer):   {one_s:.2f} s")
    print(f"ratio per device:        {per_device_ms / 1000 / one_s:.3f} of a one-device run "
          f"({one_s / (many_s / max(devices, 1)):.0f}x cheaper in one batch)")
    print(f"peak RSS (cityguard):    {peak_mb:.0f} MiB")
    return 0 if many_s < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
