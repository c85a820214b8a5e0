"""All terminal output goes through here: the only module that imports rich.

Messages and progress go to stderr; data (tables, JSON, CSV asked for on stdout) to stdout,
so `cityguard … --format json | jq` always works. Every command takes the same output flags
(cli/_root.py): `--quiet` keeps only warnings, errors and the data a command exists to print;
`--verbose` adds detail lines and never cuts a cell; `--no-color` (or NO_COLOR, or output that
is not a terminal) gives plain text. Tables fit the terminal's width (cli/_layout.py).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cityguard.cli._text import cell_width, clip, pad, wrap

if TYPE_CHECKING:
    from rich.console import Console

    from cityguard.cli._layout import Col, Plan

#: seconds between two progress lines when stderr is not a terminal (CI logs)
PROGRESS_INTERVAL_ENV = "CITYGUARD_PROGRESS_INTERVAL"


class Settings:
    """The output flags of this command line (a plain class: no dataclass cost at start-up)."""

    quiet = False
    verbose = False
    color = True  # False: --no-color


settings = Settings()


def reset() -> None:
    """Defaults again (each command line starts from them; tests run many in one process)."""
    configure(quiet=False, verbose=False, color=True)


def configure(**changes: bool) -> None:
    for key, value in changes.items():
        setattr(settings, key, value)
    out.cache_clear()
    err.cache_clear()


def _plain() -> bool:
    return not settings.color or "NO_COLOR" in os.environ


def _console(stderr: bool) -> Console:
    from rich.console import Console

    plain = _plain()
    console = Console(stderr=stderr, highlight=False, color_system=None if plain else "auto",
                      no_color=plain, emoji=False)
    # a message is never wrapped by rich (one line per message in CI logs; prompts keep their
    # trailing space); tables and summaries on stdout are laid out for the width
    console.soft_wrap = stderr
    return console


@lru_cache(maxsize=1)
def out() -> Console:
    return _console(stderr=False)


@lru_cache(maxsize=1)
def err() -> Console:
    return _console(stderr=True)


def width() -> int:
    """Cells per line of stdout: the terminal's, else $COLUMNS, else 80."""
    return out().width


def _message(text: str, *, prefix: str = "", style: str = "") -> None:
    """A message on stderr: one line when stderr is not a terminal (CI logs stay greppable);
    in a terminal wrapped by cells with a hanging indent, so no word is cut by the terminal."""
    from rich.text import Text

    console = err()
    body = text
    if console.is_terminal:
        lines = wrap(prefix + text, max(20, console.width - 2))
        body = "\n".join([lines[0][len(prefix):], *("  " + x for x in lines[1:])])
    line = Text()
    if prefix:
        line.append(prefix, style=style + " bold" if style else "bold")
    line.append(body, style=style if not prefix else "")
    console.print(line)


def info(text: str) -> None:
    """A message for the reader (stderr); --quiet hides it."""
    if not settings.quiet:
        _message(text)


def detail(text: str) -> None:
    """A line only --verbose shows."""
    if settings.verbose and not settings.quiet:
        _message(text, style="dim")


def success(text: str) -> None:
    if not settings.quiet:
        _message(text, style="green")


def warning(text: str) -> None:
    _message(text, prefix="warning: ", style="yellow")


def error(text: str) -> None:
    _message(text, prefix="error: ", style="red")


