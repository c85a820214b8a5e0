"""`cityguard rectify`: rectification tracking (整改跟踪) for findings and non-compliant items."""

from __future__ import annotations

import typer

from cityguard.cli._options import MessageLangOpt, StoreOpt

rectify_app = typer.Typer(
    help="Rectification tracking (整改跟踪): give a finding or a non-compliant item an owner, a "
         "due date and a state (open → in_progress → fixed → verified by a later scan or "
         "assessment); list what is overdue; keep the history.",
    no_args_is_help=True,
)


@rectify_app.command("add")
def rectify_add(
    owner: str = typer.Option(..., "--owner", help="Who does the work (整改责任人)."),
    due: str = typer.Option(..., "--due", help="Due date YYYY-MM-DD (整改期限)."),
    finding: str = typer.Option(None, "--finding", help="Finding id or fingerprint prefix."),
    item: str = typer.Option(None, "--item", help="MLPS unit id, e.g. L3-CES1-01 (needs "
                             "--system)."),
    system: str = typer.Option(None, "--system", help="System of the item (or to look the "
                               "finding up in)."),
    asset: str = typer.Option("", "--asset", help="Only this asset of the item."),
    note: str = typer.Option("", "--note", help="What is to be done (整改建议)."),
    by: str = typer.Option(None, "--by", help="Who assigns it (default: $USER)."),
    lang: MessageLangOpt = "zh",
    store: StoreOpt = None,
) -> None:
    """Open a rectification for a finding or a non-compliant item."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    with open_store(store) as st:
        r = st.add_rectification(owner=owner, due=due, by=by, finding=finding, system=system,
                                 unit_id=item, asset=asset, note=note)
    console.success(t("rectify.added", lang, id=r.id, subject=r.subject, owner=r.owner,
                      due=r.due))


@rectify_app.command("update")
def rectify_update(
    rid: int = typer.Argument(..., help="Rectification id."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
    state: str = typer.Option(None, "--state", help="open | in_progress | fixed | verified"),
    owner: str = typer.Option(None, "--owner", help="A new owner."),
    due: str = typer.Option(None, "--due", help="A new due date YYYY-MM-DD."),
    by: str = typer.Option(None, "--by", help="Who (default: $USER)."),
    lang: MessageLangOpt = "zh",
    store: StoreOpt = None,
) -> None:
    """Move a rectification along the flow, or change its owner or due date."""
    from cityguard.cli import console
    from cityguard.policy.messages import enum, t
    from cityguard.store import open_store

    with open_store(store) as st:
        r = st.change_rectification(rid, reason=reason, by=by, state=state, owner=owner,
                                    due=due)
    console.success(t("rectify.changed", lang, id=r.id, state=enum("rectify.state", r.state,
                                                                   lang), owner=r.owner,
                      due=r.due))


@rectify_app.command("list")
def rectify_list(
    system: str = typer.Option(None, "--system", help="Only this system."),
    state: list[str] = typer.Option([], "--state", help="open,in_progress,fixed,verified"),
    owner: str = typer.Option(None, "--owner", help="Only this owner."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open or in-progress ones past "
                                 "their due date."),
    fmt: str = typer.Option("table", "--format", help="table | json | csv"),
    lang: MessageLangOpt = "zh",
    store: StoreOpt = None,
) -> None:
    """List rectifications, earliest due first (! marks overdue)."""
    from cityguard.cli import _systems_view as view
    from cityguard.cli._findings_view import split
    from cityguard.store import open_store

    view.check_choice(fmt, ("table", "json", "csv"), "--format")
    with open_store(store) as st:
        items = st.rectifications(system=system, states=tuple(split(state)), owner=owner,
                                  overdue=overdue)
    view.render_rectifications(items, fmt, lang)


@rectify_app.command("show")
def rectify_show(
    rid: int = typer.Argument(..., help="Rectification id."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    lang: MessageLangOpt = "zh",
    store: StoreOpt = None,
) -> None:
    """One rectification with its full state history."""
    from cityguard.cli import _systems_view as view
    from cityguard.store import open_store

    view.check_choice(fmt, ("table", "json"), "--format")
    with open_store(store) as st:
        r = st.rectification(rid)
        history = st.rectification_history(rid)
    view.render_rectification(r, history, fmt, lang)


def register(app: typer.Typer) -> None:
    app.add_typer(rectify_app, name="rectify")
