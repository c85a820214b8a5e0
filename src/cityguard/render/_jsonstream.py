"""JSON documents written piece by piece, so that memory stays flat on large runs.

A renderer builds the small part of its document as usual and puts a `Stream` where a long
array goes (results, findings, observations): `write_json` writes everything around it with
the standard encoder and each element of the stream as it comes, so the whole document never
exists in memory at once. With no stream in it, or when `indent` is wanted (runs small enough
to be read by eye, base.PRETTY_LIMIT), the document is simply dumped: the bytes are the same
as `json.dumps(doc, indent=None)` would give, element for element.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, BinaryIO

_MARK = "\x00cityguard-stream-{n}\x00"


class Stream:
    """A placeholder for a long array: its elements are made one at a time while writing."""

    def __init__(self, items: Iterable[Any], make: Callable[[Any], Any] = lambda x: x) -> None:
        self.items, self.make = items, make

    def __iter__(self) -> Any:
        return (self.make(x) for x in self.items)


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent)


def write_json(doc: Any, out: BinaryIO, *, indent: int | None = None) -> None:
    """Write `doc` (which may hold Streams) as strict UTF-8 JSON followed by a newline."""
    streams: list[Stream] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Stream):
            streams.append(value)
            return _MARK.format(n=len(streams) - 1)
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    skeleton = mark(doc)
    if indent is not None:  # small documents, pretty: nothing to gain by streaming
        text = _dumps(_unmark(skeleton, streams), indent)
        out.write(text.encode("utf-8", "replace") + b"\n")
        return
    text = _dumps(skeleton)
    for n, stream in enumerate(streams):
        head, _, text = text.partition(_dumps(_MARK.format(n=n)))
        out.write(head.encode("utf-8", "replace") + b"[")
        for i, chunk in enumerate(_chunks(iter(stream))):
            # "[a, b]" less its brackets: the bytes of one dump per element joined by ", ",
            # for one encoder call per CHUNK elements instead of one each (4,040 results of a
            # 20-host fleet: issue 25)
            out.write((b", " if i else b"") + _dumps(chunk)[1:-1].encode("utf-8", "replace"))
        out.write(b"]")
    out.write(text.encode("utf-8", "replace") + b"\n")


#: elements of a stream encoded at once: memory stays flat, the per-call cost is shared
CHUNK = 256


def _chunks(items: Iterator[Any]) -> Iterator[list[Any]]:
    """Lists of up to CHUNK consecutive items; never an empty one."""
    while chunk := list(islice(items, CHUNK)):
        yield chunk


def _unmark(value: Any, streams: list[Stream]) -> Any:
    if isinstance(value, str) and value.startswith("\x00cityguard-stream-"):
        return list(streams[int(value.strip("\x00").rsplit("-", 1)[1])])
    if isinstance(value, dict):
        return {k: _unmark(v, streams) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark(v, streams) for v in value]
    return value
