"""The dashboard's users and sessions (tables of migration 4): queries only.

Password hashing, complexity, age and lockout rules live in cityguard.web.accounts; this module
keeps what they decide. A session is kept by the digest of its token, never the token itself,
so a copy of the store lets nobody sign in.
"""

from __future__ import annotations

from typing import Any

from cityguard.core.errors import UsageError
from cityguard.model.accounts import ROLES, SessionRecord, UserRecord
from cityguard.store.backends import Db

_USER = ("SELECT id, name, role, password_hash, password_changed, failed_logins, locked_until,"
         " locked, created, created_by, last_login FROM users")


def _user(row: Any) -> UserRecord:
    return UserRecord(id=int(row[0]), name=row[1], role=row[2], password_hash=row[3],
                      password_changed=row[4], failed_logins=int(row[5] or 0),
                      locked_until=row[6], locked=bool(row[7]), created=row[8],
                      created_by=row[9], last_login=row[10])


def find_user(db: Db, name: str) -> UserRecord | None:
    row = db.one(_USER + " WHERE name = ?", [name])
    return _user(row) if row is not None else None


def get_user(db: Db, name: str) -> UserRecord:
    user = find_user(db, name)
    if user is None:
        raise UsageError(f"no user {name!r} (`cityguard users list`)")
    return user


def list_users(db: Db) -> list[UserRecord]:
    return [_user(r) for r in db.all(_USER + " ORDER BY name")]


def add_user(db: Db, name: str, role: str, password_hash: str, *, by: str, now: str) -> int:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    if find_user(db, name) is not None:
        raise UsageError(f"user {name!r} exists already (`cityguard users passwd`)")
    uid = db.insert_id(
        "INSERT INTO users (name, role, password_hash, password_changed, created, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [name, role, password_hash, now, now, by])
    db.execute("INSERT INTO password_history (user_id, hash, at) VALUES (?, ?, ?)",
               [uid, password_hash, now])
    return uid


def recent_hashes(db: Db, user_id: int, n: int) -> list[str]:
    rows = db.all("SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                  [user_id, n])
    return [r[0] for r in rows]


def set_password(db: Db, user_id: int, password_hash: str, now: str) -> None:
    """A new password; it also ends every session of the user and any lockout."""
    db.execute("UPDATE users SET password_hash = ?, password_changed = ?, failed_logins = 0,"
               " locked_until = NULL WHERE id = ?", [password_hash, now, user_id])
    db.execute("INSERT INTO password_history (user_id, hash, at) VALUES (?, ?, ?)",
               [user_id, password_hash, now])
    db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def set_role(db: Db, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
    db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def set_locked(db: Db, user_id: int, locked: bool) -> None:
    """Lock (ending the user's sessions) or unlock (clearing failures) an account."""
    db.execute("UPDATE users SET locked = ?, failed_logins = 0, locked_until = NULL"
               " WHERE id = ?", [int(locked), user_id])
    if locked:
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


def record_failure(db: Db, user_id: int, locked_until: str | None) -> int:
    """One more failed login; `locked_until` set when this failure locks the account."""
    db.execute("UPDATE users SET failed_logins = failed_logins + 1,"
               " locked_until = coalesce(?, locked_until) WHERE id = ?", [locked_until, user_id])
    return int(db.scalar("SELECT failed_logins FROM users WHERE id = ?", [user_id]) or 0)


def record_login(db: Db, user_id: int, now: str) -> None:
    db.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = ?"
               " WHERE id = ?", [now, user_id])


# --- sessions --------------------------------------------------------------------------------

def create_session(db: Db, token_hash: str, user_id: int, csrf: str, now: str,
                   addr: str) -> None:
    db.execute("INSERT INTO sessions (token_hash, user_id, csrf, created, last_seen, addr)"
               " VALUES (?, ?, ?, ?, ?, ?)", [token_hash, user_id, csrf, now, now, addr])


def get_session(db: Db, token_hash: str) -> SessionRecord | None:
    row = db.one("SELECT s.token_hash, s.csrf, s.created, s.last_seen, s.addr, u.id, u.name,"
                 " u.role, u.password_hash, u.password_changed, u.failed_logins,"
                 " u.locked_until, u.locked, u.created, u.created_by, u.last_login"
                 " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                 [token_hash])
    if row is None:
        return None
    return SessionRecord(token_hash=row[0], csrf=row[1], created=row[2], last_seen=row[3],
                         addr=row[4], user=_user(row[5:]))


def touch_session(db: Db, token_hash: str, now: str) -> None:
    db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [now, token_hash])


def end_session(db: Db, token_hash: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def end_idle_sessions(db: Db, seen_before: str) -> int:
    cur = db.execute("DELETE FROM sessions WHERE last_seen < ?", [seen_before])
    return int(getattr(cur, "rowcount", 0) or 0)
