"""Decompress a file by its suffix: .gz, .xz, .bz2 (standard library) and .lz4 (here), never
to more than a maximum output.

apt keeps its package lists uncompressed by default, but `Acquire::GzipIndexes` (set by the
Debian and Ubuntu container images) keeps them as .lz4 or .gz. The standard library has no
LZ4, and the target may be an offline image or a remote host, so the frame format is decoded
here in pure Python: ~0.1 s for a 2.5 MB security list, which is all a check needs.

A compressed file comes from an assessed host, so it may be a bomb: 9 MB of gzip expand to
9 GB. Every format is decoded as a stream with a cap on what comes out (`max_out`, by default
limits.MAX_DECOMPRESSED); more is `TooLarge` (a ValueError), never a partial result, and
memory stays within the cap. Concatenated streams (gzip members, xz/bz2 streams) are read
one after another, as the command-line tools do. `zip_within` does the same for ZIP
containers (an .xlsx is one) from their directory, before anything is extracted.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from cityguard.core import limits

SUFFIXES = (".gz", ".xz", ".lzma", ".bz2", ".lz4")
_LZ4_MAGIC = b"\x04\x22\x4d\x18"
_STEP = 1 << 20  # output asked of a decoder at a time


class TooLarge(ValueError):
    """The content would exceed the maximum output."""

    def __init__(self, name: str, max_out: int) -> None:
        cap = f"{max_out // limits.MiB} MiB" if max_out >= limits.MiB else f"{max_out} bytes"
        super().__init__(f"{name} expands to more than {cap}, the limit for a decompressed "
                         "file (refused, not read in part)")


def decompress(name: str, data: bytes, max_out: int = limits.MAX_DECOMPRESSED) -> bytes:
    """The content of a file named `name`; ValueError when it is corrupt or of unknown kind,
    TooLarge when it expands to more than `max_out` bytes."""
    try:
        if name.endswith(".gz"):
            return _stream(name, data, max_out, lambda: zlib.decompressobj(wbits=31))
        if name.endswith((".xz", ".lzma")):
            import lzma

            return _stream(name, data, max_out, lzma.LZMADecompressor)
        if name.endswith(".bz2"):
            import bz2

            return _stream(name, data, max_out, bz2.BZ2Decompressor)
    except TooLarge:
        raise
    except (OSError, EOFError, ValueError, zlib.error) as exc:  # lzma.LZMAError is an OSError
        raise ValueError(f"corrupt compressed file {name}: {exc}") from None
    if name.endswith(".lz4"):
        return lz4_frame(data, max_out, name)
    raise ValueError(f"unknown compression: {name}")


def _stream(name: str, data: bytes, max_out: int, new: Any) -> bytes:
    """Decode stream after stream (concatenated members) asking at most max_out + 1 bytes."""
    out = bytearray()
    rest = data
    while True:
        decoder = new()
        pending = rest
        while True:
            chunk = decoder.decompress(pending, min(_STEP, max_out + 1 - len(out)))
            out += chunk
            if len(out) > max_out:
                raise TooLarge(name, max_out)
            if _finished(decoder):
                break
            pending = getattr(decoder, "unconsumed_tail", b"")  # zlib keeps what it held back
            if not chunk and not pending and not _more_output(decoder):
                raise EOFError("truncated: the stream ends before its end marker")
        rest = decoder.unused_data
        if not rest.strip(b"\0"):  # nothing more, or the zero padding some tools write
            return bytes(out)


def _finished(decoder: Any) -> bool:
    return bool(getattr(decoder, "eof", False))


def _more_output(decoder: Any) -> bool:
    """lzma / bz2 keep output back when max_length stops them: needs_input is then False."""
    return getattr(decoder, "needs_input", True) is False


def zip_within(path: str | Path, max_out: int = limits.MAX_DECOMPRESSED) -> None:
    """TooLarge when the members of a ZIP file (an .xlsx) declare more than `max_out` bytes in
    all. Python's zipfile stops each member at its declared size, so this bounds extraction."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        total = sum(info.file_size for info in zf.infolist())
    if total > max_out:
        raise TooLarge("the ZIP content", max_out)  # callers name the file


def lz4_frame(data: bytes, max_out: int = limits.MAX_DECOMPRESSED, name: str = "LZ4 data"
              ) -> bytes:
    """Every frame of an LZ4 frame stream (what `lz4` writes), concatenated; TooLarge past
    `max_out` (checked before every copy, so memory never goes past it)."""
    out = bytearray()
    i = 0
    try:
        while i < len(data):
            if data[i:i + 4] != _LZ4_MAGIC:
                raise ValueError("not an LZ4 frame")
            flg = data[i + 4]
            i += 6 + (8 if flg & 0x08 else 0) + (4 if flg & 0x01 else 0) + 1  # header, HC
            block_checksum = bool(flg & 0x10)
            while True:
                (size,) = struct.unpack_from("<I", data, i)
                i += 4
                if size == 0:
                    break
                raw, size = size & 0x80000000, size & 0x7FFFFFFF
                block = data[i:i + size]
                if len(block) != size:
                    raise ValueError("truncated block")
                i += size + (4 if block_checksum else 0)
                if raw:
                    out += block
                else:  # linked blocks refer back into `out`, so decode in place
                    _lz4_block(block, out, max_out, name)
                if len(out) > max_out:
                    raise TooLarge(name, max_out)
            i += 4 if flg & 0x04 else 0  # content checksum
    except (IndexError, struct.error):
        raise ValueError("corrupt LZ4 frame: truncated") from None
    return bytes(out)


def _lz4_block(src: bytes, out: bytearray, max_out: int, name: str) -> None:
    """One LZ4 block appended to out: literals, then a back-reference, repeated. A match can
    be ~255 times longer than its bytes, so the cap is checked before each copy."""
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        i += 1
        length, i = _extended(src, i, token >> 4)
        out += src[i:i + length]
        i += length
        if i >= n:  # the last sequence has literals only
            return
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        length, i = _extended(src, i, token & 15)
        length += 4
        if len(out) + length > max_out:
            raise TooLarge(name, max_out)
        start = len(out) - offset
        if offset == 0 or start < 0:
            raise ValueError("corrupt LZ4 block: bad offset")
        if offset >= length:
            out += out[start:start + length]
        else:  # overlapping copy: the pattern repeats
            chunk = out[start:]
            whole, rest = divmod(length, offset)
            out += chunk * whole + chunk[:rest]


def _extended(src: bytes, i: int, length: int) -> tuple[int, int]:
    """An LZ4 length nibble of 15 continues in following bytes (each 255 means "more")."""
    if length == 15:
        while True:
            b = src[i]
            i += 1
            length += b
            if b != 255:
                break
    return length, i
