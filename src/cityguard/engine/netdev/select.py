"""Which checks a target gets: device checks on devices, host checks on hosts.

A device has no /etc/passwd: running the host library on it would only give a few hundred
`not_applicable` rows per switch, and a thousand switches would drown the report. A check is a
device check when its `applies.platform` names `netdev`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cityguard.engine.spec import Check


def is_device_check(check: Check) -> bool:
    return "netdev" in check.applies.platform


def is_device(target: Any) -> bool:
    return getattr(target, "kind", "") in ("netdev", "netdev_ssh")


def checks_for(checks: Sequence[Check], target: Any) -> list[Check]:
    device = is_device(target)
    return [c for c in checks if is_device_check(c) == device]
