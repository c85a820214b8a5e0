"""`cityguard systems`: the SOC's register of systems and each system's posture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from cityguard.cli._options import StoreOpt

systems_app = typer.Typer(
    help="The register of systems (定级系统台账): add, edit, remove, list with posture, show, "
         "sync from cityguard.yaml manifests, import and export the spreadsheet ledger.",
    no_args_is_help=True,
)

LANG_HELP = "Labels: zh | en"


def _fields(department: str | None, district: str | None, owner: str | None,
            contact: str | None, level: int | None, grade: str | None,
            extensions: str | None, filing_number: str | None, filing_date: str | None,
            stage: str | None, tags: str | None, manifest: str | None,
            interval: int | None) -> dict[str, object]:
    from cityguard.cli._findings_view import split
    from cityguard.store import parse_date

    given = {
        "department": department, "district": district, "owner": owner, "contact": contact,
        "level": level, "grade": grade.upper() if grade else grade, "filing_number": filing_number,
        "filing_date": parse_date(filing_date, "--filing-date") if filing_date else None,
        "stage": stage, "manifest": manifest, "interval_months": interval,
        "extensions": tuple(split([extensions])) if extensions is not None else None,
        "tags": tuple(split([tags])) if tags is not None else None,
    }  # fmt: skip
    return {k: v for k, v in given.items() if v is not None}


_OPTS = {
    "department": typer.Option(None, "--department", help="单位 / department."),
    "district": typer.Option(None, "--district", help="区县 / district."),
    "owner": typer.Option(None, "--owner", help="责任人 / owner."),
    "contact": typer.Option(None, "--contact", help="安全联系人 / security contact."),
    "level": typer.Option(None, "--level", help="Protection level 1-4."),
    "grade": typer.Option(None, "--grade", help="S/A grade, e.g. S3A2."),
    "extensions": typer.Option(None, "--ext", help="cloud,mobile,iot,ics,bigdata"),
    "filing_number": typer.Option(None, "--filing-number", help="备案编号."),
    "filing_date": typer.Option(None, "--filing-date", help="备案日期 YYYY-MM-DD."),
    "stage": typer.Option(None, "--stage", help="plan | build | deploy | operate"),
    "tags": typer.Option(None, "--tags", help="Comma-separated tags."),
    "manifest": typer.Option(None, "--manifest", help="Where its cityguard.yaml lives."),
    "interval": typer.Option(None, "--interval-months",
                             help="Assessment interval (default by level: L3 12, L4 6)."),
}


def _field_command(command: str, name_help: str, doc: str,
                   apply: Callable[[str, dict[str, object], str, str | None], None]) -> None:
    """Register `systems COMMAND NAME --department … --interval-months …`: add and edit take the
    same field options, so their signature is written once and each gives what it does."""

    def run(
        name: str = typer.Argument(..., help=name_help),
        department: str = _OPTS["department"], district: str = _OPTS["district"],
        owner: str = _OPTS["owner"], contact: str = _OPTS["contact"],
        level: int = _OPTS["level"], grade: str = _OPTS["grade"],
        extensions: str = _OPTS["extensions"], filing_number: str = _OPTS["filing_number"],
        filing_date: str = _OPTS["filing_date"], stage: str = _OPTS["stage"],
        tags: str = _OPTS["tags"], manifest: str = _OPTS["manifest"],
        interval: int = _OPTS["interval"],
        lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
        store: StoreOpt = None,
    ) -> None:
        apply(name, _fields(department, district, owner, contact, level, grade, extensions,
                            filing_number, filing_date, stage, tags, manifest, interval),
              lang, store)

    run.__doc__ = doc
    systems_app.command(command)(run)


def _add(name: str, values: dict[str, object], lang: str, store: str | None) -> None:
    from cityguard.cli import console
    from cityguard.model.register import SystemRecord
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        st.add_system(SystemRecord(name=name.strip(), **values))  # type: ignore[arg-type]
    console.success(t("systems.added", lang, name=name))


def _edit(name: str, values: dict[str, object], lang: str, store: str | None) -> None:
    from cityguard.cli import console
    from cityguard.core.errors import UsageError
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    if not values:
        raise UsageError("nothing to change: give at least one field option")
    with open_store(store) as st:
        st.edit_system(name, values)
    console.success(t("systems.edited", lang, name=name, fields=", ".join(values)))


_field_command("add", "System name (may be Chinese).", "Add a system to the register.", _add)
_field_command("edit", "System name.", "Change fields of a system (those its manifest holds are "
               "changed in the manifest).", _edit)


@systems_app.command("remove")
def systems_remove(
    name: str = typer.Argument(..., help="System name."),
    purge: bool = typer.Option(False, "--purge", help="Also delete its findings, imports, "
                               "runs and rectifications."),
    lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
    store: StoreOpt = None,
) -> None:
    """Take a system out of the register (refused while it has history, unless --purge)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        gone = st.remove_system(name, purge=purge)
    console.success(t("systems.removed", lang, name=name,
                      detail=", ".join(f"{k} {v}" for k, v in gone.items() if v) or "-"))


