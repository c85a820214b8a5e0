"""Private helpers of the JSON-family importers (not an importer: discovery skips `_` modules).

What ingest.util does not cover: several streaming passes over one file (a key we need may
come after the big array, e.g. grype's `source` after `matches`), sniffing by JSON keys,
and timestamps normalised to UTC. Every pass reads through core.jsonio.guard, so no parser
sees a level nested deeper than limits.MAX_NESTING.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.core.jsonio import guard
from cityguard.ingest.util import head_text, iter_json, json_error, skip_bom

_SPOOL_IN_MEMORY = 32 * 1024 * 1024


def rewindable(stream: BinaryIO) -> BinaryIO:
    """The stream itself when it can seek, else a temporary copy (pipes, sockets)."""
    if stream.seekable():
        return stream
    copy = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    shutil.copyfileobj(stream, copy, 1 << 20)
    copy.seek(0)
    return copy  # type: ignore[return-value]


def rewind(stream: BinaryIO) -> BinaryIO:
    """Back to the first byte (util.iter_json skips a BOM from there)."""
    stream.seek(0)
    return stream


def peek(stream: BinaryIO, size: int = 8192) -> str:
    """The first `size` bytes as text without BOM or leading blanks; the stream is rewound."""
    stream.seek(0)
    head = stream.read(size)
    stream.seek(0)
    return head_text(head)


def first_value(stream: BinaryIO, source: str, prefix: str, exact: bool = False) -> Any:
    """The first value at an ijson prefix (None when absent). Stops reading once found."""
    read = exact_json if exact else iter_json
    for value in read(rewind(stream), source, prefix):
        return value
    return None


def exact_json(stream: BinaryIO, source: str, prefix: str) -> Iterator[Any]:
    """Like util.iter_json, but numbers stay exact (int / Decimal).

    ijson's C backend with use_float=True fails with "integer overflow" on integers beyond
    64 bits, which sslyze writes (RSA moduli, certificate serial numbers).
    """
    import ijson

    try:
        yield from ijson.items(guard(skip_bom(rewind(stream)), source), prefix)
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None


def count_key(stream: BinaryIO, key: str, stop: int = 2) -> int:
    """How many times `"key":` occurs in the raw bytes (counting stops at `stop`).

    Inside JSON strings quotes are escaped, so a bare `"key":` is always a member name (at any
    depth). A byte scan runs at memory speed, far faster than any JSON pass.
    """
    pattern = re.compile(rb'"' + re.escape(key.encode()) + rb'"\s*:')
    count, tail = 0, b""
    stream.seek(0)
    while block := stream.read(1 << 20):
        data = tail + block
        found = pattern.findall(data)
        # a match inside the carried-over tail was already counted in the previous block
        count += len(found) - len(pattern.findall(tail))
        if count >= stop:
            break
        tail = data[-(len(key) + 64) :]
    stream.seek(0)
    return count


def top_scalars(
    stream: BinaryIO, source: str, stop_key: str, exact: bool = False
) -> dict[str, Any]:
    """Scalar top-level members that come before `stop_key` (the big array), in one short read.

    Trivy writes ArtifactName/ArtifactType/CreatedAt before Results; reading event by event
    until Results starts costs nothing, while ijson.items per key could scan the whole file.
    """
    import ijson

    found: dict[str, Any] = {}
    try:
        events = ijson.parse(guard(skip_bom(rewind(stream)), source), use_float=not exact)
        for prefix, event, value in events:
            if prefix == "" and event == "map_key" and value == stop_key:
                break
            if prefix and "." not in prefix and event in ("string", "number", "boolean"):
                found[prefix] = value
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    return found


def has_keys(text: str, *keys: str) -> bool:
    """Every key appears as a JSON member name (`"key":`) in the text."""
    return all(re.search(r'"' + re.escape(k) + r'"\s*:', text) for k in keys)


def any_key(text: str, *keys: str) -> bool:
    return any(has_keys(text, k) for k in keys)


def need_json(stream: BinaryIO, source: str, what: str) -> str:
    """The first character of the document ('{', '[', 'n' …); DataError for an empty file."""
    text = peek(stream, 64)
    if not text:
        raise DataError(source, f"empty file, not a {what} report")
    return text[0]


_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def iso_utc(text: object) -> str | None:
    """An ISO 8601 / RFC 3339 time as 'YYYY-MM-DDTHH:MM:SSZ' in UTC (None if unparseable).

    Handles 'Z', nanoseconds (nuclei, trivy) and dates without a time. A time without a zone
    is taken as UTC: the formats that write one (sslyze) give no zone at all.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    raw = _FRACTION.sub(lambda m: m.group(1), raw, count=1)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.year < 1990:  # 0001-01-01 placeholders, epoch-zero dates: not a real time
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_of(value: object) -> str:
    """A SARIF-style message ({"text": …}) or plain value as a stripped string."""
    if isinstance(value, dict):
        value = value.get("text") or value.get("markdown") or ""
    return str(value).strip() if value is not None else ""


def stated(value: object) -> str:
    """A field's text, or "" where the export states nothing: null, false, blank, or the word
    "None" / "null" that Anchore and GitHub code scanning exports write for an absent value."""
    text = str(value or "").strip()
    return "" if text in ("None", "null") else text


def as_list(value: object) -> list[Any]:
    """A JSON value that should be a list: None → [], a scalar → [scalar]."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def as_dict(value: object) -> dict[str, Any]:
    """A JSON value that should be an object: anything else (absent, null, a list) → {}."""
    return value if isinstance(value, dict) else {}


def join_nonempty(*parts: object, sep: str = "\n") -> str:
    return sep.join(str(p).strip() for p in parts if p is not None and str(p).strip())
