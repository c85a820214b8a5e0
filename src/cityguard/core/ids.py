"""Identifiers that sort in the order they were made.

A run's `created` stamp has one-second resolution, so two runs stored in the same second were
told apart only by a random run_id: `report latest` could return the older one. A run id laid
out as a UUIDv7 (RFC 9562: 48 bits of Unix milliseconds, then random bits) keeps the 32 hex
characters of the former uuid4 ids and sorts by time, so `ORDER BY created, run_id` is the
order the runs were made.
"""

from __future__ import annotations

import os
import time


def time_ordered_id() -> str:
    """32 lowercase hex digits: a UUIDv7 (version 7, RFC 4122 variant) as text."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 random bits, 74 of them used
    value = (millis & (2**48 - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & (2**62 - 1)  # rand_b: 62 bits
    return f"{value:032x}"
