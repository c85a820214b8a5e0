"""`cityguard findings`: list and show stored findings; accept, mark false positive, reopen."""

from __future__ import annotations

import typer

findings_app = typer.Typer(
    help="Stored scanner findings: list, show, accept, false-positive, reopen.",
    no_args_is_help=True,
)

STORE_HELP = "Store file (default: $CITYGUARD_STORE, else .cityguard/cityguard.db here)."
SEVERITY_HELP = "critical,high,medium,low,info (comma-separated); 'high+' = high or worse."


@findings_app.command("list")
def findings_list(
    system: str = typer.Option(None, "--system", help="Only this system."),
    severity: list[str] = typer.Option([], "--severity", help=SEVERITY_HELP),
    status: list[str] = typer.Option(
        [], "--status", help="open,reopened,fixed,accepted,false_positive (comma-separated)."
    ),
    tool: list[str] = typer.Option([], "--tool", help="Tool family, e.g. nessus (repeatable)."),
    fmt: str = typer.Option("table", "--format", help="table | json | csv"),
    lang: str = typer.Option("zh", "--lang", help="Table labels: zh | en"),
    limit: int = typer.Option(None, "--limit", help="At most this many rows."),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """List findings, most severe first (acceptances past their date are reopened first)."""
    from cityguard.cli import _findings_view as view
    from cityguard.store import open_store

    view.check_choice(fmt, ("table", "json", "csv"), "--format")
    view.check_choice(lang, ("zh", "en"), "--lang")
    with open_store(store) as st:
        found = st.list_findings(
            system=system, severities=view.severities(severity), statuses=view.split(status),
            tools=view.split(tool), limit=limit,
        )  # fmt: skip
        view.render_list(found, fmt, lang)


@findings_app.command("show")
def findings_show(
    ref: str = typer.Argument(..., help="Store id or fingerprint prefix (≥ 4 hex digits)."),
    system: str = typer.Option(None, "--system", help="Look only in this system."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: str = typer.Option("zh", "--lang", help="Labels: zh | en"),
    store: str = typer.Option(None, "--store", help=STORE_HELP),
) -> None:
    """Show one finding with its MLPS units (per level) and its status history."""
    from cityguard.cli import _findings_view as view
    from cityguard.store import open_store

    view.check_choice(fmt, ("table", "json"), "--format")
    view.check_choice(lang, ("zh", "en"), "--lang")
    with open_store(store) as st:
        f = st.get_finding(ref, system)
        view.render_one(f, st.history(int(f.id or 0)), fmt, lang)


def _change(action: str):  # noqa: ANN202 - a typer command factory
    def command(
        ref: str = typer.Argument(..., help="Store id or fingerprint prefix (≥ 4 hex digits)."),
        reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
        until: str = typer.Option(
            None, "--until", help="YYYY-MM-DD: after this date the finding reopens by itself."
        ),
        by: str = typer.Option(None, "--by", help="Who decides (default: $USER)."),
        system: str = typer.Option(None, "--system", help="Look only in this system."),
        store: str = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        from cityguard.cli import console
        from cityguard.store import open_store

        with open_store(store) as st:
            f = st.set_status(ref, action, reason, by=by, until=until, system=system)
        until_text = f" until {f.extra['status_until']}" if f.extra.get("status_until") else ""
        console.success(
            f"finding {f.id} ({f.fingerprint[:12]}) is now {f.status}{until_text}"
            f" — by {f.extra['status_by']}: {f.extra['status_reason']}"
        )

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
