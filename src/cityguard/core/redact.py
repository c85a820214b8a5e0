"""Secrets never reach evidence: password hashes, passwords, tokens and private keys → ***."""

from __future__ import annotations

import re
from typing import Any

MASK = "***"

#: a configuration key whose value is a secret (matched against the key's last component)
_SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|requirepass|masterauth|masteruser_?password|secret|"
    r"token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?|rootpw|"
    r"bindpw|pwd)$",
    re.IGNORECASE,
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL
)
_CRYPT_HASH = re.compile(r"\$(1|2[abxy]?|5|6|y|gy|7|md5|sha1|argon2i?d?)\$[^\s:]+")
_KEY_VALUE = re.compile(
    r"(?i)\b([\w.-]*(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|"
    r"pwd))(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
)
_REDIS = re.compile(r"(?i)\b(requirepass|masterauth)(\s+)(\"[^\"]*\"|'[^']*'|\S+)")
_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{8,}")
_URL_CREDENTIALS = re.compile(r"(://[^:/\s@]+:)[^@/\s]+@")
#: values of a secret-looking key that are settings, not secrets
_HARMLESS = re.compile(r"^(yes|no|true|false|on|off|none|null|\d{1,3}|)$", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    last = re.split(r"[\s./:]+", key.strip())[-1] if key.strip() else ""
    return bool(_SECRET_KEY.search(last))


def redact_text(text: str) -> str:
    text = _PRIVATE_KEY.sub(MASK, text)
    text = _CRYPT_HASH.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _REDIS.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _AUTH_HEADER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)


def redact(value: Any, key: str = "") -> Any:
    """A copy of an observed value safe to show; `key` names what it is the value of."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [redact(v, key) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    text = str(value)
    if key and is_secret_key(key) and not _HARMLESS.match(text.strip()):
        return MASK
    return redact_text(text)
