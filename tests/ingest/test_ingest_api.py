"""cityguard.ingest: discovery, detection from content, and errors turned into one DataError."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar

import pytest

from cityguard import ingest
from cityguard.core.errors import DataError, UnknownName
from cityguard.ingest import IMPORTERS
from cityguard.model import Finding, Severity

NESSUS = (
    '<?xml version="1.0" ?>\n<NessusClientData_v2><Report name="t">'
    '<ReportHost name="10.1.2.3"><HostProperties><tag name="host-ip">10.1.2.3</tag>'
    "</HostProperties>"
    '<ReportItem port="22" svc_name="ssh" protocol="tcp" severity="3" pluginID="10001"'
    ' pluginName="Weak SSH" pluginFamily="General"><cve>CVE-2023-48795</cve>'
    "<description>d</description></ReportItem>"
    "</ReportHost></Report></NessusClientData_v2>\n"
)


@pytest.fixture
def fake_importer():
    """A temporary importer whose parse does what the test says (removed afterwards)."""
    ingest.load_importers()

    class Fake:
        name: ClassVar[str] = "zz_fake"
        tool: ClassVar[str] = "zz_fake"
        description: ClassVar[str] = "test double"
        behaviour: ClassVar[object] = None

        def sniff(self, head: bytes) -> int:
            if head.startswith(b"SNIFF-CRASH"):
                raise RuntimeError("sniff bug")
            return 100 if head.startswith(b"FAKE") else 0

        def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
            stream.read(4)
            yield Finding(tool="zz_fake", format="zz_fake", asset_kind="host", asset_key="h",
                          rule_id="r", title="t", severity=Severity.LOW)
            exc = Fake.behaviour
            if isinstance(exc, BaseException):
                raise exc

    IMPORTERS.register(Fake)
    yield Fake
    IMPORTERS._items.pop("zz_fake")


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def test_every_importer_module_is_registered_under_its_stem() -> None:
    from cityguard.ingest import importers

    stems = {p.stem for p in Path(importers.__file__).parent.glob("*.py")
             if not p.stem.startswith("_")}
    names = [c.name for c in ingest.formats()]
    assert set(names) == stems and names == sorted(names)
    for cls in ingest.formats():
        assert cls.tool and cls.description, cls.name
        assert ingest.get_importer(cls.name).name == cls.name


def test_detects_from_content_not_name_even_with_bom(tmp_path: Path) -> None:
    p = write(tmp_path, "report.json", b"\xef\xbb\xbf" + NESSUS.encode())
    assert ingest.detect(p).name == "nessus"
    got = ingest.read_file(p)
    assert (got.format, got.tool, len(got.findings)) == ("nessus", "nessus", 1)
    f = got.findings[0]
    assert (f.asset_key, f.port, f.cves, f.source_file) == ("10.1.2.3", 22, ("CVE-2023-48795",),
                                                             str(p))


def test_iter_file_is_lazy(tmp_path: Path) -> None:
    p = write(tmp_path, "a.nessus", NESSUS)
    importer, findings = ingest.iter_file(p)
    p.unlink()  # not opened yet: the error surfaces while iterating, as DataError
    assert importer.name == "nessus"
    with pytest.raises(DataError, match="cannot read|not found"):
        list(findings)


def test_blank_files_are_empty_reports_unless_a_format_is_forced(tmp_path: Path) -> None:
    for data in (b"", b"\n  \r\n", b"\xef\xbb\xbf", b"null\n", b"[ ]", b"\xef\xbb\xbf{}"):
        p = write(tmp_path, "e.out", data)
        got = ingest.read_file(p)
        assert (got.format, got.tool, got.findings) == ("empty", "", [])
    with pytest.raises(DataError, match="no element found|invalid XML"):
        ingest.read_file(write(tmp_path, "e.nessus", b""), "nessus")


def test_format_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownName, match="nessus"):
        ingest.detect(write(tmp_path, "x", NESSUS), "nesus")
    with pytest.raises(DataError, match=r"is not a sarif file \(it looks like nessus\)"):
        ingest.detect(write(tmp_path, "x", NESSUS), "sarif")
    with pytest.raises(DataError, match="not a recognised scan format.*binary content"):
        ingest.detect(write(tmp_path, "g.bin", bytes(range(256)) * 8))
    with pytest.raises(DataError, match=r"not a recognised scan format \(text, not a known "
                                        r"report\), 12 bytes") as exc:  # described, not quoted
        ingest.detect(write(tmp_path, "t.txt", "hello world\n"))
    assert "hello" not in str(exc.value)
    with pytest.raises(DataError, match="file not found"):
        ingest.detect(tmp_path / "missing.nessus")
    with pytest.raises(DataError, match="directory"):
        ingest.detect(tmp_path)


def test_a_crashing_sniff_does_not_break_detection(tmp_path: Path, fake_importer) -> None:
    p = write(tmp_path, "n.xml", "SNIFF-CRASH" + NESSUS)
    assert ingest.sniff_scores(p.read_bytes()) == []  # nobody, not a traceback
    assert ingest.detect(write(tmp_path, "ok.nessus", NESSUS)).name == "nessus"


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (KeyError("Results"), r"not a valid zz_fake file \(a field or element the format "
                              r"requires is missing: KeyError\)"),  # the key is not quoted
        (TypeError("'NoneType' object is not iterable"), "not a valid zz_fake file"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8 text"),
        (RecursionError(), "nested too deeply"),
        (DataError("f", "already one line", line=7), "already one line"),
    ],
)
def test_importer_failures_become_one_data_error(
    tmp_path: Path, fake_importer, exc: BaseException, message: str
) -> None:
    fake_importer.behaviour = exc
    p = write(tmp_path, "f.fake", "FAKE data")
    importer, findings = ingest.iter_file(p)
    assert importer.name == "zz_fake"
    with pytest.raises(DataError, match=message):
        list(findings)


def test_parser_library_errors_are_wrapped(tmp_path: Path, fake_importer) -> None:
    import ijson

    try:
        list(ijson.items(io.BytesIO(b'{"a": [1, 2'), "a.item"))
    except ijson.JSONError as exc:
        fake_importer.behaviour = exc
    with pytest.raises(DataError, match="invalid JSON"):
        ingest.read_file(write(tmp_path, "f.fake", "FAKE"))
    from defusedxml.ElementTree import ParseError

    fake_importer.behaviour = ParseError("mismatched tag: line 3, column 2")
    fake_importer.behaviour.position = (3, 2)
    with pytest.raises(DataError) as err:
        ingest.read_file(write(tmp_path, "f.fake", "FAKE"))
    assert err.value.line == 3 and "invalid XML" in str(err.value)


def test_unexpected_bugs_are_not_disguised_as_bad_input(tmp_path: Path, fake_importer) -> None:
    fake_importer.behaviour = NotImplementedError("importer bug")
    with pytest.raises(NotImplementedError):
        ingest.read_file(write(tmp_path, "f.fake", "FAKE"))


def test_file_sha256(tmp_path: Path) -> None:
    p = write(tmp_path, "x", b"abc")
    assert ingest.file_sha256(p) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
