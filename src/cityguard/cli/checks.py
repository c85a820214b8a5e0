"""`cityguard checks`: list, show and validate check libraries."""

import typer

from cityguard.cli._options import ChecksOpt, Lang, LangOpt, PoliciesOpt, ShowFormat, ShowFormatOpt

checks_app = typer.Typer(help="List, show and validate checks (checks/**/*.yaml).",
                         no_args_is_help=True)


@checks_app.command("list")
def checks_list(
    fmt: ShowFormatOpt = ShowFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    checks: ChecksOpt = [],  # noqa: B006 - typer reads the default; never mutated
) -> None:
    """List every check of the library with its severity and probes."""
    import json

    from cityguard.cli import console
    from cityguard.cli._layout import Col
    from cityguard.engine import load_library
    from cityguard.policy.messages import enum, pick, t

    library = load_library(checks)
    if fmt == ShowFormat.JSON:
        console.write_data(json.dumps([_summary(c) for c in library], ensure_ascii=False,
                                      indent=2))
        return
    lg = lang.value
    manual = t("cli.checks_manual", lg)
    rows = [(c.id, enum("severity", c.severity.value, lg),
             manual if c.mode == "manual" else ", ".join(sorted(c.probes())),
             pick(c.title_zh, c.title_en, lg)) for c in library]
    console.table([Col(t("cli.col_check", lg)), Col(t("cli.col_severity", lg)),
                   Col(t("cli.checks_col_probes", lg), drop=1),
                   Col(t("cli.checks_col_title", lg), clip=True, min_width=24)], rows)
    console.info(t("cli.checks_count", lg, n=len(library)))


def _summary(c) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {"id": c.id, "severity": c.severity.value, "mode": c.mode,
            "probes": sorted(c.probes()), "title_zh": c.title_zh, "title_en": c.title_en,
            "source": c.source}


@checks_app.command("show")
def checks_show(
    check_id: str = typer.Argument(..., metavar="CHECK_ID", help="Check id (or an old alias)."),
    fmt: ShowFormatOpt = ShowFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    checks: ChecksOpt = [],  # noqa: B006
    policies: PoliciesOpt = [],  # noqa: B006
) -> None:
    """Show one check and the MLPS unit ids it is mapped to at each level."""
    import json

    import yaml

    from cityguard.cli import console
    from cityguard.cli._text import short_path
    from cityguard.core.errors import UsageError
    from cityguard.engine import index, load_library
    from cityguard.policy.checkmap import LEVELS, load_checkmap
    from cityguard.policy.messages import enum, pick, t

    found = index(load_library(checks)).get(check_id.strip())
    if found is None:
        raise UsageError(t("cli.checks_unknown", "en", check=repr(check_id)))
    mapped = {lvl: list(load_checkmap(lvl, policies).get(found.id, ())) for lvl in LEVELS}
    if fmt == ShowFormat.JSON:
        console.write_data(json.dumps({**found.raw, "source": found.source,
                                       "unit_ids": {str(k): v for k, v in mapped.items()}},
                                      ensure_ascii=False, indent=2))
        return
    lg = lang.value
    rows = [
        (t("cli.col_check", lg), found.id),
        (t("cli.checks_col_title", lg), pick(found.title_zh, found.title_en, lg)),
        (t("cli.col_severity", lg), enum("severity", found.severity.value, lg)),
        (t("cli.checks_rationale", lg), pick(found.rationale_zh, found.rationale_en, lg)),
        (t("cli.col_remedy", lg), pick(found.remediation_zh, found.remediation_en, lg)),
        (t("cli.checks_file", lg), short_path(found.source)),
    ]
    if found.mode == "manual":
        rows.append((t("cli.checks_question", lg), pick(found.question_zh, found.question_en,
                                                         lg)))
    for lvl, units in mapped.items():
        rows.append((t("cli.checks_level_units", lg, level=lvl), ", ".join(units) or "—"))
    console.fields(rows)
    body = {k: v for k, v in found.raw.items() if k in ("applies", "condition", "rules")}
    if body:
        console.write_data(yaml.safe_dump(body, allow_unicode=True, sort_keys=False))


@checks_app.command("validate")
def checks_validate(
    paths: list[str] = typer.Argument(None, metavar="[PATH]...", help="Check files or "
                                      "directories (default: the library, with its "
                                      "checkmaps)."),
    checks: ChecksOpt = [],  # noqa: B006
    policies: PoliciesOpt = [],  # noqa: B006
) -> None:
    """Report every problem in check files with file and line; exit 2 when there is any."""
    from cityguard.assess.views import validate_library
    from cityguard.cli import console
    from cityguard.policy.messages import t

    found, errors = validate_library(paths or [], checks, policies)
    for e in errors:
        console.error(e.one_line())
    if len(errors) > 1:
        console.info(t("cli.checks_problems", "en", n=len(errors)))
    if errors:
        raise typer.Exit(2)
    console.success(t("cli.checks_valid", "en", n=len(found)))


def register(app: typer.Typer) -> None:
    app.add_typer(checks_app, name="checks")
