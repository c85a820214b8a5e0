"""`cityguard store`: migrate, check, and copy a store (e.g. a team's SQLite file into the
central PostgreSQL server)."""

from __future__ import annotations

import typer

from cityguard.cli._options import MessageLangOpt, StoreOpt

store_app = typer.Typer(
    help="The store itself: migrate its schema, check it, copy one store into another.",
    no_args_is_help=True,
)


@store_app.command("migrate")
def store_migrate(
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Create the store or bring its schema up to this cityguard's (a newer one: exit 2)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import describe, migrate_store

    before, after = migrate_store(store)
    key = "store.up_to_date" if before == after else "store.migrated"
    console.success(t(key, lang, store=describe(store), before=before, after=after))


@store_app.command("check")
def store_check(
    store: StoreOpt = None,
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: MessageLangOpt = "zh",
) -> None:
    """Schema version, rows per table, dangling references: exit 0 sound, 1 problems found."""
    import json

    from cityguard.cli import console
    from cityguard.cli._systems_view import check_choice
    from cityguard.policy.messages import t
    from cityguard.store import check_store

    check_choice(fmt, ("table", "json"), "--format")
    report = check_store(store)
    if fmt == "json":
        console.write_data(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        console.table([t("store.col.table", lang), t("store.col.rows", lang)],
                      sorted(report.rows.items()),
                      title=t("store.check_title", lang, store=report.where,
                              backend=report.backend, schema=report.schema))
        for problem in report.problems:
            console.error(problem)
    if not report.ok:
        raise typer.Exit(1)
    console.success(t("store.check_ok", lang))


@store_app.command("copy")
def store_copy(
    source: str = typer.Argument(..., help="The store to copy (a path or a URL)."),
    destination: str = typer.Argument(..., help="An empty store (created when missing)."),
    lang: MessageLangOpt = "zh",
) -> None:
    """Copy every row (findings, fingerprints, state history, runs, register, rectifications)
    into an empty store in one transaction, then verify counts and digests."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import copy_store, describe

    rows = copy_store(source, destination)
    console.table([t("store.col.table", lang), t("store.col.rows", lang)], sorted(rows.items()))
    console.success(t("store.copied", lang, src=describe(source), dst=describe(destination)))


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, name="store")
