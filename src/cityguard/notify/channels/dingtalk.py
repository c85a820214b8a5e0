"""DingTalk (钉钉) custom group robot: text message, signed (加签) when a secret is given."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

from cityguard.notify.channels._robot import Robot
from cityguard.notify.channels.base import Wire
from cityguard.notify.events import Event
from cityguard.notify.text import Message


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")), URL-encoded once."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalk(Robot):
    name = "dingtalk"
    default_base = "https://oapi.dingtalk.com"
    token_param = "access_token"
    text_bytes = 18000  # the body may hold 20000 bytes (460101 above)
    per_minute = 20  # then a 10-minute ban
    retry_codes = {130101: 60.0}
    fixes = {
        310000: "the signature, keyword or IP allow-list did not match: check secret_env (加签), "
                "the keyword option and this host's clock",
        300001: "the access token is wrong: check token_env",
        400102: "the robot is stopped: enable it in the group settings",
        460101: "the message is too large (lower max_bytes)",
    }

    def render(self, message: Message, event: Event, now: float) -> Wire:
        content = self.keyword_text(message)
        mobiles = [str(m) for m in self.target.opt("mention_mobiles") or ()]
        if mobiles:  # DingTalk rings only who is also @-named in the text
            content += "\n" + " ".join(f"@{m}" for m in mobiles)
        url = f"{self.base}/robot/send?access_token={self.token}"
        sign = ""
        if self.sign_secret:
            ts = str(int(now * 1000))
            sign = dingtalk_sign(self.sign_secret, ts)
            url += f"&timestamp={ts}&sign={sign}"
        data = {"msgtype": "text", "text": {"content": content},
                "at": {"atMobiles": mobiles, "isAtAll": False}}
        return self.post_json(url, data, event.id, sign)
