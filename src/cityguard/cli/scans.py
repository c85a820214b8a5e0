"""`cityguard scans`: import scanner output files into the findings store; list the formats."""

from pathlib import Path

import typer

from cityguard.cli._options import Lang, LangOpt, NotifyOpt, ShowFormat, ShowFormatOpt, StoreOpt

scans_app = typer.Typer(
    help="Scanner results: import files into the findings store, list the supported formats.",
    no_args_is_help=True,
)

@scans_app.command("import")
def scans_import(
    files: list[Path] = typer.Argument(..., metavar="FILE...", help="Scan result files "
                                       "(format read from content)."),
    system: str = typer.Option(None, "--system", metavar="NAME", help="System the results "
                               "belong to (its name in the store)."),
    fmt: str = typer.Option(None, "--format", metavar="IMPORTER", help="Skip detection: "
                            "importer name (see `cityguard scans formats`)."),
    store: StoreOpt = None,
    as_json: bool = typer.Option(False, "--json", help="Print the per-file results as JSON."),
    lang: LangOpt = Lang.ZH,
    notify: NotifyOpt = None,
) -> None:
    """Import files, one transaction each: per file, how many findings were read, new, seen
    again, reopened and marked fixed. A file that fails leaves nothing behind; the other files
    still import, and the exit code is 2.

    Fixed means: open in the same system, tool and on an asset the file reports, but missing
    from the file.
    """
    import json

    from cityguard import ingest
    from cityguard.cli import _notify_hook as notify_hook
    from cityguard.cli import _scans_view as view
    from cityguard.cli import console
    from cityguard.cli._progress import CountProgress
    from cityguard.core.errors import CityguardError
    from cityguard.policy.messages import t
    from cityguard.store import DEFAULT_SYSTEM, open_store

    system = system or DEFAULT_SYSTEM
    notifying = notify_hook.prepare(notify, None)  # a bad configuration: exit 2 before work
    # a file that is not a scan is refused before the store is opened (or created)
    found = {n: _detect(path, fmt) for n, path in enumerate(files)}
    results = {n: r for n, r in found.items() if isinstance(r, dict)}
    detected = {n: r for n, r in found.items() if not isinstance(r, dict)}
    if not detected:
        for r in results.values():
            console.error(str(r["error"]))
        raise typer.Exit(2)
    with open_store(store) as st, CountProgress(t("cli.progress_importing", lang.value),
                                                len(detected)) as progress:
        for n, importer in detected.items():
            path = files[n]
            try:
                used, findings = ingest.iter_file(path, fmt)
                res = st.import_findings(
                    findings, file=str(path), format=importer.name, tool=importer.tool,
                    system=system, sha256=ingest.file_sha256(path),
                    gaps=lambda used=used: [g.to_dict() for g in ingest.gaps_of(used)],
                    parts=ingest.split_file(used, path),
                )  # fmt: skip
            except CityguardError as exc:
                results[n] = _failed(path, exc)
                progress.step(str(path))
                continue
            progress.step(str(path))
            if importer.name == "empty":
                console.warning(t("cli.scans_empty", "en", path=path))
            gaps = ingest.gaps_of(used)  # the file says the scan did not run or saw nothing
            for gap in gaps:
                console.warning(t(gap.message_key, lang.value, **gap.to_dict()))
            if res.expired:
                console.info(t("cli.scans_expired", lang.value, n=res.expired))
            results[n] = {"status": "imported", **res.to_dict(),
                          "gaps": [g.to_dict() for g in gaps]}
        where = st.path
    ordered = [results[n] for n in sorted(results)]
    failed = [r for r in ordered if r["status"] == "failed"]
    for r in failed:  # one line per refused file, naming it (CI logs); the table repeats the
        console.error(str(r["error"]))  # reason under the file's name
    if as_json:
        console.write_data(json.dumps([{k: v for k, v in r.items() if k != "reason"}
                                       for r in ordered], ensure_ascii=False, indent=2))
    else:
        view.show_imports(ordered, lang.value)
    view.closing_line(len(files) - len(failed), len(files), where, system, lang.value)
    if len(failed) < len(files):
        notify_hook.tell(notifying, store, system, lang.value)
    if failed:
        raise typer.Exit(2)


def _detect(path: Path, fmt: str | None) -> object:
    """The file's importer, or its failure row."""
    from cityguard import ingest
    from cityguard.core.errors import CityguardError

    try:
        return ingest.detect(path, fmt)
    except CityguardError as exc:
        return _failed(path, exc)


def _failed(path: Path, exc: object) -> dict[str, object]:
    from cityguard.cli._scans_view import reason

    return {"file": str(path), "status": "failed", "error": exc.one_line(),  # type: ignore[attr-defined]
            "reason": reason(exc, str(path))}  # type: ignore[arg-type]


@scans_app.command("formats")
def scans_formats(
    fmt: ShowFormatOpt = ShowFormat.TABLE,
    lang: LangOpt = Lang.ZH,
) -> None:
    """List the scan formats cityguard can import (detected from content)."""
    import json

    from cityguard import ingest
    from cityguard.cli import console
    from cityguard.cli._layout import Col
    from cityguard.policy.messages import t

    rows = [(c.name, c.tool, c.description) for c in ingest.formats()]
    if fmt == ShowFormat.JSON:
        data = [{"name": n, "tool": tool, "description": d} for n, tool, d in rows]
        console.write_data(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.table([Col(t("cli.scans_col_format", lang.value)), Col(t("cli.col_tool", lang.value)),
                   Col(t("cli.col_description", lang.value), clip=True, min_width=30)], rows)


@scans_app.command("history")
def scans_history(
    system: str = typer.Option(None, "--system", metavar="NAME", help="Only this system."),
    store: StoreOpt = None,
    lang: LangOpt = Lang.ZH,
) -> None:
    """List past imports: when, which file (sha256), format and what each one changed."""
    from cityguard.cli import console
    from cityguard.cli._layout import Col
    from cityguard.cli._scans_view import COUNTS
    from cityguard.cli._text import short_path
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        imports = st.imports(system)
    rows = [
        (i["id"], i["imported_at"], i["system"], short_path(i["file"]), i["format"],
         i["assets"], i["findings_read"], i["new"], i["seen"], i["reopened"], i["fixed"],
         i["sha256"][:12])
        for i in imports
    ]  # fmt: skip
    lg = lang.value
    console.table(
        [Col("#", justify="right"), Col(t("cli.scans_col_when", lg)),
         Col(t("cli.scans_col_system", lg), drop=2), Col(t("cli.scans_col_file", lg)),
         Col(t("cli.scans_col_format", lg)), Col(t("cli.scans_col_assets", lg), drop=1),
         *(Col(t(f"cli.scans_col_{c}", lg), justify="right") for c in COUNTS),
         Col("sha256", drop=3)],
        rows,
    )  # fmt: skip
    for i in imports:  # what an import did not check, under the table whatever its width
        for gap in i["gaps"]:
            text = t(f"ingest.gap.{gap['kind']}", lg, **gap)
            console.warning(t("cli.scans_history_gap", lg, id=i["id"], text=text))


def register(app: typer.Typer) -> None:
    app.add_typer(scans_app, name="scans")
