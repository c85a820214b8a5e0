"""`cityguard catalog`: list, search and show MLPS 2.0 requirement items."""

import typer

from cityguard.cli._options import (
    Lang,
    LangOpt,
    ListFormat,
    ListFormatOpt,
    PoliciesOpt,
    ShowFormat,
    ShowFormatOpt,
)

catalog_app = typer.Typer(
    help="List, search and show the MLPS 2.0 requirement items (GB/T 22239 / GB/T 28448).",
    invoke_without_command=True,
    no_args_is_help=False,
)

@catalog_app.callback()
def catalog_list(
    ctx: typer.Context,
    level: int = typer.Option(None, "--level", metavar="1-4", help="System level (default 3)."),
    grade: str = typer.Option(None, "--grade", metavar="SnAn", help="S/A grade such as S3A2 "
                              "(Annex A selection)."),
    ext: list[str] = typer.Option([], "--ext", metavar="EXT", help="Extensions: "
                                  "cloud,mobile,iot,ics,bigdata."),
    class_code: str = typer.Option(None, "--class", metavar="CLASS", help="Only this class "
                                   "code (e.g. CES)."),
    search: str = typer.Option(None, "--search", metavar="TEXT", help="Substring in ids, names "
                               "or summaries."),
    fmt: ListFormatOpt = ListFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    coverage: bool = typer.Option(
        False, "--coverage", help="Per class: how many selected items have automated checks."
    ),
    policies: PoliciesOpt = [],  # noqa: B006 - typer reads the default; never mutated
) -> None:
    """List the items selected for a level / grade and extensions."""
    if ctx.invoked_subcommand:
        ctx.obj = {"policies": policies}
        return
    from cityguard.cli._catalog_view import list_items, render_coverage, render_items

    items, selection = list_items(level, grade, ext, class_code, search, policies)
    if coverage:
        render_coverage(items, selection, policies, fmt.value, lang.value)
    else:
        render_items(items, fmt.value, lang.value)


@catalog_app.command("show")
def catalog_show(
    ctx: typer.Context,
    unit_id: str = typer.Argument(..., metavar="UNIT_ID", help="Unit id such as L3-CES1-01."),
    fmt: ShowFormatOpt = ShowFormat.TABLE,
    lang: LangOpt = Lang.ZH,
) -> None:
    """Show one item with its high-risk cases and the checks mapped to it."""
    from cityguard.cli._catalog_view import show_item

    show_item(unit_id, fmt.value, lang.value, (ctx.obj or {}).get("policies", []))


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
