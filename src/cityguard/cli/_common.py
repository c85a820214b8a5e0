"""Small argument parsers shared by several commands."""

from __future__ import annotations

from datetime import date

from cityguard.errors import UsageError


def parse_day(value: str | None, flag: str) -> date | None:
    """YYYY-MM-DD → date; None stays None; anything else is a usage error naming the flag."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{flag} must be a date YYYY-MM-DD (got {value!r})") from None
