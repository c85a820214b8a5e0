"""What `cityguard scans import` prints: one row per file, a failed file's reason right under
its name (not in a list below the table), paths relative to the current directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.cli._text import short_path
from cityguard.core.errors import CityguardError, DataError
from cityguard.policy.messages import t

COUNTS = ("read", "new", "seen", "reopened", "fixed")


def reason(exc: CityguardError, path: str) -> str:
    """The error without the file's name in front (the row already names the file)."""
    if isinstance(exc, DataError) and exc.path == path:
        where = [f"line {exc.line}"] if exc.line is not None else []
        return ": ".join([*where, *([exc.field] if exc.field else []), exc.problem])
    return exc.one_line()


def show_imports(results: Sequence[dict[str, Any]], lang: str) -> None:
    cols = [Col(t("cli.scans_col_file", lang), heading=True, clip=True, min_width=24, path=True),
            Col(t("cli.scans_col_format", lang)),
            *(Col(t(f"cli.scans_col_{c}", lang), justify="right") for c in COUNTS)]
    rows = []
    for r in results:
        name = short_path(str(r["file"]))
        if r["status"] == "failed":
            rows.append((f"{name}\n✗ {r['reason']}", t("cli.scans_failed", lang),
                         *("-" for _ in COUNTS)))
        else:
            rows.append((name, r["format"], *(r[c] for c in COUNTS)))
    console.table(cols, rows, styles={1: "bold"}, summary=True)


def closing_line(done: int, total: int, store: Any, system: str, lang: str) -> None:
    console.info(t("cli.scans_done", lang, done=done, total=total, store=short_path(store),
                   system=system))
