"""WeCom (企业微信) group robot: text message; the key alone is the credential."""

from __future__ import annotations

from cityguard.notify.channels._robot import Robot
from cityguard.notify.channels.base import Wire
from cityguard.notify.events import Event
from cityguard.notify.text import Message, utf8_len


class WeCom(Robot):
    name = "wecom"
    default_base = "https://qyapi.weixin.qq.com"
    token_param = "key"
    text_bytes = 2048  # text content: at most 2048 bytes
    per_minute = 20
    retry_codes = {45009: 60.0, -1: 30.0}  # -1: system busy
    fixes = {
        93000: "invalid webhook URL: token_env must hold the robot key (or the whole webhook "
               "URL)",
        40058: "the message is too long (lower max_bytes)",
        40008: "invalid message type",
    }

    def limit_bytes(self) -> int:
        return self.text_bytes + 512

    def render(self, message: Message, event: Event, now: float) -> Wire:
        content = message.text(self.budget(), utf8_len)
        text: dict[str, object] = {"content": content}
        mobiles = [str(m) for m in self.target.opt("mention_mobiles") or ()]
        if mobiles:
            text["mentioned_mobile_list"] = mobiles
        return self.post_json(f"{self.base}/cgi-bin/webhook/send?key={self.token}",
                              {"msgtype": "text", "text": text}, event.id)
