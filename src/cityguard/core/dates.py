"""Calendar days as the manifests, answers and flags write them (ISO YYYY-MM-DD)."""

from __future__ import annotations

from datetime import date
from typing import Any


def parse_day(value: Any) -> date | None:
    """A YAML date or an ISO YYYY-MM-DD text → date; anything else → None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None
