"""Render time and size of the reports for a large assessment (target: HTML < 10 s).

Usage: python benchmarks/render.py [--findings 100000] [--assets 500] [--risks 50000]
                                   [--formats html,md,xlsx,…|all] [--lang zh]
A synthetic level-3 Assessment: 300 items on every asset's object list (capped at 10 objects),
one check result per asset and check (40 checks), N findings with evidence text spread over the
assets, a risk register of M entries, history for the trend. Prints, per format, the wall time,
the output size and (HTML) how many finding rows were put on the page: the page stays usable
because each asset's findings are a collapsed section of at most 100 rows, 3,000 rows and 200
asset sections in all, the rest counted on the page and complete in the XLSX / CSV.
Exit status 1 when HTML misses the 10 s target.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from io import BytesIO

from cityguard import render
from cityguard.model import (
    Assessment,
    Asset,
    CheckResult,
    CheckStatus,
    Evidence,
    Finding,
    GroupScore,
    HighRisk,
    ItemResult,
    ObjectVerdict,
    Risk,
    Severity,
    Summary,
    SystemInfo,
)

TARGET_S = 10.0
CLASSES = ("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS", "HRS", "CMS", "MMS")
VERDICTS = ("compliant", "partial", "non_compliant", "not_assessed", "not_applicable")


def build(findings: int, assets: int, risks: int) -> Assessment:
    rnd = random.Random(11)
    sevs = list(Severity)
    hosts = [Asset(f"h{n}", f"ssh://ops@10.1.{n // 250}.{n % 250}", "host", f"主机 {n}",
                   n % 7 == 0, 3) for n in range(assets)]
    items = []
    for k in range(300):
        cls = CLASSES[k % 10]
        uid = f"L3-{cls}1-{k // 10 + 1:02d}"
        verdict = rnd.choice(VERDICTS)
        objs = [ObjectVerdict(h.id, verdict, verdict, "checks", "2 checks failed",
                              ["bench.check_001"], reason_zh="2 项检查未通过")
                for h in hosts[:10]]
        items.append(ItemResult(uid, f"8.1.{k % 10}.{k // 10} a)", cls, f"控制点{k // 10}",
                                f"control point {k // 10}", "key", verdict, 0.5, objs))
    results = [CheckResult(f"bench.check_{c:03d}", h.id, rnd.choice(list(CheckStatus)),
                           rnd.choice(sevs), ("L3-CES1-01",), "口令复杂度", "Password quality",
                           (Evidence("file_content", "/etc/login.defs", "PASS_MAX_DAYS 99999",
                                     "<= 90", False, "/etc/login.defs", 165),))
               for h in hosts for c in range(40)]
    fs = [Finding("nessus", "nessus", "host", f"10.1.{(k % assets) // 250}.{(k % assets) % 250}",
                  str(10000 + k % 5000), f"OpenSSL 漏洞 CVE-2024-{k % 9000} <script>x</script>",
                  rnd.choice(sevs), port=443, protocol="tcp", cvss_score=rnd.random() * 10,
                  cves=(f"CVE-2024-{k % 9000}",), location=f"{k}/tcp",
                  evidence="Installed version : 1.0.2k\nFixed version : 3.0.13\n" * 4,
                  solution="升级 OpenSSL 至最新版本。") for k in range(findings)]
    register = [Risk(f"R-{k:08x}", f"h{k % assets}", "T-EXPLOIT", "利用漏洞攻击", "Exploit",
                     fs[k % max(1, findings)].fingerprint if findings else "x", f"漏洞 {k % 3000}",
                     3, 4, 4, 4, 4, 20 - k % 20, 5 - k % 5, "高", 1 + k % 4, ["L3-CES1-17"],
                     f"整改措施 {k % 800}", f"Fix {k % 800}") for k in range(risks)]
    classes = [GroupScore(c, f"类 {c}", c, rnd.random() * 100, 30, {"compliant": 10})
               for c in CLASSES]
    summary = Summary(61.2, "basically_compliant", "基本符合", 61.2, "符合率 = … = 61.2%",
                      counts=dict.fromkeys(VERDICTS, 60),
                      finding_counts={s.value: findings // 5 for s in sevs},
                      risk_counts={str(n): risks // 5 for n in range(1, 6)},
                      not_checked=[f"L3-PSS1-{n:02d}：需人工核查" for n in range(1, 40)])
    return Assessment(
        "bench-run", "2025-05-10T09:30:00+08:00", "bench", SystemInfo("基准系统", 3, "S3A3"),
        hosts, {"level": 3}, results, fs, items, [], classes, summary,
        [HighRisk("6.4.3.2", ["L3-CES1-17"], f"h{n}", "可利用漏洞", "Exploitable", ["CVE"])
         for n in range(20)], register,
        history=[{"run_id": f"r{n}", "created": f"2024-0{n + 1}-01T00:00:00+08:00",
                  "compliance_rate": 40.0 + n * 3, "conclusion": "non_compliant"}
                 for n in range(6)],
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--assets", type=int, default=500)
    ap.add_argument("--risks", type=int, default=50_000)
    ap.add_argument("--formats", default="html")
    ap.add_argument("--lang", default="zh")
    args = ap.parse_args()
    t0 = time.perf_counter()
    a = build(args.findings, args.assets, args.risks)
    print(f"built: {args.findings} findings, {args.assets} assets, {len(a.results)} results, "
          f"{args.risks} risks in {time.perf_counter() - t0:.1f} s")
    status = 0
    for name in render.expand_formats(args.formats):
        buf = BytesIO()
        t0 = time.perf_counter()
        render.get(name).render(a, buf, lang=args.lang)
        took = time.perf_counter() - t0
        data = buf.getvalue()
        line = f"{name:13s} {took:6.2f} s  {len(data) / 1e6:7.2f} MB"
        if name == "html":
            text = data.decode("utf-8")
            section = text[text.index('id="sec-findings"'):text.index('id="sec-remediation"')]
            rows = section.count('<tr><td><span class="badge sev')
            line += (f"  finding rows on the page: {rows}, asset sections: "
                     f"{section.count('<details')}"
                     f"  [{'ok' if took < TARGET_S else 'SLOW'}: target < {TARGET_S:.0f} s]")
            status = status or int(took >= TARGET_S)
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())
