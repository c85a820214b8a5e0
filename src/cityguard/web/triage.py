"""Triage from the browser (analysts): accept a finding with a reason and an expiry, mark it a
false positive, reopen it, give it a rectification owner and due date. The store keeps who,
when and why on the finding (status history, rectification history); the audit log keeps the
same, and every refusal."""

from __future__ import annotations

from typing import Any

from cityguard.core.errors import UsageError
from cityguard.store import parse_date
from cityguard.web.auditlog import FAILED, OK
from cityguard.web.context import Context, guarded
from cityguard.web.roles import TRIAGE

ACTIONS = {"accept": "accept", "false-positive": "false-positive", "reopen": "reopen"}


def _done(ctx: Context, fid: str, what: str) -> Any:
    from starlette.responses import RedirectResponse

    ctx.app.overview.invalidate()
    return RedirectResponse(f"/findings/{fid}?done={what}", status_code=303)


def _finding_id(ctx: Context) -> str:
    fid = ctx.request.path_params["fid"]
    if not fid.isdigit():
        raise UsageError("no such finding")
    return fid


@guarded(TRIAGE)
def set_status(ctx: Context) -> Any:
    fid = _finding_id(ctx)
    action = ACTIONS.get(ctx.request.path_params["action"])
    if action is None:
        return ctx.error(404, ctx.t("web.error.no_page"))
    reason = ctx.form.get("reason", "").strip()
    until = ctx.form.get("until", "").strip() or None
    user = ctx.user
    assert user is not None
    target = f"finding {fid}"
    try:
        if action == "accept" and not until:
            raise UsageError(ctx.t("web.triage.until_required"))
        f = ctx.store.set_status(fid, action, reason, by=user.name, until=until)
    except UsageError as exc:
        ctx.audit(f"triage.{action}", FAILED, target=target, reason=exc.one_line())
        raise
    ctx.audit(f"triage.{action}", OK, target=f"{target} ({f.extra.get('system')})",
              reason=reason + (f" until {until}" if until else ""))
    return _done(ctx, fid, action.replace("-", "_"))


@guarded(TRIAGE)
def rectify(ctx: Context) -> Any:
    fid = _finding_id(ctx)
    owner, note = ctx.form.get("owner", "").strip(), ctx.form.get("note", "").strip()
    due = ctx.form.get("due", "").strip()
    user = ctx.user
    assert user is not None
    try:
        if not owner or len(owner) > 100:
            raise UsageError(ctx.t("web.triage.owner_required"))
        parse_date(due, "due")
        r = ctx.store.add_rectification(owner=owner, due=due, by=user.name, finding=fid,
                                        note=note)
    except UsageError as exc:
        ctx.audit("triage.rectify", FAILED, target=f"finding {fid}", reason=exc.one_line())
        raise
    ctx.audit("triage.rectify", OK, target=f"finding {fid} ({r.system})",
              reason=f"owner {owner}, due {due}" + (f": {note}" if note else ""))
    return _done(ctx, fid, "rectify")


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/findings/{fid}/rectify", rectify, methods=["POST"]),
        Route("/findings/{fid}/{action:str}", set_status, methods=["POST"]),
    ]
