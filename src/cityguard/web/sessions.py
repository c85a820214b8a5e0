"""Sessions: a random token in an HttpOnly, Secure, SameSite=Strict cookie; the store keeps its
SHA-256 only. A session unused for the idle time ends (L3-CES1-02); every change a session
makes carries its CSRF token, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from cityguard.model.accounts import SessionRecord, UserRecord
from cityguard.store import Store
from cityguard.store import accounts as store_accounts
from cityguard.web import clock

COOKIE = "cg_session"
#: last_seen is written at most this often per session (a page view is not a write)
TOUCH_SECONDS = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start(store: Store, user: UserRecord, addr: str) -> tuple[str, str]:
    """A new session for `user`: (token for the cookie, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.db.transaction():
        store_accounts.create_session(store.db, token_hash(token), user.id, csrf,
                                      clock.stamp(), addr[:64])
    return token, csrf


def current(store: Store, token: str | None, idle_minutes: int) -> tuple[SessionRecord | None,
                                                                          bool]:
    """(the session of this cookie, whether it just expired). An idle session is ended here."""
    if not token or len(token) > 100:
        return None, False
    key = token_hash(token)
    found = store_accounts.get_session(store.db, key)
    if found is None:
        return None, False
    seen = clock.parse(found.last_seen)
    now = clock.now()
    if seen is None or now - seen > timedelta(minutes=idle_minutes) or found.user.locked:
        with store.db.transaction():
            store_accounts.end_session(store.db, key)
        return None, True
    if (now - seen).total_seconds() >= TOUCH_SECONDS:
        with store.db.transaction():
            store_accounts.touch_session(store.db, key, clock.stamp(now))
    return found, False


def end(store: Store, token: str | None) -> None:
    if token:
        with store.db.transaction():
            store_accounts.end_session(store.db, token_hash(token))


def csrf_ok(session: SessionRecord, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf.encode(), str(given).encode())
