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


# --- network devices: credentials sit after keywords, not in key=value pairs --------------------

#: a keyword after which a device configuration prints a credential (then maybe a type word)
_DEVICE_SECRET = re.compile(
    r"(?i)(\b(?:password|secret|cipher|irreversible-cipher|simple|hash|key|key-string|"
    r"shared-key|pre-shared-key|community(?:\s+(?:read|write|ro|rw))?|authentication-key|"
    r"encrypted-password|phash|passwd|plain-text-password-value|auth-password|priv-password|"
    r"authentication-mode\s+\S+|privacy-mode\s+\S+|psksecret)"
    r"(?:\s+(?:0|5|7|8|9|cipher|simple|hash|irreversible-cipher|encrypted|sha|md5|aes\d*|des|"
    r"ENC))?"
    r"\s+)(\"[^\"]*\"|\S+)"
)
#: words that are types or settings, not credentials, when they follow such a keyword
_DEVICE_NOT_SECRET = re.compile(
    r"(?i)^(enable|disable|required|optional|level|privilege|policy|complexity-check|"
    r"min-length|history|expire|aging|length|composition|attempts|\d{1,2}|"
    r"view|acl|mib-view|encryption|recovery|exchange|chain|none)$")
#: well-known factory and example credentials: matched internally, never shown
_DEFAULT_WORDS = frozenset({
    "public", "private", "cisco", "admin", "huawei", "h3c", "root", "password", "123456",
    "admin@123", "admin@huawei", "huawei@123", "admin123", "changeme", "fortinet", "juniper123",
    "paloalto", "secret", "test", "guest", "community", "manager", "ro", "rw", "read", "write",
})  # fmt: skip


def secret_shape(token: str) -> str:
    """What kind of credential a token is, never the token: `<hash:vrp>`, `<cleartext>` …

    Lets a check tell a one-way hash from a reversible cipher or a word in clear (the VRP
    `irreversible-cipher Admin@123` trap of hand-written files) without quoting it.
    """
    t = token.strip().strip('"')
    if not t:
        return "<empty>"
    if re.fullmatch(r"(?i)\*+|<?redacted>?|<removed>|.*SECRET.*|(.)\1{5,}|x{4,}.*", t):
        return "<masked>"
    if re.match(r"\$1[a-e]\$", t):
        return "<hash:vrp>"
    if re.match(r"%\^%#|%@%@|%\$%\$|@%@%", t):
        return "<cipher:vrp>"
    if re.match(r"\$h\$", t):
        return "<hash:comware>"
    if re.match(r"\$c\$", t):
        return "<cipher:comware>"
    m = re.match(r"\$(\d+|sha\d+|y|gy)\$", t)
    if m:
        return f"<hash:crypt-{m.group(1)}>"
    if t.lower() in _DEFAULT_WORDS:
        return "<cleartext:default>"
    if len(t) >= 16 and re.fullmatch(r"[A-Za-z0-9+/=._-]+", t) and re.search(r"\d", t) \
            and re.search(r"[A-Za-z]", t):
        return "<encoded>"
    return "<cleartext>"


def redact_device_line(line: str) -> str:
    """A configuration line with every credential replaced by its shape (see secret_shape)."""

    def sub(m: re.Match[str]) -> str:
        value = m.group(2)
        if _DEVICE_NOT_SECRET.match(value.strip('"')) or re.fullmatch(r"<[a-z0-9:-]+>", value):
            return m.group(0)
        return m.group(1) + secret_shape(value)

    return redact_text(_DEVICE_SECRET.sub(sub, line))
