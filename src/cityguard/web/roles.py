"""What each role may do (三员分立: duties of administrators split three ways).

- viewer: read the overview, systems, findings and stored reports;
- analyst: read, and triage (accept, false positive, rectification owner and due date);
- sysadmin (系统管理员): read, and see the accounts (accounts are added and changed with
  `cityguard users` on the server, which the audit log records);
- secadmin (安全管理员): read, and see the accounts and their lock state;
- auditadmin (审计管理员): the audit log, its export, and nothing else.
No role may change or erase the audit log (the store itself refuses it).
"""

from __future__ import annotations

from cityguard.model.accounts import ROLES

READ, TRIAGE, ACCOUNTS, AUDIT = "read", "triage", "accounts", "audit"

PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({READ}),
    "analyst": frozenset({READ, TRIAGE}),
    "sysadmin": frozenset({READ, ACCOUNTS}),
    "secadmin": frozenset({READ, ACCOUNTS}),
    "auditadmin": frozenset({AUDIT}),
}
assert set(PERMISSIONS) == set(ROLES)


def may(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def home(role: str) -> str:
    """Where a user lands after signing in."""
    return "/audit" if role == "auditadmin" else "/"
