"""Helpers shared by the importers: safe streaming readers, severity scales, id clean-up.

Every reader here turns a parse failure into one DataError naming the file and, where the
parser knows it, the line — so importers can stay free of error plumbing. XML always goes
through defusedxml (entities, external references and DTD fetches refused).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from cityguard.errors import DataError
from cityguard.model import Severity, severity_from_cvss

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

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


def xml_error(source: str, exc: BaseException) -> DataError:
    """One DataError line for any defusedxml refusal or expat parse error."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    if isinstance(exc, EntitiesForbidden):
        return DataError(source, "refused: the XML declares entities (XXE/entity-expansion guard)")
    if isinstance(exc, ExternalReferenceForbidden):
        return DataError(source, "refused: the XML references an external resource (XXE guard)")
    if isinstance(exc, DTDForbidden):
        return DataError(source, "refused: the XML carries a DTD")
    position = getattr(exc, "position", None)
    line = position[0] if position else None
    msg = str(exc).split(": line", 1)[0] or type(exc).__name__
    return DataError(source, f"invalid XML ({msg})", line=line)


def xml_events(
    stream: BinaryIO, source: str, start: Iterable[str] = (), end: Iterable[str] = ()
) -> Iterator[tuple[str, Element]]:
    """Stream ("start", elem) / ("end", elem) for the local names asked for.

    On "start" only the tag and attributes are reliable; on "end" the whole subtree is. Once
    the consumer resumes after an "end", that element is cleared and detached from its parent,
    so memory stays bounded by the largest single unit (host, issue, result), not the file.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    starts, ends = frozenset(start), frozenset(end)
    stack: list[Element] = []
    try:
        for event, elem in iterparse(stream, events=("start", "end")):
            if event == "start":
                stack.append(elem)
                if starts and local(elem.tag) in starts:
                    yield "start", elem
                continue
            stack.pop()
            if local(elem.tag) in ends:
                yield "end", elem
                elem.clear()
                if stack:
                    # iterparse reports events a buffer late: the parent may already hold the
                    # next siblings, so its last child is not necessarily this element
                    parent = stack[-1]
                    if len(parent) and parent[-1] is elem:
                        del parent[-1]
                    else:
                        with contextlib.suppress(ValueError):
                            parent.remove(elem)
    except (ParseError, DefusedXmlException) as exc:
        raise xml_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not valid text in its declared encoding ({exc.reason})") from None


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


# --- JSON ----------------------------------------------------------------------------------


def decode_json(stream: BinaryIO, source: str) -> Any:
    """The whole document (small formats only). Empty or blank input gives None."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(source, f"invalid JSON ({exc.msg})", line=exc.lineno) from None
    except RecursionError:
        raise DataError(source, "invalid JSON (nested too deeply)") from None


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

    stream = _skip_bom(stream)
    try:
        yield from ijson.items(stream, prefix, use_float=True)
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None


def iter_json_lines(stream: BinaryIO, source: str) -> Iterator[Any]:
    """JSON Lines: one value per non-blank line; errors name the line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        if not raw.strip():
            continue
        try:
            yield json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise DataError(source, f"not UTF-8 text (byte {exc.start})", line=number) from None
        except json.JSONDecodeError as exc:
            raise DataError(source, f"invalid JSON line ({exc.msg})", line=number) from None


def _skip_bom(stream: BinaryIO) -> BinaryIO:
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


# --- values --------------------------------------------------------------------------------

_WORDS = {
    "critical": Severity.CRITICAL, "urgent": Severity.CRITICAL,
    "high": Severity.HIGH, "serious": Severity.HIGH, "error": Severity.HIGH,
    "medium": Severity.MEDIUM, "moderate": Severity.MEDIUM, "warning": Severity.MEDIUM,
    "low": Severity.LOW, "minimal": Severity.LOW, "note": Severity.LOW,
}  # fmt: skip
_SCALES = {
    "nessus": (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL),
    "zap": (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH),
    # Qualys 1 minimal … 5 urgent (scan-formats.md §1, DefectDojo's current mapping)
    "qualys": (Severity.INFO, Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
               Severity.CRITICAL),
}  # fmt: skip


def norm_severity(raw: object, scale: str = "word") -> Severity:
    """A scanner's severity on the common 5-level scale.

    scale "word": critical/high/medium|moderate/low, everything else (info, informational,
    negligible, unknown, untriaged, "-", none, "") → info. "cvss": a 0–10 score by the FIRST
    bands. "nessus" 0–4, "qualys" 1–5, "zap" 0–3: the numeric scales of scan-formats.md §1.
    """
    if raw is None:
        return Severity.INFO
    if scale == "cvss":
        return severity_from_cvss(to_float(raw))
    if scale in _SCALES:
        n = to_int(raw)
        table = _SCALES[scale]
        if n is None or n < 0:
            return Severity.INFO
        return table[min(n, len(table) - 1)]
    return _WORDS.get(str(raw).strip().lower(), Severity.INFO)


def to_float(value: object) -> float | None:
    """A number from int/float/str ("7.5", " 9 "), else None (also for "", "-", "N/A")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def to_int(value: object) -> int | None:
    f = to_float(value)
    return int(f) if f is not None and f == f else None  # f == f: not NaN


_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.I)
_CWE = re.compile(r"(?:.*?cwe[-_/ :]*)?(\d+)", re.I | re.S)


def split_cves(text: object) -> tuple[str, ...]:
    """Every CVE id in a string or list, upper-cased, de-duplicated in order."""
    if text is None:
        return ()
    if isinstance(text, (list, tuple, set)):
        text = " ".join(str(t) for t in text if t)
    return tuple(dict.fromkeys(m.upper() for m in _CVE.findall(str(text))))


def split_cwes(values: object) -> tuple[str, ...]:
    """CWE ids as "CWE-79" from 79, "79", "CWE-79", "external/cwe/cwe-79"; -1/0/junk dropped."""
    if values is None:
        return ()
    items = values if isinstance(values, (list, tuple, set)) else re.split(r"[,;\s]+", str(values))
    out: dict[str, None] = {}
    for item in items:
        m = _CWE.fullmatch(str(item).strip())
        if m and int(m.group(1)) > 0:
            out[f"CWE-{int(m.group(1))}"] = None
    return tuple(out)


REDACTED = "***"
_SECRET_PATTERNS = (
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)",
                re.S), REDACTED),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), REDACTED),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), REDACTED),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), REDACTED),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{16,}"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api_?key)([\"']?\s{0,3}[:=]\s{0,3}[\"']?)"
                r"[^\s\"',;]{4,}"), r"\1\2" + REDACTED),
)  # fmt: skip


def redact(text: str | None, secrets: Iterable[str | None] = ()) -> str:
    """`text` with each known secret value and common credential shapes replaced by "***".

    No prefix of a secret is kept: a prefix narrows a brute-force search and links leaks.
    """
    if not text:
        return ""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text
