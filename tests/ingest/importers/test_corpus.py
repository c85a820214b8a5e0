"""Every file of the real scanner corpus (../shared/corpus/scans) through auto-detection.

Table-driven from MANIFEST.csv: each file must be detected (no --format) as an importer of its
format family with a confidence no importer of another family matches, and must import — or
fail with one DataError where the manifest notes invalid input. Finding counts equal
DefectDojo's (`expected_findings_defectdojo`) or our count recorded with its reason in
corpus_counts (DefectDojo merges or splits items; we keep one finding per identity). The whole
corpus is then imported into a real SQLite store twice: identities are stable (the second pass
is all "seen").
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pytest
from corpus_counts import BY_FORMAT
from importer_helpers import CORPUS

from cityguard import ingest
from cityguard.core.errors import DataError
from cityguard.ingest import mapping
from cityguard.model import ASSET_KINDS, Severity

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


@lru_cache(maxsize=1)
def manifest() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = manifest()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"scanner corpus not found at {CORPUS}")
_DEFECTDOJO = {r["file"]: r["expected_findings_defectdojo"].strip() for r in ROWS}
# file → (our count, reason) where it differs from DefectDojo's or DefectDojo has no count; the
# per-format tables of corpus_counts are the one place these are written
RECORDED = {
    rel: (ours, reason)
    for counts in BY_FORMAT.values()
    for rel, (ours, reason) in counts.items()
    if _DEFECTDOJO.get(rel, "") == "" or int(_DEFECTDOJO[rel]) != ours
}


def family_importers(family: str) -> set[str]:
    """Importers of a manifest format family: npm-audit → npm_audit, anchore → anchore*, …"""
    stem = family.replace("-", "_")
    return {c.name for c in ingest.formats() if c.name == stem or c.name.startswith(stem)}


def expected_count(row: dict[str, str]) -> int:
    if row["file"] in RECORDED:
        return RECORDED[row["file"]][0]
    raw = row["expected_findings_defectdojo"].strip()
    assert raw, f"{row['file']}: DefectDojo asserts no count; record ours in corpus_counts"
    return int(raw)


def test_every_manifest_format_has_an_importer() -> None:
    missing = sorted({r["format"] for r in ROWS if not family_importers(r["format"])})
    assert not missing, f"formats of the corpus without an importer: {missing}"


def test_recorded_differences_are_real_and_explained() -> None:
    for counts in BY_FORMAT.values():
        for rel in counts:
            assert rel in _DEFECTDOJO, f"{rel} is not in the manifest"
    for rel, (ours, reason) in RECORDED.items():
        assert len(reason) > 30, f"{rel}: {ours} vs DefectDojo's {_DEFECTDOJO[rel] or 'none'}"


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
