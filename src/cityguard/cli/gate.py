"""`cityguard gate`: the three-synchronous CI gate; exit 0 pass, 1 blocked, 2 bad input."""

from pathlib import Path

import typer

from cityguard.cli._options import (
    ChecksOpt,
    FailOnOpt,
    GateFormat,
    GateFormatsOpt,
    JobsOpt,
    Lang,
    LangOpt,
    LegacySystemOpt,
    ManifestOpt,
    MinConclusionOpt,
    NotifyOpt,
    PoliciesOpt,
    StageOpt,
    StoreOpt,
)


def gate(
    stage: StageOpt = None,
    manifest: ManifestOpt = None,
    system: LegacySystemOpt = None,
    fail_on: FailOnOpt = None,
    min_conclusion: MinConclusionOpt = None,
    baseline: str = typer.Option(None, "--baseline", metavar="RUN", help="RUN_ID (store), "
                                 "latest, or an Assessment JSON FILE: only what is new since "
                                 "it blocks."),
    assessment: str = typer.Option(None, "--assessment", metavar="RUN", help="Judge this "
                                   "RUN_ID, latest or FILE instead of running the assessment "
                                   "now."),
    fmt: GateFormatsOpt = [],  # noqa: B006 - typer reads the default; never mutated
    output: str = typer.Option(None, "--output", metavar="PATH", help="FILE for one format, "
                               "DIR for several (default: stdout)."),
    store: StoreOpt = None,
    lang: LangOpt = Lang.ZH,
    policies: PoliciesOpt = [],  # noqa: B006
    checks: ChecksOpt = [],  # noqa: B006
    jobs: JobsOpt = None,
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
    today: str = typer.Option(None, "--today", hidden=True,
                              help="Judge as of this day, YYYY-MM-DD (also CITYGUARD_TODAY)."),
    notify: NotifyOpt = None,
) -> None:
    """Judge a lifecycle stage: its deliverables and the assessment's thresholds.

    Exit 0 when the gate passes, 1 when it blocks, 2 on bad input."""
    from cityguard.cli import _gate_view as view
    from cityguard.cli import _notify_hook as notify_hook
    from cityguard.cli import console
    from cityguard.cli._options import choices, manifest_path
    from cityguard.core.atomicfiles import write_atomic
    from cityguard.gate.run import GateRequest, run_gate
    from cityguard.policy.messages import t

    formats = [f.value for f in choices(GateFormat, "--format")(fmt)] or ["table"]
    targets = _targets(formats, output)
    manifest = manifest_path(manifest, system) or "cityguard.yaml"
    notifying = notify_hook.prepare(notify, manifest, stored=bool(store))  # bad: exit 2
    result = run_gate(GateRequest(
        stage=stage.value if stage else None,
        system=manifest,
        fail_on=fail_on.value if fail_on else None,
        min_conclusion=min_conclusion.value if min_conclusion else None,
        baseline=baseline, assessment=assessment, store=store, today=today,
        policies_dirs=policies, checks_dirs=checks, jobs=jobs,
        allow_outside_paths=allow_outside_paths,
    )).result
    for f, path in targets.items():
        write_atomic(path, view.render(result, f, lang.value))
        console.success(t("cli.wrote", lang.value, path=path))
    machine = [f for f in formats if f != "table"]
    if machine and not output:
        console.write_data(view.render(result, machine[0], lang.value).decode("utf-8"))
    else:
        view.show_table(result, lang.value)
    notify_hook.tell(notifying, store, result.system, lang.value)
    if result.passed:
        console.success(view.summary_line(result, lang.value))
        return
    console.error(view.summary_line(result, lang.value))
    raise typer.Exit(1)


def _targets(formats: list[str], output: str | None) -> dict[str, Path]:
    """Where each machine format goes: --output FILE for one, --output DIR for several."""
    from cityguard.cli._gate_view import FILENAMES
    from cityguard.core.errors import UsageError
    from cityguard.policy.messages import t

    machine = [f for f in formats if f != "table"]
    if not output:
        if len(machine) > 1:
            raise UsageError(t("cli.gate_several_need_dir", "en"))
        return {}
    out = Path(output)
    if not machine:
        raise UsageError(t("cli.gate_output_needs_format", "en"))
    if len(machine) > 1 or out.is_dir():
        return {f: out / FILENAMES[f] for f in machine}
    return {machine[0]: out}


def register(app: typer.Typer) -> None:
    app.command("gate")(gate)
