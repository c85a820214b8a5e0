"""Every user-facing string, in Simplified Chinese and English, from one file.

`reports/i18n/messages.yaml` maps a dotted key to {zh, en}; sites may add a file with the same
relative path under CITYGUARD_REPORTS to replace single keys. Code asks `t(key, lang, **fields)`;
enumerated values (verdicts, severities, statuses …) are keys `<enum>.<value>` read through
`enum(...)`, which shows an unknown value as itself so a renderer never refuses a document for a
label. The file is loaded on first use (not at import, so `--help` stays fast) and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from cityguard.core.datacache import cached
from cityguard.core.resources import builtin_dir, env_dirs
from cityguard.core.yamlio import load_schema, load_yaml, validate
from cityguard.model.text import Text

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


def text(key: str, /, **fields: object) -> Text:
    """A sentence of cityguard's own for the layers below the face: its English now, its key
    and fields to say it in any language later (`say`). A list or tuple field is joined: as
    sentences ("a; b", `text.sep`) when the field is named `items`, else as a list of values
    ("a, b", `text.comma`)."""
    kept = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    # the stored English keeps inner sentences as written (an enum value stays `high`, as
    # the JSON always had it); saying it in a report uses their labels
    return Text(_said(key, "en", kept, raw=True), key, kept)


def joined(parts: Iterable[object]) -> str:
    """Several sentences as one ("a; b", "a；b" in Chinese); one as itself, none as ""."""
    kept = tuple(p for p in parts if p)
    if len(kept) <= 1:
        return str(kept[0]) if kept and not isinstance(kept[0], Text) else (kept[0] if kept else "")
    return text("text.items", items=kept)


def say(value: object, lang: str) -> str:
    """A Text in `lang` (English too is said from its key: a Text may keep an older wording
    as its str, like a manual check's "问题 / question"); anything else as written."""
    if value is None:
        return ""
    if isinstance(value, Text) and value.key and value.key in messages():
        return _said(value.key, lang, value.field_map())
    return str(value)


def _said(key: str, lang: str, fields: dict[str, object], raw: bool = False) -> str:
    said = {k: _field(k, v, lang, raw) for k, v in fields.items()}
    for name in {k[:-3] for k in fields if k.endswith(("_zh", "_en"))}:
        # a bilingual pair of data (title_zh / title_en) fills `{title}` in the language
        said.setdefault(name, pick(str(said.get(f"{name}_zh") or ""),
                                   str(said.get(f"{name}_en") or ""), lang))
    return t(key, lang, **said)


def _field(name: str, value: object, lang: str, raw: bool) -> object:
    if isinstance(value, tuple):
        sep = t("text.sep" if name == "items" else "text.comma", lang)
        return sep.join(str(v) if raw else say(v, lang) for v in value)
    if isinstance(value, Text):
        return str(value) if raw else say(value, lang)
    return value


def enum_text(group: str, value: object) -> str:
    """An enumerated value inside a sentence: the raw value in English (as the JSON always
    had it), its label `<group>.<value>` when said in a report (a plain str without a label)."""
    raw = str(getattr(value, "value", value))
    key = f"{group}.{raw}"
    return Text(raw, key) if key in messages() else raw


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
