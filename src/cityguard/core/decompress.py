"""Decompress a file by its suffix: .gz, .xz, .bz2 (standard library) and .lz4 (here).

apt keeps its package lists uncompressed by default, but `Acquire::GzipIndexes` (set by the
Debian and Ubuntu container images) keeps them as .lz4 or .gz. The standard library has no
LZ4, and the target may be an offline image or a remote host, so the frame format is decoded
here in pure Python: ~0.1 s for a 2.5 MB security list, which is all a check needs.
"""

from __future__ import annotations

import struct

SUFFIXES = (".gz", ".xz", ".lzma", ".bz2", ".lz4")
_LZ4_MAGIC = b"\x04\x22\x4d\x18"
_MAX_OUT = 1 << 30  # a corrupt or hostile frame must not grow without bound


def decompress(name: str, data: bytes) -> bytes:
    """The content of a file named `name`; ValueError when it is corrupt or of unknown kind."""
    try:
        if name.endswith(".gz"):
            import gzip

            return gzip.decompress(data)
        if name.endswith((".xz", ".lzma")):
            import lzma

            return lzma.decompress(data)
        if name.endswith(".bz2"):
            import bz2

            return bz2.decompress(data)
    except (OSError, EOFError, ValueError) as exc:  # gzip.BadGzipFile, lzma.LZMAError…
        raise ValueError(f"corrupt compressed file {name}: {exc}") from None
    if name.endswith(".lz4"):
        return lz4_frame(data)
    raise ValueError(f"unknown compression: {name}")


def lz4_frame(data: bytes) -> bytes:
    """Every frame of an LZ4 frame stream (what `lz4` writes), concatenated."""
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
                    _lz4_block(block, out)
                if len(out) > _MAX_OUT:
                    raise ValueError("larger than 1 GiB")
            i += 4 if flg & 0x04 else 0  # content checksum
    except (IndexError, struct.error):
        raise ValueError("corrupt LZ4 frame: truncated") from None
    return bytes(out)


def _lz4_block(src: bytes, out: bytearray) -> None:
    """One LZ4 block appended to out: literals, then a back-reference, repeated."""
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
