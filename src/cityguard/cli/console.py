"""All terminal output goes through here: the only module that imports rich.

Messages and progress go to stderr; data (tables, JSON, CSV asked for on stdout) to stdout,
so `cityguard … --format json | jq` always works.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from rich.progress import Progress


@lru_cache(maxsize=1)
def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


@lru_cache(maxsize=1)
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def info(text: str) -> None:
    err().print(text, markup=False)


def success(text: str) -> None:
    err().print(f"[green]{_escape(text)}[/green]")


def warning(text: str) -> None:
    err().print(f"[yellow]warning:[/yellow] {_escape(text)}")


def error(text: str) -> None:
    err().print(f"[bold red]error:[/bold red] {_escape(text)}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def write_data(text: str) -> None:
    """Machine-readable output on stdout, verbatim (no markup, no wrapping)."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    styles: dict[int, str] | None = None,
) -> None:
    """A rich table on stdout; cell text is never interpreted as markup."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            style = (styles or {}).get(i, "")
            cells.append(Text("" if v is None else str(v), style=style))
        t.add_row(*cells)
    out().print(t)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress(transient: bool = True) -> Iterator[Progress | None]:
    """A rich progress bar on stderr when it is a terminal; None otherwise (CI logs stay clean)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=transient,
    ) as p:
        yield p


def ask(question: str, choices: Sequence[str], default: str | None = None) -> str:
    from rich.prompt import Prompt

    return Prompt.ask(question, choices=list(choices), default=default, console=err())


def ask_text(question: str, default: str = "") -> str:
    """A free-text question on stderr (console.ask is for a fixed set of choices)."""
    from rich.prompt import Prompt

    return Prompt.ask(question, default=default, console=err())