@systems_app.command("list")
def systems_list(
    overdue: bool = typer.Option(False, "--overdue", help="Only systems whose assessment is "
                                 "overdue."),
    department: str = typer.Option(None, "--department", help="Only this department."),
    level: int = typer.Option(None, "--level", help="Only this level."),
    conclusion: str = typer.Option(None, "--conclusion", help="Only this last conclusion: "
                                   "符合 | 基本符合 | 不符合 | none (never assessed)."),
    high_risk: bool = typer.Option(False, "--high-risk", help="Only systems with open "
                                   "high-risk issues."),
    sort: str = typer.Option("name", "--sort", help="name | next_due | level | department | "
                             "rate | findings | high_risks"),
    interval: list[str] = typer.Option([], "--interval", help="LEVEL=MONTHS assessment "
                                       "interval, e.g. 3=12 (repeatable)."),
    fmt: str = typer.Option("table", "--format", help="table | json | csv | xlsx"),
    output: Path = typer.Option(None, "--output", help="FILE (needed for xlsx)."),
    lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
    store: StoreOpt = None,
) -> None:
    """Every system with its posture: last assessment, next due, open high-risk issues,
    open findings, rectifications past due, waivers ending within 30 days, gate results."""
    from cityguard.cli import _systems_view as view
    from cityguard.store import open_store
    from cityguard.store.posture import parse_intervals
    from cityguard.store.views import filter_postures

    view.check_choice(fmt, view.FORMATS, "--format")
    view.check_choice(lang, ("zh", "en"), "--lang")
    overrides = parse_intervals(",".join(interval)) if interval else None
    with open_store(store) as st:
        items = st.posture(intervals=overrides)
    items = filter_postures(items, overdue=overdue, department=department, level=level,
                            conclusion=conclusion, high_risk=high_risk, sort=sort)
    view.render_postures(items, fmt, lang, output)


@systems_app.command("show")
def systems_show(
    name: str = typer.Argument(..., help="System name."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
    store: StoreOpt = None,
) -> None:
    """One system's record and posture (* marks fields its manifest holds)."""
    from cityguard.cli import _systems_view as view
    from cityguard.store import open_store

    view.check_choice(fmt, ("table", "json"), "--format")
    with open_store(store) as st:
        rec = st.system(name)
        found = [p for p in st.posture() if p.system.name == name]
    view.render_record(rec, found[0] if found else None, fmt, lang)


@systems_app.command("sync")
def systems_sync(
    dirs: list[Path] = typer.Argument(..., help="Directories searched for cityguard.yaml."),
    lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
    store: StoreOpt = None,
) -> None:
    """Read every cityguard.yaml below the directories into the register (the manifest is the
    source of truth for what it holds). A bad manifest: nothing is written, exit 2."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        records = st.sync_manifests(dirs)
    for r in records:
        console.info(f"{r.name}: {r.manifest}")
    console.success(t("systems.synced", lang, n=len(records)))


@systems_app.command("import")
def systems_import(
    file: Path = typer.Argument(..., help="台账.xlsx or .csv (headers in Chinese or English)."),
    lang: str = typer.Option("zh", "--lang", help=LANG_HELP),
    store: StoreOpt = None,
) -> None:
    """Import the spreadsheet ledger: one row per system; a bad cell stops it (exit 2, nothing
    written) naming the row and column."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        records, sheet = st.import_ledger(file)
    if sheet.ignored:
        console.info(t("systems.ignored_columns", lang, columns=", ".join(sheet.ignored)))
    console.success(t("systems.imported", lang, n=len(records), file=str(file)))


@systems_app.command("export")
def systems_export(
    output: Path = typer.Argument(..., help="FILE.xlsx or FILE.csv"),
    lang: str = typer.Option("zh", "--lang", help="Header language: zh | en"),
    store: StoreOpt = None,
) -> None:
    """Write the register as a ledger (the same columns `systems import` reads)."""
    from cityguard.cli import _systems_view as view
    from cityguard.store import open_store

    with open_store(store) as st:
        records = st.register_list()
    view.export_ledger(records, output, lang)


def register(app: typer.Typer) -> None:
    app.add_typer(systems_app, name="systems")
