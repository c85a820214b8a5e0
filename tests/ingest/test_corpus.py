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
}
# content-free files: their format cannot be told; they import as an "empty" report
EMPTY = {"nuclei/empty.jsonl": "nuclei", }

# file → (our count, why it differs from DefectDojo's or why DefectDojo has no count)
RECORDED: dict[str, tuple[int, str]] = {
    "nmap/issue4406.xml": (33, "25 open ports + 8 vulners CVEs; DefectDojo also makes findings "
                           "of 34 exploit references (MSF:, EDB-ID:), which are references here"),
    "nessus/nessus_many_vuln.xml": (7, "DefectDojo folds two 'Nessus SYN scanner' items (ports "
                                    "443 and 264) into one; the port is part of our identity"),
    "qualys/Qualys_Sample_Report.csv": (6, "DefectDojo groups rows by QID (3 QIDs); each row is "
                                        "a QID on another host, and the host is our identity"),
    "grype/same_cve_different_paths.json": (2, "one CVE at two artifact paths: two exposures "
                                            "(DefectDojo's 'detailed' mode also gives 2)"),
    "grype/many_vulns_with_epss_values.json": (15, "15 matches; DefectDojo asserts EPSS values, "
                                               "not a count"),
    "sarif/no_runs.sarif": (0, "runs is empty: nothing to report (no count upstream)"),
    "sarif/suppression_test.sarif": (5, "5 results, suppressed ones kept and marked, not "
                                     "dropped (upstream asserts flags, not a count)"),
    "zap/dvwa_baseline_dojo.xml": (18, "ZAP lists 'Information Disclosure - Suspicious "
                                   "Comments' (10027) twice, per confidence; one finding here"),
    "zap/demo-petstore-api-scan_zap-results.json": (6, "7 alerts; script rule 100000 reports "
                                                    "two alerts under one pluginid"),
    "zap/demo-bodgeit-baseline-scan_zap-results.json": (18, "20 alerts; 90022 and 10027 are "
                                                        "listed twice (per confidence), folded"),
    "nikto/nikto-report-many-vuln.xml": (9, "two items share test id, method and URI: one "
                                         "finding with both messages"),
    "nikto/tdh.xml": (5, "'x-cache' and 'x-cacheable' are both test 999100 on GET /: one "
                      "finding; DefectDojo counts them apart by description"),
    "nikto/tdh.json": (7, "the two 999100 header messages on GET / fold into one finding"),
    "nikto/juice-shop.json": (150, "140 'backup/cert file found' hits are 140 URLs, each its "
                              "own exposure; DefectDojo folds items by description"),
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
        first: dict[str, int] = {}
        for rel in files:
            path = CORPUS / rel
            try:
                importer, findings = ingest.iter_file(path)
                res = st.import_findings(findings, file=rel, format=importer.name,
                                         tool=importer.tool, system="corpus")
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
            res = st.import_findings(findings, file=rel, format=importer.name,
                                     tool=importer.tool, system="corpus")
            second_new += res.new
            assert res.reopened == 0 and res.fixed == 0, rel
        assert second_new == 0
        assert sum(1 for _ in st.list_findings()) == total
        assert [i["file"] for i in st.imports()].count(next(iter(INVALID))) == 0
