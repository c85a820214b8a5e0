"""Small argument parsers shared by several commands."""

from __future__ import annotations

from datetime import date

from cityguard.core.dates import parse_day
from cityguard.core.errors import UsageError


def day_option(value: str | None, flag: str) -> date | None:
    """A date flag: YYYY-MM-DD → date; None stays None; anything else is a usage error."""
    if value is None:
        return None
    day = parse_day(value)
    if day is None:
        raise UsageError(f"{flag} must be a date YYYY-MM-DD (got {value!r})")
    return day
