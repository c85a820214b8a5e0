"""`cityguard scans`: import scanner output files into the findings store; list the formats."""

from __future__ import annotations

from pathlib import Path

import typer

scans_app = typer.Typer(
    help="Scanner results: import files into the findings store, list the supported formats.",
    no_args_is_help=True,
)

STORE_HELP = "Store file (default: $CITYGUARD_STORE, else .cityguard/cityguard.db here)."


@scans_app.command("import")
def scans_import(
    files: list[Path] = typer.Argument(..., help="Scan result files (format read from content)."),
    system: str = typer.Option(None, "--system", help="System the results belong to."),
    fmt: str = typer.Option(None, "--format", help="Skip detection: importer name."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the per-file results as JSON."),
) -> None:
    """Import files, one transaction each: per file, how many findings were read, new, seen
    again, reopened and marked fixed. A file that fails leaves nothing behind; the other files
    still import, and the exit code is 2.

    Fixed means: open in the same system, tool and on an asset the file reports, but missing
    from the file.
    """
    import json

    from cityguard import ingest
    from cityguard.cli import console
    from cityguard.core.errors import CityguardError
    from cityguard.policy.messages import t
    from cityguard.store import DEFAULT_SYSTEM, open_store

    system = system or DEFAULT_SYSTEM
    results: list[dict[str, object]] = []
    failed = 0
    with open_store(store) as st:
        for path in files:
            try:
                importer, findings = ingest.iter_file(path, fmt)
                res = st.import_findings(
                    findings, file=str(path), format=importer.name, tool=importer.tool,
                    system=system, sha256=ingest.file_sha256(path),
                )  # fmt: skip
            except CityguardError as exc:
                failed += 1
                console.error(exc.one_line())
                results.append({"file": str(path), "status": "failed", "error": exc.one_line()})
                continue
            if importer.name == "empty":
                console.warning(f"{path}: empty report (no content, format unknown): 0 findings")
            gaps = ingest.gaps_of(importer)  # the file says the scan did not run or saw nothing
            for gap in gaps:
                console.warning(t(gap.message_key, "en", **gap.to_dict()))
            if res.expired:
                console.info(f"{res.expired} acceptance(s) past their date were reopened")
            results.append({"status": "imported", **res.to_dict(),
                            "gaps": [g.to_dict() for g in gaps]})
        where = st.path
    if as_json:
        console.write_data(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        _table(results)
    done = len(files) - failed
    console.info(f"{done} of {len(files)} file(s) imported into {where} (system {system!r})")
    if failed:
        raise typer.Exit(2)


def _table(results: list[dict[str, object]]) -> None:
    from cityguard.cli import console

    cols = ("read", "new", "seen", "reopened", "fixed")
    rows = []
    for r in results:
        if r["status"] == "failed":
            rows.append((r["file"], "FAILED", *("-" for _ in cols)))
        else:
            rows.append((r["file"], r["format"], *(r[c] for c in cols)))
    console.table(
        ["file", "format", "findings read", "new", "seen again", "reopened", "marked fixed"],
        rows,
        styles={1: "bold"},
    )


@scans_app.command("formats")
def scans_formats(
    fmt: str = typer.Option("table", "--format", help="table | json"),
) -> None:
    """List the scan formats cityguard can import (detected from content)."""
    import json

    from cityguard import ingest
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    if fmt not in ("table", "json"):
        raise UsageError(f"--format must be table or json (got {fmt!r})")
    rows = [(c.name, c.tool, c.description) for c in ingest.formats()]
    if fmt == "json":
        data = [{"name": n, "tool": t, "description": d} for n, t, d in rows]
        console.write_data(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        console.table(["format", "tool", "description"], rows)


@scans_app.command("history")
def scans_history(
    system: str = typer.Option(None, "--system", help="Only this system."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """List past imports: when, which file (sha256), format and what each one changed."""
    from cityguard.cli import console
    from cityguard.store import open_store

    with open_store(store) as st:
        rows = [
            (i["id"], i["imported_at"], i["system"], i["file"], i["format"], i["assets"],
             i["findings_read"], i["new"], i["seen"], i["reopened"], i["fixed"],
             i["sha256"][:12])
            for i in st.imports(system)
        ]  # fmt: skip
    console.table(
        ["#", "imported", "system", "file", "format", "assets", "read", "new", "seen",
         "reopened", "fixed", "sha256"],
        rows,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
