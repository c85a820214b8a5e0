"""`cityguard report`: render a stored run again; `cityguard report diff`: compare two runs.

`cityguard report [RUN_ID|latest|FILE.json] --format html,xlsx … --lang zh|en --output PATH`
`cityguard report diff RUN_A RUN_B [--format table|html|md|json] [--output FILE]`
A first argument that is not a subcommand goes to `render`, so `report latest` works.
"""

from __future__ import annotations

import typer
from typer.core import TyperGroup

STORE_HELP = "Store file (default: $CITYGUARD_STORE, else .cityguard/cityguard.db here)."
RUN_HELP = "Run id, 'latest' (default), or an Assessment JSON file (assess --format json)."
FORMAT_HELP = ("Formats, comma-separated: html, xlsx, md, json, sarif, junit, oscal, csv "
               "(= csv_findings + csv_items), or all.")
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
    help="Render a stored run (or an Assessment JSON file) again, or compare two runs.",
)


@report_app.command("render")
def report_render(
    run: str = typer.Argument("latest", help=RUN_HELP),
    fmt: list[str] = typer.Option(["html"], "--format", help=FORMAT_HELP),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    output: str = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    system: str = typer.Option(None, "--system", help="With 'latest': the newest run of this "
                               "system (its name in the store)."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    input_file: str = typer.Option(None, "--input", help="Render this Assessment JSON file "
                                   "(same as giving FILE.json as RUN_ID)."),
) -> None:
    """Render a run in one or more formats (default: HTML in Chinese)."""
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    if lang not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en (got {lang!r})")
    ref = input_file or run
    if output == "-":
        _to_stdout(ref, fmt, lang, system, store)
        return
    from cityguard.assess.reporting import render_run

    for path in render_run(ref, fmt, output, lang=lang, system=system, store=store):
        console.success(f"wrote {path}")


def _to_stdout(ref: str, fmt: list[str], lang: str, system: str | None,
               store: str | None) -> None:
    from cityguard import render
    from cityguard.assess.reporting import load_run
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    names = render.expand_formats(fmt)
    if len(names) != 1 or render.RENDERERS.get(names[0]).binary:
        raise UsageError("--output - (stdout) takes exactly one text format")
    data = render.render_bytes(load_run(ref, system=system, store=store), names[0], lang=lang)
    console.write_data(data.decode("utf-8"))


@report_app.command("diff")
def report_diff(
    run_a: str = typer.Argument(..., help="The earlier run: id, 'latest' or a JSON file."),
    run_b: str = typer.Argument(..., help="The later run: id, 'latest' or a JSON file."),
    fmt: str = typer.Option("table", "--format", help="table | html | md | json"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    output: str = typer.Option(None, "--output", "-o", help="File for html / md / json "
                               "(default: stdout)."),
    system: str = typer.Option(None, "--system", help="System name for 'latest'."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """What got better and worse from RUN_A to RUN_B: items, findings, risks, high risks."""
    from cityguard.assess.reporting import diff_runs, write_file
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    if fmt not in ("table", "html", "md", "json"):
        raise UsageError(f"--format must be one of table, html, md, json (got {fmt!r})")
    if lang not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en (got {lang!r})")
    if fmt == "table" and output:
        raise UsageError("--output needs --format html, md or json")
    diff = diff_runs(run_a, run_b, lang=lang, system=system, store=store)
    if fmt == "table":
        from cityguard.cli._diff_view import show

        show(diff, lang)
        return
    from cityguard.render.diff import render_diff

    data = render_diff(diff, fmt, lang)
    if output and output != "-":
        console.success(f"wrote {write_file(output, data)}")
    else:
        console.write_data(data.decode("utf-8"))


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
