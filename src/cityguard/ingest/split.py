"""One large XML scan read by two processes, at a split point the parser itself proves.

A scan file of hundreds of MB is a flat list of independent units (.nessus: one ReportHost
per host) and its import is bound by one core's parsing. An importer that can be split names
its unit and the elements that enclose the units (`Splittable`); `plan()` then guesses a
split point, the first `<unit` start tag after `CHILD_SHARE` of the file has gone by.

- This process parses the file up to the guess with the importer's own hardened parser,
  then feeds the next bytes one at a time: the guess holds only if the parser reports the
  unit's start tag exactly there. A lookalike in a comment, a CDATA section or an attribute
  is no start tag, and a DTD in the prolog (which could give attributes defaults the second
  part would not see) cancels the split.
- A child process parses the rest as a document of its own: the file's XML declaration (its
  encoding), the enclosing start tags, then the file from the split point on, with the same
  hardened parser. It can only succeed if the file's closing tags close exactly those
  enclosing elements, so the two documents hold exactly the events of the one.
- When the guess did not hold, or the child failed or was killed, this process parses on
  from where it stopped, with the same parser: the findings and the errors (with their line
  numbers) are those of a one-process read.

What is read in the child crosses to the store as rows (store.parallel); `given_before` lets
the parent drop what the first part already reported under another unit (Nessus: one
address scanned under two names), as a one-process read would have.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar, Protocol, runtime_checkable

from cityguard.ingest import expat
from cityguard.model import Finding

if TYPE_CHECKING:
    from pyexpat import XMLParserType

#: files smaller than this are read by one process (a fork and a spool cost ~20 ms)
SPLIT_FROM = 16 * 1024 * 1024
#: the share of the file the child reads: this process also loads both parts' rows into the
#: stage, so it takes the smaller part (balanced on the .nessus benchmark, docs/ingest.md)
CHILD_SHARE = 0.68
#: how far past the guessed point to look for the unit's start tag, and how many bytes of
#: it to feed one at a time before giving up (a start tag is rarely 200 bytes long)
SEARCH_BYTES = 4 * 1024 * 1024
TAG_BYTES = 64 * 1024


class UnitReader(Protocol):
    """The handlers of one parse: findings collected per finished unit."""

    parser: XMLParserType

    def drain(self) -> list[Finding]: ...

    def given_before(self, asset_key: str, prefix: int) -> bool:
        """Whether this read already gave a finding of this asset whose fingerprint starts
        with these 64 bits (a signed integer, as the store's fp64)."""
        ...

    def gave(self, asset_key: str) -> bool:
        """Whether this read gave any finding of this asset."""
        ...


@runtime_checkable
class Splittable(Protocol):
    unit: ClassVar[str]  # element name of the independent units, e.g. "ReportHost"
    envelope: ClassVar[tuple[str, ...]]  # names of the elements enclosing them, outermost first

    def reader(self) -> UnitReader: ...


class TwoParts:
    """The parts of one file; the store runs `second()` in a child process."""

    def __init__(self, importer: Splittable, path: Path, source: str, offset: int,
                 declaration: bytes, wrap: Callable[[Iterator[Finding]], Iterator[Finding]]):
        self.importer, self.path, self.source, self.offset = importer, path, source, offset
        self.second_bytes = max(path.stat().st_size - offset, 0)  # what the child reads
        self.declaration = declaration
        self.wrap = wrap  # the caller's error translation and defaults, applied to each part
        self.reader: UnitReader | None = None
        self.stream: BinaryIO | None = None
        self.proven = False

    # --- this process ------------------------------------------------------------------

    def first(self) -> Iterator[Finding]:
        """The units before the split point; then `confirmed()` says whether it held."""
        return self.wrap(self._first())

    def _first(self) -> Iterator[Finding]:
        reader = self.reader = self.importer.reader()
        parser = reader.parser
        doctype: list[bool] = []
        if parser.StartDoctypeDeclHandler is None:  # (defusedxml's refusal, when it is set)
            parser.StartDoctypeDeclHandler = lambda *_: doctype.append(True)
        self.stream = stream = self.path.open("rb")
        left = self.offset
        while left > 0 and (chunk := stream.read(min(expat.CHUNK, left))):
            parser.Parse(chunk, False)
            left -= len(chunk)
            yield from reader.drain()
        self.proven = not doctype and left == 0 and self._tag_at_offset(parser, stream)
        yield from reader.drain()

    def _tag_at_offset(self, parser: XMLParserType, stream: BinaryIO) -> bool:
        handler = parser.StartElementHandler
        if handler is None:  # inside a unit's item: the point is no unit boundary
            return False
        seen: list[bool] = []
        unit, offset = self.importer.unit, self.offset

        def spy(name: str, attrs: dict[str, str]) -> None:
            if name == unit and parser.CurrentByteIndex == offset:
                seen.append(True)
            handler(name, attrs)

        parser.StartElementHandler = spy
        try:
            for _ in range(TAG_BYTES):
                byte = stream.read(1)
                if not byte:
                    break
                parser.Parse(byte, False)
                if seen or parser.StartElementHandler is not spy:
                    break
        finally:
            if parser.StartElementHandler is spy:
                parser.StartElementHandler = handler
        return bool(seen)

    def confirmed(self) -> bool:
        return self.proven

    def rest(self) -> Iterator[Finding]:
        """The second part read here, on from where `first()` stopped (the fallback)."""
        return self.wrap(self._rest())

    def _rest(self) -> Iterator[Finding]:
        assert self.reader is not None and self.stream is not None
        yield from expat.feed(self.reader.parser, self.stream, self.source, self.reader.drain)

    def given_before(self, asset_key: str, prefix: int) -> bool:
        return self.reader is not None and self.reader.given_before(asset_key, prefix)

    def gave(self, asset_key: str) -> bool:
        """Whether the first part gave any finding of this asset."""
        return self.reader is not None and self.reader.gave(asset_key)

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    # --- the child -----------------------------------------------------------------------

    def second(self) -> Iterator[Finding]:
        """The units from the split point on, parsed as a document of their own."""
        return self.wrap(self._second())

    def _second(self) -> Iterator[Finding]:
        reader = self.importer.reader()
        envelope = "".join(f"<{name}>" for name in self.importer.envelope).encode("ascii")
        reader.parser.Parse(self.declaration + envelope, False)
        with self.path.open("rb") as stream:
            stream.seek(self.offset)
            yield from expat.feed(reader.parser, stream, self.source, reader.drain)


def plan(importer: object, path: Path, source: str,
         wrap: Callable[[Iterator[Finding]], Iterator[Finding]]) -> TwoParts | None:
    """Two parts for a large file of a splittable format, or None (read it in one)."""
    # Linux only: the child is told to die with its parent (prctl), which no other system has
    if not isinstance(importer, Splittable) or not sys.platform.startswith("linux") \
            or _cpus() < 2:
        return None
    try:
        size = path.stat().st_size
        if size < SPLIT_FROM:
            return None
        with path.open("rb") as fh:
            head = fh.read(4096)
            declaration = _declaration(head)
            if declaration is None:
                return None
            offset = _find_tag(fh, importer.unit.encode("ascii"), int(size * (1 - CHILD_SHARE)))
    except OSError:
        return None  # the one-process read reports it
    if offset is None:
        return None
    return TwoParts(importer, path, source, offset, declaration, wrap)


def _cpus() -> int:
    """CPUs this process may run on: with one, a second process only adds the handover."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _declaration(head: bytes) -> bytes | None:
    """The bytes the child's document starts with: the BOM and XML declaration of the file
    (its encoding), or nothing; None for a file the split point search cannot read
    (UTF-16/32: its tags are not ASCII bytes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return None
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if not head.startswith(b"<?xml", start):
        return head[:start]
    end = head.find(b"?>", start)
    return None if end < 0 else head[: end + 2]


def _find_tag(fh: BinaryIO, unit: bytes, start: int) -> int | None:
    """Offset of the first `<unit` followed by a blank, `>` or `/` at or after `start`."""
    needle = b"<" + unit
    fh.seek(start)
    window = fh.read(SEARCH_BYTES)
    at = 0
    while (at := window.find(needle, at)) >= 0:
        after = window[at + len(needle): at + len(needle) + 1]
        if after in (b" ", b"\t", b"\n", b"\r", b">", b"/"):
            return start + at
        if not after:
            return None
        at += 1
    return None


__all__ = ["SPLIT_FROM", "Splittable", "TwoParts", "UnitReader", "plan"]
