"""Calendar days as the manifests, answers and flags write them (ISO YYYY-MM-DD)."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from cityguard.core.errors import UsageError

#: the environment variable that fixes "today" for every command that judges dates
TODAY_ENV = "CITYGUARD_TODAY"


def parse_day(value: Any) -> date | None:
    """A YAML date or an ISO YYYY-MM-DD text → date; anything else → None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def resolve_today(value: str | date | None = None) -> date:
    """The day dates are judged on: the --today value, else CITYGUARD_TODAY, else the
    calendar's (examples and tests fix it so their results never rot)."""
    if isinstance(value, date):
        return value
    text = (value or os.environ.get(TODAY_ENV, "")).strip()
    if not text:
        return date.today()
    day = parse_day(text)
    if day is None:
        raise UsageError(f"today must be YYYY-MM-DD (got {text!r}; --today or {TODAY_ENV})")
    return day
