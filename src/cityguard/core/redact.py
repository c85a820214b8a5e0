"""Secrets never reach evidence: password hashes, passwords, tokens and private keys → ***.

The one redaction of cityguard: every value quoted from an assessed host (a check's observed
value: configuration, cron lines, systemd units, scripts, process lists) and every piece of
scanner evidence (ingest.values.redact) goes through `redact` / `redact_text` before it
reaches a result, a report or the store (docs/security.md, "Redaction").

Every pattern is anchored on a literal (a keyword, an option, a program name) and scans
forward only, so a long hostile line costs linear time.
"""

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
#: a key ending in a secret word, then = or : (JSON keys may close their quote first); the
#: part of the key before the word stays outside the match (same output, linear time)
_KEY_VALUE = re.compile(
    r"(?i)(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|pwd)"
    r"([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
)
_REDIS = re.compile(r"(?i)\b(requirepass|masterauth)(\s+)(\"[^\"]*\"|'[^']*'|\S+)")
_AUTH_HEADER = re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{8,}")
#: scheme://user:password@ (the user may be empty: redis://:password@host)
_URL_CREDENTIALS = re.compile(r"(://[^:/\s@]*:)[^@/\s]+@")
#: token shapes that are secrets whatever their key: cloud access keys, GitHub and Slack tokens
_TOKENS = re.compile(r"\b(?:(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|"
                     r"xox[abposr]-[A-Za-z0-9-]{10,})\b")

# --- command lines: secrets given as arguments (cron, ExecStart=, scripts, ps output) ---------

#: one shell word: quoted, or bare up to a blank or an operator
_WORD = r"(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s'\"|;&<>()]+)"
#: --password X, --password=X, -storepass X, --http-password=X … (not --password-file X)
_LONG_OPTION = re.compile(
    r"(?i)(?<![\w-])(--?(?:[\w-]*[-_])?(?:password|passwd|passphrase|pass|pwd|secret|token|"
    r"api-?key|access-?key|secret-?key|storepass|keypass|passin|passout))(=|\s+)(?!-)"
    + _WORD)
#: NAME=VALUE environment assignments whose name says secret (PGPASSWORD= is also _KEY_VALUE)
_ENV_SECRET = re.compile(r"\b([A-Z][A-Z0-9_]*_(?:PASS|PW|KEY|AUTH|CREDENTIALS?))(=)" + _WORD)
#: programs whose short options carry a password: the option (a regex; "(?=\S)" = attached
#: only, as mysql's "-p" alone asks for the password and the next word is the database)
_SHORT_SECRET = {
    **dict.fromkeys(("mysql", "mysqldump", "mysqladmin", "mysqlpump", "mysqlimport",
                     "mysqlcheck", "mysqlshow", "mysqlbinlog", "mariadb", "mariadb-dump",
                     "mariadb-admin", "mariadb-import", "mariadb-check", "7z", "7za", "7zr",
                     "rar", "unrar"), r"-p(?=\S)"),
    **dict.fromkeys(("sshpass", "mydumper", "myloader", "mongo", "mongosh", "mongodump",
                     "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop"),
                    r"-p\s*"),
    **dict.fromkeys(("redis-cli", "keydb-cli", "valkey-cli"), r"-a\s*"),
    **dict.fromkeys(("ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldappasswd",
                     "ldapwhoami", "ldapcompare", "ldapexop", "ldapmodrdn"), r"-w\s*"),
    **dict.fromkeys(("zip", "unzip", "zipcloak", "sqlcmd", "bcp", "osql", "isql", "ipmitool"),
                    r"-P\s*"),
    **dict.fromkeys(("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpgetnext",
                     "snmptable", "snmptrap", "snmpbulkget"), r"-[cAX]\s*"),
    "login": r"-p\s*",  # docker/podman/nerdctl/helm registry login
}
#: programs given user and password in one word: the separator after the user
_USER_SECRET = {
    **dict.fromkeys(("curl", "wget"), (r"(?:-u|-U|--user|--proxy-user)(?:\s+|=)?", ":")),
    "lftp": (r"-u\s+", ","),
    **dict.fromkeys(("smbclient", "rpcclient", "smbget", "smbcacls"),
                    (r"(?:-U|--user)(?:\s+|=)?", "%")),
}
#: Oracle tools take user/password[@db] as a word of its own (or userid=user/password)
_ORACLE = ("sqlplus", "exp", "imp", "expdp", "impdp", "rman", "sqlldr", "dgmgrl")
_ORACLE_LOGIN = re.compile(r"(?<![^\s=])([\w$#]+/)([^\s@/'\"]+)")
_PROGRAM = re.compile(
    r"(?:^|(?<=[\s;&|(\"'`=]))(?:[^\s;&|(\"'`=]*/)?("
    + "|".join(re.escape(p) for p in sorted({*_SHORT_SECRET, *_USER_SECRET, *_ORACLE},
                                             key=len, reverse=True) if p != "login")
    + r"|(?:docker|podman|nerdctl|buildah|skopeo|helm)\s+(?:registry\s+)?login)"
    r"(?![\w.-])([^|;&\n]*)")
_SHORT_RE = {p: re.compile(r"(?<!\S)(" + opt + r")(?!-)" + _WORD) for p, opt in
             _SHORT_SECRET.items()}
_USER_RE = {p: re.compile(r"(?<!\S)(" + opt + r"[^\s" + sep + r"'\"]+" + re.escape(sep) + ")"
                          + _WORD) for p, (opt, sep) in _USER_SECRET.items()}


#: values of a secret-looking key that are settings, not secrets
_HARMLESS = re.compile(r"^(yes|no|true|false|on|off|none|null|\d{1,3}|)$", re.IGNORECASE)


def _mask_program(m: re.Match[str]) -> str:
    name, args = m.group(1), m.group(2)
    key = "login" if name.endswith("login") else name
    if key in _ORACLE:
        args = _ORACLE_LOGIN.sub(lambda a: a.group(1) + MASK, args)
    for table in (_SHORT_RE, _USER_RE):
        if key in table:
            args = table[key].sub(lambda a: a.group(1) + MASK, args)
    return m.group(0)[: m.start(2) - m.start(0)] + args


def redact_command_line(text: str) -> str:
    """Arguments that are secrets masked: `mysqldump -p***`, `curl -u user:***`, …"""
    text = _PROGRAM.sub(_mask_program, text)
    text = _LONG_OPTION.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _ENV_SECRET.sub(lambda m: m.group(1) + m.group(2) + MASK, text)


def _keep_masked(m: re.Match[str]) -> str:
    """key=value with the value masked; a value already masked keeps its quotes."""
    if m.group(3).strip("\"'") == MASK:
        return m.group(0)
    return m.group(1) + m.group(2) + MASK


def is_secret_key(key: str) -> bool:
    last = re.split(r"[\s./:]+", key.strip())[-1] if key.strip() else ""
    return bool(_SECRET_KEY.search(last))


def redact_text(text: str) -> str:
    text = _PRIVATE_KEY.sub(MASK, text)
    text = _CRYPT_HASH.sub(MASK, text)
    text = _TOKENS.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", text)
    text = redact_command_line(text)
    text = _KEY_VALUE.sub(_keep_masked, text)
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
