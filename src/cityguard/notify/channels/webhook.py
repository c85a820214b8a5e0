"""A generic JSON webhook signed as Standard Webhooks 1.0 says (webhook-id, -timestamp,
-signature), plus GitHub's X-Hub-Signature-256 for receivers that only know that one.

The body: {"type": "cityguard.<event kind>", "timestamp": RFC 3339, "data": {…}}. webhook-id is
the event id, the same on every retry: receivers deduplicate on it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime, timezone

from cityguard.notify.channels._http import exchange, http_outcome
from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.target import Target
from cityguard.notify.text import Message, json_len


def signing_key(secret: str) -> bytes:
    """A `whsec_`-prefixed secret is base64 (Standard Webhooks); any other is used as text."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret[6:], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode("utf-8")


def standard_signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def github_signature(key: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


MAX_BODY = 20000


def _body(kind: str, stamp: str, data: dict[str, object]) -> bytes:
    return json.dumps({"type": f"cityguard.{kind}", "timestamp": stamp, "data": data},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Webhook(Channel):
    name = "webhook"
    text_bytes = 16000  # the spec advises payloads under 20 KB
    required = (("url", "url_env", "url_file"),)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.url = target.opt("url") or target.secret("url") or ""
        self.secret = target.secret("secret", required=False)
        self.key = signing_key(self.secret) if self.secret else None
        self.secrets = tuple(s for s in (self.secret, self.url if not target.opt("url")
                                         else None) if s)

    def render(self, message: Message, event: Event, now: float) -> Wire:
        stamp = datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds")
        data = {
            "id": event.id, "kind": event.kind, "system": event.system,
            "severity": event.severity, "level": event.level, "department": event.department,
            "title": message.title, "text": message.text(self.budget(), json_len),
            "counts": event.counts, "facts": event.facts,
        }
        body = _body(event.kind, stamp, data)
        if len(body) > MAX_BODY:  # the lists go, the counts and the text stay
            data["facts"] = {k: v for k, v in event.facts.items() if not isinstance(v, list)}
            data["facts_cut"] = True
            body = _body(event.kind, stamp, data)
        ts = str(int(now))
        headers = {"Content-Type": "application/json", "webhook-id": event.id,
                   "webhook-timestamp": ts}
        if self.key is not None:
            headers["webhook-signature"] = standard_signature(self.key, event.id, ts, body)
            headers["X-Hub-Signature-256"] = github_signature(self.key, body)
        return Wire(target=self.target.name, channel=self.name, method="POST", dest=self.url,
                    body=body, headers=headers, secrets=self.secrets, limit=MAX_BODY)

    def send(self, wire: Wire) -> Outcome:
        reply = exchange(wire, self.timeout, self.target.file("ca_file"))
        if isinstance(reply, Outcome):
            return reply
        if reply.status == 410:  # the receiver asks to be left alone
            return Outcome.refused("http 410", "the receiver disabled this endpoint (410 Gone)")
        return http_outcome(reply) or Outcome.sent(f"http {reply.status}")
