"""Notification channels, one module each in this folder (discovered), behind one protocol
(channels/base.py) and one registry keyed by the target `type`.

    CHANNELS.get("dingtalk")(target) -> Channel
"""

from __future__ import annotations

import importlib
import pkgutil

from cityguard.core.registry import Registry
from cityguard.notify.channels.base import Channel, Outcome, Wire

__all__ = ["CHANNELS", "Channel", "Outcome", "Wire"]

CHANNELS: Registry[type[Channel]] = Registry("notify channel")


def _discover() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name == "base" or mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Channel) and value.name \
                    and value.__module__ == module.__name__:
                CHANNELS.register(value)


_discover()
