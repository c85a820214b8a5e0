"""The dashboard under load: 500 systems and 1,000,000 findings, on SQLite and PostgreSQL.

Usage: python benchmarks/web_load.py [--systems 500] [--findings 1000000] [--clients 20]
                                     [--requests 500] [--pg-url URL]

For each backend: the store is filled as benchmarks/store_backends.py does (its `populate`),
an analyst account is added, and a real `cityguard serve` process is started on a free port of
127.0.0.1. Then, signed in over HTTP:
- overview: the city overview page, one client, 30 requests after the first (the first one
  computes the figures: reported apart as "cold"); the server's own time comes from the
  Server-Timing header, the client's from the round trip;
- findings: the first page of findings across the city (critical, open), a system's page,
  and page 200 of the unfiltered list reached by keyset (its cursor taken from page 199);
- load: --clients threads share --requests overview requests (bounded), p50 and p95;
- peer: the stylesheet served by the same process, as the floor every page stands on
  (the ratio says what the page costs beyond the web stack itself).
Targets (issue 15): overview < 200 ms on the server, p95 < 500 ms with 20 clients, a findings
page < 300 ms. Prints one table; exit 1 when a target is missed. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "web"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from store_backends import populate  # noqa: E402

PASSWORD = "Load-Analyst-2026!"


def login(base: str) -> dict[str, str]:
    import requests

    r = requests.post(base + "/api/v1/login", json={"name": "bench", "password": PASSWORD},
                      timeout=30)
    r.raise_for_status()
    return {"Cookie": f"cg_session={r.json()['token']}"}


def timed(base: str, path: str, headers: dict[str, str], http=None) -> tuple[float, float]:
    """(client round trip, server time) in milliseconds."""
    import requests

    started = time.perf_counter()
    r = (http or requests).get(base + path, headers=headers, timeout=60, allow_redirects=False)
    client = (time.perf_counter() - started) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path}: HTTP {r.status_code}")
    timing = r.headers.get("server-timing", "app;dur=0").split("dur=")[1]
    return client, float(timing)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def series(base: str, path: str, headers: dict[str, str], n: int = 30) -> dict[str, float]:
    import requests

    http = requests.Session()
    pairs = [timed(base, path, headers, http) for _ in range(n)]
    return {"client": statistics.median(c for c, _ in pairs),
            "server": statistics.median(s for _, s in pairs),
            "server_p95": p95([s for _, s in pairs])}


def deep_cursor(base: str, headers: dict[str, str], pages: int) -> str:
    import requests

    after = ""
    for _ in range(pages):
        r = requests.get(base + "/api/v1/findings", params={"size": 50, "after": after} if after
                         else {"size": 50}, headers=headers, timeout=60).json()
        after = r["next"]
    return after


def load(base: str, headers: dict[str, str], clients: int, total: int) -> dict[str, float]:
    import requests

    latencies: list[float] = []
    lock = threading.Lock()
    per = total // clients

    def worker() -> None:
        http = requests.Session()
        mine = [timed(base, "/", headers, http)[0] for _ in range(per)]
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"p50": statistics.median(latencies), "p95": p95(latencies),
            "rps": len(latencies) / wall, "n": len(latencies)}


def measure(store: str, systems: int, clients: int, total: int) -> dict[str, float]:
    from web_server import start_server

    from cityguard.store import open_store
    from cityguard.web import accounts
    from cityguard.web.config import Policy

    with open_store(store) as st:
        accounts.add_user(st, "bench", "analyst", PASSWORD, by="benchmark", policy=Policy())
    srv = start_server(store)
    try:
        headers = login(srv.url)
        cold = timed(srv.url, "/", headers)
        out = {"overview_cold_client": cold[0], "overview_cold_server": cold[1]}
        ov = series(srv.url, "/", headers)
        out.update({"overview_client": ov["client"], "overview_server": ov["server"],
                    "overview_server_p95": ov["server_p95"]})
        static = series(srv.url, "/static/app.css", headers)
        out["static_client"] = static["client"]
        city = series(srv.url, "/findings?severity=critical&status=open", headers, 15)
        out["findings_city_server"], out["findings_city_client"] = city["server"], city["client"]
        one = series(srv.url, f"/system?name=系统{systems // 2:03d}", headers, 15)
        out["system_page_server"], out["system_page_client"] = one["server"], one["client"]
        after = deep_cursor(srv.url, headers, 199)
        deep = series(srv.url, f"/findings?after={after}", headers, 15)
        out["findings_deep_server"], out["findings_deep_client"] = deep["server"], deep["client"]
        unit = series(srv.url, "/findings?unit=L3-CES1-17", headers, 5)
        out["findings_unit_server"] = unit["server"]
        lo = load(srv.url, headers, clients, total)
        out.update({"load_p50": lo["p50"], "load_p95": lo["p95"], "load_rps": lo["rps"]})
    finally:
        srv.stop()
    return out


ROWS = [
    ("overview, first request (computes) server ms", "overview_cold_server", None),
    ("overview server ms (median of 30)", "overview_server", 200),
    ("overview server ms p95", "overview_server_p95", 200),
    ("overview round trip ms", "overview_client", None),
    ("peer: stylesheet round trip ms", "static_client", None),
    ("findings, city, critical+open server ms", "findings_city_server", 300),
    ("findings, one system's page server ms", "system_page_server", 300),
    ("findings, page 200 (keyset) server ms", "findings_deep_server", 300),
    ("findings, by MLPS unit (mapped) server ms", "findings_unit_server", None),
    ("overview with N clients: p50 ms", "load_p50", None),
    ("overview with N clients: p95 ms", "load_p95", 500),
    ("overview with N clients: requests/s", "load_rps", None),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--systems", type=int, default=500)
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--pg-url", help="an empty database on your own server (else a throw-away "
                    "cluster, as the tests start one)")
    ap.add_argument("--sqlite-only", action="store_true")
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", str(Path(tmp) / "city.db"))]
        server = None
        if not args.sqlite_only:
            if args.pg_url:
                backends.append(("postgresql", args.pg_url))
            else:
                from pg_server import start_postgres

                server = start_postgres()
                backends.append(("postgresql", server.new_database()))
        try:
            for name, store in backends:
                took = populate(store, args.systems, args.findings)
                print(f"{name}: {args.findings:,} findings over {args.systems} systems stored "
                      f"in {took:.0f} s", file=sys.stderr)
                results[name] = measure(store, args.systems, args.clients, args.requests)
        finally:
            if server is not None:
                server.destroy()
    names = list(results)
    print(f"{args.systems} systems, {args.findings:,} findings, {args.clients} clients, "
          f"{args.requests} requests")
    print(f"{'':46}" + "".join(f"{n:>12}" for n in names) + f"{'target':>9}")
    missed = []
    for label, key, target in ROWS:
        label = label.replace("N clients", f"{args.clients} clients")
        cells = "".join(f"{results[n][key]:>12.1f}" for n in names)
        print(f"{label:46}{cells}{('< ' + str(target)) if target else '':>9}")
        for n in names:
            if target is not None and results[n][key] >= target:
                missed.append(f"{n}: {label} {results[n][key]:.0f} ≥ {target}")
    for n in names:
        ratio = results[n]["overview_client"] / max(results[n]["static_client"], 0.01)
        print(f"{n}: the overview costs {ratio:.1f}x the stylesheet's round trip")
    for m in missed:
        print("MISSED", m)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
