"""The JSON API under /api/v1/ (docs/dashboard.md): the overview, systems with posture, one
system, findings with the same filters and keyset paging as the pages, runs. Same sessions,
roles and audit as the pages; a client signs in with POST /api/v1/login (JSON) and sends the
session cookie back."""

from __future__ import annotations

import json
from typing import Any

from cityguard.core.errors import UsageError
from cityguard.store import citytrend
from cityguard.web import accounts, findings_view, sessions
from cityguard.web.context import Context, client_addr, guarded, read_form
from cityguard.web.roles import READ


def _json(data: Any, status: int = 200) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(data, status_code=status)


@guarded(READ, api=True)
def overview(ctx: Context) -> Any:
    ov, at = ctx.app.overview.get()
    return _json({**ov.to_dict(), "computed_at": at})


@guarded(READ, api=True, sensitive="api.systems")
def systems(ctx: Context) -> Any:
    ov, _ = ctx.app.overview.get()
    return _json({"systems": [p.to_dict() for p in ov.postures]})


@guarded(READ, api=True, sensitive="api.system")
def system(ctx: Context) -> Any:
    name = ctx.query.get("name", "")
    ov, _ = ctx.app.overview.get()
    p = next((p for p in ov.postures if p.system.name == name), None)
    if p is None:
        return _json({"error": "no such system"}, 404)
    return _json({**p.to_dict(), "runs": citytrend.system_runs(ctx.store.db, name),
                  "gates": citytrend.gate_history(ctx.store.db, name),
                  "rectifications": [r.to_dict() for r in ctx.store.rectifications(system=name)]})


@guarded(READ, api=True, sensitive="api.findings")
def findings(ctx: Context) -> Any:
    flt, cursor = findings_view.filters(ctx)
    found = findings_view.page(ctx, flt, cursor)
    return _json({"findings": [findings_view.finding_dict(f, found) for f in found.findings],
                  "next": found.next.token() if found.next else None,
                  "scan_limit_reached": found.scanned_out})


@guarded(READ, api=True, sensitive="api.runs")
def runs(ctx: Context) -> Any:
    return _json({"runs": ctx.store.list_runs(system=ctx.query.get("system") or None)})


@guarded(READ, api=True, sensitive="api.run")
def run(ctx: Context) -> Any:
    run_id = ctx.request.path_params["run_id"]
    try:
        return _json(ctx.store.load_run(run_id))
    except UsageError:
        return _json({"error": "no such run"}, 404)


async def login(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    if not request.headers.get("content-type", "").startswith("application/json"):
        return _json({"error": "send JSON: {\"name\": …, \"password\": …}"}, 415)
    _, body = await read_form(request)
    return await run_in_threadpool(_login, request, body)


def _login(request: Any, body: bytes) -> Any:
    dash = request.app.state.dashboard
    store = dash.pool.get()
    try:
        data = json.loads(body or b"{}")
        name, password = str(data.get("name", "")), str(data.get("password", ""))
    except (ValueError, AttributeError):
        return _json({"error": "send JSON: {\"name\": …, \"password\": …}"}, 400)
    try:
        user = accounts.authenticate(store, name, password, addr=client_addr(request),
                                     policy=dash.config.policy)
    except accounts.AuthRefused as exc:
        return _json({"error": exc.reason}, 401 if exc.reason == "bad_credentials" else 403)
    token, csrf = sessions.start(store, user, client_addr(request))
    # the token also in the body, for clients whose cookie jar keeps Secure cookies for https
    # only: they send it back as "Authorization: Bearer <token>"
    response = _json({"user": user.name, "role": user.role, "csrf": csrf, "token": token})
    response.set_cookie(sessions.COOKIE, token, **dash.cookie_flags())
    return response


def routes() -> list[Any]:
    from starlette.routing import Route

    return [
        Route("/api/v1/login", login, methods=["POST"]),
        Route("/api/v1/overview", overview, methods=["GET"]),
        Route("/api/v1/systems", systems, methods=["GET"]),
        Route("/api/v1/system", system, methods=["GET"]),
        Route("/api/v1/findings", findings, methods=["GET"]),
        Route("/api/v1/runs", runs, methods=["GET"]),
        Route("/api/v1/runs/{run_id}", run, methods=["GET"]),
    ]
