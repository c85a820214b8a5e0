"""Every importer's samples and what each must give, read from
tests/assets/ingest/<format>/samples.yaml (the keys are described in docs/ingest.md, "How to
add a format"). One place for per-format facts, so adding a format is one source file plus its
samples folder: the shared tests (test_every_importer.py, test_corpus.py) pick it up."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "scans"
ASSETS = REPO_ROOT / "tests" / "assets" / "ingest"
SAMPLES_FILE = "samples.yaml"
_KEYS = {"file", "findings", "why", "first", "truncate", "invalid", "detect", "gap", "source",
         "same_findings_as", "repeats"}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    format: str  # the importer that must read it
    file: str  # as written: "corpus:nmap/x.xml" or a name beside samples.yaml
    path: Path
    findings: int | None = None  # the independently counted number of findings
    why: str = ""  # how that count was reached where it differs from DefectDojo's
    first: dict[str, Any] = field(default_factory=dict)  # attributes of the first finding
    truncate: float | None = None  # a copy cut at this fraction must be one DataError
    invalid: str = ""  # the file must be refused (one DataError naming it), and why
    detect: str = ""  # auto-detection gives this name instead of `format` (e.g. "empty")
    gap: str = ""  # the file says the scan did not run or audited nothing: this gap kind
    source: str = ""  # where a file beside samples.yaml comes from (origin, licence)
    same_findings_as: str = ""  # "<format>:<file>": another format of the same tool run
    repeats: int = 0  # findings that repeat an identity already yielded (same result)

    @property
    def corpus_rel(self) -> str | None:
        """The path inside the shared corpus (MANIFEST.csv's `file`), None for local files."""
        return self.file.removeprefix("corpus:") if self.file.startswith("corpus:") else None

    @property
    def id(self) -> str:
        return f"{self.format}:{self.file.removeprefix('corpus:')}"

    @property
    def available(self) -> bool:
        return self.path.is_file()


def _sample(fmt: str, folder: Path, raw: dict[str, Any]) -> Sample:
    unknown = set(raw) - _KEYS
    assert not unknown, f"{folder / SAMPLES_FILE}: unknown key(s) {sorted(unknown)}"
    name = str(raw["file"])
    path = CORPUS / name.removeprefix("corpus:") if name.startswith("corpus:") else folder / name
    return Sample(format=fmt, path=path, **raw)


@lru_cache(maxsize=1)
def all_samples() -> tuple[Sample, ...]:
    out: list[Sample] = []
    for folder in sorted(p for p in ASSETS.iterdir() if (p / SAMPLES_FILE).is_file()):
        data = yaml.safe_load((folder / SAMPLES_FILE).read_text(encoding="utf-8")) or {}
        out += [_sample(folder.name, folder, raw) for raw in data.get("samples") or []]
    return tuple(out)


@lru_cache(maxsize=1)
def xml_roots() -> dict[str, str]:
    """format → root element, for the XML formats (their samples.yaml says `xml_root`)."""
    roots = {}
    for folder in sorted(p for p in ASSETS.iterdir() if (p / SAMPLES_FILE).is_file()):
        data = yaml.safe_load((folder / SAMPLES_FILE).read_text(encoding="utf-8")) or {}
        if data.get("xml_root"):
            roots[folder.name] = str(data["xml_root"])
    return roots


def formats_with_samples() -> set[str]:
    return {s.format for s in all_samples()}


def samples_of(fmt: str) -> list[Sample]:
    return [s for s in all_samples() if s.format == fmt]


def by_id(sample_id: str) -> Sample:
    """A sample by "<format>:<file>" (the file without its `corpus:` prefix)."""
    hits = [s for s in all_samples() if s.id == sample_id]
    assert len(hits) == 1, f"no single sample {sample_id!r}"
    return hits[0]


@lru_cache(maxsize=1)
def defectdojo_counts() -> dict[str, int | None]:
    """Corpus file → DefectDojo's asserted finding count (None where it asserts none)."""
    path = CORPUS / "MANIFEST.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            row["file"]: int(row["expected_findings_defectdojo"])
            if row["expected_findings_defectdojo"].strip()
            else None
            for row in csv.DictReader(fh)
        }