def write_data(text: str) -> None:
    """Machine-readable output on stdout, verbatim (no markup, no wrapping)."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def table(
    columns: Sequence[str | Col],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    styles: dict[int, str] | None = None,
    summary: bool = False,
) -> Plan:
    """A table on stdout laid out for the terminal's width; cell text is never markup.

    summary=True marks a human summary (not the data a command exists to print): --quiet
    hides it. Returns the layout used.
    """
    from cityguard.cli._layout import Col, plan

    cols = [c if isinstance(c, Col) else Col(c) for c in columns]
    if styles:
        cols = [Col(**{**c.__dict__, "style": styles.get(i, c.style)}) for i, c in
                enumerate(cols)]
    text_rows = [["" if v is None else str(v) for v in row] for row in rows]
    layout = plan(cols, text_rows, width(), max_lines=None if settings.verbose else 3)
    if summary and settings.quiet:
        return layout
    if layout.kind == "table":
        _draw_table(cols, layout, title)
    else:
        _draw_stacked(cols, layout, title)
    return layout


def _draw_table(cols: list[Col], layout: Plan, title: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, header_style="bold", title_style="bold")
    for k, i in enumerate(layout.columns):
        t.add_column(Text("\n".join(layout.headers[k])), width=layout.widths[k], overflow="fold",
                     justify=cols[i].justify)  # type: ignore[arg-type]
    for cells in layout.cells:
        t.add_row(*(Text("\n".join(c), style=cols[i].style, justify=cols[i].justify)  # type: ignore[arg-type]
                    for c, i in zip(cells, layout.columns, strict=True)))
    out().print(t)


def _draw_stacked(cols: list[Col], layout: Plan, title: str | None) -> None:
    """Each row as a record: the heading column in bold, then one `key  value` line per
    other column (continuation lines under the value), keys aligned by display width."""
    from rich.text import Text

    console = out()
    if title:
        console.print(Text(title, style="bold"))
    rest = [cols[i] for i in layout.columns[1:]]
    key_width = max((cell_width(c.header) for c in rest), default=0)
    for cells in layout.cells:
        console.print(Text("\n".join(cells[0]), style="bold " + cols[layout.columns[0]].style))
        for col, lines in zip(rest, cells[1:], strict=True):
            if not any(lines):
                continue
            for n, line in enumerate(lines):
                text = Text("  ")
                text.append(pad(col.header, key_width) if n == 0 else " " * key_width,
                            style="dim")
                text.append("  ")
                text.append(line, style=col.style)
                console.print(text)


def fields(rows: Sequence[tuple[str, Any]], *, title: str | None = None) -> None:
    """One record as `key  value` lines on stdout (the `show` commands): keys aligned by
    display width, a value wrapped under itself and cut at three lines (--verbose: all), a
    list value one element per line."""
    from rich.text import Text

    console = out()
    if title:
        console.print(Text(title, style="bold"))
    shown = [(k, v) for k, v in rows if v not in (None, "", [], ())]
    key_width = max((cell_width(k) for k, _ in shown), default=0)
    room = max(20, width() - key_width - 2)
    limit = None if settings.verbose else 3
    for key, value in shown:


        values = value if isinstance(value, (list, tuple)) else [value]
        lines: list[str] = []
        for v in values:
            lines += clip(wrap(str(v), room), limit if len(values) == 1 else 2, room)[0]
        for n, text in enumerate(lines):
            line = Text(pad(key, key_width) if n == 0 else " " * key_width, style="bold")
            line.append("  " + text)
            console.print(line)


def heading(text: str) -> None:
    """A section heading of a summary (stdout); --quiet hides it."""
    if not settings.quiet:
        from rich.text import Text

        out().print(Text(text, style="bold"))


def line(text: str, style: str = "", *, indent: int = 0, hang: int = 0) -> None:
    """A paragraph of a summary (stdout), wrapped to the terminal by cells, `indent` cells in
    and continuation lines `hang` cells further; --quiet hides it."""
    if settings.quiet:
        return
    from rich.text import Text

    lines = wrap(text, max(20, width() - indent - hang))
    body = [" " * indent + lines[0], *(" " * (indent + hang) + x for x in lines[1:])]
    out().print(Text("\n".join(body), style=style))


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty() and not os.environ.get("CI")


class _Silent:
    """--quiet: no progress at all."""

    def total(self, n: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def part(self, key: str, event: str) -> None: ...


class _Bar:
    """A rich progress bar on a terminal; a line per part (host) while it runs."""

    def __init__(self, progress: Any, label: str) -> None:
        self._p = progress
        self._task = progress.add_task(label, total=None)
        self._parts: dict[str, Any] = {}

    def total(self, n: int | None) -> None:
        self._p.update(self._task, total=n)

    def advance(self, n: int = 1) -> None:
        self._p.advance(self._task, n)

    def part(self, key: str, event: str) -> None:
        if event == "start":
            self._parts[key] = self._p.add_task(f"  {key}", total=None)
        elif key in self._parts:
            self._p.remove_task(self._parts.pop(key))


class _Lines:
    """Plain lines at most every `interval` seconds (CI logs: no bar, no control codes)."""

    def __init__(self, label: str, interval: float) -> None:
        self._label, self._interval = label, interval
        self._done, self._total = 0, None
        self._started = self._last = time.monotonic()
        self._lock = threading.Lock()
        self.printed = False

    def total(self, n: int | None) -> None:
        self._total = n

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self._done += n
            now = time.monotonic()
            if now - self._last >= self._interval:
                self._last = now
                self._print(now)

    def part(self, key: str, event: str) -> None:
        detail(f"{self._label}: {key} {event}")

    def _print(self, now: float) -> None:
        share = f" ({100 * self._done // self._total}%)" if self._total else ""
        of = f"/{self._total}" if self._total else ""
        err().print(f"{self._label}: {self._done}{of}{share}, {now - self._started:.0f} s",
                    markup=False)
        self.printed = True

    def finish(self) -> None:
        if self.printed:
            self._print(time.monotonic())


def _interval() -> float:
    try:
        return max(0.0, float(os.environ.get(PROGRESS_INTERVAL_ENV, "10")))
    except ValueError:
        return 10.0


@contextmanager
def progress(label: str) -> Iterator[Any]:
    """A progress reporter: total(n), advance(n), part(key, "start" | "done").

    A rich bar when stderr is a terminal (removed when done); periodic plain lines otherwise;
    nothing with --quiet.
    """
    if settings.quiet:
        yield _Silent()
        return
    if not err().is_terminal:
        lines = _Lines(label, _interval())
        yield lines
        lines.finish()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err(), transient=True) as p:
        yield _Bar(p, label)


def ask(question: str, choices: Sequence[str], default: str | None = None) -> str:
    from rich.prompt import Prompt

    return Prompt.ask(question, choices=list(choices), default=default, console=err())


def ask_text(question: str, default: str = "") -> str:
    """A free-text question on stderr (console.ask is for a fixed set of choices)."""
    from rich.prompt import Prompt

    return Prompt.ask(question, default=default, console=err())
