"""The one protocol every channel implements, and what passes between it and the deliverer.

    render(message, event, now) -> Wire     pure: the exact bytes, signed afresh; no socket
    send(wire) -> Outcome                   one attempt; the channel's own success code decides

A Wire knows which of its strings are secrets, so `--dry-run`, `notify status` and every error
show it with them masked. An Outcome says whether to retry: network errors, 429 and 5xx and the
channels' "too fast" codes are retried; configuration errors (a bad signature, an unknown
token, a body too large) are final and carry what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote, quote_plus

from cityguard.notify.events import Event
from cityguard.notify.target import Target
from cityguard.notify.text import Message

MASK = "***"


@dataclass
class Wire:
    """One request exactly as it goes out (or would, with --dry-run)."""

    target: str
    channel: str
    method: str  # POST | SYSLOG | SMTP | APPEND
    dest: str  # URL, host:port or path; may hold a secret (masked when shown)
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    limit: int | None = None  # the channel's limit for the body in bytes
    meta: dict[str, Any] = field(default_factory=dict)

    def mask(self, text: str) -> str:
        return mask(text, self.secrets)

    def describe(self) -> str:
        """What would be sent, secrets masked: method, destination, headers, size, body."""
        size = f"{len(self.body)} bytes" + (f" of {self.limit}" if self.limit else "")
        lines = [f"{self.method} {self.mask(self.dest)}  [{self.target}: {self.channel}, {size}]"]
        lines += [f"{k}: {self.mask(v)}" for k, v in self.headers.items()]
        lines.append("")
        lines.append(self.mask(self.body.decode("utf-8", "replace")))
        return "\n".join(lines)


def mask(text: str, secrets: Sequence[str]) -> str:
    """Every secret (and its URL-encoded forms) in `text` replaced by ***."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, MASK)
    return text


@dataclass(frozen=True)
class Outcome:
    ok: bool
    final: bool = False  # not worth retrying: a configuration error or a refusal
    code: str = ""
    detail: str = ""
    retry_after: float | None = None

    @classmethod
    def sent(cls, code: str = "ok", detail: str = "") -> Outcome:
        return cls(True, code=code, detail=detail)

    @classmethod
    def retry(cls, code: str, detail: str, retry_after: float | None = None) -> Outcome:
        return cls(False, code=code, detail=detail, retry_after=retry_after)

    @classmethod
    def refused(cls, code: str, detail: str) -> Outcome:
        return cls(False, final=True, code=code, detail=detail)


class Channel:
    """Base of every channel module (one file each in this folder, discovered)."""

    name: ClassVar[str] = ""
    #: budget of the message text in bytes, as it is measured in the body (JSON-escaped)
    text_bytes: ClassVar[int] = 4000
    #: the published limits of the service (a target's `per_minute` may lower them)
    per_minute: ClassVar[int | None] = None
    per_second: ClassVar[int | None] = None
    #: options a target of this type must have (one of each tuple)
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()

    def __init__(self, target: Target) -> None:
        self.target = target
        self.timeout = float(target.opt("timeout_seconds", 15))

    @classmethod
    def config_problems(cls, options: dict[str, Any]) -> list[tuple[str, str]]:
        """(option, what to fix) for options this channel needs and does not have."""
        out = []
        for group in cls.required:
            if not any(options.get(k) for k in group):
                wanted = " or ".join(f"{k}:" for k in group)
                out.append((group[0], f"needs {wanted}"))
        return out

    def budget(self) -> int:
        return min(int(self.target.opt("max_bytes", self.text_bytes)), self.text_bytes)

    def render(self, message: Message, event: Event, now: float) -> Wire:
        raise NotImplementedError

    def send(self, wire: Wire) -> Outcome:
        raise NotImplementedError

    def close(self) -> None:
        """Release a connection kept between sends (syslog over TCP/TLS)."""
