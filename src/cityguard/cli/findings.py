"""`cityguard findings`: list and show stored findings; accept, mark false positive, reopen."""

import typer

from cityguard.cli._options import (
    Lang,
    LangOpt,
    ListFormat,
    ListFormatOpt,
    ShowFormat,
    ShowFormatOpt,
    StoreOpt,
)

findings_app = typer.Typer(
    help="Stored scanner findings: list, show, accept, false-positive, reopen.",
    no_args_is_help=True,
)

SEVERITY_HELP = "critical,high,medium,low,info (comma-separated); 'high+' = high or worse."


@findings_app.command("list")
def findings_list(
    system: str = typer.Option(None, "--system", metavar="NAME", help="Only this system."),
    severity: list[str] = typer.Option([], "--severity", metavar="SEVERITY",
                                       help=SEVERITY_HELP),
    status: list[str] = typer.Option(
        [], "--status", metavar="STATUS",
        help="open,reopened,fixed,accepted,false_positive (comma-separated)."
    ),
    tool: list[str] = typer.Option([], "--tool", metavar="TOOL", help="Tool family, e.g. "
                                   "nessus (repeatable)."),
    fmt: ListFormatOpt = ListFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    limit: int = typer.Option(None, "--limit", metavar="N", help="At most this many rows."),
    store: StoreOpt = None,
) -> None:
    """List findings, most severe first (acceptances past their date are reopened first)."""
    from cityguard.cli import _findings_view as view
    from cityguard.store import open_store

    with open_store(store) as st:
        found = st.list_findings(
            system=system, severities=view.severities(severity), statuses=view.split(status),
            tools=view.split(tool), limit=limit,
        )  # fmt: skip
        view.render_list(found, fmt.value, lang.value)


@findings_app.command("show")
def findings_show(
    ref: str = typer.Argument(..., metavar="REF", help="Store id or fingerprint prefix "
                              "(≥ 4 hex digits)."),
    system: str = typer.Option(None, "--system", metavar="NAME", help="Look only in this "
                               "system."),
    fmt: ShowFormatOpt = ShowFormat.TABLE,
    lang: LangOpt = Lang.ZH,
    store: StoreOpt = None,
) -> None:
    """Show one finding with its MLPS units (per level) and its status history."""
    from cityguard.cli import _findings_view as view
    from cityguard.store import open_store

    with open_store(store) as st:
        f = st.get_finding(ref, system)
        view.render_one(f, st.history(int(f.id or 0)), fmt.value, lang.value)


def _change(action: str):  # noqa: ANN202 - a typer command factory
    def command(
        ref: str = typer.Argument(..., metavar="REF", help="Store id or fingerprint prefix "
                                  "(≥ 4 hex digits)."),
        reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why (kept in the "
                                   "history)."),
        until: str = typer.Option(
            None, "--until", metavar="YYYY-MM-DD", help="After this date the finding reopens "
            "by itself."
        ),
        by: str = typer.Option(None, "--by", metavar="NAME", help="Who decides (default: "
                               "$USER)."),
        system: str = typer.Option(None, "--system", metavar="NAME", help="Look only in this "
                                   "system."),
        store: StoreOpt = None,
    ) -> None:
        from cityguard.cli import console
        from cityguard.policy.messages import t
        from cityguard.store import open_store

        with open_store(store) as st:
            f = st.set_status(ref, action, reason, by=by, until=until, system=system)
        day = f.extra.get("status_until")
        console.success(t(
            "cli.findings_changed", "en", id=f.id, fingerprint=f.fingerprint[:12],
            status=f.status, until=t("cli.findings_until_plain", "en", day=day) if day else "",
            by=f.extra["status_by"], reason=f.extra["status_reason"]))

    command.__doc__ = {
        "accept": "Accept the risk of a finding (optionally until a date).",
        "false-positive": "Mark a finding as a false positive (optionally until a date).",
        "reopen": "Reopen a finding that was accepted, marked false positive or fixed.",
    }[action]
    return command


for _action in ("accept", "false-positive", "reopen"):
    findings_app.command(_action)(_change(_action))


def register(app: typer.Typer) -> None:
    app.add_typer(findings_app, name="findings")
