"""The dashboard's settings: where it listens, and the rules of its own house (MLPS level 3).

Defaults follow what an assessor expects of a level-3 system's own authentication and audit
(L3-CES1-01/02: complex passwords changed periodically, lockout after repeated failures, idle
sessions ended; L3-CES1-12..15: audit records kept at least six months). Each can be set by an
environment variable (CITYGUARD_WEB_*) for a site that must be stricter; looser values than
the floors below are refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cityguard.core.errors import UsageError
from cityguard.store.schema import AUDIT_FLOOR_DAYS


@dataclass(frozen=True)
class Policy:
    """Authentication, session and audit rules."""

    min_password_length: int = 12
    password_classes: int = 3  # of: lower case, upper case, digits, other characters
    password_max_age_days: int = 90
    password_history: int = 5  # a new password may not repeat the last N
    max_failures: int = 5  # consecutive failed logins that lock an account …
    lockout_minutes: int = 30  # … for this long
    idle_minutes: int = 15  # a session unused this long ends
    audit_retention_days: int = 190  # at least AUDIT_FLOOR_DAYS (six months)


#: (environment variable, field, lowest allowed, highest allowed)
_ENV = (
    ("CITYGUARD_WEB_IDLE_MINUTES", "idle_minutes", 1, 60),
    ("CITYGUARD_WEB_MAX_FAILURES", "max_failures", 1, 10),
    ("CITYGUARD_WEB_LOCKOUT_MINUTES", "lockout_minutes", 5, 24 * 60),
    ("CITYGUARD_WEB_PASSWORD_MAX_AGE_DAYS", "password_max_age_days", 1, 180),
    ("CITYGUARD_WEB_AUDIT_RETENTION_DAYS", "audit_retention_days", AUDIT_FLOOR_DAYS, 3650),
)


def policy_from_env(env: dict[str, str] | None = None) -> Policy:
    env = dict(os.environ if env is None else env)
    values: dict[str, int] = {}
    for name, attr, low, high in _ENV:
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise UsageError(f"{name} must be a whole number from {low} to {high} "
                             f"(got {raw[:20]!r})")
        values[attr] = int(raw)
    return Policy(**values)


@dataclass(frozen=True)
class ServeConfig:
    store: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    cert: Path | None = None
    key: Path | None = None
    policy: Policy = Policy()
    overview_ttl: float = 60.0  # seconds the city overview's figures may be old

    @property
    def tls(self) -> bool:
        return self.cert is not None


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def parse_bind(text: str) -> tuple[str, int]:
    """HOST:PORT, [V6]:PORT, HOST or :PORT → (host, port); loopback 8080 by default."""
    text = text.strip()
    host, port = "127.0.0.1", 8080
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        host, port_text = inside, rest.lstrip(":")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    host = host or "127.0.0.1"
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise UsageError(f"--bind {text!r}: the port must be 1-65535")
        port = int(port_text)
    if not host or host.startswith("-") or any(c.isspace() for c in host):
        raise UsageError(f"--bind {text!r} is not HOST:PORT")
    return host, port


def check_serve(cfg: ServeConfig) -> None:
    """Refuse what would send passwords in clear: beyond loopback the dashboard needs TLS."""
    if (cfg.cert is None) != (cfg.key is None):
        raise UsageError("--cert and --key go together")
    for path in (cfg.cert, cfg.key):
        if path is not None and not path.is_file():
            raise UsageError(f"{path}: no such file")
    if cfg.host not in LOOPBACK and not cfg.tls:
        raise UsageError(f"--bind {cfg.host}: beyond the loopback address the dashboard "
                         "needs TLS (--cert FILE --key FILE): passwords must not travel in "
                         "clear")
