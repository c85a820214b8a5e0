"""Splunk HTTP Event Collector: events as concatenated JSON objects, `Authorization: Splunk
TOKEN`; success is HEC's own `code` 0, server busy (9) is retried, a bad token (4), bad data (6)
or an index the token may not write (7) are configuration errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cityguard.notify.channels._http import exchange
from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.siem.ecs import to_ecs
from cityguard.notify.siem.records import event_record
from cityguard.notify.target import Target
from cityguard.notify.text import Message, utf8_len

FIXES = {
    1: "token disabled: enable the HEC token", 2: "token required: check token_env",
    3: "invalid authorization", 4: "invalid token: check token_env",
    5: "no data", 6: "invalid data format", 7: "incorrect index: the token may not write "
    "to this index (index option)", 10: "data channel missing: switch indexer acknowledgement "
    "off for this token", 14: "disabled",
}


class SplunkHec(Channel):
    name = "splunk_hec"
    text_bytes = 32 * 1024
    required = (("url", "url_env", "url_file"), ("token_env", "token_file"))

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.url = (target.opt("url") or target.secret("url") or "").rstrip("/")
        self.token = target.secret("token") or ""
        self.meta = {"source": "cityguard", "sourcetype": target.opt("sourcetype", "_json")}
        if target.opt("index"):
            self.meta["index"] = str(target.opt("index"))

    def batch(self, events: Iterable[tuple[float, dict[str, Any]]]) -> Wire:
        body = b"".join(json.dumps({"time": round(when, 3), **self.meta, "event": doc},
                                   ensure_ascii=False, separators=(",", ":")).encode("utf-8")
                        for when, doc in events)
        return Wire(target=self.target.name, channel=self.name, method="POST",
                    dest=f"{self.url}/services/collector/event", body=body,
                    headers={"Authorization": f"Splunk {self.token}",
                             "Content-Type": "application/json"},
                    secrets=(self.token,))

    def render(self, message: Message, event: Event, now: float) -> Wire:
        rec = event_record(event, message.title, message.text(self.budget(), utf8_len))
        return self.batch([(event.created or now, to_ecs(rec))])

    def send(self, wire: Wire) -> Outcome:
        reply = exchange(wire, self.timeout, self.target.file("ca_file"))
        if isinstance(reply, Outcome):
            return reply
        data = reply.json() or {}
        code = data.get("code")
        text = str(data.get("text", ""))[:200]
        if 200 <= reply.status < 300 and code in (0, None):
            return Outcome.sent("0")
        if code == 9 or reply.status in (429, 502, 503, 504) or reply.status >= 500 and \
                code is None:
            return Outcome.retry(f"hec {code}" if code is not None else f"http {reply.status}",
                                 text, reply.retry_after())
        fix = FIXES.get(code, "") if isinstance(code, int) else ""
        extra = f" (invalid event {data['invalid-event-number']})" \
            if "invalid-event-number" in data else ""
        return Outcome.refused(f"hec {code}" if code is not None else f"http {reply.status}",
                               f"{text}{extra}{'; ' + fix if fix else ''}")
