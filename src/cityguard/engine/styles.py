"""Configuration file styles for the `config_value` probe.

Each parser turns a file's text into entries (key, value, file, line). Includes are followed
through a callback so that parsing never touches a filesystem directly (targets do). Keys are
compared case-insensitively; `ini` also treats `-` and `_` alike (MySQL: local-infile).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

#: opener(pattern) → [(path, text)] for the files an include directive names
Opener = Callable[[str], list[tuple[str, str]]]

TEXT_STYLES = ("sshd", "keyvalue", "equals", "ini", "pam", "nginx", "apache", "redis",
               "postgresql")
STYLES = (*TEXT_STYLES, "json", "yaml")
#: styles where the first occurrence is effective; all-occurrence styles list every one
FIRST_WINS = ("sshd",)
ALL_OCCURRENCES = ("pam", "nginx", "apache", "json", "yaml")
_MAX_DEPTH = 16


@dataclass(frozen=True)
class Entry:
    key: str  # normalised: lower-case (ini: section.key, "-" → "_")
    value: str | list[str]
    file: str
    line: int


def _strip_quotes(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        return v[1:-1]
    return v


def _rel(base: str, pattern: str) -> str:
    return pattern if pattern.startswith("/") else posixpath.join(base, pattern)


def _include(opener: Opener, pattern: str, style: str, depth: int, base: str) -> list[Entry]:
    if depth >= _MAX_DEPTH:
        return []
    out: list[Entry] = []
    for path, text in opener(pattern):
        out.extend(parse(style, text, path, opener, depth + 1, base))
    return out


def parse(style: str, text: str, path: str, opener: Opener, depth: int = 0,
          base: str | None = None) -> list[Entry]:
    """Entries of one file in order; `base` is the directory relative includes start from."""
    fn = _PARSERS[style]
    return fn(text, path, opener, depth, base or posixpath.dirname(path))


def _lines(text: str, comment: str = "#") -> list[tuple[int, str]]:
    out = []
    for no, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if s and not s.startswith(tuple(comment)):
            out.append((no, s))
    return out


def _sshd(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in _lines(text):
        m = re.match(r"^([A-Za-z0-9]+)(?:\s*=\s*|\s+)(.*)$", s)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip()
        if key == "match":
            break  # the rest of the file applies conditionally, not globally
        if key == "include":
            for pat in value.split():
                out.extend(_include(opener, _rel("/etc/ssh", pat), "sshd", depth, base))
            continue
        out.append(Entry(key, _strip_quotes(value), path, no))
    return out


def _keyvalue(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out = []
    for no, s in _lines(text):
        parts = s.split(None, 1)
        value = parts[1] if len(parts) > 1 else ""
        out.append(Entry(parts[0].lower(), _strip_quotes(value), path, no))
    return out


def _equals(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out = []
    for no, s in _lines(text, "#;"):
        if "=" not in s:
            continue
        key, _, value = s.partition("=")
        out.append(Entry(key.strip().lower(), _strip_quotes(value), path, no))
    return out


def _ini_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def _ini(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    section = ""
    for no, s in _lines(text, "#;"):
        if s.startswith("!include"):  # MySQL: !include FILE, !includedir DIR
            directive, _, target = s.partition(" ")
            pattern = _rel(base, target.strip())
            if directive == "!includedir":
                pattern = pattern.rstrip("/") + "/*.cnf"
            out.extend(_include(opener, pattern, "ini", depth, base))
            continue
        if s.startswith("[") and s.endswith("]"):
            section = _ini_key(s[1:-1])
            continue
        if "=" in s:
            key, _, value = s.partition("=")
        elif ":" in s and not s.startswith(":"):
            key, _, value = s.partition(":")
        else:
            key, value = s, ""  # a bare flag such as skip-symbolic-links
        key = _ini_key(key)
        value = _strip_quotes(re.split(r"\s[#;]", value, maxsplit=1)[0])
        out.append(Entry(f"{section}.{key}" if section else key, value, path, no))
    return out


def _pam(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    """Key = module name; value = [type, control, *arguments]."""
    out: list[Entry] = []
    for no, s in _lines(text):
        if s.startswith("@include"):
            out.extend(_include(opener, _rel("/etc/pam.d", s.split()[1]), "pam", depth, base))
            continue
        m = re.match(r"^-?(\w+)\s+(\[[^\]]*\]|\S+)\s+(\S+)\s*(.*)$", s)
        if not m:
            continue
        ptype, control, module, args = m.groups()
        if ptype in ("auth", "account", "password", "session") and control in ("include",
                                                                             "substack"):
            out.extend(_include(opener, _rel("/etc/pam.d", module), "pam", depth, base))
            continue
        tokens = [ptype, control, *re.findall(r"\[[^\]]*\]|\S+", args)]
        out.append(Entry(posixpath.basename(module).lower(), tokens, path, no))
    return out


def _nginx_tokens(text: str) -> list[tuple[str, int]]:
    tokens = []
    for m in re.finditer(r"#[^\n]*|\"(?:\\.|[^\"])*\"|'(?:\\.|[^'])*'|[{};]|[^\s{};\"'#]+", text):
        tok = m.group(0)
        if tok.startswith("#"):
            continue
        tokens.append((_strip_quotes(tok), text.count("\n", 0, m.start()) + 1))
    return tokens


def _nginx(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    words: list[str] = []
    line = 0
    for tok, no in _nginx_tokens(text):
        if tok in ("{", "}", ";"):
            if words and tok != "}":
                name, args = words[0].lower(), words[1:]
                if name == "include" and tok == ";":
                    for pat in args:
                        out.extend(_include(opener, _rel("/etc/nginx", pat), "nginx", depth, base))
                elif tok == ";":
                    out.append(Entry(name, " ".join(args), path, line))
            words = []
            continue
        if not words:
            line = no
        words.append(tok)
    return out


def _apache(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    root = base
    joined = re.sub(r"\\\n", " ", text)  # continuation lines
    for no, s in _lines(joined):
        if s.startswith("<"):
            continue
        parts = s.split(None, 1)
        name, value = parts[0].lower(), (parts[1] if len(parts) > 1 else "")
        if name == "serverroot":
            root = _strip_quotes(value)
        if name in ("include", "includeoptional"):
            out.extend(_include(opener, _rel(root, _strip_quotes(value)), "apache", depth, root))
            continue
        out.append(Entry(name, _strip_quotes(value), path, no))
    return out


def _redis(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in _lines(text):
        try:
            words = shlex.split(s)
        except ValueError:
            words = s.split()
        if not words:
            continue
        # one argument: unquoted (requirepass "x" → x); several: as written (rename-command X "")
        rest = s.split(None, 1)[1].strip() if len(s.split(None, 1)) > 1 else ""
        key, value = words[0].lower(), (words[1] if len(words) == 2 else rest)
        if key == "include":
            out.extend(_include(opener, _rel(base, value), "redis", depth, base))
            continue
        out.append(Entry(key, value, path, no))
    return out


def _postgresql(text: str, path: str, opener: Opener, depth: int, base: str) -> list[Entry]:
    out: list[Entry] = []
    for no, s in _lines(text):
        m = re.match(r"^([\w.\-]+)\s*(?:=\s*|\s+)('(?:[^']|'')*'|[^#\s]*)", s)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        if key in ("include", "include_if_exists"):
            out.extend(_include(opener, _rel(base, value), "postgresql", depth, base))
        elif key == "include_dir":
            pattern = _rel(base, value).rstrip("/") + "/*.conf"
            out.extend(_include(opener, pattern, "postgresql", depth, base))
        else:
            out.append(Entry(key, value, path, no))
    return out


_PARSERS = {
    "sshd": _sshd,
    "keyvalue": _keyvalue,
    "equals": _equals,
    "ini": _ini,
    "pam": _pam,
    "nginx": _nginx,
    "apache": _apache,
    "redis": _redis,
    "postgresql": _postgresql,
}


def normalise_key(style: str, key: str) -> str:
    if style == "ini":
        section, dot, name = key.rpartition(".")
        return f"{_ini_key(section)}.{_ini_key(name)}" if dot else _ini_key(name)
    return key.strip().lower()
