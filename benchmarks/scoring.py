"""Wall time and peak memory of `scoring.evaluate` on a large synthetic assessment.

Usage: python benchmarks/scoring.py [--assets N] [--findings N] [--runs N]
Level 3 with every extension (342 items), N assets each with one result per mapped check of a
synthetic library (150 checks, a third failing), N open findings spread over the assets (with
CVEs, tags and CWEs so the high-risk rules and the risk register have work to do), and answers
for every management item. Prints the median time and the peak traced memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc

from cityguard.model import Asset, CheckResult, CheckStatus, Finding, Severity
from cityguard.policy.catalog import load_catalog, make_selection, select_items
from cityguard.scoring import ScoringInput, evaluate, load_config, load_rules, load_threats


def build(assets: int, findings: int) -> ScoringInput:
    rnd = random.Random(7)
    cat = load_catalog()
    sel = make_selection(3, extensions=["cloud", "mobile", "iot", "ics", "bigdata"])
    items = select_items(cat, sel)
    tech = [i.unit_id for i in items if i.class_code in ("CNS", "ABS", "CES", "SMC")]
    checks = [(f"bench.check_{k:03d}", tuple(rnd.sample(tech, 2))) for k in range(150)]
    sevs = list(Severity)
    hosts = [Asset(id=f"h{n}", target=f"ssh://ops@10.0.{n // 250}.{n % 250}",
                   internet_facing=n % 5 == 0, cia={"c": 3, "i": 4, "a": 2}) for n in range(assets)]
    results = [
        CheckResult(cid, h.id, CheckStatus.FAIL if rnd.random() < 0.33 else CheckStatus.PASS,
                    rnd.choice(sevs), units)
        for h in hosts for cid, units in checks
    ]
    tags = [("vuln",), ("tls",), ("web",), ("mgmt-port", "port"), ("secret",), ("config",)]
    fs = [
        Finding(tool="nessus", format="nessus", asset_kind="host",
                asset_key=f"10.0.{(k % assets) // 250}.{(k % assets) % 250}", rule_id=str(k),
                title=rnd.choice(["SQL injection", "Weak password", "TLS 1.0", "Open port"]),
                severity=rnd.choice(sevs), cves=(f"CVE-2024-{k}",) if k % 3 == 0 else (),
                cwes=("CWE-89",) if k % 7 == 0 else (), tags=rnd.choice(tags),
                unit_ids=(rnd.choice(tech),), location=f"{k % 65535}/tcp")
        for k in range(findings)
    ]
    answers = {i.unit_id: [{"verdict": rnd.choice(["compliant", "partial", "non_compliant"])}]
               for i in items if i.class_code in ("PSS", "ORS", "HRS", "CMS", "MMS")}
    return ScoringInput(items=items, high_risk_cases=cat.high_risk_cases, results=results,
                        findings=fs, assets=hosts, answers=answers, level=3,
                        config=load_config(), high_risk_rules=load_rules(),
                        threats=load_threats())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=50)
    parser.add_argument("--findings", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    inp = build(args.assets, args.findings)
    print(f"{len(inp.items)} items, {len(inp.assets)} assets, {len(inp.results)} check results, "
          f"{len(inp.findings)} findings")
    times = []
    out = None
    for _ in range(args.runs):
        started = time.perf_counter()
        out = evaluate(inp)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    evaluate(inp)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out is not None
    print(f"evaluate median {statistics.median(times):.3f} s over {args.runs} runs; "
          f"peak traced memory {peak / 2**20:.1f} MiB")
    print(f"rate {out.summary.compliance_rate}% → {out.summary.conclusion_zh}; "
          f"{len(out.high_risks)} high-risk issues; {len(out.risks)} register entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
