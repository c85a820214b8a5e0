"""`cityguard users`: the dashboard's accounts (add, passwd, lock, role, list) and its audit log
(export, verify). Passwords are read from the terminal (twice) or, for scripts, one line of
standard input with --password-stdin: never from a flag, which other users could see in the
process list."""

from __future__ import annotations

import typer

from cityguard.cli._options import MessageLangOpt, StoreOpt

users_app = typer.Typer(
    help="Accounts of the dashboard (cityguard serve): roles viewer, analyst, sysadmin, "
         "secadmin, auditadmin (三员分立); and its audit log.",
    no_args_is_help=True,
)

STDIN_HELP = "Read the password from the first line of standard input (for scripts)."


def _password(from_stdin: bool, lang: str) -> str:
    import sys

    from cityguard.core.errors import UsageError
    from cityguard.policy.messages import t

    if from_stdin:
        line = sys.stdin.readline(1024)
        return line.rstrip("\r\n")
    import getpass

    first = getpass.getpass(t("users.ask_password", lang) + ": ")
    if getpass.getpass(t("users.ask_again", lang) + ": ") != first:
        raise UsageError(t("users.mismatch", "en"))
    return first


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Account name (2-64 letters, digits, . _ @ -)."),
    role: str = typer.Option(..., "--role", help="viewer | analyst | sysadmin | secadmin | "
                             "auditadmin"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Add an account (its password must meet the complexity rules)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store, who
    from cityguard.web import accounts
    from cityguard.web.config import policy_from_env

    policy = policy_from_env()
    accounts.check_name(name)
    password = _password(password_stdin, lang)
    with open_store(store) as st:
        user = accounts.add_user(st, name, role, password, by=who(None), policy=policy)
    console.success(t("users.added", lang, name=user.name, role=t(f"web.role.{user.role}", lang)))


@users_app.command("passwd")
def users_passwd(
    name: str = typer.Argument(..., help="Account name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Set a new password (ends the account's sessions and any lockout)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store, who
    from cityguard.web import accounts
    from cityguard.web.config import policy_from_env

    policy = policy_from_env()
    with open_store(store) as st:
        accounts.list_users(st)  # the store opens (and names itself) before the prompt
        password = _password(password_stdin, lang)
        accounts.change_password(st, name, password, by=who(None), policy=policy)
    console.success(t("users.changed", lang, name=name))


@users_app.command("lock")
def users_lock(
    name: str = typer.Argument(..., help="Account name."),
    unlock: bool = typer.Option(False, "--unlock", help="Unlock it instead."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit log)."),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Lock an account (its sessions end at once) or unlock it."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store, who
    from cityguard.web import accounts

    with open_store(store) as st:
        accounts.set_locked(st, name, not unlock, by=who(None), reason=reason)
    console.success(t("users.unlocked" if unlock else "users.locked", lang, name=name))


@users_app.command("role")
def users_role(
    name: str = typer.Argument(..., help="Account name."),
    role: str = typer.Argument(..., help="viewer | analyst | sysadmin | secadmin | auditadmin"),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Give an account another role (its sessions end)."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import open_store, who
    from cityguard.web import accounts

    with open_store(store) as st:
        user = accounts.set_role(st, name, role, by=who(None))
    console.success(t("users.added", lang, name=user.name, role=t(f"web.role.{user.role}", lang)))


@users_app.command("list")
def users_list(
    fmt: str = typer.Option("table", "--format", help="table | json"),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Every account with its role and state (never a password hash)."""
    import json

    from cityguard.cli import console
    from cityguard.cli._systems_view import check_choice
    from cityguard.policy.messages import t
    from cityguard.store import open_store
    from cityguard.web import accounts
    from cityguard.web.config import policy_from_env

    check_choice(fmt, ("table", "json"), "--format")
    policy = policy_from_env()
    with open_store(store) as st:
        users = accounts.list_users(st)
    if fmt == "json":
        console.write_data(json.dumps([u.to_dict() for u in users], ensure_ascii=False,
                                      indent=2))
        return

    def state(u: object) -> str:
        if u.locked:  # type: ignore[attr-defined]
            return t("web.users.locked", lang)
        if u.locked_until:  # type: ignore[attr-defined]
            return t("web.users.locked_until", lang, until=u.locked_until)  # type: ignore
        if accounts.password_expired(u, policy):  # type: ignore[arg-type]
            return t("web.users.expired", lang)
        return t("web.users.active", lang)

    console.table([t("web.login.name", lang), t("web.audit.role", lang),
                   t("web.users.state", lang), t("web.users.password_changed", lang),
                   t("web.users.last_login", lang)],
                  [(u.name, t(f"web.role.{u.role}", lang), state(u), u.password_changed,
                    u.last_login or "—") for u in users])


@users_app.command("audit-export")
def users_audit_export(
    output: str = typer.Argument(..., metavar="FILE.csv", help="Where to write the CSV."),
    since: str = typer.Option("", "--since", help="From this UTC time (YYYY-MM-DD…)."),
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Export the audit log as CSV (0600); the export itself is recorded."""
    from cityguard.cli import console
    from cityguard.core import atomicfiles
    from cityguard.policy.messages import t
    from cityguard.store import open_store, who
    from cityguard.web.auditlog import OK, export_csv, record

    with open_store(store) as st:
        data = b"".join(export_csv(st, since[:20]))
        record(st, who(None), "", "audit.export", OK, target=output[:200])
    path = atomicfiles.write_atomic(output, data)
    console.success(t("cli.wrote", lang, path=str(path)))


@users_app.command("audit-verify")
def users_audit_verify(
    store: StoreOpt = None,
    lang: MessageLangOpt = "zh",
) -> None:
    """Check the audit log's hash chain: exit 0 intact, 1 a record changed or missing."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.store import audit, open_store

    with open_store(store) as st:
        problems = audit.verify(st.db)
    for p in problems:
        console.error(p)
    if problems:
        raise typer.Exit(1)
    console.success(t("web.audit.chain_ok", lang))


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
