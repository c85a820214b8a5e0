"""UTC timestamps the dashboard keeps (sessions, accounts, audit): sortable text, one format."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime | None = None) -> str:
    return (when or now()).astimezone(timezone.utc).strftime(FORMAT)


def ago(**delta: float) -> str:
    return stamp(now() - timedelta(**delta))


def later(**delta: float) -> str:
    return stamp(now() + timedelta(**delta))


def parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
