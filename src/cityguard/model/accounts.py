"""The dashboard's users, sessions and audit records (cityguard serve), as plain records.

Roles follow MLPS's separation of administrative duties (三员分立): the system administrator
manages accounts, the security administrator manages what the others may do (locks, unlocks,
resets), the audit administrator reads the audit log and nothing else; viewers read, analysts
also triage. No role can erase the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

#: every role, least powerful first
ROLES = ("viewer", "analyst", "sysadmin", "secadmin", "auditadmin")


@dataclass
class UserRecord:
    id: int
    name: str
    role: str
    password_hash: str
    password_changed: str  # ISO timestamp (UTC)
    failed_logins: int = 0
    locked_until: str | None = None  # a lockout after failures ends then (UTC)
    locked: bool = False  # locked by an administrator until unlocked
    created: str = ""
    created_by: str = ""
    last_login: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Everything but the password hash."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "password_hash"}


@dataclass
class SessionRecord:
    token_hash: str
    user: UserRecord
    csrf: str
    created: str
    last_seen: str
    addr: str = ""


@dataclass
class AuditRecord:
    id: int
    at: str  # UTC, YYYY-MM-DDTHH:MM:SSZ
    actor: str
    role: str
    action: str  # login, login_failed, logout, view, triage.accept, user.add, …
    target: str
    outcome: str  # ok | refused | failed
    reason: str = ""
    addr: str = ""
    prev_hash: str = ""
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
