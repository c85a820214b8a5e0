"""`cityguard gate`: the three-synchronous CI gate; exit 0 pass, 1 blocked, 2 bad input."""

from __future__ import annotations

import typer


def gate(
    stage: str = typer.Option(None, "--stage", help="plan | build | deploy | operate "
                              "(default: the manifest's stage)."),
    system: str = typer.Option("cityguard.yaml", "--system", help="System manifest."),
    fail_on: str = typer.Option(None, "--fail-on", help="Block on unwaived failed checks and "
                                "open findings of this severity or above (default high)."),
    min_conclusion: str = typer.Option(None, "--min-conclusion", help="Lowest acceptable "
                                       "conclusion: 符合 | 基本符合 | 不符合 (default 基本符合)."),
    baseline: str = typer.Option(None, "--baseline", help="RUN_ID (store), latest, or an "
                                 "Assessment JSON FILE: only what is new since it blocks."),
    assessment: str = typer.Option(None, "--assessment", help="Judge this RUN_ID, latest or "
                                   "FILE instead of running the assessment now."),
    fmt: list[str] = typer.Option([], "--format", help="table | json | junit | sarif "
                                  "(comma-separated or repeated; default table)."),
    output: str = typer.Option(None, "--output", help="FILE for one format, DIR for several "
                               "(default: stdout)."),
    store: str = typer.Option(None, "--store", help="Store for run ids; a fresh run is "
                              "saved there too."),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    policies: list[str] = typer.Option([], "--policies", help="Extra policy directory."),
    checks: list[str] = typer.Option([], "--checks", help="Extra check library directory."),
    jobs: int = typer.Option(4, "--jobs", help="Checks run concurrently."),
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
    today: str = typer.Option(None, "--today", hidden=True,
                              help="Judge as of this day, YYYY-MM-DD (also CITYGUARD_TODAY)."),
) -> None:
    """Judge a lifecycle stage: its deliverables and the assessment's thresholds."""
    from pathlib import Path

    from cityguard.cli import console
    from cityguard.cli._gate_view import (
        FILENAMES,
        FORMATS,
        render,
        show_table,
        summary_line,
        write_atomic,
    )
    from cityguard.core.errors import UsageError
    from cityguard.gate.run import GateRequest, run_gate

    if lang not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en (got {lang!r})")
    formats = [f.strip() for v in fmt or ["table"] for f in v.split(",") if f.strip()]
    for f in formats:
        if f not in FORMATS:
            raise UsageError(f"--format must be among {', '.join(FORMATS)} (got {f!r})")
    machine = [f for f in dict.fromkeys(formats) if f != "table"]
    targets: dict[str, Path] = {}
    if output:
        out = Path(output)
        if len(machine) > 1 or (out.is_dir() and machine):
            targets = {f: out / FILENAMES[f] for f in machine}
        elif machine:
            targets = {machine[0]: out}
        else:
            raise UsageError("--output needs a --format other than table")
    elif len(machine) > 1:
        raise UsageError("several formats need --output DIR")
    run = run_gate(GateRequest(
        stage=stage, system=system, fail_on=fail_on, min_conclusion=min_conclusion,
        baseline=baseline, assessment=assessment, store=store, today=today,
        policies_dirs=policies, checks_dirs=checks, jobs=jobs,
        allow_outside_paths=allow_outside_paths,
    ))
    result = run.result
    for f, path in targets.items():
        write_atomic(path, render(result, f, lang))
        console.success(("已写入 " if lang == "zh" else "wrote ") + str(path))
    if machine and not output:
        console.write_data(render(result, machine[0], lang).decode("utf-8"))
    else:
        show_table(result, lang)
    if result.passed:
        console.success(summary_line(result, lang))
        return
    console.error(summary_line(result, lang))
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("gate")(gate)
