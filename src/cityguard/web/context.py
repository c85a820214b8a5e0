"""One request as the dashboard's handlers see it: the store, the signed-in user, the language,
the form, and the guard that every route goes through (sign-in, role, CSRF, audit)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote

from cityguard.core.errors import CityguardError
from cityguard.model.accounts import SessionRecord, UserRecord
from cityguard.policy.messages import t
from cityguard.store import Store, open_store
from cityguard.web import roles, sessions, templating
from cityguard.web.auditlog import OK, REFUSED, record
from cityguard.web.config import ServeConfig

MAX_FORM = 16 * 1024  # bytes of a form or JSON body; a triage reason fits many times over
LANG_COOKIE = "cg_lang"
LOGIN_COOKIE = "cg_login"  # the login form's CSRF token (double submit: cookie = field)
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
#: stored reports carry their own inline CSS and SVG (and nothing else)
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
              "frame-ancestors 'none'; base-uri 'none'")


class StorePool:
    """One open store per worker thread (a SQLite connection belongs to its thread)."""

    def __init__(self, target: str | None) -> None:
        self.target = target
        self.local = threading.local()
        self.opened: list[Store] = []
        self.lock = threading.Lock()

    def get(self) -> Store:
        st = getattr(self.local, "store", None)
        if st is None:
            st = open_store(self.target, migrate_schema=False)
            self.local.store = st
            with self.lock:
                self.opened.append(st)
        return st

    def close(self) -> None:
        with self.lock:
            for st in self.opened:
                st.close()
            self.opened.clear()


@dataclass
class Context:
    request: Any
    store: Store
    config: ServeConfig
    lang: str
    addr: str
    session: SessionRecord | None = None
    form: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    app: Any = None
    body: bytes = b""  # the raw body of a JSON request

    @property
    def user(self) -> UserRecord | None:
        return self.session.user if self.session else None

    def may(self, permission: str) -> bool:
        return self.user is not None and roles.may(self.user.role, permission)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    def audit(self, action: str, outcome: str, target: str = "", reason: str = "") -> None:
        user = self.user
        record(self.store, user.name if user else "-", user.role if user else "", action,
               outcome, target=target, reason=reason, addr=self.addr)

    def html(self, template: str, status: int = 200, **values: Any) -> Any:
        from starlette.responses import HTMLResponse

        path = self.request.url.path
        here = path + ("?" + self.request.url.query if self.request.url.query else "")
        body = templating.render(
            template, self.lang, user=self.user, csrf=self.session.csrf if self.session else "",
            can_read=self.may(roles.READ), can_triage=self.may(roles.TRIAGE),
            can_accounts=self.may(roles.ACCOUNTS), can_audit=self.may(roles.AUDIT),
            here=here, **values)
        return HTMLResponse(body, status_code=status)

    def error(self, status: int, message: str) -> Any:
        return self.html("error.html.j2", status, message=message)


def client_addr(request: Any) -> str:
    return request.client.host if request.client else ""


def lang_of(request: Any) -> str:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def local_path(target: str | None, default: str = "/") -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def read_form(request: Any) -> tuple[dict[str, str] | None, bytes]:
    """The urlencoded form (first value of each field), or None when the body is too big."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None, b""
    if request.headers.get("content-type", "").startswith("application/json"):
        return {}, body
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                      max_num_fields=64)
    return {k: v[0] for k, v in fields.items()}, body


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


Handler = Callable[[Context], Any]


def guarded(permission: str | None, *, sensitive: str | None = None,
            api: bool = False) -> Callable[[Handler], Callable[[Any], Awaitable[Any]]]:
    """Wrap a handler: signed in (else the login page, or 401 for the API), allowed by role
    (else 403), CSRF token on every change (else 403); refusals and, for `sensitive` pages,
    views go to the audit log. The handler runs in a worker thread with its own store."""
    from starlette.concurrency import run_in_threadpool

    def wrap(fn: Handler) -> Callable[[Any], Awaitable[Any]]:
        async def endpoint(request: Any) -> Any:
            app = request.app.state.dashboard
            form: dict[str, str] | None = {}
            body = b""
            if request.method == "POST":
                form, body = await read_form(request)
            return await run_in_threadpool(_run, app, request, form, body, fn, permission,
                                           sensitive, api)

        endpoint.__name__ = fn.__name__
        return endpoint

    return wrap


def _run(app: Any, request: Any, form: dict[str, str] | None, body: bytes, fn: Handler,
         permission: str | None, sensitive: str | None, api: bool) -> Any:
    from starlette.responses import JSONResponse, RedirectResponse

    ctx = Context(request, app.pool.get(), app.config, lang_of(request), client_addr(request),
                  query=dict(request.query_params), app=app)
    ctx.form, ctx.body = form or {}, body
    path = request.url.path
    token = request.cookies.get(sessions.COOKIE)
    bearer = request.headers.get("authorization", "")
    if api and not token and bearer.lower().startswith("bearer "):
        token = bearer[7:].strip()
    session, expired = sessions.current(ctx.store, token, app.config.policy.idle_minutes)
    ctx.session = session
    if session is None:
        if expired:
            record(ctx.store, "-", "", "session_expired", REFUSED, target=path, addr=ctx.addr)
        if api:
            return JSONResponse({"error": "not signed in"}, status_code=401)
        if request.method != "GET":
            record(ctx.store, "-", "", request.method.lower(), REFUSED, target=path,
                   reason="not signed in", addr=ctx.addr)
            return RedirectResponse("/login", status_code=303)
        query = "?expired=1&" if expired else "?"
        return RedirectResponse(f"/login{query}next={quote(path)}", status_code=303)
    if form is None:
        ctx.audit(path, REFUSED, reason="form too large")
        return ctx.error(413, ctx.t("web.error.too_large"))
    if permission is not None and not ctx.may(permission):
        ctx.audit(f"{request.method.lower()} {path}"[:80], REFUSED,
                  reason=f"role {session.user.role} lacks {permission}")
        if api:
            return JSONResponse({"error": "forbidden for this role"}, status_code=403)
        return ctx.error(403, ctx.t("web.error.forbidden"))
    if request.method == "POST":
        given = ctx.form.get("csrf") or request.headers.get("x-csrf-token")
        if not sessions.csrf_ok(session, given):
            ctx.audit(path, REFUSED, reason="missing or wrong CSRF token")
            if api:
                return JSONResponse({"error": "CSRF token missing or wrong"}, status_code=403)
            return ctx.error(403, ctx.t("web.error.csrf"))
    if sensitive:
        ctx.audit(sensitive, OK, target=path[:200])
    started = time.perf_counter()
    try:
        response = fn(ctx)
    except CityguardError as exc:
        if api:
            return JSONResponse({"error": exc.one_line()}, status_code=400)
        return ctx.error(400, exc.one_line())
    # how long the page took on the server (benchmarks/web_load.py reads it)
    response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
