"""`cityguard notify`: warning and response through the duty channels (docs/notify.md).

Exit codes: 0 everything due was delivered; 1 something failed or is still waiting in the
outbox (see `notify status`); 2 bad configuration or usage (the file and the line).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from cityguard.cli._options import MessageLangOpt, StoreOpt

notify_app = typer.Typer(
    help="Notifications to the duty channels (DingTalk, WeCom, Feishu, webhook, e-mail, "
         "syslog, Elasticsearch, Splunk, a file) through an outbox in the store: scan the "
         "store for events, send, see the outbox, retry, test a target.",
    no_args_is_help=True,
)

CONFIG_HELP = "The notify configuration: a SOC-wide notify file or a cityguard.yaml with a " \
              "notify: block (default: $CITYGUARD_NOTIFY, else ./cityguard.yaml)."  # fmt: skip
DRY_HELP = "Print exactly what would be sent (secrets masked); open no socket, write nothing."
ConfigOpt = Annotated[str | None, typer.Option("--config", help=CONFIG_HELP)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help=DRY_HELP)]
TargetsOpt = Annotated[list[str], typer.Option("--target", help="Only this target (repeatable).")]


def _config(path: str | None):  # type: ignore[no-untyped-def]
    from cityguard.notify.config import find_config, load_config

    return load_config(find_config(path))


def _reports(reports, lang: str) -> None:  # type: ignore[no-untyped-def]
    from cityguard.cli import console
    from cityguard.policy.messages import t

    bad = False
    for r in reports:
        text = t("notify.cli.delivered", lang, target=r.target, sent=r.sent, failed=r.failed,
                 waiting=r.waiting)
        if r.failed or r.waiting or r.problems:
            bad = True
            console.warning(text)
        else:
            console.success(text)
        for problem in r.problems:
            console.error(problem)
    if bad:
        raise typer.Exit(1)


def _previews(previews: list[str], lang: str) -> None:
    from cityguard.cli import console
    from cityguard.policy.messages import t

    for text in previews:
        console.write_data(text + "\n")
    console.info(t("notify.cli.dry_run", lang))


def _say_info(key: str, lang: str, **fields: object) -> None:
    from cityguard.cli import console
    from cityguard.policy.messages import t

    console.info(t(key, lang, **fields))


def _outbox_command(command: str, doc: str,
                    act: Callable[[Any, Any, list[str], str], list[Any]]) -> None:
    """Register `notify send` or `notify retry`: the same options, the same dry run (what
    waits, shown), and `act(store, config, targets, lang)` delivering; each target's report
    follows (exit 1 when anything failed or still waits)."""

    def run(
        target: TargetsOpt = [],  # noqa: B006 - typer reads the default; never mutated
        config: ConfigOpt = None,
        store: StoreOpt = None,
        dry_run: DryRunOpt = False,
        lang: MessageLangOpt = "zh",
    ) -> None:
        from cityguard.notify import service
        from cityguard.store import open_store

        cfg = _config(config)
        with open_store(store) as st:
            if dry_run:
                _previews(service.preview_pending(st, cfg, target), lang)
                return
            reports = act(st, cfg, target, lang)
        _reports(reports, lang)

    run.__doc__ = doc
    notify_app.command(command)(run)


def _send(st: Any, cfg: Any, targets: list[str], lang: str) -> list[Any]:
    from cityguard.notify import service

    reports = service.send(st, cfg, targets)
    if not any(r.sent or r.failed or r.waiting or r.problems for r in reports):
        _say_info("notify.cli.nothing", lang)
    return reports


def _retry(st: Any, cfg: Any, targets: list[str], lang: str) -> list[Any]:
    from cityguard.notify import service

    n, reports = service.retry(st, cfg, targets)
    _say_info("notify.cli.requeued", lang, n=n)
    return reports


@notify_app.command("scan")
def notify_scan(
    config: ConfigOpt = None,
    store: StoreOpt = None,
    since: str = typer.Option(None, "--since", help="Read runs, imports and gate results "
                              "from this date or time (default: since the last scan; a "
                              "first scan reads the last day)."),
    today: str = typer.Option(None, "--today", help="Judge due dates as of this day "
                              "(YYYY-MM-DD)."),
    no_send: bool = typer.Option(False, "--no-send", help="Queue the events in the outbox "
                                 "only; `notify send` sends them."),
    dry_run: DryRunOpt = False,
    lang: str = typer.Option("zh", "--lang", help="zh | en (messages of this command)"),
) -> None:
    """Find events in the store (finished runs, new and reopened findings, new high-risk
    issues, blocked gates, due and overdue assessments, expiring waivers, late
    rectifications), queue them in the outbox and send them."""
    from cityguard.cli import console
    from cityguard.cli._common import day_option
    from cityguard.notify import service
    from cityguard.policy.messages import t
    from cityguard.store import open_store

    cfg = _config(config)
    day = day_option(today, "--today")
    with open_store(store) as st:
        result = service.scan(st, cfg, since=since, today=day, send=not no_send,
                              preview=dry_run)
    if dry_run:
        _previews(result.previews, lang)
        return
    console.info(t("notify.cli.scanned", lang, events=len(result.events),
                   new=result.new_events, deliveries=result.new_deliveries))
    _reports(result.reports, lang)


_outbox_command("send", "Send what waits in the outbox (due now), in order, within each "
                "target's rate limit.", _send)
_outbox_command("retry", "Queue failed deliveries again (after fixing what they said) and send "
                "everything waiting now, without waiting for the next try time.", _retry)


@notify_app.command("status")
def notify_status(
    target: str = typer.Option(None, "--target", help="Only this target."),
    state: list[str] = typer.Option([], "--state", help="pending, sent, failed"),
    limit: int = typer.Option(20, "--limit", help="How many of the newest deliveries."),
    fmt: str = typer.Option("table", "--format", help="table | json"),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """The outbox: per target and state, and the newest deliveries with their last error.
    Exit 1 when something failed or waits."""
    import json
    from datetime import datetime

    from cityguard.cli import console
    from cityguard.cli._systems_view import check_choice
    from cityguard.core.errors import UsageError
    from cityguard.notify import service
    from cityguard.policy.messages import enum, t
    from cityguard.store import describe, open_store
    from cityguard.store.outbox import STATES

    check_choice(fmt, ("table", "json"), "--format")
    for s in state:
        if s not in STATES:
            raise UsageError(f"--state must be one of {', '.join(STATES)} (got {s!r})")
    with open_store(store) as st:
        data = service.status(st, target=target, states=state, limit=limit)

    def when(x: float | None) -> str:
        return datetime.fromtimestamp(x).isoformat(timespec="seconds") if x else ""

    if fmt == "json":
        console.write_data(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        console.table([t("notify.col.target", lang), t("notify.col.state", lang),
                       t("notify.col.count", lang), t("notify.col.oldest", lang),
                       t("notify.col.attempts", lang)],
                      [(s["target"], enum("notify.state", s["state"], lang), s["count"],
                        when(s["oldest"]), s["max_attempts"]) for s in data["summary"]],
                      title=t("notify.cli.status_title", lang, store=describe(store)))
        rows = [(d["id"], d["target"], enum("notify.state", d["state"], lang), d["kind"],
                 d["system"], d["attempts"],
                 "" if d["state"] == "sent" else f"{d['code']} {d['error']}".strip())
                for d in data["deliveries"]]
        if rows:
            console.table(["#", t("notify.col.target", lang), t("notify.col.state", lang),
                           t("notify.col.event", lang), t("notify.col.system", lang),
                           t("notify.col.attempts", lang), t("notify.col.error", lang)], rows)
    if any(s["state"] != "sent" and s["count"] for s in data["summary"]):
        raise typer.Exit(1)


@notify_app.command("test")
def notify_test(
    target: str = typer.Option(..., "--target", help="The target to send one test message."),
    config: ConfigOpt = None,
    dry_run: DryRunOpt = False,
    lang: str = typer.Option(None, "--lang", help="zh | en (default: the target's)"),
) -> None:
    """Send one canned message to a target (not through the outbox): exit 0 when the channel
    answered with its own success code, 1 when it did not (the reason follows)."""
    from cityguard.cli import console
    from cityguard.notify import service

    cfg = _config(config)
    shown, outcome = service.test(cfg, target, lang=lang, preview=dry_run)
    if outcome is None:
        console.write_data(shown)
        return
    if outcome.ok:
        console.success(f"{target}: {outcome.code} {outcome.detail}".strip())
        return
    console.error(f"{target}: {outcome.code} {outcome.detail}".strip())
    raise typer.Exit(1)


@notify_app.command("check")
def notify_check(
    config: ConfigOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Check the notify configuration: every problem with its file and line (exit 2)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t

    cfg = _config(config)
    console.success(t("notify.cli.config_ok", lang, path=cfg.source, n=len(cfg.targets)))


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
