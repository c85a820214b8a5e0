"""`cityguard report`: render a stored run again; `cityguard report diff`: compare two runs.

`cityguard report [RUN_ID|latest|FILE.json] --format html,xlsx … --lang zh|en --output PATH`
`cityguard report diff RUN_A RUN_B [--format table|html|md|json] [--output FILE]`
`cityguard report city --format html,xlsx,md,pdf --output DIR` (web/cityreport.py)
A first argument that is not a subcommand goes to `render`, so `report latest` works.
"""

import typer
from typer.core import TyperGroup

from cityguard.cli._options import (
    DiffFormat,
    DiffFormatOpt,
    Lang,
    LangOpt,
    ReportFormatsOpt,
    StoreOpt,
)

RUN_HELP = "Run id, 'latest' (default), or an Assessment JSON file (assess --format json)."
OUTPUT_HELP = ("Directory for the files (assessment.html, assessment.xlsx, findings.csv …; default "
               "./cityguard-report), or the file itself for one format; '-' = stdout (one text "
               "format).")


class _DefaultRender(TyperGroup):
    """`report X …` means `report render X …` unless X is a subcommand (or --help)."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["render", *args]
        return super().parse_args(ctx, args)


report_app = typer.Typer(
    cls=_DefaultRender,
    help="Render a stored run (or an Assessment JSON file) again, or compare two runs.\n\n"
    "\b\n"
    "cityguard report [RUN_ID|latest|FILE.json] [OPTIONS]   (= report render …)\n"
    "cityguard report diff RUN_A RUN_B [OPTIONS]",
    subcommand_metavar="[RUN_ID|latest|FILE.json] [OPTIONS] | diff RUN_A RUN_B",
)


@report_app.command("render")
def report_render(
    run: str = typer.Argument("latest", metavar="[RUN_ID|latest|FILE.json]", help=RUN_HELP),
    fmt: ReportFormatsOpt = ["html"],  # noqa: B006 - typer reads the default; never mutated
    lang: LangOpt = Lang.ZH,
    output: str = typer.Option(None, "--output", "-o", metavar="PATH", help=OUTPUT_HELP),
    system: str = typer.Option(None, "--system", metavar="NAME", help="With 'latest': the "
                               "newest run of this system (its name in the store)."),
    store: StoreOpt = None,
    input_file: str = typer.Option(None, "--input", metavar="FILE", help="Render this "
                                   "Assessment JSON file (same as giving FILE.json as RUN_ID)."),
) -> None:
    """Render a run in one or more formats (default: HTML in Chinese)."""
    from cityguard.cli import console
    from cityguard.cli._text import short_path
    from cityguard.policy.messages import t

    ref = input_file or run
    if output == "-":
        _to_stdout(ref, fmt, lang.value, system, store)
        return
    from cityguard.assess.reporting import render_run

    for path in render_run(ref, fmt, output, lang=lang.value, system=system, store=store):
        console.success(t("cli.wrote", lang.value, path=short_path(path)))


def _to_stdout(ref: str, fmt: list[str], lang: str, system: str | None,
               store: str | None) -> None:
    from cityguard import render
    from cityguard.assess.reporting import load_run
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    names = render.expand_formats(fmt)
    if len(names) != 1 or render.RENDERERS.get(names[0]).binary:
        from cityguard.policy.messages import t

        raise UsageError(t("cli.report_stdout_one_text", "en"))
    data = render.render_bytes(load_run(ref, system=system, store=store), names[0], lang=lang)
    console.write_data(data.decode("utf-8"))


@report_app.command("diff")
def report_diff(
    run_a: str = typer.Argument(..., metavar="RUN_A", help="The earlier run: id, 'latest' or "
                                "a JSON file."),
    run_b: str = typer.Argument(..., metavar="RUN_B", help="The later run: id, 'latest' or a "
                                "JSON file."),
    fmt: DiffFormatOpt = DiffFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    output: str = typer.Option(None, "--output", "-o", metavar="FILE", help="File for html / "
                               "md / json (default: stdout)."),
    system: str = typer.Option(None, "--system", metavar="NAME", help="System name for "
                               "'latest'."),
    store: StoreOpt = None,
) -> None:
    """What got better and worse from RUN_A to RUN_B: items, findings, risks, high risks."""
    from cityguard.assess.reporting import diff_runs, write_file
    from cityguard.cli import console
    from cityguard.cli._text import short_path
    from cityguard.core.errors import UsageError
    from cityguard.policy.messages import t

    if fmt == DiffFormat.TABLE and output:
        raise UsageError(t("cli.diff_output_needs_format", "en"))
    diff = diff_runs(run_a, run_b, lang=lang.value, system=system, store=store)
    if fmt == DiffFormat.TABLE:
        from cityguard.cli._diff_view import show

        show(diff, lang.value)
        return
    from cityguard.render.diff import render_diff

    data = render_diff(diff, fmt.value, lang.value)
    if output and output != "-":
        console.success(t("cli.wrote", lang.value, path=short_path(write_file(output, data))))
    else:
        console.write_data(data.decode("utf-8"))


@report_app.command("city")
def report_city(
    fmt: list[str] = typer.Option(["html"], "--format", "-f", metavar="html,xlsx,md,pdf",
                                  help="html, xlsx, md and/or pdf (comma-separated)."),
    lang: LangOpt = Lang.ZH,
    output: str = typer.Option(None, "--output", "-o", metavar="DIR", help="Folder for "
                               "city-report.* (default ./cityguard-report)."),
    store: StoreOpt = None,
) -> None:
    """The city roll-up report (the dashboard's overview as files, for the leading group)."""
    from cityguard.cli import console
    from cityguard.cli._text import short_path
    from cityguard.policy.messages import t
    from cityguard.web.cityreport import write

    for path in write(fmt, output, lang=lang.value, store=store):
        console.success(t("cli.wrote", lang.value, path=short_path(path)))


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
