"""The audit administrator's pages (the audit log, its CSV export, retention) and the accounts
list that the system and security administrators see. Nothing here can change or delete an
audit record: retention removes only records past the retention period, and the store refuses
to remove any younger than six months."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from cityguard.store import audit as audit_store
from cityguard.web import accounts, clock
from cityguard.web.auditlog import OK, apply_retention, export_csv
from cityguard.web.context import Context, guarded
from cityguard.web.roles import ACCOUNTS, AUDIT

PAGE = 100


@guarded(AUDIT, sensitive="view.audit")
def audit_page(ctx: Context) -> Any:
    before = ctx.query.get("before", "")
    records = audit_store.listing(
        ctx.store.db, before_id=int(before) if before.isdigit() else None, limit=PAGE,
        actor=ctx.query.get("actor", "")[:64], action=ctx.query.get("action", "")[:80],
        outcome=ctx.query.get("outcome", "")[:10])
    more = ""
    if len(records) == PAGE:
        params = {k: v for k, v in ctx.query.items() if k in ("actor", "action", "outcome") and v}
        more = "/audit?" + urlencode({**params, "before": records[-1].id})
    return ctx.html("audit.html.j2", records=records, more=more, q=ctx.query,
                    retention=ctx.config.policy.audit_retention_days,
                    oldest=ctx.store.db.scalar("SELECT min(at) FROM audit_log") or "—",
                    problems=ctx.query.get("verify") and audit_store.verify(ctx.store.db))


@guarded(AUDIT, sensitive="audit.export")
def audit_export(ctx: Context) -> Any:
    from starlette.responses import StreamingResponse

    name = f"cityguard-audit-{clock.stamp()[:10]}.csv"
    return StreamingResponse(export_csv(ctx.store, ctx.query.get("since", "")[:20],
                                        ctx.query.get("until", "")[:20]),
                             media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="{name}"'})


@guarded(AUDIT)
def audit_retention(ctx: Context) -> Any:
    from starlette.responses import RedirectResponse

    n = apply_retention(ctx.store, ctx.config.policy.audit_retention_days)
    ctx.audit("audit.retention", OK, reason=f"{n} record(s) older than "
                                           f"{ctx.config.policy.audit_retention_days} days")
    return RedirectResponse("/audit", status_code=303)


@guarded(ACCOUNTS, sensitive="view.users")
def users_page(ctx: Context) -> Any:
    users = accounts.list_users(ctx.store)
    return ctx.html("users.html.j2", users=users, policy=ctx.config.policy,
                    expired={u.name for u in users
                             if accounts.password_expired(u, ctx.config.policy)})


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/audit", audit_page, methods=["GET"]),
        Route("/audit/export.csv", audit_export, methods=["GET"]),
        Route("/audit/retention", audit_retention, methods=["POST"]),
        Route("/users", users_page, methods=["GET"]),
    ]
