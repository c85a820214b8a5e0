"""Elasticsearch / OpenSearch bulk API: `create` actions with the record's id as `_id`, so a
retry of something already indexed answers 409 (counted as delivered), never a duplicate.

HTTP 200 says little: every item has its own status (201 created, 409 already there, 429
retry, anything else refused with its reason).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from cityguard.notify.channels._http import answered
from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.siem.ecs import to_ecs
from cityguard.notify.siem.records import event_record
from cityguard.notify.target import Target
from cityguard.notify.text import Message, utf8_len


class Elastic(Channel):
    name = "elastic"
    text_bytes = 32 * 1024
    required = (("url", "url_env", "url_file"),)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.url = (target.opt("url") or target.secret("url") or "").rstrip("/")
        self.index = str(target.opt("index", "cityguard-events"))
        self.token = target.secret("token", required=False)  # an API key (id:key base64)
        self.password = target.secret("password", required=False)
        self.headers = {"Content-Type": "application/x-ndjson"}
        if self.token:
            self.headers["Authorization"] = f"ApiKey {self.token}"
        elif target.opt("username"):
            pair = f"{target.opt('username')}:{self.password or ''}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        self.secrets = tuple(s for s in (self.token, self.password,
                                         self.headers.get("Authorization", "")[6:]) if s)

    def bulk(self, docs: Iterable[tuple[str, dict[str, Any]]]) -> Wire:
        lines = []
        for doc_id, doc in docs:
            lines.append(json.dumps({"create": {"_index": self.index, "_id": doc_id}}))
            lines.append(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        return Wire(target=self.target.name, channel=self.name, method="POST",
                    dest=f"{self.url}/_bulk", body=("\n".join(lines) + "\n").encode("utf-8"),
                    headers=dict(self.headers), secrets=self.secrets)

    def render(self, message: Message, event: Event, now: float) -> Wire:
        rec = event_record(event, message.title, message.text(self.budget(), utf8_len))
        return self.bulk([(event.id, to_ecs(rec))])

    def send(self, wire: Wire) -> Outcome:
        results = self.send_items(wire)
        if isinstance(results, Outcome):
            return results
        return results[0] if results else Outcome.refused("empty", "no item in the reply")

    def send_items(self, wire: Wire) -> Outcome | list[Outcome]:
        """One bulk request; an outcome per item, in order (or one for the whole request)."""
        reply = answered(wire, self.timeout, self.target.file("ca_file"))
        if isinstance(reply, Outcome):
            return reply
        data = reply.json()
        if data is None or not isinstance(data.get("items"), list):
            return Outcome.refused("no bulk reply", "the reply is not a bulk API answer: is "
                                                    "url the cluster's address?")
        return [item_outcome(item) for item in data["items"]]


def item_outcome(item: dict[str, Any]) -> Outcome:
    result = next(iter(item.values()), {}) if isinstance(item, dict) else {}
    status = int(result.get("status", 0) or 0)
    if status in (200, 201):
        return Outcome.sent(str(status))
    if status == 409:  # create with a fixed _id: it is there already
        return Outcome.sent("409", "already indexed")
    error = result.get("error") or {}
    reason = f"{error.get('type', '')}: {error.get('reason', '')}"[:300]
    if status == 429 or status >= 500:
        return Outcome.retry(str(status), reason)
    return Outcome.refused(str(status), reason)
