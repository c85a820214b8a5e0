"""Accounts of the dashboard: passwords (argon2id), their rules, lockout, and signing in.

Passwords are hashed with argon2id through argon2-cffi (a memory-hard function; the library's
RFC 9106 low-memory profile). The rules (config.Policy): at least 12 characters of at least
three kinds (lower case, upper case, digits, others), not containing the account name, not one
of the last five, changed at least every 90 days; five failures in a row lock the account for
30 minutes; an administrator's lock lasts until unlocked. Every change and every sign-in,
failed or not, goes to the audit log.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from cityguard.core.errors import CityguardError, UsageError
from cityguard.model.accounts import ROLES, UserRecord
from cityguard.store import Store
from cityguard.store import accounts as store_accounts
from cityguard.web import clock
from cityguard.web.auditlog import FAILED, OK, REFUSED, record
from cityguard.web.config import Policy

_NAME = re.compile(r"^[\w.@-]{2,64}$")
MAX_PASSWORD = 256


class AuthRefused(CityguardError):
    """A sign-in that is refused; `reason` is one of bad_credentials, locked, locked_out,
    password_expired (the page says which, except that an unknown name and a wrong password
    look the same)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"sign-in refused: {reason}")


def _hasher() -> Any:
    from argon2 import PasswordHasher
    from argon2.profiles import RFC_9106_LOW_MEMORY

    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def password_problems(name: str, password: str, policy: Policy) -> list[str]:
    """What is wrong with a new password (empty: it may be used)."""
    out = []
    if len(password) < policy.min_password_length:
        out.append(f"at least {policy.min_password_length} characters")
    if len(password) > MAX_PASSWORD:
        out.append(f"at most {MAX_PASSWORD} characters")
    kinds = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                 any(c.isdigit() for c in password),
                 any(not c.isalnum() for c in password)))
    if kinds < policy.password_classes:
        out.append(f"characters of at least {policy.password_classes} kinds (lower case, "
                   "upper case, digits, others)")
    if name and name.lower() in password.lower():
        out.append("not containing the account name")
    if any(unicodedata.category(c).startswith("C") for c in password):
        out.append("no control characters")
    return out


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise UsageError(f"account name {name[:70]!r} must be 2-64 letters, digits, '.', '_', "
                         "'@' or '-'")
    return name


def _check_password(store: Store, user: UserRecord | None, name: str, password: str,
                    policy: Policy) -> None:
    problems = password_problems(name, password, policy)
    if problems:
        raise UsageError(f"the password needs {'; '.join(problems)}")
    if user is not None:
        for old in store_accounts.recent_hashes(store.db, user.id, policy.password_history):
            if verify_password(old, password):
                raise UsageError(f"the password must differ from the last "
                                 f"{policy.password_history}")


def add_user(store: Store, name: str, role: str, password: str, *, by: str,
             policy: Policy) -> UserRecord:
    check_name(name)
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    _check_password(store, None, name, password, policy)
    hashed = hash_password(password)
    with store.db.transaction():
        store_accounts.add_user(store.db, name, role, hashed, by=by, now=clock.stamp())
    record(store, by, "", "user.add", OK, target=f"{name} ({role})")
    return store_accounts.get_user(store.db, name)


def change_password(store: Store, name: str, password: str, *, by: str,
                    policy: Policy) -> UserRecord:
    user = store_accounts.get_user(store.db, name)
    _check_password(store, user, name, password, policy)
    hashed = hash_password(password)
    with store.db.transaction():
        store_accounts.set_password(store.db, user.id, hashed, clock.stamp())
    record(store, by, "", "user.passwd", OK, target=name)
    return store_accounts.get_user(store.db, name)


def set_role(store: Store, name: str, role: str, *, by: str) -> UserRecord:
    user = store_accounts.get_user(store.db, name)
    with store.db.transaction():
        store_accounts.set_role(store.db, user.id, role)
    record(store, by, "", "user.role", OK, target=f"{name}: {user.role} -> {role}")
    return store_accounts.get_user(store.db, name)


def set_locked(store: Store, name: str, locked: bool, *, by: str, reason: str = "") -> UserRecord:
    user = store_accounts.get_user(store.db, name)
    with store.db.transaction():
        store_accounts.set_locked(store.db, user.id, locked)
    record(store, by, "", "user.lock" if locked else "user.unlock", OK, target=name,
           reason=reason)
    return store_accounts.get_user(store.db, name)


def list_users(store: Store) -> list[UserRecord]:
    return store_accounts.list_users(store.db)


def password_expired(user: UserRecord, policy: Policy) -> bool:
    changed = clock.parse(user.password_changed)
    return changed is None or clock.now() - changed > timedelta(days=policy.password_max_age_days)


_DUMMY: list[str] = []


def authenticate(store: Store, name: str, password: str, *, addr: str,
                 policy: Policy) -> UserRecord:
    """The account signing in, or AuthRefused; the attempt is in the audit log either way."""
    name = (name or "").strip()[:64]
    user = store_accounts.find_user(store.db, name) if name else None
    if user is None or len(password) > MAX_PASSWORD:
        if not _DUMMY:  # as slow as a real check: timing does not tell which names exist
            _DUMMY.append(hash_password("cityguard-timing-equaliser-Aa1!"))
        verify_password(_DUMMY[0], password[:MAX_PASSWORD])
        record(store, name or "-", "", "login", FAILED, reason="unknown account or bad password",
               addr=addr)
        raise AuthRefused("bad_credentials")
    if user.locked:
        record(store, name, user.role, "login", REFUSED, reason="account locked", addr=addr)
        raise AuthRefused("locked")
    until = clock.parse(user.locked_until)
    if until is not None and until > clock.now():
        record(store, name, user.role, "login", REFUSED,
               reason=f"locked out after failures until {user.locked_until}", addr=addr)
        raise AuthRefused("locked_out")
    if not verify_password(user.password_hash, password):
        lock = None
        if user.failed_logins + 1 >= policy.max_failures:
            lock = clock.later(minutes=policy.lockout_minutes)
        with store.db.transaction():
            n = store_accounts.record_failure(store.db, user.id, lock)
        why = f"wrong password ({n} in a row)" + (f"; locked until {lock}" if lock else "")
        record(store, name, user.role, "login", FAILED, reason=why, addr=addr)
        raise AuthRefused("locked_out" if lock else "bad_credentials")
    if password_expired(user, policy):
        record(store, name, user.role, "login", REFUSED, reason="password expired", addr=addr)
        raise AuthRefused("password_expired")
    with store.db.transaction():
        store_accounts.record_login(store.db, user.id, clock.stamp())
    record(store, name, user.role, "login", OK, addr=addr)
    return user
