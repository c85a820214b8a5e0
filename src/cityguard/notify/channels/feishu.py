"""Feishu / Lark (飞书) custom bot: text message, signed when a secret is given (Lark: set
base_url to https://open.larksuite.com)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cityguard.notify.channels._robot import Robot
from cityguard.notify.channels.base import Wire
from cityguard.notify.events import Event
from cityguard.notify.text import Message


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """base64(HMAC-SHA256(key="{timestamp}\\n{secret}", message=b"")): Feishu's own scheme."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class Feishu(Robot):
    name = "feishu"
    default_base = "https://open.feishu.cn"
    code_field = "code"
    text_bytes = 18000  # the body may hold 20 KB (9499 above)
    per_minute = 100
    per_second = 5
    retry_codes = {11232: 60.0, 99991400: 60.0, 99991401: 60.0}
    fixes = {
        19021: "the signature did not match or the timestamp is off by over an hour: check "
               "secret_env and this host's clock",
        19022: "this host's IP is not on the bot's allow-list",
        19024: "the bot's keyword is not in the message: set the keyword option",
        9499: "the request was refused as malformed or too large (lower max_bytes)",
        19001: "the bot token is wrong: check token_env",
    }

    def render(self, message: Message, event: Event, now: float) -> Wire:
        data: dict[str, object] = {"msg_type": "text",
                                   "content": {"text": self.keyword_text(message)}}
        sign = ""
        if self.sign_secret:
            ts = str(int(now))
            sign = feishu_sign(self.sign_secret, ts)
            data = {"timestamp": ts, "sign": sign, **data}
        return self.post_json(f"{self.base}/open-apis/bot/v2/hook/{self.token}", data, event.id,
                              sign)
