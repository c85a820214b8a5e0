"""Text: a sentence of cityguard's own, said in English and sayable in any language.

The layers below the face (engine reasons, expectations, scoring's sentences, the gate's
details) must not pick a language, yet a Chinese report must not quote them in English.
A Text is a `str` (its English wording, so every consumer that treats it as text, and the
JSON's existing fields, stay as they were) that also carries the message key of
reports/i18n/messages.yaml and the fields that fill it. `cityguard.policy.messages.text()`
makes one; `messages.say(value, lang)` says it in a language (a plain str as written).

Fields are scalars, Texts (said in the same language) or tuples of them (joined). In JSON a
Text field `x` keeps its English in `x` and gets a sibling `x_msg` = {key, fields}; a Text
inside fields is {key, fields, text} so that its English survives too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class Text(str):
    """English wording + (key, fields) to say it in another language."""

    key: str
    fields: tuple[tuple[str, Any], ...]

    def __new__(cls, en: str = "", key: str = "", fields: Mapping[str, Any] | None = None) -> Text:
        self = super().__new__(cls, en)
        self.key = key
        self.fields = tuple(sorted((fields or {}).items()))
        return self

    def field_map(self) -> dict[str, Any]:
        return dict(self.fields)

    def as_msg(self) -> dict[str, Any]:
        """{key, fields}: the structured form the JSON carries beside the English."""
        return {"key": self.key, "fields": {k: _plain(v) for k, v in self.fields}}

    def __repr__(self) -> str:
        return f"Text({str(self)!r}, key={self.key!r})"


def _plain(value: Any) -> Any:
    if isinstance(value, Text):
        return {**value.as_msg(), "text": str(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _revive(value: Any) -> Any:
    if isinstance(value, dict) and "key" in value:
        return from_msg(str(value.get("text", "")), value)
    if isinstance(value, list):
        return tuple(_revive(v) for v in value)
    return value


def from_msg(en: str, msg: Any) -> str:
    """The value of a JSON field and its `_msg` sibling back as a Text (plain str without)."""
    if not isinstance(msg, dict) or not isinstance(msg.get("key"), str):
        return en
    raw = msg.get("fields") or {}
    return Text(en, msg["key"], {str(k): _revive(v) for k, v in raw.items()})


def msg_of(value: Any) -> dict[str, Any] | None:
    return value.as_msg() if isinstance(value, Text) else None


def msgs_of(values: Iterable[Any]) -> list[dict[str, Any] | None] | None:
    """The `_msg` list beside a list of sentences (None where a sentence is plain), or None
    when no sentence of the list is a Text."""
    out = [msg_of(v) for v in values]
    return out if any(m is not None for m in out) else None


def from_msgs(values: Iterable[str], msgs: Any) -> list[str]:
    """A list of sentences back with its `_msg` list (matched by position)."""
    values = list(values)
    if not isinstance(msgs, list) or len(msgs) != len(values):
        return values
    return [from_msg(v, m) for v, m in zip(values, msgs, strict=True)]


def with_msgs(d: dict[str, Any], obj: Any, names: Iterable[str]) -> dict[str, Any]:
    """`d` with an `<name>_msg` entry for each named attribute of `obj` that is a Text."""
    for name in names:
        msg = msg_of(getattr(obj, name, None))
        if msg is not None:
            d[f"{name}_msg"] = msg
    return d
