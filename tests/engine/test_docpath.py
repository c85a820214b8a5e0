"""Dotted paths into YAML/JSON with line numbers."""

from __future__ import annotations

import pytest

from cityguard.engine.docpath import MISSING, load_yaml_documents, parse_path, resolve


def test_parse_path() -> None:
    assert parse_path("a.b[0].c[*]") == ["a", "b", 0, "c", "*"]
    assert parse_path("[*].x") == ["*", "x"]
    assert parse_path("items[-1]") == ["items", -1]
    for bad in ("", "a..b", "a[", "a[x]"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_resolve_with_lines_and_missing() -> None:
    (doc,) = load_yaml_documents("a:\n  list:\n    - {x: 1}\n    - {y: 2}\n  flag: true\n")
    assert resolve(doc, parse_path("a.flag")) == [(True, 5)]
    assert resolve(doc, parse_path("a.list[*].x")) == [(1, 3), (MISSING, 4)]
    assert resolve(doc, parse_path("a.list[5]"))[0][0] is MISSING
    assert resolve(doc, parse_path("a.nope.deeper"))[0][0] is MISSING
    assert [v for v, _ in resolve(doc, parse_path("a[*]"))][1] is True  # [*] over a mapping
    assert resolve({"k": [1, 2]}, parse_path("k[*]")) == [(1, None), (2, None)]


def test_multi_document() -> None:
    docs = load_yaml_documents("---\nkind: A\n---\n---\nkind: B\n")
    assert [d["kind"] for d in docs] == ["A", "B"]
