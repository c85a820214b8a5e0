"""`cityguard version`: the version and where the data directories were found."""

import typer


def version_cmd() -> None:
    """Show the version and the data directories in use."""
    from cityguard import __version__
    from cityguard.cli import console
    from cityguard.cli._text import short_path
    from cityguard.core import resources

    rows: list[tuple[str, object]] = [("cityguard", __version__)]
    for kind in resources.DATA_KINDS:
        rows.append((f"{kind}/", [short_path(d) for d in resources.search_dirs(kind)]))
    console.fields(rows)


def register(app: typer.Typer) -> None:
    app.command("version")(version_cmd)
