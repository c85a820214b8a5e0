"""The shared importer helpers: safe streaming readers (XML, JSON, CSV) and sniffing."""

from __future__ import annotations

import io

import pytest

from cityguard.core.errors import DataError
from cityguard.ingest import util


def b(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_xml_root_skips_prolog_doctype_comments_and_bom() -> None:
    head = (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- generated -->\n"
            b"<!DOCTYPE issues [ <!ELEMENT issues (issue*)> ]>\n<issues burpVersion='2'>")
    assert util.xml_root(head) == "issues"
    assert util.xml_root(b"<ns0:Benchmark xmlns:ns0='x'/>") == "Benchmark"
    assert util.xml_root(b"{\"a\": 1}") is None
    assert util.json_start(b"\xef\xbb\xbf  \n [1]") == "["


def test_iter_xml_yields_complete_units_and_frees_them() -> None:
    doc = "<r><h name='a'>" + "".join(f"<i id='{n}'><c>x{n}</c></i>" for n in range(5)) + "</h></r>"
    seen, parents = [], []
    for event, elem in util.xml_events(b(doc), "t.xml", start=("h",), end=("i",)):
        if event == "start":
            parents.append(elem)
            assert elem.get("name") == "a"
        else:
            seen.append((elem.get("id"), util.child_text(elem, "c")))
    assert seen == [(str(n), f"x{n}") for n in range(5)]
    assert len(parents[0]) == 0  # every <i> was detached from <h> once consumed


def test_iter_xml_ignores_namespaces() -> None:
    doc = "<a:root xmlns:a='urn:x'><a:item>1</a:item><a:item>2</a:item></a:root>"
    assert [e.text for e in util.iter_xml(b(doc), "ns.xml", "item")] == ["1", "2"]


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
         "declares entities"),
        ('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', "entities"),
        ("<r><i>1</i><i>2", "invalid XML"),
        ("<r><i>1</i></x>", "invalid XML"),
    ],
)
def test_iter_xml_refuses_dangerous_or_broken_xml(doc: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem) as err:
        list(util.iter_xml(b(doc), "bad.xml", "i"))
    assert str(err.value).startswith("bad.xml")


def test_iter_xml_error_names_the_line() -> None:
    with pytest.raises(DataError) as err:
        list(util.iter_xml(b("<r>\n<i>1</i>\n<i>2</j>\n</r>"), "f.xml", "i"))
    assert err.value.line == 3


def test_decode_json() -> None:
    assert util.decode_json(io.BytesIO(b"\xef\xbb\xbf{\"a\": [1]}"), "x") == {"a": [1]}
    assert util.decode_json(b("  \n"), "x") is None
    with pytest.raises(DataError, match="invalid JSON") as err:
        util.decode_json(b('{\n "a": 1,\n "b": }'), "x.json")
    assert err.value.line == 3
    with pytest.raises(DataError, match="not UTF-8"):
        util.decode_json(io.BytesIO(b'{"a": "\xff\xfe"}'), "x.json")


def test_iter_json_streams_and_reports_truncation() -> None:
    data = b'\xef\xbb\xbf{"runs": [{"n": 1}, {"n": 2.5}]}'
    assert list(util.iter_json(io.BytesIO(data), "s.sarif", "runs.item")) == [{"n": 1},
                                                                             {"n": 2.5}]
    with pytest.raises(DataError, match="truncated"):
        list(util.iter_json(b('{"runs": [{"n": 1}, {"n"'), "s.sarif", "runs.item"))


def test_iter_json_lines_names_the_bad_line() -> None:
    stream = b('{"a": 1}\n\n{"a": 2}\n{"a": \n')
    it = util.iter_json_lines(stream, "n.jsonl")
    assert next(it) == {"a": 1} and next(it) == {"a": 2}
    with pytest.raises(DataError) as err:
        next(it)
    assert err.value.line == 4


def test_csv_rows_sniff_delimiter_bom_and_quoted_newlines() -> None:
    semi = io.BytesIO("\ufeffasset.name;definition.id\nhost1;123\n\nhost2;\"a;b\nc\"\n"
                      .encode())
    assert list(util.csv_rows(semi, "t.csv")) == [
        {"asset.name": "host1", "definition.id": "123"},
        {"asset.name": "host2", "definition.id": "a;b\nc"},
    ]
    comma = b("Plugin ID,Host,Port\n1,h,80,extra\n2,h,\n")
    assert list(util.csv_rows(comma, "t.csv")) == [
        {"Plugin ID": "1", "Host": "h", "Port": "80"},
        {"Plugin ID": "2", "Host": "h", "Port": ""},
    ]
    with pytest.raises(DataError, match="truncated") as err:
        list(util.csv_rows(b("Plugin ID,Host,Port\n1,h,80\n2,h"), "cut.csv"))
    assert err.value.line == 3
    assert list(util.csv_rows(b(""), "t.csv")) == []


def test_csv_rows_bad_bytes() -> None:
    with pytest.raises(DataError, match="not UTF-8"):
        list(util.csv_rows(io.BytesIO(b"a,b\n\xff\xfe,1\n"), "t.csv"))


def test_cell_takes_the_first_non_blank_column() -> None:
    row = {"IP Address": "  ", "Host": " 10.0.0.1 ", "Port": "443"}
    assert util.cell(row, "IP Address", "Host") == "10.0.0.1"
    assert util.cell(row, "Port") == "443" and util.cell(row, "Missing") == ""


def test_children_and_descendant_ignore_namespaces() -> None:
    from defusedxml.ElementTree import fromstring

    root = fromstring('<r xmlns="urn:x"><refs><ref>a</ref><ref>b</ref><x/></refs>'
                      '<refs><ref>c</ref></refs><deep><in><ref>d</ref></in></deep></r>')
    assert [e.text for e in util.children(root, "refs", "ref")] == ["a", "b", "c"]
    assert util.children(root, "missing", "ref") == []
    assert util.children(root) == [root]
    assert util.descendant(root, "in") is not None
    assert util.descendant(root, "ref").text == "a"  # the first in document order
    assert util.descendant(root, "nothing") is None


def test_json_field_readers() -> None:
    from cityguard.ingest.importers._jsonio import as_dict, stated

    assert as_dict({"a": 1}) == {"a": 1}
    assert as_dict(None) == {} and as_dict([1]) == {} and as_dict("x") == {}
    assert stated(" 1.2.3 ") == "1.2.3" and stated(None) == "" and stated(False) == ""
    assert stated("None") == "" and stated("null") == ""
