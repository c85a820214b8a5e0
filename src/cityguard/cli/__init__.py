"""The face: parses arguments, calls one function, prints through cityguard.cli.console.

Each command lives in its own module of this package and exposes `register(app)`; modules are
discovered here, so adding a command is adding one file. Modules with a leading underscore
(views, shared options) and `console` (all terminal output) are not commands. Heavy imports
happen inside the command functions so that `cityguard --help` and `--version` stay fast.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer
from typer.core import TyperGroup

from cityguard import __version__
from cityguard.cli import _root


class _RootGroup(TyperGroup):
    """Turns expected errors (CityguardError) and bad usage into one line on stderr and exit
    code 2, and gives every command the shared output flags and help layout (cli/_root.py).

    Done here rather than in main() so that in-process invocations (tests, CliRunner) behave
    exactly like the console script.
    """

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        _root.prepare(self)
        for info in _GROUPS:  # after the single commands, as typer orders them
            group = _root.LazyGroup(info, self._build_group)
            self.commands[group.name] = group

    def _build_group(self, info):  # type: ignore[no-untyped-def]
        group = typer.main.get_group_from_info(
            info, pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode, suggest_commands=app.suggest_commands)
        _root.adopt(self, group)
        return group

    def make_context(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        console = sys.modules.get("cityguard.cli.console")  # not loaded yet: nothing to reset
        if console is not None:
            console.reset()  # every command line starts from the default output settings
        return super().make_context(*args, **kwargs)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        from cityguard.core.errors import CityguardError

        try:
            return super().invoke(ctx)
        except CityguardError as exc:
            from cityguard.cli import console

            console.error(exc.one_line())
            raise typer.Exit(exc.exit_code) from None
        except _root.NoArgsIsHelpError:
            raise
        except _root.ClickUsageError as exc:
            from cityguard.cli import console

            console.error(_root.usage_error(exc))
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=_RootGroup,
    name="cityguard",
    help=(
        "cityguard: MLPS 2.0 (等级保护 2.0) assessment, scanner import, scoring, reports and CI "
        "gates for a city's security operations centre.\n\n"
        "Exit codes: 0 ok; 1 a gate or threshold failed; 2 bad usage or input; "
        "3 internal error (a bug: please report it)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cityguard {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root_callback(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=_root.QUIET_HELP, is_eager=True,
                               expose_value=False, callback=_root.set_flag),
    verbose: bool = typer.Option(False, "--verbose", "-v", help=_root.VERBOSE_HELP,
                                 is_eager=True, expose_value=False, callback=_root.set_flag),
    no_color: bool = typer.Option(False, "--no-color", help=_root.NO_COLOR_HELP, is_eager=True,
                                  expose_value=False, callback=_root.set_flag),
) -> None:
    """cityguard command line."""


def _register_commands() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "register"):  # console is the one non-command public module
            module.register(app)


_register_commands()
#: the command groups, built by the root group only when used (_root.LazyGroup)
_GROUPS = list(app.registered_groups)
app.registered_groups.clear()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: a crash gives one line and exit 3, never a traceback or exit 1."""
    try:
        app(args=argv, standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: one line, no traceback unless asked for
        if os.environ.get("CITYGUARD_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set CITYGUARD_DEBUG=1 to see the traceback)\n"
        )
        sys.exit(3)
