"""`cityguard catalog`: list, search and show MLPS 2.0 requirement items."""

from __future__ import annotations

import typer

catalog_app = typer.Typer(
    help="List, search and show the MLPS 2.0 requirement items (GB/T 22239 / GB/T 28448).",
    invoke_without_command=True,
    no_args_is_help=False,
)

POLICIES_HELP = "Extra policy directory (repeatable; also CITYGUARD_POLICIES)."


@catalog_app.callback()
def catalog_list(
    ctx: typer.Context,
    level: int = typer.Option(None, "--level", help="System level 1-4 (default 3)."),
    grade: str = typer.Option(None, "--grade", help="S/A grade such as S3A2 (Annex A selection)."),
    ext: list[str] = typer.Option([], "--ext", help="Extensions: cloud,mobile,iot,ics,bigdata."),
    class_code: str = typer.Option(None, "--class", help="Only this class code (e.g. CES)."),
    search: str = typer.Option(None, "--search", help="Substring in ids, names or summaries."),
    fmt: str = typer.Option("table", "--format", help="table | json | csv"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    coverage: bool = typer.Option(
        False, "--coverage", help="Per class: how many selected items have automated checks."
    ),
    policies: list[str] = typer.Option([], "--policies", help=POLICIES_HELP),
) -> None:
    """List the items selected for a level / grade and extensions."""
    if ctx.invoked_subcommand:
        ctx.obj = {"policies": policies}
        return
    from cityguard.cli._catalog_view import list_items, render_coverage, render_items

    _check_choice(fmt, ("table", "json", "csv"), "--format")
    _check_choice(lang, ("zh", "en"), "--lang")
    items, selection = list_items(level, grade, ext, class_code, search, policies)
    if coverage:
        render_coverage(items, selection, policies, fmt)
    else:
        render_items(items, fmt, lang)


@catalog_app.command("show")
def catalog_show(
    ctx: typer.Context,
    unit_id: str = typer.Argument(..., help="Unit id such as L3-CES1-01."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
) -> None:
    """Show one item with its high-risk cases and the checks mapped to it."""
    from cityguard.cli._catalog_view import show_item

    _check_choice(fmt, ("table", "json"), "--format")
    show_item(unit_id, fmt, lang, (ctx.obj or {}).get("policies", []))


def _check_choice(value: str, allowed: tuple[str, ...], flag: str) -> None:
    if value not in allowed:
        from cityguard.core.errors import UsageError

        raise UsageError(f"{flag} must be one of {', '.join(allowed)} (got {value!r})")


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
