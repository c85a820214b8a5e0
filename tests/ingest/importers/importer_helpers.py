"""Helpers for the importer tests (XML, JSON, CSV and text formats): corpus files, detection,
well-formed findings, truncated copies, hostile XML, streams that cannot seek. Per-format facts
(counts, first findings, cut points, XML roots) live in tests/assets/ingest/<format>/samples.yaml
(see samples.py)."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from cityguard.core.errors import DataError
from cityguard.ingest import detect, get_importer, read_file, sniff_scores
from cityguard.ingest.base import HEAD_BYTES
from cityguard.model import ASSET_KINDS, Finding, Severity

REPO_ROOT = Path(__file__).resolve().parents[3]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "scans"
ASSETS = REPO_ROOT / "tests" / "assets" / "ingest"


def corpus_file(rel: str) -> Path:
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"scanner corpus file not found: {path}")
    return path


def asset(rel: str) -> Path:
    path = ASSETS / rel
    assert path.is_file(), f"test asset missing: {path}"
    return path


def parse(fmt: str, path: Path) -> list[Finding]:
    """The importer's own parse over the file (no detection in between)."""
    importer = get_importer(fmt)
    with path.open("rb") as fh:
        return list(importer.parse(fh, str(path)))


def parse_bytes(fmt: str, data: bytes, tmp_path: Path, name: str = "report.json") -> list[Finding]:
    path = tmp_path / name
    path.write_bytes(data)
    return parse(fmt, path)


def assert_detected(fmt: str, path: Path) -> None:
    """`fmt` claims the file, with a confidence no other importer reaches."""
    scores = sniff_scores(path.read_bytes()[:HEAD_BYTES])
    assert scores, f"nobody claims {path}"
    best, name = scores[0]
    assert name == fmt, f"{path}: detected as {name}, not {fmt} ({scores})"
    assert all(score < best for score, _ in scores[1:]), f"{path}: tie or overlap {scores}"
    assert detect(path).name == fmt


def assert_well_formed(findings: list[Finding], fmt: str, unique: bool = True) -> None:
    tool = get_importer(fmt).tool
    for f in findings:
        # only SARIF names a tool family per producer: "sarif:codeql", or the family of the
        # producer's native importer ("bandit", "semgrep"); others use their own
        family = fmt == "sarif" and (f.tool.startswith(tool + ":") or ":" not in f.tool)
        assert f.format == fmt and (f.tool == tool or family), f.tool
        assert f.asset_kind in ASSET_KINDS and f.asset_key and f.rule_id and f.title, f
        assert isinstance(f.severity, Severity)
        assert len(f.fingerprint) == 64
        assert all(c.startswith("CVE-") for c in f.cves), f.cves
        assert all(c.startswith("CWE-") for c in f.cwes), f.cwes
    if unique:
        fingerprints = [f.fingerprint for f in findings]
        assert len(fingerprints) == len(set(fingerprints)), "one identity yielded twice"


def assert_truncated_fails(fmt: str, source: Path, tmp_path: Path, fraction: float = 0.5) -> None:
    """A copy cut at `fraction` of its bytes is refused as one DataError naming the file."""
    data = source.read_bytes()
    cut = tmp_path / f"cut-{source.name}"
    cut.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(DataError) as err:
        read_file(cut, fmt)
    assert str(cut) in str(err.value)
    assert "\n" not in err.value.one_line()


def assert_refuses_entities(fmt: str, root: str, tmp_path: Path) -> None:
    """Entity declarations (XXE, billion laughs) and external DTD fetches never get parsed."""
    lol = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 9))
    payloads = {
        "xxe": f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]><{root}>&x;</{root}>',
        "laughs": f'<!DOCTYPE {root} [<!ENTITY l0 "lol">{lol}]><{root}>&l8;</{root}>',
        "dtd": f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd"><{root}>&ext;</{root}>',
    }
    for name, body in payloads.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(f'<?xml version="1.0"?>\n{body}\n', encoding="utf-8")
        with pytest.raises(DataError) as err:
            parse(fmt, path)  # the importer itself, not only detection, must refuse it
        assert str(path) in str(err.value)
        if name != "dtd":  # an undeclared entity after an unfetched DTD: a plain XML error
            assert "refused" in str(err.value)


class _Pipe(io.RawIOBase):
    """Bytes that can only be read forward, like a pipe or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


def parse_unseekable(fmt: str, path: Path) -> list[Finding]:
    """Parse through a forward-only stream: importers that need two passes must cope."""
    stream = io.BufferedReader(_Pipe(path.read_bytes()))
    assert not stream.seekable()
    return list(get_importer(fmt).parse(stream, str(path)))


def one(findings: list[Finding], **where: object) -> Finding:
    """The single finding whose attributes equal `where`."""
    hits = [f for f in findings if all(getattr(f, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} findings match {where}"
    return hits[0]


def every_text(findings: list[Finding]) -> str:
    """All text a finding could show or store (for 'no secret leaks' checks)."""
    return "\n".join(repr(f.to_dict()) + repr(f.extra) for f in findings)


def import_mixed(cityguard_proc, folder: Path, good: Iterable[str], bad: Iterable[str],
                 quiet: Iterable[str] = ()) -> tuple[Any, dict[str, dict[str, Any]], Path]:
    """`cityguard scans import` of good and bad files in one run, as a user would, with what
    every such run must show: exit 2, no traceback, one error line naming each bad file and
    none naming a good (or `quiet`) one, the bad files failed and nothing of them stored.
    Returns the process, its per-file JSON results and the store."""
    good, bad, quiet = list(good), list(bad), list(quiet)
    db = folder / "cg.db"
    res = cityguard_proc("scans", "import", *good, *bad, *quiet, "--store", str(db), "--json",
                         cwd=folder)  # fmt: skip
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    errors = [line for line in res.stderr.splitlines() if line.startswith("error: ")]
    # one line per bad file, naming it (a closing count line, if any, names no file)
    named = sorted(e.split(":")[1].strip() for e in errors if e.split(":")[1].strip() in bad)
    assert named == sorted(bad), res.stderr
    assert not [e for e in errors if any(g in e for g in (*good, *quiet))], res.stderr
    results = {r["file"]: r for r in json.loads(res.stdout)}
    assert {f for f, r in results.items() if r["status"] == "failed"} == set(bad)
    conn = sqlite3.connect(db)
    stored = {r[0] for r in conn.execute("SELECT file FROM imports")}
    conn.close()
    assert set(good) <= stored and not stored & set(bad)
    return res, results, db
