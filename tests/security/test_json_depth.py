"""Deeply nested JSON and long member names are refused before a parser builds them.

Before the fix a 200 KB SARIF nested 100,000 levels was killed by the kernel at 24 GB (ijson
keeps one path prefix per open level, so memory grows with depth squared), and 200 levels of
20 KB member names took 4 MB of file to 780 MB. Every JSON input now passes core/jsonio: scan
files (the json and the ijson paths of ingest/util.py and importers/_jsonio.py, so every JSON
importer), `cityguard report FILE.json`, JSON configuration read by `config_value`. Hostile
files are made here, small on disk, and every run is bounded in time and address space.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bounded import DEFAULT_MEMORY, _limit, assert_refused, run_bounded
from hypothesis import given, settings
from hypothesis import strategies as st

from cityguard.core import jsonio, limits
from cityguard.core.errors import DataError
from cityguard.ingest import util

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "scans"
DEEP = 100_000


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _scan(data: bytes, size: int, **kw: int) -> None:
    scan = jsonio.NestingScan("t.json", **kw)
    for start in range(0, len(data), size):
        scan.feed(data[start:start + size])


# strings full of what could fool a scanner: brackets, quotes, backslashes
_TEXT = st.text(alphabet='[]{}"\\:,ab \n\t\u4e2d', max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON, size=st.integers(1, 70), limit=st.integers(0, 8),
       ascii_only=st.booleans(), indent=st.sampled_from([None, 1]))
def test_the_scan_agrees_with_the_parser_on_depth(value: object, size: int, limit: int,
                                                  ascii_only: bool, indent: int | None) -> None:
    """Whatever the strings hold and wherever the chunks are cut, the depth is the parser's."""
    data = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    try:
        _scan(data, size, max_depth=limit)
        refused = False
    except DataError:
        refused = True
    assert refused == (_depth(value) > limit)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64, 1 << 20])
def test_escapes_cut_at_chunk_edges(size: int) -> None:
    tricky = {'a\\': ['\\"[', '\\\\', '"{{{', {"k\\\\\"": "]]]]"}], "b": "\\" * 7}
    data = json.dumps(tricky).encode()
    _scan(data, size, max_depth=3)
    with pytest.raises(DataError, match="nested deeper than 2 levels"):
        _scan(data, size, max_depth=2)


@pytest.mark.parametrize("size", [1, 7, 4096, 1 << 20])
def test_long_member_names_are_refused_long_values_are_not(size: int) -> None:
    long = "n" * (limits.MAX_JSON_KEY + 1)
    _scan(json.dumps({"a": long, "b": [long, long]}).encode(), size)  # values: fine
    _scan(json.dumps({"n" * limits.MAX_JSON_KEY: 1}).encode(), size)  # at the limit: fine
    for doc in (f'{{"{long}": 1}}', f'[{{"x": 1, "{long}"  \n : 2}}]'):
        with pytest.raises(DataError, match="member name longer than"):
            _scan(doc.encode(), size)


def test_the_error_names_the_line() -> None:
    doc = b'{\n"a": 1,\n"b":\n' + b"[" * 300 + b"]" * 300 + b"}"
    with pytest.raises(DataError) as err:
        jsonio.loads(doc, "x.json")
    assert err.value.line == 4 and err.value.path == "x.json"
    assert "nested deeper than 200 levels" in str(err.value)


def test_shared_readers_refuse_deep_documents() -> None:
    deep = b'{"results": [' + b"[" * 1000 + b"]" * 1000 + b"]}"
    with pytest.raises(DataError, match="nested deeper"):
        list(util.iter_json(io.BytesIO(deep), "d.json", "results.item"))
    with pytest.raises(DataError, match="nested deeper"):
        util.decode_json(io.BytesIO(deep), "d.json")
    lines = b'{"a": 1}\n' + deep + b"\n"
    with pytest.raises(DataError) as err:
        list(util.iter_json_lines(io.BytesIO(lines), "d.jsonl"))
    assert err.value.line == 2


def test_a_legitimate_depth_still_parses() -> None:
    doc = b'{"runs": [' + b"[" * 150 + b"1" + b"]" * 150 + b"]}"
    assert len(list(util.iter_json(io.BytesIO(doc), "ok.json", "runs.item"))) == 1
    assert _depth(jsonio.loads(doc, "ok.json")) == 152


# --- real processes: the CLI ------------------------------------------------------------------

def _sarif(results: bytes) -> bytes:
    return (b'{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",'
            b'"runs": [{"tool": {"driver": {"name": "lint"}}, "results": [' + results + b"]}]}")


