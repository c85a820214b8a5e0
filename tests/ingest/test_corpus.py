"""Every file of the real scanner corpus (../shared/corpus/scans) through auto-detection.

Table-driven from MANIFEST.csv: each file must be detected (no --format) as an importer of its
format family with a confidence no importer of another family matches, and must import — or
fail with one DataError where the manifest notes invalid input. Finding counts equal
DefectDojo's (`expected_findings_defectdojo`) or the count recorded in RECORDED with the reason
(DefectDojo merges or splits items; we keep one finding per identity). The whole corpus is then
imported into a real SQLite store twice: identities are stable (the second pass is all "seen").
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pytest

from cityguard import ingest
from cityguard.errors import DataError
from cityguard.ingest import mapping
from cityguard.model import ASSET_KINDS, Severity

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "scans"

# invalid input: must fail cleanly (one DataError naming the file)
INVALID = {
    "npm-audit/npm6_empty_with_error.json": "an npm ENOAUDIT error object, not a report",
    "sarif/checkov_openapi_results.sarif": "runs[0] has results but no tool (schema-invalid)",
    # DefectDojo makes one finding of the error row; here a scan that could not reach its
    # target is refused, so it can neither pass for a clean result nor leave a fake finding
    "testssl/failed_target.csv": "testssl could not connect to the target (scanProblem row)",
}
# content-free files (0 bytes, JSON null or []): their format cannot be told from them; they
# import as an "empty" report of zero findings, and with --format as that format
EMPTY = {
    "nuclei/empty.jsonl": "nuclei",
    "gitleaks/no_findings.json": "gitleaks",
    "pip-audit/empty.json": "pip_audit",
}

# file → (our count, why it differs from DefectDojo's or why DefectDojo has no count)
RECORDED: dict[str, tuple[int, str]] = {  # fmt: skip
    "nmap/issue4406.xml": (33,
        "25 open ports + 8 CVEs from vulners; DefectDojo also makes findings of the 34 "
        "exploit references (MSF:…, EDB-ID:…, PACKETSTORM:…), which we attach as references "
        "instead"),
    "nessus/nessus_many_vuln.xml": (7,
        "DefectDojo folds the two 'Nessus SYN scanner' items (ports 443 and 264) into one "
        "finding per plugin; the port is part of our identity, so they stay two"),
    "qualys/Qualys_Sample_Report.csv": (6,
        "DefectDojo groups the rows by QID (3 QIDs); each row is a QID on a different host, "
        "and the host is part of our identity, so 6 findings"),
    "grype/same_cve_different_paths.json": (2,
        "one CVE at two artifact paths: two exposures (DefectDojo's 'detailed' mode gives 2)"),
    "grype/many_vulns_with_epss_values.json": (15,
        "15 matches; DefectDojo asserts no count"),
    "sarif/no_runs.sarif": (0,
        "runs is empty: nothing to report (no count upstream)"),
    "sarif/suppression_test.sarif": (5,
        "suppressed results are kept, marked accepted"),
    "zap/dvwa_baseline_dojo.xml": (18,
        "ZAP lists 'Information Disclosure - Suspicious Comments' (10027) twice, once per "
        "confidence level; one weakness of one site is one finding here"),
    "zap/demo-petstore-api-scan_zap-results.json": (6,
        "7 alerts; script rule 100000 reports two alerts under one pluginid and no alertRef"),
    "zap/demo-bodgeit-baseline-scan_zap-results.json": (18,
        "20 alerts; 90022 and 10027 are each listed twice (per confidence) and fold into one"),
    "nuclei/many_findings.json": (18,
        "DefectDojo merges one template+matcher on one host across ports (tech-detect on "
        "127.0.0.1:8080 and :9090); the matched URL is part of our identity"),
    "nuclei/multiple_v3.json": (6,
        "tls-version reports tls12 and tls13 as two results: two facts, DefectDojo merges "
        "them"),
    "burp/seven_findings.xml": (16,
        "DefectDojo folds every issue of one type on one host into a finding; we keep one "
        "finding per issue location (the path and parameter are the identity, as in Burp "
        "itself)"),
    "burp/issue4399.xml": (436,
        "DefectDojo folds every issue of one type on one host into a finding; we keep one "
        "finding per issue location (the path and parameter are the identity, as in Burp "
        "itself)"),
    "nikto/nikto-report-many-vuln.xml": (9,
        "two items of one target share test id 999100, method and URI; they fold into one "
        "finding listing both messages (DefectDojo keeps them apart by description)"),
    "nikto/tdh.xml": (5,
        "'x-cache' and 'x-cacheable' are both test 999100 on GET /: one finding, two "
        "messages; DefectDojo's 6 counts them apart by description"),
    "nikto/tdh.json": (7,
        "two 999100 header messages on GET / fold into one finding (see the XML importer)"),
    "nikto/juice-shop.json": (150,
        "140 'backup/cert file found' hits are 140 URLs, each its own exposure here; "
        "DefectDojo folds items by description"),
    "sslyze/one_target_many_vuln_old.json": (6,
        "heartbleed, CCS, client renegotiation, insecure renegotiation, TLS 1.1, and RC4/SEED"
        " suites over TLS 1.1; DefectDojo folds the two renegotiation problems and does not "
        "check cipher strength below TLS 1.2"),
    "sslyze/two_targets_many_vuln_new.json": (3,
        "3DES on example.com, TLS 1.0 and 1.1 on example2.com; DefectDojo also flags strong "
        "suites (CBC, CHACHA20) missing from the German BSI list"),
    "sslyze/report_one_target_one_vuln.xml": (2,
        "the expired chain (as DefectDojo) and the SHA-1 signed leaf, a weakness of its own"),
    "testssl/defectdojo_one_vuln.csv": (0,
        "its one row is a WARN about the scanner's own openssl (no GOST engine), not a "
        "weakness of the target"),
    "testssl/demo.csv": (0,
        "12 INFO and 21 OK rows state facts that are not problems (service HTTP, cipher "
        "order, 'not offered'); DefectDojo imports the INFO rows"),
    "testssl/overall_critical.csv": (58,
        "58 rows of severity LOW..CRITICAL; DefectDojo also imports INFO rows"),
    "wazuh/v4-7_many_findings.json": (13,
        "DefectDojo drops 6 'Package unfixed' items and 1 'Untriaged' one; a vulnerability "
        "without a fix yet is still one the SOC must see"),
    "wazuh/wazuh_abnormal_severity.json": (1,
        "one hit; DefectDojo asserts no count"),
    "dependency-check/multiple_vulnerabilities_has_multiple_findings.xml": (7,
        "DefectDojo also imports the suppressedVulnerabilities (as mitigated); they are the "
        "project's own accepted risks and are skipped here"),
    "dependency-check/PR6439.xml": (26,
        "DefectDojo also imports the suppressedVulnerabilities (as mitigated); they are the "
        "project's own accepted risks and are skipped here"),
    "bandit/many_vulns.json": (213,
        "B608 at migrate_surveys.py:51 is listed twice, identically: one finding"),
    "npm-audit/npm6_multiple_cwes.json": (40,
        "npm 6 splits GHSA-vh95-rmgr-6w4m (minimist) into two numbered advisories, one per "
        "version range: one flaw of one package here"),
    "npm-audit/npm7_many_vulns.json": (3,
        "6 entries, but vercel, @vercel/fun and @vercel/node are only vulnerable through "
        "debug, semver and undici: 3 advisories"),
}


@lru_cache(maxsize=1)
def manifest() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = manifest()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"scanner corpus not found at {CORPUS}")


def family_importers(family: str) -> set[str]:
    """Importers of a manifest format family: npm-audit → npm_audit, anchore → anchore*, …"""
    stem = family.replace("-", "_")
    return {c.name for c in ingest.formats() if c.name == stem or c.name.startswith(stem)}


def expected_count(row: dict[str, str]) -> int:
    if row["file"] in RECORDED:
        return RECORDED[row["file"]][0]
    raw = row["expected_findings_defectdojo"].strip()
    assert raw, f"{row['file']}: DefectDojo asserts no count; record ours in RECORDED"
    return int(raw)


def test_every_manifest_format_has_an_importer() -> None:
    missing = sorted({r["format"] for r in ROWS if not family_importers(r["format"])})
    assert not missing, f"formats of the corpus without an importer: {missing}"


def test_recorded_differences_are_real_and_explained() -> None:
    by_file = {r["file"]: r for r in ROWS}
    for rel, (ours, reason) in RECORDED.items():
        assert rel in by_file, f"{rel} is not in the manifest"
        dd = by_file[rel]["expected_findings_defectdojo"].strip()
        assert dd == "" or int(dd) != ours, f"{rel}: same as DefectDojo, drop the entry"
        assert len(reason) > 30, rel


_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
_CWE = re.compile(r"^CWE-\d+$")


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file(row: dict[str, str]) -> None:
    rel, family = row["file"], row["format"]
    path = CORPUS / rel
    names = family_importers(family)
    assert names, f"no importer for the {family} format yet"
    if rel in EMPTY:
        assert ingest.detect(path).name == "empty"
        assert ingest.read_file(path).findings == []
        assert ingest.read_file(path, EMPTY[rel]).findings == []
        return
    scores = ingest.sniff_scores(path.read_bytes()[: ingest.HEAD_BYTES])
    assert scores and scores[0][1] in names, f"{rel}: detected as {scores[:3]}"
    rivals = [s for s, n in scores if n not in names]
    assert not rivals or rivals[0] < scores[0][0], f"{rel}: another family ties: {scores[:3]}"
    if rel in INVALID:
        with pytest.raises(DataError) as err:
            ingest.read_file(path)
        assert str(err.value).startswith(str(path)) and "\n" not in err.value.one_line()
        return
    got = ingest.read_file(path)
    assert got.format in names
    assert len(got.findings) == expected_count(row), f"{rel}: {len(got.findings)} findings"
    for f in got.findings:
        assert f.tool and f.format == got.format and f.asset_kind in ASSET_KINDS, f
        assert f.asset_key and f.rule_id and f.title, f
        assert isinstance(f.severity, Severity)
        assert all(_CVE.match(c) for c in f.cves), f.cves
        assert all(_CWE.match(c) for c in f.cwes), f.cwes
        assert f.source_file == str(path)
        if f.severity.rank >= Severity.LOW.rank:  # every weakness lands on some MLPS unit
            assert mapping.unit_ids_for(f, 3), f"{rel}: {f.rule_id} maps to nothing"
    again = ingest.read_file(path)
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in got.findings]


def test_whole_corpus_into_a_real_store_twice(tmp_path: Path) -> None:
    from cityguard.store import open_store

    files = [r["file"] for r in ROWS if family_importers(r["format"])]
    with open_store(tmp_path / "corpus.db") as st:
        first: dict[str, int] = {}  # file → distinct findings
        for rel in files:
            path = CORPUS / rel
            try:
                importer, findings = ingest.iter_file(path)
                # one system per file: unrelated scans (two repositories, both scanned by
                # semgrep and both keyed ".") must not share one scope
                res = st.import_findings(
                    findings, file=rel, format=importer.name, tool=importer.tool, system=rel
                )
            except DataError:
                assert rel in INVALID
                continue
            assert rel not in INVALID
            first[rel] = res.new + res.seen + res.reopened
        total = sum(1 for _ in st.list_findings())
        assert total > 3000
        second_new = 0
        for rel in first:
            importer, findings = ingest.iter_file(CORPUS / rel)
            res = st.import_findings(
                findings, file=rel, format=importer.name, tool=importer.tool, system=rel
            )
            second_new += res.new
            assert res.reopened == 0 and res.fixed == 0, rel
        assert second_new == 0
        assert sum(1 for _ in st.list_findings()) == total
        assert [i["file"] for i in st.imports()].count(next(iter(INVALID))) == 0
