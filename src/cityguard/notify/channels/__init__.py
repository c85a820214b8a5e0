"""Notification channels, one module each in this folder (discovered), behind one protocol
(channels/base.py) and one registry keyed by the target `type`.

    CHANNELS.get("dingtalk")(target) -> Channel
"""

from __future__ import annotations

from cityguard.core.registry import Registry, import_modules
from cityguard.notify.channels.base import Channel, Outcome, Wire

__all__ = ["CHANNELS", "Channel", "Outcome", "Wire"]

CHANNELS: Registry[type[Channel]] = Registry("notify channel")

for _module in import_modules(__name__, __path__, skip={"base"}):
    CHANNELS.register_defined(_module, Channel)
