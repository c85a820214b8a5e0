"""`cityguard checks`: list, show and validate check libraries."""

from __future__ import annotations

import typer

checks_app = typer.Typer(help="List, show and validate checks (checks/**/*.yaml).",
                         no_args_is_help=True)

CHECKS_HELP = "Extra check library directory (repeatable; also CITYGUARD_CHECKS)."
POLICIES_HELP = "Extra policy directory (repeatable; also CITYGUARD_POLICIES)."


def _choice(value: str, allowed: tuple[str, ...], flag: str) -> None:
    if value not in allowed:
        from cityguard.core.errors import UsageError

        raise UsageError(f"{flag} must be one of {', '.join(allowed)} (got {value!r})")


@checks_app.command("list")
def checks_list(
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    checks: list[str] = typer.Option([], "--checks", help=CHECKS_HELP),
) -> None:
    """List every check of the library with its severity and probes."""
    import json

    from cityguard.cli import console
    from cityguard.engine import load_library

    _choice(fmt, ("table", "json"), "--format")
    _choice(lang, ("zh", "en"), "--lang")
    library = load_library(checks)
    if fmt == "json":
        console.write_data(json.dumps([_summary(c) for c in library], ensure_ascii=False,
                                      indent=2))
        return
    zh = lang == "zh"
    rows = [(c.id, c.severity.value, "manual" if c.mode == "manual" else ",".join(
        sorted(c.probes())), c.title_zh if zh else c.title_en) for c in library]
    console.table(["检查项" if zh else "check", "严重程度" if zh else "severity",
                   "探针" if zh else "probes", "标题" if zh else "title"], rows)
    console.info(f"共 {len(library)} 项检查" if zh else f"{len(library)} checks")


def _summary(c) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {"id": c.id, "severity": c.severity.value, "mode": c.mode,
            "probes": sorted(c.probes()), "title_zh": c.title_zh, "title_en": c.title_en,
            "source": c.source}


@checks_app.command("show")
def checks_show(
    check_id: str = typer.Argument(..., help="Check id (or an old alias)."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    checks: list[str] = typer.Option([], "--checks", help=CHECKS_HELP),
    policies: list[str] = typer.Option([], "--policies", help=POLICIES_HELP),
) -> None:
    """Show one check and the MLPS unit ids it is mapped to at each level."""
    import json

    import yaml

    from cityguard.cli import console
    from cityguard.core.errors import UsageError
    from cityguard.engine import index, load_library
    from cityguard.policy.checkmap import LEVELS, load_checkmap

    _choice(fmt, ("table", "json"), "--format")
    _choice(lang, ("zh", "en"), "--lang")
    found = index(load_library(checks)).get(check_id.strip())
    if found is None:
        raise UsageError(f"no check {check_id!r} (try `cityguard checks list`)")
    mapped = {lvl: list(load_checkmap(lvl, policies).get(found.id, ())) for lvl in LEVELS}
    if fmt == "json":
        console.write_data(json.dumps({**found.raw, "source": found.source,
                                       "unit_ids": {str(k): v for k, v in mapped.items()}},
                                      ensure_ascii=False, indent=2))
        return
    zh = lang == "zh"
    rows = [
        ("检查项" if zh else "check", found.id),
        ("标题" if zh else "title", found.title_zh if zh else found.title_en),
        ("严重程度" if zh else "severity", found.severity.value),
        ("说明" if zh else "rationale", found.rationale_zh if zh else found.rationale_en),
        ("整改建议" if zh else "remediation",
         found.remediation_zh if zh else found.remediation_en),
        ("文件" if zh else "file", found.source),
    ]
    if found.mode == "manual":
        rows.append(("人工核查问题" if zh else "question",
                     found.question_zh if zh else found.question_en))
    for lvl, units in mapped.items():
        rows.append((f"第{lvl}级测评单元" if zh else f"level {lvl} units",
                     ", ".join(units) or "—"))
    console.table(["", ""], rows)
    body = {k: v for k, v in found.raw.items() if k in ("applies", "condition", "rules")}
    if body:
        console.write_data(yaml.safe_dump(body, allow_unicode=True, sort_keys=False))


@checks_app.command("validate")
def checks_validate(
    paths: list[str] = typer.Argument(None, help="Check files or directories (default: the "
                                      "library, with its checkmaps)."),
    checks: list[str] = typer.Option([], "--checks", help=CHECKS_HELP),
    policies: list[str] = typer.Option([], "--policies", help=POLICIES_HELP),
) -> None:
    """Report every problem in check files with file and line; exit 2 when there is any."""
    from cityguard.assess.views import validate_library
    from cityguard.cli import console

    found, errors = validate_library(paths or [], checks, policies)
    for e in errors:
        console.error(e.one_line())
    if errors:
        console.info(f"{len(errors)} problem(s) in check files")
        raise typer.Exit(2)
    console.success(f"{len(found)} checks valid")


def register(app: typer.Typer) -> None:
    app.add_typer(checks_app, name="checks")
