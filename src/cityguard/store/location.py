"""Where the store is: a file path (SQLite, the embedded default) or a PostgreSQL URL.

`--store` and CITYGUARD_STORE take either. A URL is `postgresql://user@host:port/db` with
libpq's own query options (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `connect_timeout`,
…) passed through; the password comes from the URL, PGPASSWORD or ~/.pgpass (libpq reads the
last two itself). The URL is handed to libpq as one connection string, never to a program's
command line, and every message shows it with the password masked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from cityguard.core.errors import DataError

SCHEMES = ("postgresql", "postgres")
#: libpq URI query parameters a user may pass; a typo is refused here, naming the known ones
PG_OPTIONS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir",
    "sslsni", "sslcompression", "sslcertmode", "ssl_min_protocol_version",
    "ssl_max_protocol_version", "requiressl", "gssencmode", "krbsrvname", "channel_binding",
    "connect_timeout", "application_name", "target_session_attrs", "passfile", "keepalives",
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "options", "service", "require_auth", "load_balance_hosts", "hostaddr",
})  # fmt: skip
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,63}$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.\-]{1,253})$")


@dataclass(frozen=True)
class StoreLocation:
    """A parsed --store value: kind is "sqlite" (path) or "postgresql" (url)."""

    kind: str
    path: Path | None = None
    url: str = ""  # the connection string as given (may hold a password: never print it)
    display: str = ""  # what messages show: the path, or the URL with the password masked

    def __str__(self) -> str:
        return self.display


def default_path() -> Path:
    env = os.environ.get("CITYGUARD_STORE", "").strip()
    if env and not is_url(env):
        return Path(env)
    return Path.cwd() / ".cityguard" / "cityguard.db"


def is_url(value: str) -> bool:
    return "://" in value and value.split("://", 1)[0].lower() in SCHEMES


def locate(value: str | Path | None = None) -> StoreLocation:
    """The store named by `value`, else CITYGUARD_STORE, else .cityguard/cityguard.db here."""
    text = str(value).strip() if value is not None and str(value).strip() else ""
    if not text:
        text = os.environ.get("CITYGUARD_STORE", "").strip()
    if not text:
        p = Path.cwd() / ".cityguard" / "cityguard.db"
        return StoreLocation("sqlite", path=p, display=str(p))
    if "://" in text:
        return _parse_url(text)
    return StoreLocation("sqlite", path=Path(text), display=text)


def mask(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable store URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = quote(unquote(parts.username or ""), safe="")
    return url.replace(parts.netloc, f"{user}:***@{netloc[1]}", 1)


def _parse_url(text: str) -> StoreLocation:
    shown = mask(text)
    scheme = text.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise DataError(shown, f"unknown store URL scheme {scheme!r}: use a file path or "
                               "postgresql://user@host:port/dbname")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise DataError(shown, f"not a valid PostgreSQL URL ({exc})") from None
    host = parts.hostname or ""
    db = unquote(parts.path.lstrip("/"))
    if not host or not _HOST.match(host):
        raise DataError(shown, "the store URL needs a host: postgresql://user@host:port/dbname")
    if not db or not _NAME.match(db):
        raise DataError(shown, "the store URL needs a database name (letters, digits, _ . -): "
                               "postgresql://user@host:port/dbname")
    user = unquote(parts.username or "")
    if user and not _NAME.match(user):
        raise DataError(shown, f"user name {user!r} in the store URL is not valid")
    if port is not None and not 0 < port < 65536:
        raise DataError(shown, f"port {port} in the store URL is not valid")
    for pair in filter(None, parts.query.split("&")):
        key = pair.split("=", 1)[0]
        if key not in PG_OPTIONS:
            raise DataError(shown, f"unknown connection option {key!r} in the store URL; "
                                   f"known: {', '.join(sorted(PG_OPTIONS))}")
    if parts.fragment:
        raise DataError(shown, "a store URL has no #fragment")
    return StoreLocation("postgresql", url=text, display=shown)
