"""The real scanner corpus (../shared/corpus/scans, MANIFEST.csv) is covered file by file:
every file is a sample of exactly one importer (tests/assets/ingest/<format>/samples.yaml), so
the shared tests of test_every_importer.py detect, count, map and import each of them, and
every format family of the manifest has an importer."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from samples import CORPUS, all_samples

from cityguard import ingest


def _rows() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()
pytestmark = pytest.mark.skipif(not ROWS, reason=f"scanner corpus not found at {CORPUS}")


def family_importers(family: str) -> set[str]:
    """Importers of a manifest format family: npm-audit → npm_audit, anchore → anchore*, …"""
    stem = family.replace("-", "_")
    return {c.name for c in ingest.formats() if c.name == stem or c.name.startswith(stem)}


def test_every_manifest_format_has_an_importer() -> None:
    missing = sorted({r["format"] for r in ROWS if not family_importers(r["format"])})
    assert not missing, f"formats of the corpus without an importer: {missing}"


def test_every_corpus_file_is_a_sample_of_one_importer_of_its_family() -> None:
    listed = Counter(s.corpus_rel for s in all_samples() if s.corpus_rel)
    owner = {s.corpus_rel: s.format for s in all_samples() if s.corpus_rel}
    for row in ROWS:
        rel = row["file"]
        assert listed[rel] == 1, f"{rel} is a sample of {listed[rel]} importers, not one"
        assert owner[rel] in family_importers(row["format"]), f"{rel}: listed under {owner[rel]}"
    unknown = set(listed) - {r["file"] for r in ROWS}
    assert not unknown, f"samples not in the corpus manifest: {sorted(unknown)}"
