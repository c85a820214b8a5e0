"""Bounded JSON: every JSON cityguard reads (scan files, report FILE.json, evidence, host
configuration) passes a nesting check before a parser builds anything.

Why a scan of our own: ijson keeps one path prefix per open level ("runs.item.results.item…"),
so a document nested n levels deep costs memory in n² (a 200 KB SARIF nested 100,000 levels
needs ~24 GB), and member names that are long multiply that (200 levels of 20 KB names: 4 MB
of file, 780 MB of memory). The stdlib parser stops at the interpreter's recursion limit with
a RecursionError, which nothing should have to catch. So before the bytes reach a parser,
`NestingScan` follows strings and brackets and refuses a document nested deeper than
`limits.MAX_NESTING` or with a member name longer than `limits.MAX_JSON_KEY`, naming the line.

The scan runs at C speed: escapes are blanked out and each chunk is split at its quotes, so
the pieces alternate between structure and string content; the brackets of the structure are
reduced to +1/-1 steps whose running maximum `itertools.accumulate` finds. `guard(stream)`
scans what a streaming parser reads (it never sees a level too deep), `loads(text)` scans a
whole text first. Cost: ~0.8 s per 76 MB of SARIF (benchmarks/bounds.py).
"""

from __future__ import annotations

import json
from itertools import accumulate, count
from operator import sub
from pathlib import Path
from typing import Any, BinaryIO

from cityguard.core import limits
from cityguard.core.errors import DataError

_BLANKS = b" \t\r\n"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
#: opening bracket → 2, closing → 0: the running sum minus the count is the depth
_STEP = bytes.maketrans(b"[]{}", b"\x02\x00\x02\x00")
_READ_SIZE = 64 * 1024


class NestingScan:
    """Follows a JSON text chunk by chunk; DataError once it nests or names too deeply.

    Each chunk is split at its quotes after escapes are blanked out (\\\\ and \\" become two
    dots, which keeps every offset), so the pieces alternate between structure and string
    content; a string may run on into the next chunk.
    """

    def __init__(self, source: str | Path, max_depth: int = limits.MAX_NESTING,
                 max_key: int = limits.MAX_JSON_KEY) -> None:
        self.source = str(source)
        self.max_depth = max_depth
        self.max_key = max_key
        self.depth = 0
        self.line = 1  # of the first byte of the next chunk
        self.in_string = False
        self.escaped = False  # the last chunk ended on the backslash of an escape
        self.string_len = 0  # bytes so far of the string that runs on into the next chunk
        self.long_string_ended = False  # a long string closed with only blanks after it so far

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        text = chunk
        if self.escaped:  # the escaped character of a backslash at the end of the last chunk
            text = b"." + text[1:]
        if b"\\" in text:
            text = text.replace(b"\\\\", b"..").replace(b'\\"', b"..")
        parts = text.split(b'"')
        starts_in_string = self.in_string
        self.in_string = (len(parts) - 1 + starts_in_string) % 2 == 1
        self.escaped = self.in_string and text.endswith(b"\\")
        self._names(chunk, parts, starts_in_string)
        outside = parts[1::2] if starts_in_string else parts[0::2]
        brackets = b"".join(outside).translate(None, _NOT_BRACKETS)
        if brackets:
            steps = brackets.translate(_STEP)
            if self.depth + max(map(sub, accumulate(steps), count(1))) > self.max_depth:
                self._fail_depth(chunk, parts, starts_in_string)
            self.depth += sum(steps) - len(steps)
        self.line += chunk.count(b"\n")

    def _names(self, chunk: bytes, parts: list[bytes], starts_in_string: bool) -> None:
        """Refuse a member name longer than max_key: a long string with a colon after it."""
        if self.long_string_ended and not starts_in_string:
            self._colon_after(chunk, parts, -1)
        first = 0 if starts_in_string else 1  # index of the first string piece
        lengths = list(map(len, parts[first::2]))
        if starts_in_string:
            lengths[0] += self.string_len
        if self.in_string:  # the last piece is a string that goes on into the next chunk
            self.string_len = lengths.pop()
        if lengths and max(lengths) > self.max_key:
            for n, length in enumerate(lengths):
                if length > self.max_key:
                    self._colon_after(chunk, parts, first + 2 * n)

    def _colon_after(self, chunk: bytes, parts: list[bytes], index: int) -> None:
        """The structure piece after parts[index] (a string that closed) starts with a colon?"""
        after = parts[index + 1].lstrip(_BLANKS)
        self.long_string_ended = not after and index + 1 == len(parts) - 1
        if after.startswith(b":"):
            at = sum(len(p) + 1 for p in parts[:index + 1]) + len(parts[index + 1]) - len(after)
            self._fail(chunk, at, f"a member name longer than {self.max_key} bytes")

    def _fail_depth(self, chunk: bytes, parts: list[bytes], first_is_string: bool) -> None:
        """Find the bracket that goes too deep, for the line number (once, at the error)."""
        depth, at = self.depth, 0
        for index, piece in enumerate(parts):
            if (index % 2 == 0) != first_is_string:
                for offset, byte in enumerate(piece):
                    if byte in b"[{":
                        depth += 1
                        if depth > self.max_depth:
                            self._fail(chunk, at + offset,
                                       f"nested deeper than {self.max_depth} levels")
                    elif byte in b"]}":
                        depth -= 1
            at += len(piece) + 1

    def _fail(self, chunk: bytes, at: int, what: str) -> None:
        line = self.line + chunk.count(b"\n", 0, at)
        raise DataError(self.source, f"refused: the JSON is {what}", line=line)


class _Guarded:
    """A read-only stream that scans every chunk before handing it to the parser."""

    def __init__(self, stream: BinaryIO, scan: NestingScan) -> None:
        self._stream = stream
        self._scan = scan

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks read(0) to tell bytes from text
            return b""
        data = self._stream.read(size)
        self._scan.feed(data)
        return data


def guard(stream: BinaryIO, source: str | Path) -> BinaryIO:
    """`stream` from its current position, refused (DataError) before a too-deep level is
    read; hand this to ijson instead of the stream itself."""
    return _Guarded(stream, NestingScan(source))  # type: ignore[return-value]


def check(data: bytes | str, source: str | Path, first_line: int = 1) -> None:
    """DataError when the JSON text nests deeper than the limits allow."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    scan = NestingScan(source)
    scan.line = first_line
    for start in range(0, len(raw), _READ_SIZE * 16):
        scan.feed(raw[start:start + _READ_SIZE * 16])


def loads(data: bytes | str, source: str | Path, line: int | None = None) -> Any:
    """A whole JSON document, nesting checked first; DataError names the file and the line.

    `line`: the text is that one line of its file (JSON Lines: each line is a document).
    """
    check(data, source, line or 1)
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})", line=line) from None
    except json.JSONDecodeError as exc:
        raise DataError(source, f"invalid JSON ({exc.msg})",
                        line=exc.lineno if line is None else line) from None


def load_file(path: str | Path, max_bytes: int) -> Any:
    """A JSON file of at most `max_bytes`, checked and parsed (DataError otherwise)."""
    p = Path(path)
    try:
        limits.check_size(p, max_bytes, "JSON file")
        data = p.read_bytes()
    except FileNotFoundError:
        raise DataError(p, "file not found") from None
    except OSError as exc:
        raise DataError(p, exc.strerror or str(exc)) from None
    return loads(data, p)
