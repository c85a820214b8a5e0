"""The dashboard application (Starlette): routes, sign-in and out, security headers.

`create_app(config)` builds it; `cityguard serve` runs it under uvicorn (web/server.py). Every
page but the sign-in page needs a session (no anonymous access); what each role may open is in
web/roles.py; every change carries a CSRF token; every response carries the security headers
below. The overview's figures are computed at most every `overview_ttl` seconds in the
background (web/cache.py) and at once after a change made here.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

from cityguard.web import accounts, api, auditpages, pages, sessions, triage
from cityguard.web.auditlog import OK, REFUSED, record
from cityguard.web.cache import OverviewCache
from cityguard.web.config import ServeConfig
from cityguard.web.context import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    PAGE_CSP,
    StorePool,
    client_addr,
    lang_of,
    local_path,
    new_login_token,
    read_form,
)
from cityguard.web.roles import home
from cityguard.web.templating import STATIC, render

STATIC_FILES = {"app.css": "text/css; charset=utf-8"}


class Dashboard:
    """What every request shares: the settings, a store per worker thread, the overview."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.pool = StorePool(config.store)
        self.overview = OverviewCache(self.pool, config.overview_ttl)

    def cookie_flags(self) -> dict[str, Any]:
        # Secure always: browsers keep Secure cookies on http://127.0.0.1 (a trustworthy
        # origin), and beyond loopback `serve` insists on TLS
        return {"httponly": True, "secure": True, "samesite": "strict", "path": "/"}


class SecurityHeaders:
    """Pure ASGI middleware: the headers every response carries."""

    def __init__(self, app: Any, tls: bool) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": PAGE_CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"no-referrer",
                    b"cache-control": b"no-store",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"cross-origin-resource-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if self.tls:
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers += [(k, v) for k, v in extra.items() if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def login_page(request: Any) -> Any:
    from starlette.responses import HTMLResponse

    dash: Dashboard = request.app.state.dashboard
    token = new_login_token()
    message = "expired" if request.query_params.get("expired") else ""
    body = render("login.html.j2", lang_of(request), user=None, csrf="", login_csrf=token,
                  next=local_path(request.query_params.get("next")), message=message,
                  here="/login", can_read=False, can_triage=False, can_accounts=False,
                  can_audit=False)
    response = HTMLResponse(body)
    response.set_cookie(LOGIN_COOKIE, token, max_age=600, **dash.cookie_flags())
    return response


async def login_submit(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    form, _ = await read_form(request)
    return await run_in_threadpool(_login, request, form)


def _login(request: Any, form: dict[str, str] | None) -> Any:
    from starlette.responses import HTMLResponse, RedirectResponse

    dash: Dashboard = request.app.state.dashboard
    store, addr, lang = dash.pool.get(), client_addr(request), lang_of(request)
    form = form or {}
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    given = form.get("csrf", "")

    def again(message: str, status: int) -> Any:
        token = new_login_token()
        body = render("login.html.j2", lang, user=None, csrf="", login_csrf=token,
                      next=local_path(form.get("next")), message=message, here="/login",
                      can_read=False, can_triage=False, can_accounts=False, can_audit=False)
        response = HTMLResponse(body, status_code=status)
        response.set_cookie(LOGIN_COOKIE, token, max_age=600, **dash.cookie_flags())
        return response

    if not cookie or not given or not hmac.compare_digest(cookie.encode(), given.encode()):
        record(store, (form.get("name") or "-")[:64], "", "login", REFUSED,
               reason="missing or wrong CSRF token", addr=addr)
        return again("csrf", 403)
    try:
        user = accounts.authenticate(store, form.get("name", ""), form.get("password", ""),
                                     addr=addr, policy=dash.config.policy)
    except accounts.AuthRefused as exc:
        return again(exc.reason, 401 if exc.reason == "bad_credentials" else 403)
    token, _ = sessions.start(store, user, addr)
    target = local_path(form.get("next"), home(user.role))
    if user.role == "auditadmin":
        target = home(user.role)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(sessions.COOKIE, token, **dash.cookie_flags())
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(request: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    form, _ = await read_form(request)
    return await run_in_threadpool(_logout, request, form or {})


def _logout(request: Any, form: dict[str, str]) -> Any:
    from starlette.responses import RedirectResponse

    dash: Dashboard = request.app.state.dashboard
    store = dash.pool.get()
    token = request.cookies.get(sessions.COOKIE)
    found, _ = sessions.current(store, token, dash.config.policy.idle_minutes)
    if found is not None and sessions.csrf_ok(found, form.get("csrf")):
        sessions.end(store, token)
        record(store, found.user.name, found.user.role, "logout", OK, addr=client_addr(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


async def set_lang(request: Any) -> Any:
    from starlette.responses import RedirectResponse

    lang = "en" if request.path_params["lang"] == "en" else "zh"
    response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    dash: Dashboard = request.app.state.dashboard
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, **dash.cookie_flags())
    return response


async def static(request: Any) -> Any:
    from starlette.responses import Response

    name = request.path_params["name"]
    if name not in STATIC_FILES:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response((STATIC / name).read_bytes(), media_type=STATIC_FILES[name],
                    headers={"cache-control": "private, max-age=3600"})


def create_app(config: ServeConfig) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Route

    dashboard = Dashboard(config)
    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang/{lang}", set_lang, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        *pages.routes(), *triage.routes(), *auditpages.routes(), *api.routes(),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        dashboard.overview.warm()
        yield
        dashboard.overview.stop()
        dashboard.pool.close()

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, tls=config.tls)],
                    lifespan=lifespan)
    app.state.dashboard = dashboard
    return app
