"""The dashboard's pages for reading: the city overview, a system, findings across the city,
one finding, a stored run's report and the diff between two runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cityguard.assess import reporting
from cityguard.core.errors import UsageError
from cityguard.render import render_bytes
from cityguard.render.diff import render_diff
from cityguard.store import citytrend
from cityguard.web import findings_view, templating
from cityguard.web.context import REPORT_CSP, Context, guarded
from cityguard.web.overview_view import chart_context
from cityguard.web.roles import READ

ACTION_LIMIT = 100


@guarded(READ)
def overview_page(ctx: Context) -> Any:
    ov, at = ctx.app.overview.get()
    body = ctx.app.overview.fragment(ctx.lang, at, lambda: templating.render(
        "_overview.html.j2", ctx.lang, ov=ov, links=True, action_limit=ACTION_LIMIT,
        **chart_context(ov, ctx.lang)))
    return ctx.html("overview.html.j2", ov=ov, body=body,
                    computed_at=datetime.fromtimestamp(at).strftime("%H:%M:%S"))


def _system_runs(ctx: Context, name: str) -> list[dict[str, Any]]:
    return citytrend.system_runs(ctx.store.db, name)


@guarded(READ, sensitive="view.system")
def system_page(ctx: Context) -> Any:
    name = ctx.query.get("name", "")
    record = ctx.store.db.one("SELECT 1 FROM systems WHERE name = ?", [name])
    if record is None:
        return ctx.error(404, ctx.t("web.error.no_system"))
    ov, _ = ctx.app.overview.get()
    posture = next((p for p in ov.postures if p.system.name == name), None)
    if posture is None:  # registered after the overview was computed
        posture = next(p for p in ctx.store.posture() if p.system.name == name)
    flt, cursor = findings_view.filters(ctx, system=name)
    found = findings_view.page(ctx, flt, cursor)
    return ctx.html(
        "system.html.j2", p=posture, rec=posture.system, runs=_system_runs(ctx, name),
        gates=citytrend.gate_history(ctx.store.db, name),
        rects=ctx.store.rectifications(system=name), fp=found,
        fq=findings_view.form_values(ctx), next_url=findings_view.next_url(ctx, found),
    )


@guarded(READ, sensitive="view.findings")
def findings_page(ctx: Context) -> Any:
    flt, cursor = findings_view.filters(ctx)
    found = findings_view.page(ctx, flt, cursor)
    return ctx.html("findings.html.j2", fp=found, fq=findings_view.form_values(ctx),
                    next_url=findings_view.next_url(ctx, found),
                    departments=sorted({p.system.department
                                        for p in ctx.app.overview.get()[0].postures
                                        if p.system.department}))


@guarded(READ, sensitive="view.finding")
def finding_page(ctx: Context) -> Any:
    ref = ctx.request.path_params["fid"]
    if not ref.isdigit():
        return ctx.error(404, ctx.t("web.error.no_finding"))
    try:
        f = ctx.store.get_finding(ref)
    except UsageError:
        return ctx.error(404, ctx.t("web.error.no_finding"))
    rects = [r for r in ctx.store.rectifications(system=str(f.extra["system"]))
             if r.finding_id == f.id]
    return ctx.html("finding.html.j2", f=f, history=ctx.store.history(int(f.id or 0)),
                    rects=rects, done=ctx.query.get("done", ""))


def _run_of(ctx: Context, name: str, run_id: str) -> bool:
    """Only a run id the store holds for this system (never a path: reporting reads files)."""
    return any(r["run_id"] == run_id for r in _system_runs(ctx, name))


@guarded(READ, sensitive="view.report")
def run_report(ctx: Context) -> Any:
    from starlette.responses import HTMLResponse

    name, run_id = ctx.query.get("name", ""), ctx.query.get("run", "")
    if not _run_of(ctx, name, run_id):
        return ctx.error(404, ctx.t("web.error.no_run"))
    assessment = reporting.load_run(run_id, store=ctx.app.config.store)
    body = render_bytes(assessment, "html", lang=ctx.lang)
    return HTMLResponse(body, headers={"content-security-policy": REPORT_CSP})


@guarded(READ, sensitive="view.diff")
def run_diff(ctx: Context) -> Any:
    from starlette.responses import HTMLResponse

    name = ctx.query.get("name", "")
    a, b = ctx.query.get("a", ""), ctx.query.get("b", "")
    if not (_run_of(ctx, name, a) and _run_of(ctx, name, b)):
        return ctx.error(404, ctx.t("web.error.no_run"))
    diff = reporting.diff_runs(a, b, lang=ctx.lang, store=ctx.app.config.store)
    return HTMLResponse(render_diff(diff, "html", ctx.lang),
                        headers={"content-security-policy": REPORT_CSP})


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/", overview_page, methods=["GET"]),
        # a system's name may hold any character (a '/' too): it travels in the query
        Route("/system", system_page, methods=["GET"]),
        Route("/system/report", run_report, methods=["GET"]),
        Route("/system/diff", run_diff, methods=["GET"]),
        Route("/findings", findings_page, methods=["GET"]),
        Route("/findings/{fid}", finding_page, methods=["GET"]),
    ]
