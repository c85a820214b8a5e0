"""Every decompression has a cap on its output, and memory stays within it.

Before the fix a 9 MB gzip in /var/lib/apt/lists/ of a `dir:` target took the assessor to
4.3 GB (gzip, xz and bz2 had no output cap; the LZ4 decoder stopped only after 1 GiB, and a
single block could run far past that). Bombs are made here from concatenated streams (each a
few hundred bytes), so they are small on disk and quick to build, yet expand past the cap.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from bounded import run_bounded

from cityguard.core import limits
from cityguard.core.decompress import TooLarge, decompress, lz4_frame, zip_within

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
APT_CHECK = "linux.updates.no_pending_security_apt"
MiB = limits.MiB
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress, ".xz": lzma.compress, ".bz2": bz2.compress,
}


def _bomb(suffix: str, expands_to: int) -> bytes:
    """Streams of 8 MiB of zeros, concatenated until they expand to `expands_to` bytes."""
    one = COMPRESSORS[suffix](b"\0" * (8 * MiB))
    return one * -(-expands_to // (8 * MiB))


def _lz4_bomb(expands_to: int) -> bytes:
    """One LZ4 frame, one block: a literal and a single match `expands_to` bytes long (the
    length runs on in 255s, so ~expands_to/255 bytes of block)."""
    extra = expands_to - 4 - 15
    length = b"\xff" * (extra // 255) + bytes([extra % 255])
    block = bytes([0x1F]) + b"a" + struct.pack("<H", 1) + length + bytes([0x00])
    header = b"\x04\x22\x4d\x18" + bytes([0x60, 0x70, 0x73])  # v1, independent, 4 MiB blocks
    return header + struct.pack("<I", len(block)) + block + b"\0\0\0\0"


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_round_trip_and_the_exact_cap(suffix: str) -> None:
    text = b"Package: a\nVersion: 1\n\n" * 500
    packed = COMPRESSORS[suffix](text)
    assert decompress(f"x{suffix}", packed) == text
    assert decompress(f"x{suffix}", packed + COMPRESSORS[suffix](b"tail")) == text + b"tail"
    assert decompress(f"x{suffix}", packed, max_out=len(text)) == text
    with pytest.raises(TooLarge, match="expands to more than"):
        decompress(f"x{suffix}", packed, max_out=len(text) - 1)
    for cut in (len(packed) // 2, len(packed) - 1):  # truncated: corrupt, not "too large"
        with pytest.raises(ValueError) as err:
            decompress(f"x{suffix}", packed[:cut])
        assert not isinstance(err.value, TooLarge)


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_bombs_are_refused_at_the_cap(suffix: str) -> None:
    bomb = _bomb(suffix, 64 * MiB)
    assert len(bomb) < 2 * MiB
    with pytest.raises(TooLarge):
        decompress(f"Packages{suffix}", bomb, max_out=32 * MiB)


def test_lz4_refuses_a_long_match_before_copying_it() -> None:
    bomb = _lz4_bomb(64 * MiB)
    assert len(bomb) < 300 * 1024
    assert len(lz4_frame(bomb, 65 * MiB)) == 1 + 64 * MiB  # the literal, then the match
    with pytest.raises(TooLarge):
        lz4_frame(bomb, 32 * MiB)
    with pytest.raises(TooLarge):
        decompress("Packages.lz4", bomb, max_out=32 * MiB)


def test_zip_members_are_checked_from_the_directory(tmp_path: Path) -> None:
    book = tmp_path / "ledger.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * MiB))
    zip_within(book, 8 * MiB)
    with pytest.raises(TooLarge):
        zip_within(book, 2 * MiB)


def test_the_apt_probe_gives_error_for_a_gzip_bomb(tmp_path: Path) -> None:
    """The issue's case end to end, in a process capped at 1.5 GB: 300 MiB from ~300 KB."""
    root = tmp_path / "image"
    shutil.copytree(FIXTURES / APT_CHECK / "pass", root)
    lists = root / "var" / "lib" / "apt" / "lists"
    name = "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"
    (lists / name).unlink()
    (lists / f"{name}.gz").write_bytes(_bomb(".gz", 300 * MiB))
    out = tmp_path / "r.json"
    p = run_bounded("assess", "--target", f"dir:{root}", "--only", APT_CHECK, "--format", "json",
                    "--output", str(out), "--no-store", "-q", cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    result = next(r for r in doc["results"] if r["check_id"] == APT_CHECK)
    assert result["status"] == "error"
    assert "expands to more than 256 MiB" in result["reason"], result["reason"]


def test_zlib_window_is_not_a_way_around() -> None:
    """A raw deflate stream without a gzip header is corrupt, not silently read."""
    raw = zlib.compress(b"x" * 1000)
    with pytest.raises(ValueError):
        decompress("x.gz", raw)
