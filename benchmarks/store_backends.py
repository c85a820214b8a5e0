"""The two store backends side by side: import throughput, a filtered first page of findings on
a city-sized store, and `systems list` with posture.

Usage: python benchmarks/store_backends.py [--findings 1000000] [--systems 500]
                                           [--import-results 200000] [--pg-url URL] [--keep]

- import: the same SARIF file (--import-results results) through `cityguard scans import` in a
  child process, into a fresh SQLite file and into a fresh PostgreSQL database (COPY);
- city store: --findings findings over --systems systems (imported per system through the store
  API, one transaction each), one stored run and two rectifications per system; then, timed in
  this process on an open store (median of 5): the first page (50) of `findings list` filtered
  by system + severity high+ + status open, the same filter across the whole city, and the
  posture of every system as `systems list` computes it. Targets: each query < 1 s; PostgreSQL
  import at least SQLite's findings/s.

Without --pg-url a throw-away cluster is started as tests/pg_server.py does (initdb + pg_ctl;
fsync off, as a test cluster: durable servers write slower). Prints one table; exit 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cityguard.model import Finding, Severity  # noqa: E402
from cityguard.model.register import SystemRecord  # noqa: E402
from cityguard.store import open_store  # noqa: E402
from ingest import write_sarif  # noqa: E402  (the ingest benchmark's generator)

SEVERITIES = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.MEDIUM, Severity.LOW,
              Severity.LOW, Severity.INFO]


def timed_import(path: Path, store: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cityguard", "scans", "import", str(path),
                           "--store", store, "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr}")
    return time.perf_counter() - started


def findings_for(system: int, n: int) -> list[Finding]:
    out = []
    for i in range(n):
        out.append(Finding(
            tool="nessus", format="nessus", asset_kind="host",
            asset_key=f"10.{system // 250}.{system % 250}.{i % 40}", rule_id=str(100000 + i),
            title=f"Synthetic vulnerability {i}", severity=SEVERITIES[(i + system) % 7],
            port=443, protocol="tcp", location="443/tcp", cves=(f"CVE-2024-{i % 9000:04d}",),
            description="A component is out of date. " * 8))
    return out


def populate(store: str, systems: int, findings: int) -> float:
    per = findings // systems
    today = date.today()
    started = time.perf_counter()
    with open_store(store) as st:
        for s in range(systems):
            name = f"系统{s:03d}"
            st.add_system(SystemRecord(name=name, department=f"部门{s % 25}", level=3 + s % 2,
                                       stage="operate"))
            st.import_findings(findings_for(s, per), file=f"s{s}.nessus", format="nessus",
                               tool="nessus", system=name, sha256="0" * 64)
            created = (today - timedelta(days=(s * 7) % 500)).isoformat()
            st.save_run({"run_id": f"run-{s}", "created": created + "T09:00:00+08:00",
                         "system": {"name": name, "level": 3},
                         "summary": {"conclusion": "basically_compliant",
                                     "compliance_rate": 80.0, "score": 80.0},
                         "high_risks": [{"status": "open"}] * (s % 3), "items": []})
            first = next(iter(st.list_findings(system=name, limit=1)))
            st.add_rectification(finding=str(first.id), owner="张三",
                                 due=(today + timedelta(days=s % 60 - 30)).isoformat())
    return time.perf_counter() - started


def median_time(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def queries(store: str, systems: int) -> dict[str, float]:
    with open_store(store) as st:
        page = median_time(lambda: list(st.list_findings(
            system=f"系统{systems // 2:03d}", severities=["critical", "high"],
            statuses=["open", "reopened"], limit=50)))
        city = median_time(lambda: list(st.list_findings(
            severities=["critical"], statuses=["open"], limit=50)))
        posture = median_time(lambda: st.posture())
        assert len(st.posture()) == systems
    return {"page": page, "city_page": city, "posture": posture}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--systems", type=int, default=500)
    ap.add_argument("--import-results", type=int, default=200_000)
    ap.add_argument("--pg-url", help="an empty database on your own server (else a throw-away "
                                     "cluster is started)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cityguard-store-bench-"))
    server = None
    if args.pg_url:
        pg_import, pg_city = args.pg_url, args.pg_url
    else:
        from pg_server import start_postgres

        server = start_postgres()
        pg_import, pg_city = server.new_database(), server.new_database()
    try:
        sarif = work / "bench.sarif"
        write_sarif(sarif, args.import_results)
        rows: dict[str, dict[str, float]] = {}
        for name, imp_store, city_store in (
            ("sqlite", str(work / "import.db"), str(work / "city.db")),
            ("postgresql", pg_import, pg_city),
        ):
            secs = timed_import(sarif, imp_store)
            fill = populate(city_store, args.systems, args.findings)
            rows[name] = {"import_s": secs, "import_rate": args.import_results / secs,
                          "populate_s": fill, **queries(city_store, args.systems)}
    finally:
        if server is not None and not args.keep:
            server.destroy()
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    print(f"store backends: import of {args.import_results:,} SARIF results; "
          f"{args.findings:,} findings over {args.systems} systems")
    print(f"{'':34}{'sqlite':>14}{'postgresql':>14}{'pg/sqlite':>11}")
    labels = [("import (findings/s)", "import_rate", "{:,.0f}"),
              ("import (s, whole command)", "import_s", "{:.2f}"),
              ("filling the city store (s)", "populate_s", "{:.1f}"),
              ("findings list, system page (s)", "page", "{:.3f}"),
              ("findings list, city page (s)", "city_page", "{:.3f}"),
              ("systems list posture (s)", "posture", "{:.3f}")]
    for label, key, fmt in labels:
        a, b = rows["sqlite"][key], rows["postgresql"][key]
        print(f"{label:34}{fmt.format(a):>14}{fmt.format(b):>14}{b / a:>10.2f}x")
    missed = [f"{n} {k} {v[k]:.3f}s" for n, v in rows.items()
              for k in ("page", "city_page", "posture") if v[k] >= 1.0]
    if rows["postgresql"]["import_rate"] < rows["sqlite"]["import_rate"]:
        missed.append("postgresql import slower than sqlite")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
