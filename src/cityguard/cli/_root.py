"""What every command shares without writing it again: the output flags, help text laid out by
terminal cells, metavars a reader understands, and bad usage as one line.

Imported for every `cityguard --help`: its own imports of cityguard modules happen inside the
functions that need them (benchmarks/startup.py).

The root group (cli/__init__.py) calls `prepare(group)` once the commands are registered:
the output flags declared on the root callback are copied onto every command and group, so
`cityguard assess --quiet` and `cityguard --quiet assess` mean the same, also for commands
added later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import typer

# typer 0.29 vendors click: its usage errors come from there
from typer._click.exceptions import NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

OUTPUT_FLAGS = ("quiet", "verbose", "no_color")
QUIET_HELP = "Only warnings, errors and the data asked for: no progress, no summaries."
VERBOSE_HELP = "More detail: every line of long cells, per-host progress, rule details."
NO_COLOR_HELP = "Plain text without colour or styles (also NO_COLOR=1, or when not a terminal)."


def set_flag(ctx: typer.Context, param: Any, value: bool) -> bool:
    """Callback of the output flags: applied while parsing, before anything is printed."""
    from cityguard.cli import console

    if value:
        if param.name == "no_color":
            console.configure(color=False)
        else:
            console.configure(**{param.name: True})
    return value


_BaseFormatter: Any = typer.Context.formatter_class
_TYPE = r"^(?P<names>.*?) <(?P<type>[^<>]*)>(?P<more>\.\.\.)?$"  # compiled on first use


def metavar(first_column: str) -> str:
    """`--target <list[str]>` → `--target TARGET`; `--lang <zh|en>` → `--lang [zh|en]`;
    `files... <list[Path]>` → `FILES...`: names a reader understands, not Python types."""
    m = re.match(_TYPE, first_column)
    if m is None:
        return first_column
    names, kind = m["names"], m["type"]
    kind = kind[5:-1] if kind.startswith("list[") and kind.endswith("]") else kind
    if not names.startswith("-"):  # an argument
        return names.upper()
    if "|" in kind:
        return f"{names} [{kind}]"
    flag = [n for n in re.split(r"[ ,/]+", names) if n.startswith("--")][-1]
    word = flag.lstrip("-").upper().replace("-", "_")
    if kind == "int":
        word = "N"
    elif kind == "float":
        word = "SECONDS" if "TIMEOUT" in word else "NUMBER"
    elif kind == "Path":
        word = "PATH"
    return f"{names} {word}"


def _usage_args(args: str) -> str:
    """`[OPTIONS] {files}...` → `[OPTIONS] FILES...` (typer marks required arguments with {})."""
    return re.sub(r"\{(\w+)\}", lambda m: m[1].upper(),
                  re.sub(r"\[(\w+)\]", lambda m: f"[{m[1].upper()}]", args))


def _paragraphs(text: str, width: int) -> list[str]:
    """Help text wrapped by cells; a paragraph starting with a \\b line is kept as written."""
    from cityguard.cli._text import wrap

    out: list[str] = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if lines and lines[0].strip() == "\b":
            out.extend(lines[1:])
        else:
            out.extend(wrap(" ".join(x.strip() for x in lines), width))
        out.append("")
    return out[:-1]


class HelpFormatter(_BaseFormatter):  # type: ignore[misc]
    """click's help layout, measured in terminal cells (a Chinese character takes two), so
    no line is wider than the terminal and no word is cut by it."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _usage_args(args), prefix)

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 20)
        for line in _paragraphs(text, width):
            self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        from cityguard.cli._text import cell_width

        rows = [(metavar(first), second) for first, second in rows]
        first_col = min(max((cell_width(f) for f, _ in rows), default=0), col_max)
        first_col += col_spacing
        indent = " " * self.current_indent
        text_width = max(self.width - first_col - self.current_indent, 10)
        for first, second in rows:
            self.write(indent + first)
            if not second:
                self.write("\n")
                continue
            if cell_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_width(first)))
            else:
                self.write("\n" + indent + " " * first_col)
            lines = _paragraphs(second, text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write((indent + " " * first_col + line if line else "") + "\n")


class Context(typer.Context):
    formatter_class = HelpFormatter


def _commands(group: Any) -> Iterable[Any]:
    for cmd in getattr(group, "commands", {}).values():
        yield cmd
        yield from _commands(cmd)


def prepare(root: Any) -> None:
    """Every command: the root's output flags, the cell-aware help, one-line usage errors."""
    root.context_class = Context
    for cmd in getattr(root, "commands", {}).values():
        adopt(root, cmd)


def adopt(root: Any, cmd: Any) -> None:
    """`cmd` and the commands below it take the root's output flags and help layout."""
    flags = [p for p in root.params if p.name in OUTPUT_FLAGS]
    for c in (cmd, *_commands(cmd)):
        c.context_class = Context
        names = {p.name for p in c.params}
        c.params.extend(p for p in flags if p.name not in names)


class LazyGroup(TyperGroup):
    """A command group (`systems`, `notify` …) that typer builds only when it is used.

    Building a group makes typer read the signature and type hints of every command in it,
    which is most of what `cityguard --help` would cost; the root's help needs only the
    group's name and one-line help. Anything else asked of it (its commands, parsing,
    invoking, its own help) builds the real group, adopts the root's flags, and this object
    becomes that group, so click and the tests see an ordinary TyperGroup from then on.
    """

    _OWN = frozenset({"name", "help", "short_help", "hidden", "deprecated",
                      "get_short_help_str", "_info", "_build", "_become", "__dict__",
                      "__class__"})  # fmt: skip

    def __init__(self, info: Any, build: Callable[[Any], Any]) -> None:  # no super(): lazy
        from typer.main import solve_typer_info_defaults

        solved = solve_typer_info_defaults(info)
        self.name = solved.name
        self.help = solved.help
        self.short_help = solved.short_help
        self.hidden = solved.hidden
        self.deprecated = solved.deprecated
        self._info, self._build = info, build

    def __getattribute__(self, attr: str) -> Any:
        if attr in LazyGroup._OWN:
            return object.__getattribute__(self, attr)
        self._become()
        return object.__getattribute__(self, attr)

    def _become(self) -> None:
        real = self._build(self._info)
        state = self.__dict__
        state.clear()
        state.update(real.__dict__)
        self.__class__ = real.__class__


def usage_error(exc: Any) -> str:
    """A click usage error as one line: what was wrong and where the help is."""
    where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "cityguard"
    message = " ".join(exc.format_message().split())
    return f"{message} (see `{where} --help`)"


__all__ = ["ClickUsageError", "Context", "HelpFormatter", "LazyGroup", "NoArgsIsHelpError",
           "adopt", "metavar", "prepare", "set_flag", "usage_error"]
