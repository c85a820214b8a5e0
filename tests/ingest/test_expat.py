"""ingest.expat, the one XML parser of the importers: defusedxml's guards on pyexpat, the file
fed in chunks, elements from the C tree builder.

The hostile payloads are also run against every XML importer by test_every_importer.py; here
the parser itself is held to what defusedxml's ElementTree gave before it: the same refusals,
the same trees for real scanner files, and an external DTD that is never fetched."""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree.ElementTree import tostring

import pytest
from defusedxml.ElementTree import iterparse as defused_iterparse

from cityguard.core.errors import DataError
from cityguard.ingest import expat, read_file, util

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "scans"
ASSETS = REPO_ROOT / "tests" / "assets" / "ingest"


def b(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def corpus(rel: str) -> Path:
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"scanner corpus file not found: {path}")
    return path


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "declares entities"),
        ('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', "declares entit"),
        ('<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><r/>', "declares"),
        ('<!DOCTYPE r [<!ENTITY u SYSTEM "x.bin" NDATA bin>]><r/>', "declares entities"),
        ('<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r>&ext;</r>', "undefined entity"),
        ("<r><i>1</i><i>2", "invalid XML"),
        ("<r>\x01</r>", "invalid XML"),  # a control character XML 1.0 forbids
    ],
)
def test_refusals_are_one_line_naming_the_file(doc: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem) as err:
        list(util.xml_events(b(doc), "bad.xml", end=("i",)))
    assert str(err.value).startswith("bad.xml") and "\n" not in err.value.one_line()


def test_undefined_entity_names_its_line() -> None:
    doc = '<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "r.dtd">\n<r>\n<i>&ext;</i></r>'
    with pytest.raises(DataError) as err:
        list(util.xml_events(b(doc), "f.xml", end=("i",)))
    assert err.value.line == 4


def test_an_external_dtd_is_never_fetched(http_spy: tuple[str, list[str]]) -> None:
    # Qualys reports name their DTD by URL: the file still parses, and nothing is fetched
    url, hits = http_spy
    dtd_server = f"{url}/report.dtd"
    ok = f'<!DOCTYPE r SYSTEM "{dtd_server}"><r><i>a&amp;b</i></r>'
    assert [e.text for _ev, e in util.xml_events(b(ok), "q.xml", end=("i",))] == ["a&b"]
    with pytest.raises(DataError, match="undefined entity"):
        list(util.xml_events(b(f'<!DOCTYPE r SYSTEM "{dtd_server}"><r>&ext;</r>'), "q.xml"))
    assert hits == []


def _shape(elem: object) -> bytes:
    return tostring(elem)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rel", "unit"),
    [
        ("openvas/many_vuln.xml", "result"),
        ("nmap/nmap_multiple_port.xml", "host"),
        ("qualys/Qualys_Sample_Report.xml", "HOST"),
        ("burp/issue4399.xml", "issue"),
        ("assets:xccdf/ssg-results-arf.xml", "rule-result"),
    ],
)
def test_units_are_the_trees_defusedxml_built(rel: str, unit: str) -> None:
    """Every unit of a real scanner file, serialised, equals what defusedxml's iterparse
    built for it: tags with namespaces, attributes, text and tails."""
    path = ASSETS / rel.removeprefix("assets:") if rel.startswith("assets:") else corpus(rel)
    with path.open("rb") as fh:
        ours = [_shape(e) for _ev, e in util.xml_events(fh, rel, end=(unit,))]
    theirs = [_shape(e) for _ev, e in defused_iterparse(str(path), events=("end",))
              if util.local(e.tag) == unit]  # fmt: skip
    assert ours and ours == theirs


def test_text_split_across_chunks_is_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file fed 997 bytes at a time (hundreds of texts, attributes and names cut in two)
    gives the same findings as one fed in large chunks."""
    path = corpus("nessus/nessus_with_cvssv3.nessus")
    whole = [f.to_dict() for f in read_file(path).findings]
    monkeypatch.setattr(expat, "CHUNK", 997)
    assert [f.to_dict() for f in read_file(path).findings] == whole


def test_namespaced_names_are_spelled_as_elementtree_does() -> None:
    doc = "<a:root xmlns:a='urn:x' xmlns='urn:d'><a:item k='v'>1</a:item><item>2</item></a:root>"
    tags = [(e.tag, e.text) for _ev, e in util.xml_events(b(doc), "ns.xml", end=("item",))]
    assert tags == [("{urn:x}item", "1"), ("{urn:d}item", "2")]
