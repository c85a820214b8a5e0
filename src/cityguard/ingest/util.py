"""Helpers shared by the importers: safe streaming readers (XML, JSON, CSV) and sniffing.

Every reader here turns a parse failure into one DataError naming the file and, where the
parser knows it, the line — so importers can stay free of error plumbing. XML always goes
through ingest.expat: defusedxml's guards (entities, external references and DTD fetches
refused) on pyexpat.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

from cityguard.core import jsonio, limits
from cityguard.core.errors import DataError
from cityguard.ingest import expat
from cityguard.ingest.expat import xml_error as xml_error  # re-exported for importers

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from cityguard.model import Finding

BOM = codecs.BOM_UTF8
_CSV_FIELD_LIMIT = 16 * 1024 * 1024  # plugin output can be megabytes in one cell


# --- sniffing ------------------------------------------------------------------------------


def head_text(head: bytes) -> str:
    """The head as text without BOM and leading blanks (undecodable bytes dropped)."""
    return head.removeprefix(BOM).decode("utf-8", errors="ignore").lstrip()


_XML_SKIP = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)", re.S)
_XML_ROOT = re.compile(r"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def xml_root(head: bytes) -> str | None:
    """Local name of the first element of an XML head (after prolog, comments, DOCTYPE)."""
    text = head_text(head)
    pos = 0
    while True:
        m = _XML_SKIP.match(text, pos)
        if not m:
            break
        pos = m.end()
    m = _XML_ROOT.match(text, pos)
    return m.group(2) if m else None


def json_start(head: bytes) -> str:
    """First non-blank character of a JSON head ('{', '[', …) or '' when there is none."""
    text = head_text(head)
    return text[:1]


# --- XML -----------------------------------------------------------------------------------


def local(tag: str) -> str:
    """`{namespace}name` → `name` (dependency-check, XCCDF and ARF change namespaces)."""
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def xml_events(
    stream: BinaryIO, source: str, start: Iterable[str] = (), end: Iterable[str] = ()
) -> Iterator[tuple[str, Element]]:
    """Stream ("start", elem) / ("end", elem) for the local names asked for.

    On "start" only the tag and attributes are reliable; on "end" the whole subtree is. Once
    the consumer resumes after an "end", that element is cleared and detached from its parent,
    so memory stays bounded by the largest single unit (host, issue, result), not the file.
    Parsed by ingest.expat (defusedxml's guards, the C tree builder).
    """
    for event, elem, parent in expat.element_events(stream, source, frozenset(start),
                                                    frozenset(end)):  # fmt: skip
        yield event, elem
        if event == "end":
            elem.clear()
            if parent is not None:
                # the parser reads ahead: the parent may already hold the next siblings, so
                # its last child is not necessarily this element
                if len(parent) and parent[-1] is elem:
                    del parent[-1]
                else:
                    with contextlib.suppress(ValueError):
                        parent.remove(elem)


def iter_xml(stream: BinaryIO, source: str, tag: str | Iterable[str]) -> Iterator[Element]:
    """Each complete element with the given local name(s), freed after use (see xml_events)."""
    tags = (tag,) if isinstance(tag, str) else tuple(tag)
    for _event, elem in xml_events(stream, source, end=tags):
        yield elem


def child_text(elem: Element, name: str, default: str = "") -> str:
    """Stripped text of the first direct child with local name `name` (namespaces ignored)."""
    for child in elem:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return default


def children(elem: Element, *path: str) -> list[Element]:
    """The elements along a path of local names below `elem`, namespaces ignored:
    children(vuln, "ratings", "rating") is every <rating> of every <ratings> of `vuln`."""
    found = [elem]
    for step in path:
        found = [c for e in found for c in e if local(c.tag) == step]
    return found


def descendant(elem: Element, name: str) -> Element | None:
    """The first element with local name `name` at or below `elem`, in document order."""
    return next((e for e in elem.iter() if local(e.tag) == name), None)


# --- JSON ----------------------------------------------------------------------------------


def decode_json(stream: BinaryIO, source: str) -> Any:
    """The whole document (small formats only). Empty or blank input gives None.

    At most limits.MAX_WHOLE_JSON bytes; nesting checked before parsing (core/jsonio)."""
    raw = stream.read(limits.MAX_WHOLE_JSON + 1)
    if len(raw) > limits.MAX_WHOLE_JSON:
        raise DataError(source, f"over {limits.MAX_WHOLE_JSON // limits.MiB} MiB, the limit "
                                "for a JSON report read whole")
    if not raw.removeprefix(BOM).strip():
        return None
    return jsonio.loads(raw, source)


def json_error(source: str, exc: BaseException) -> DataError:
    """One DataError line for an ijson failure (truncated document, bad token)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "incomplete" in text.lower() or "premature" in text.lower():
        return DataError(source, "invalid JSON (truncated: the document ends too early)")
    return DataError(source, f"invalid JSON ({text[:160]})")


def iter_json(stream: BinaryIO, source: str, prefix: str) -> Iterator[Any]:
    """Stream the values at an ijson prefix, e.g. "runs.item" or "matches.item".

    Numbers come back as float/int (not Decimal). Use for formats that can be huge.
    """
    import ijson

    stream = skip_bom(stream)
    try:
        yield from ijson.items(jsonio.guard(stream, source), prefix, use_float=True)
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None


def iter_json_lines(stream: BinaryIO, source: str) -> Iterator[Any]:
    """JSON Lines: one value per non-blank line; errors name the line."""
    number = 0
    while raw := stream.readline(limits.MAX_WHOLE_JSON + 1):
        number += 1
        if len(raw) > limits.MAX_WHOLE_JSON:
            raise DataError(source, f"line over {limits.MAX_WHOLE_JSON // limits.MiB} MiB",
                            line=number)
        if number == 1:
            raw = raw.removeprefix(BOM)
        if not raw.strip():
            continue
        yield jsonio.loads(raw, source, line=number)


def skip_bom(stream: BinaryIO) -> BinaryIO:
    """Past a UTF-8 BOM at the current position (a stream that cannot seek is left as is)."""
    if not stream.seekable():
        return stream
    pos = stream.tell()
    if stream.read(3) != BOM:
        stream.seek(pos)
    return stream


# --- CSV -----------------------------------------------------------------------------------


def csv_rows(stream: BinaryIO, source: str) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by the (stripped) header; `;` or `,` delimiter sniffed from line 1.

    Errors carry the line number. Extra cells are dropped; a row with fewer cells than the
    header is an error (exports write every cell, so a short row means a cut-off file).
    """
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    line = 1
    try:
        first = text.readline()
        if not first.strip():
            return
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter))]
        reader = csv.reader(text, delimiter=delimiter)
        for row in reader:
            line = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):  # exports write every cell: a short row is a cut file
                raise DataError(
                    source,
                    f"row has {len(row)} of the header's {len(header)} columns "
                    "(truncated or malformed CSV)",
                    line=line,
                )
            yield {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
    except csv.Error as exc:
        raise DataError(source, f"invalid CSV ({exc})", line=line) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None
    finally:
        text.detach()  # leave the caller's stream open


def cell(row: Mapping[str, str], *names: str) -> str:
    """The first non-blank of the named columns, stripped; "" when none has a value."""
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return ""


# --- identities ----------------------------------------------------------------------------


def first_of_each(findings: Iterable[Finding]) -> Iterator[Finding]:
    """Drop later findings whose identity was already yielded (whole-file, streaming).

    Keeps the first 16 bytes of each fingerprint (a sha256, computed once and cached on the
    Finding for the store), so a million findings cost ~50 MB, not the findings themselves.
    """
    seen: set[bytes] = set()
    for f in findings:
        key = bytes.fromhex(f.fingerprint[:32])
        if key not in seen:
            seen.add(key)
            yield f
