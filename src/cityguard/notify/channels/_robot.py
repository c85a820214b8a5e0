"""What the three group robots (DingTalk, WeCom, Feishu) share: a token that may be pasted as
the whole webhook URL, a JSON body measured in bytes, and a reply whose HTTP 200 means nothing
until its own code (errcode / code) says 0."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cityguard.notify.channels._http import answered
from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.target import Target
from cityguard.notify.text import Message, json_len


def split_token(value: str, param: str | None) -> tuple[str | None, str]:
    """(base URL or None, token) of a token variable that holds a token or a whole URL (users
    paste the webhook URL where the key was asked for: WeCom's 93000)."""
    if not value.startswith(("http://", "https://")):
        return None, value
    parts = urlsplit(value)
    base = f"{parts.scheme}://{parts.netloc}"
    if param:
        found = parse_qs(parts.query).get(param)
        return base, found[0] if found else ""
    return base, parts.path.rstrip("/").rsplit("/", 1)[-1]


def body(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Robot(Channel):
    """A group robot: POST JSON, then read the code in the reply body."""

    default_base: str = ""
    token_param: str | None = None  # the query parameter holding the token in a pasted URL
    code_field: str = "errcode"
    #: codes that mean "too fast / busy": retried (after a minute unless told otherwise)
    retry_codes: dict[int, float] = {}
    #: codes that are configuration errors: not retried; the value says what to fix
    fixes: dict[int, str] = {}
    required = (("token_env", "token_file", "url_env", "url_file"),)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        raw = target.secret("url", required=False) or target.secret("token") or ""
        base, self.token = split_token(raw, self.token_param)
        if not self.token:
            raise target.problem("the robot token is empty (check token_env / url_env)")
        self.base = (target.opt("base_url") or base or self.default_base).rstrip("/")
        self.sign_secret = target.secret("secret", required=False)
        self.secrets = tuple(s for s in (self.token, self.sign_secret, raw) if s)

    def post_json(self, url: str, data: dict[str, Any], event_id: str, sign: str = "") -> Wire:
        """The request; a signature is shown masked too (valid for an hour, it is a key)."""
        return Wire(target=self.target.name, channel=self.name, method="POST", dest=url,
                    body=body(data), secrets=(*self.secrets, sign), limit=self.limit_bytes(),
                    headers={"Content-Type": "application/json;charset=utf-8",
                             "X-Cityguard-Event": event_id})

    def keyword_text(self, message: Message) -> str:
        """The message within the budget as the JSON body counts it, after the 【keyword】 that
        a robot with a keyword check looks for."""
        keyword = self.target.opt("keyword")
        return message.text(self.budget(), json_len, prefix=f"【{keyword}】" if keyword else "")

    def limit_bytes(self) -> int:
        return self.text_bytes + 2000

    def send(self, wire: Wire) -> Outcome:
        reply = answered(wire, self.timeout, self.target.file("ca_file"))
        if isinstance(reply, Outcome):
            return reply
        data = reply.json()
        if data is None:
            return Outcome.refused("no json", "the reply is not the robot's JSON: is base_url "
                                              "the robot service?")
        code = data.get(self.code_field, data.get("StatusCode"))
        text = wire.mask(str(data.get("errmsg") or data.get("msg") or
                             data.get("StatusMessage") or ""))[:200]
        if code in (0, "0"):
            return Outcome.sent("0", text)
        try:
            number = int(code)
        except (TypeError, ValueError):
            return Outcome.refused(str(code), text)
        if number in self.retry_codes:
            return Outcome.retry(str(number), text, reply.retry_after() or self.retry_codes[number])
        fix = self.fixes.get(number, "")
        return Outcome.refused(str(number), f"{text}{'; ' + fix if fix else ''}")