@pytest.mark.parametrize("kind", ["deep", "deep_multi_run", "long_names"])
def test_scans_import_refuses_hostile_sarif(tmp_path: Path, kind: str) -> None:
    if kind == "deep":  # ~200 KB: 24 GB before the fix
        body = _sarif(b"[" * DEEP + b"]" * DEEP)
    elif kind == "deep_multi_run":  # a second run takes the event-by-event path
        body = _sarif(b'{"ruleId": "a"}]}, {"tool": {"driver": {"name": "b"}}, "results": ['
                      + b"[" * DEEP + b"]" * DEEP)
    else:  # 200 levels of 20 KB names, 4 MB: 780 MB before the fix
        name = b'"' + b"k" * 20_000 + b'"'
        body = _sarif(b"{" + name + b":" + (b"{" + name + b":") * 199 + b"1" + b"}" * 200)
    scan = tmp_path / "hostile.sarif"
    scan.write_bytes(body)
    p = run_bounded("scans", "import", str(scan), "--store", str(tmp_path / "s.db"), "--json",
                    timeout=60, memory=DEFAULT_MEMORY)
    line = assert_refused(p, "hostile.sarif:", "refused: the JSON is")
    assert ("nested deeper than 200 levels" if kind != "long_names" else "member name") in line


def test_report_refuses_a_deep_assessment_json(tmp_path: Path) -> None:
    doc = tmp_path / "deep.json"
    doc.write_bytes(b'{"run_id": "x", "created": "2026-01-01", "results": '
                    + b"[" * DEEP + b"]" * DEEP + b"}")
    out = tmp_path / "out"
    p = run_bounded("report", str(doc), "--format", "html", "--output", str(out),
                    timeout=60)
    assert_refused(p, "deep.json:1:", "nested deeper than 200 levels")
    assert not out.exists()  # nothing half written


# --- every JSON importer, over real samples with a hostile tail -------------------------------

_EVERY_FORMAT = textwrap.dedent("""
    import json, sys
    from cityguard import ingest
    from cityguard.core.errors import DataError
    out = {}
    for path, original in json.loads(sys.stdin.read()):
        try:  # the format the real sample is detected as, forced on the hostile copy
            ingest.read_file(path, ingest.detect(original).name)
            out[path] = "accepted"
        except DataError as exc:
            out[path] = str(exc)
    print(json.dumps(out))
""")


def _json_samples() -> list[Path]:
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.is_file():
        pytest.skip(f"scanner corpus not found at {CORPUS}")
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    return [CORPUS / r["file"] for r in rows if r["file"].endswith((".json", ".sarif"))]


def _with_deep_tail(raw: bytes) -> bytes | None:
    """The document with a deep member (object) or element (array) added at its end."""
    text = raw.decode("utf-8-sig").rstrip()
    deep = "[" * DEEP + "]" * DEEP
    if text.endswith("}") and text[:-1].rstrip()[-1:] != "{":
        return (text[:-1] + f', "zz_deep": {deep}}}').encode()
    if text.endswith("]") and text[:-1].rstrip()[-1:] != "[":
        return (text[:-1] + f", {deep}]").encode()
    return None  # empty documents: nothing to append to


def test_every_json_importer_refuses_a_deep_tail_on_real_samples(tmp_path: Path) -> None:
    """Each JSON sample of the corpus, valid up to a 100,000-level tail: one DataError each,
    in one process bounded to 1.5 GB (one sample that slipped through would need ~24 GB)."""
    jobs = []
    for n, path in enumerate(_json_samples()):
        body = _with_deep_tail(path.read_bytes())
        if body is not None:
            hostile = tmp_path / f"{n:03d}-{path.name}"
            hostile.write_bytes(body)
            jobs.append((str(hostile), str(path)))
    assert len(jobs) > 40
    p = subprocess.run([sys.executable, "-c", _EVERY_FORMAT], input=json.dumps(jobs),
                       capture_output=True, text=True, timeout=120,
                       preexec_fn=_limit(DEFAULT_MEMORY))
    assert p.returncode == 0, p.stderr[-3000:]
    results = json.loads(p.stdout)
    # refused by the nesting check, or (a sample whose head no longer sniffs as its format
    # once the tail is added) refused before any parsing
    refusals = ("refused: the JSON is nested deeper than 200", "is not a")
    not_refused = {k: v for k, v in results.items() if not any(r in v for r in refusals)}
    assert not not_refused, not_refused
    nested = sum("nested deeper" in v for v in results.values())
    assert nested >= len(results) - 2, results
