"""Every user-facing string, in Simplified Chinese and English, from one file.

`reports/i18n/messages.yaml` maps a dotted key to {zh, en}; sites may add a file with the same
relative path under CITYGUARD_REPORTS to replace single keys. Code asks `t(key, lang, **fields)`;
enumerated values (verdicts, severities, statuses …) are keys `<enum>.<value>` read through
`enum(...)`, which shows an unknown value as itself so a renderer never refuses a document for a
label. The file is loaded on first use (not at import, so `--help` stays fast) and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from cityguard.core.datacache import cached
from cityguard.core.resources import builtin_dir, env_dirs
from cityguard.core.yamlio import load_schema, load_yaml, validate

LANGS = ("zh", "en")
MESSAGES_FILE = "i18n/messages.yaml"


def _load(paths: list[Path]) -> dict[str, tuple[str, str]]:
    schema = load_schema("messages.schema.json")
    merged: dict[str, tuple[str, str]] = {}
    for path in paths:
        data = load_yaml(path)
        validate(data, schema, path)
        merged.update({k: (v["zh"], v["en"]) for k, v in data.items()})
    return merged


@lru_cache(maxsize=1)
def messages() -> dict[str, tuple[str, str]]:
    """key → (zh, en), built-in file first, site files replacing single keys."""
    builtin, *site = _files()
    return cached("messages", [builtin, *site], lambda: _load([builtin, *site]))


def _files() -> list[Path]:
    files = [builtin_dir("reports") / MESSAGES_FILE]
    files += [d / MESSAGES_FILE for d in env_dirs("reports") if (d / MESSAGES_FILE).is_file()]
    return files


def has(key: str) -> bool:
    return key in messages()


def pair(key: str) -> tuple[str, str]:
    """(zh, en) of a key; the key itself twice when unknown (a missing label shows, not crashes)."""
    return messages().get(key, (key, key))


def t(key: str, lang: str, /, **fields: object) -> str:
    """The message in `lang` ('zh' or 'en'), `{field}` placeholders filled."""
    zh, en = pair(key)
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def enum(group: str, value: object, lang: str) -> str:
    """Label of an enumerated value (`verdict`, 'compliant' → 符合); unknown values as written."""
    raw = getattr(value, "value", value)
    if raw is None:
        return ""
    key = f"{group}.{raw}"
    return t(key, lang) if key in messages() else str(raw)


def translator(lang: str, prefix: str = "") -> Callable[..., str]:
    """`t(key, **fields)` bound to a language (and a key prefix), for templates."""

    def bound(key: str, **fields: object) -> str:
        return t(prefix + key, lang, **fields)

    return bound


def pick(zh: str, en: str, lang: str) -> str:
    """A bilingual pair of a data file (title_zh / title_en): the other one when one is empty."""
    return (en or zh) if lang == "en" else (zh or en)
