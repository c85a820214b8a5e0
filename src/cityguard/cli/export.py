"""`cityguard export`: findings, check results, item verdicts and high-risk issues for the
SIEM, as OCSF 1.8.0, CEF or ECS lines (docs/notify.md#siem-export)."""

from __future__ import annotations

import typer

from cityguard.cli._options import MessageLangOpt, StoreOpt


def export(
    fmt: str = typer.Option("ocsf", "--format", help="ocsf | cef | ecs"),
    since: str = typer.Option(..., "--since", help="Findings last seen and runs created on or "
                              "after this date (YYYY-MM-DD) or time."),
    system: str = typer.Option(None, "--system", help="Only this system (its name in the "
                               "store)."),
    kind: list[str] = typer.Option([], "--kind", help="finding, check, item, high_risk "
                                   "(repeatable; default: all)."),
    output: str = typer.Option(None, "--output", help="A file (written 0600, whole or not at "
                               "all) or - for stdout."),
    target: str = typer.Option(None, "--target", help="Push to this SIEM target of the "
                               "notify configuration instead (elastic, splunk_hec, syslog, "
                               "file)."),
    config: str = typer.Option(None, "--config", help="The notify configuration (for "
                               "--target)."),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Export records for the SIEM. Statuses that were not judged (not applicable, manual,
    error, not assessed) never map to a pass."""
    import sys
    from pathlib import Path

    from cityguard.cli import console
    from cityguard.cli._findings_view import split
    from cityguard.core.atomicfiles import Staged, make_dirs
    from cityguard.core.errors import UsageError
    from cityguard.notify import export as ex
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    if (output is None) == (target is None):
        raise UsageError("give --output FILE|- or --target NAME")
    kinds = ex.check_kinds(split(kind))
    with open_store(store) as st:
        records = ex.records(st, since, system, kinds)
        if target is not None:
            from cityguard.notify.config import find_config, load_config
            from cityguard.notify.deliver import make_channel

            channel = make_channel(load_config(find_config(config)).target(target))
            try:
                report = ex.push(channel, records)
            finally:
                channel.close()
            console.info(t("export.cli.pushed", lang, sent=report.sent, target=target,
                           failed=report.failed))
            for problem in report.problems:
                console.error(problem)
            if report.failed:
                raise typer.Exit(1)
            return
        if output == "-":
            n = ex.write(records, fmt, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            path = Path(output)
            try:
                make_dirs(path.parent)
                staged = Staged(path)
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
            try:
                n = ex.write(records, fmt, staged.fh)
                staged.commit()
            finally:
                staged.discard()
    console.info(t("export.cli.wrote", lang, n=n, format=fmt, path=output))


def register(app: typer.Typer) -> None:
    app.command("export")(export)
