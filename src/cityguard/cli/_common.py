"""Small pieces several commands share: date flags, the grading questions, bilingual labels."""

from __future__ import annotations

from datetime import date

from cityguard.core.dates import parse_day
from cityguard.core.errors import UsageError
from cityguard.policy.messages import t


def day_option(value: str | None, flag: str) -> date | None:
    """A date flag: YYYY-MM-DD → date; None stays None; anything else is a usage error."""
    if value is None:
        return None
    day = parse_day(value)
    if day is None:
        raise UsageError(t("cli.bad_day", "en", flag=flag, got=repr(value)))
    return day


def bilingual(key: str, **fields: object) -> str:
    """`中文 / English` for commands that speak to both readers at once (grade, init)."""
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def ask_harm(what: str) -> tuple[str, str]:
    """The two GB/T 22240 grading questions for one aspect (`info` or `service`), asked in a
    terminal: the object harmed and the degree of harm."""
    from cityguard.cli import console
    from cityguard.policy.grading import DEGREES, OBJECTS

    aspect = bilingual(f"cli.grade_aspect.{what}")
    obj = console.ask(f"{aspect}: {bilingual('cli.grade_ask_object')}", list(OBJECTS))
    degree = console.ask(f"{aspect}: {bilingual('cli.grade_ask_degree')}", list(DEGREES))
    return obj, degree
