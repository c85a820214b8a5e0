"""Scanner results in: detect a file's format from its content and stream normalised findings.

Importers live one per module in `cityguard.ingest.importers` and register themselves; every
module there is imported on first use, so adding a format is adding one file. Whatever goes
wrong while reading a file — refused XML entities, a truncated document, bytes that are not
text, a file of another format — reaches the caller as one DataError naming the file (and
the line when the parser knows it), never as a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, ClassVar

from cityguard.core.errors import CityguardError, DataError
from cityguard.core.registry import import_modules
from cityguard.ingest import expat, importers, split, util
from cityguard.ingest.base import HEAD_BYTES, IMPORTERS, Importer
from cityguard.ingest.gaps import CoverageGap, gaps_of
from cityguard.ingest.scanner_version import scanner_version
from cityguard.ingest.split import TwoParts
from cityguard.model import Finding

__all__ = [
    "HEAD_BYTES",
    "CoverageGap",
    "IMPORTERS",
    "ImportedFile",
    "Importer",
    "detect",
    "file_sha256",
    "formats",
    "gaps_of",
    "get_importer",
    "iter_file",
    "read_file",
    "sniff_scores",
    "split_file",
]

_loaded = False


@dataclass
class ImportedFile:
    """A whole file read into memory (fine for normal sizes; huge files: use iter_file)."""

    path: str
    format: str
    tool: str
    findings: list[Finding] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)  # the scan did not run / saw nothing
    tool_version: str = ""  # the scanner's version, where the file states it ("" otherwise)


class EmptyReport:
    """Stands in for an importer when a file has no content: 0 bytes, only blanks, or a bare
    JSON `null` / `[]` / `{}` that no importer claims.

    Such a file is a valid "nothing found" output of several tools (nuclei -jsonl, gitleaks 7
    `null`, pip-audit `[]`), but its format cannot be told; it imports as zero findings of an
    unknown tool (and so marks nothing fixed). With --format, that importer reads it.
    """

    name: ClassVar[str] = "empty"
    tool: ClassVar[str] = ""
    description: ClassVar[str] = "an empty file (no content): zero findings"

    def sniff(self, head: bytes) -> int:
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return iter(())


def load_importers() -> None:
    """Import every module of cityguard.ingest.importers once (each registers itself)."""
    global _loaded
    if _loaded:
        return

    import_modules(importers.__name__, importers.__path__)  # each registers itself
    _loaded = True


def formats() -> list[type[Importer]]:
    """Every registered importer class, sorted by name."""
    load_importers()
    return [IMPORTERS.get(n) for n in IMPORTERS.names()]


def get_importer(name: str) -> Importer:
    """An importer instance by name; UnknownName (listing the known ones) otherwise."""
    load_importers()
    return IMPORTERS.get(name)()


def sniff_scores(head: bytes) -> list[tuple[int, str]]:
    """(confidence, name) of every importer that claims `head`, best first."""
    load_importers()
    scores = []
    for cls in IMPORTERS:
        try:
            score = int(cls().sniff(head) or 0)
        except Exception:  # a sniff must never break detection of the other formats
            score = 0
        if score > 0:
            scores.append((min(score, 100), cls.name))
    return sorted(scores, key=lambda s: (-s[0], s[1]))


def _read_head(path: Path, source: str) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except FileNotFoundError:
        raise DataError(source, "file not found") from None
    except IsADirectoryError:
        raise DataError(source, "is a directory, not a scan file") from None
    except OSError as exc:
        raise DataError(source, f"cannot read: {exc.strerror or exc}") from None


def _is_blank(head: bytes) -> bool:
    return not head.removeprefix(b"\xef\xbb\xbf").strip()


def _is_empty_json(head: bytes) -> bool:
    """`null`, `[]` or `{}` alone: the "nothing found" output of several JSON tools."""
    return b"".join(head.removeprefix(b"\xef\xbb\xbf").split()) in (b"null", b"[]", b"{}")


def _describe(head: bytes) -> str:
    """What a file looks like, never what it says: its first bytes may be a secret (a line
    of /etc/shadow, a private key) when any file of the machine is handed over as a scan."""
    sample = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:512]
    text = sample.decode("utf-8", errors="replace")
    if any(ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t") for ch in text):
        return "binary content"
    if text.startswith("<"):
        return "XML of no known scanner"
    if text[:1] in ("{", "["):
        return "JSON of no known scanner"
    return "text, not a known report"


def _size(path: Path) -> str:
    try:
        return f", {path.stat().st_size} bytes"
    except OSError:
        return ""


def detect(path: str | Path, fmt: str | None = None) -> Importer:
    """The importer for a file: `fmt` when given (checked against the content), else sniffed."""
    source = str(path)
    head = _read_head(Path(path), source)
    if fmt:
        importer = get_importer(fmt)
        if _is_blank(head) or _is_empty_json(head):
            return importer  # nothing to sniff: the importer decides whether it is valid
        if int(importer.sniff(head) or 0) <= 0:
            scores = sniff_scores(head)
            looks = f"it looks like {scores[0][1]}" if scores else _describe(head)
            raise DataError(source, f"is not a {fmt} file ({looks})")
        return importer
    if _is_blank(head):
        return EmptyReport()
    scores = sniff_scores(head)
    if not scores and _is_empty_json(head):
        return EmptyReport()
    if not scores:
        raise DataError(
            source,
            f"not a recognised scan format ({_describe(head)}){_size(Path(path))}; "
            "see `cityguard scans formats`, or give --format",
        )
    if len(scores) > 1 and scores[1][0] == scores[0][0]:
        tied = ", ".join(name for score, name in scores if score == scores[0][0])
        raise DataError(source, f"ambiguous format (could be {tied}); give --format")
    return get_importer(scores[0][1])


def _parse_error(source: str, fmt: str, exc: BaseException) -> DataError:
    """Any failure inside an importer, as one line about the input (never a traceback)."""
    from pyexpat import ExpatError
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    if isinstance(exc, (ParseError, ExpatError, DefusedXmlException, expat.UndefinedEntity)):
        return expat.xml_error(source, exc)
    if isinstance(exc, UnicodeDecodeError):
        return DataError(source, f"not UTF-8 text (byte {exc.start})")
    if isinstance(exc, RecursionError):
        return DataError(source, "nested too deeply to be a scan report")
    if isinstance(exc, OSError):
        return DataError(source, f"cannot read: {exc.strerror or exc}")
    if type(exc).__module__.startswith("ijson"):
        return util.json_error(source, exc)
    # what went wrong, never the value it went wrong on (a key or a value of the file)
    return DataError(source, f"not a valid {fmt} file ({_what_failed(exc)}: "
                             f"{type(exc).__name__})")


def _what_failed(exc: BaseException) -> str:
    if isinstance(exc, LookupError):
        return "a field or element the format requires is missing"
    if isinstance(exc, (TypeError, AttributeError)):
        return "a field has another type than the format's"
    if isinstance(exc, ArithmeticError):
        return "a number is out of range"
    if isinstance(exc, ValueError):
        return "a value is malformed"
    return "the content does not match the format"


_INPUT_ERRORS = (ValueError, LookupError, TypeError, AttributeError, ArithmeticError, OSError,
                 RecursionError, SyntaxError)  # fmt: skip


def _stream(importer: Importer, path: Path, source: str) -> Iterator[Finding]:
    def read() -> Iterator[Finding]:
        with path.open("rb") as fh:
            yield from importer.parse(fh, source)

    return _checked(importer, source, read())


def _checked(importer: Importer, source: str, findings: Iterator[Finding]) -> Iterator[Finding]:
    """An importer's findings with the file's defaults, and its failures as DataError."""
    try:
        for finding in findings:
            if not finding.source_file:
                finding.source_file = source
            if finding.first_seen is None:  # else the store's "now" comes after last_seen
                finding.first_seen = finding.last_seen
            yield finding
    except CityguardError:
        raise
    except _INPUT_ERRORS as exc:
        # ParseError is a SyntaxError; json/csv/defusedxml errors are ValueErrors; a file of
        # another shape given with --format fails with Key/Type/AttributeError inside parse.
        raise _parse_error(source, importer.name, exc) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("ijson", "defusedxml", "xml", "csv", "json")):
            raise _parse_error(source, importer.name, exc) from None
        raise


def iter_file(path: str | Path, fmt: str | None = None) -> tuple[Importer, Iterator[Finding]]:
    """Detect (or take) the format and return the importer with a lazy stream of findings.

    The file is opened when iteration starts and closed when it ends; errors while reading
    surface from the iterator as DataError, so a store can roll the whole file back.
    """
    importer = detect(path, fmt)
    return importer, _stream(importer, Path(path), str(path))


def split_file(importer: Importer, path: str | Path) -> TwoParts | None:
    """A large file of a format that can be split, as two parts to read in two processes
    (ingest.split; the store runs the second in a child); None: read it with iter_file."""
    source = str(path)
    return split.plan(importer, Path(path), source,
                      lambda found: _checked(importer, source, found))


def read_file(path: str | Path, fmt: str | None = None) -> ImportedFile:
    """The whole file's findings in a list (for normal sizes)."""
    importer, findings = iter_file(path, fmt)
    found = list(findings)
    return ImportedFile(str(path), importer.name, importer.tool, found, gaps_of(importer),
                        scanner_version(importer, path))


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise DataError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()
