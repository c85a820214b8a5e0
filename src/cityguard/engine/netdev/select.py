"""Which checks a target gets: device checks of its own OS family on devices, host checks on
hosts.

A device has no /etc/passwd: running the host library on it would only give a few hundred
`not_applicable` rows per switch, and so would the checks written for the other vendors; a
thousand switches would drown the report. A check is a device check when its
`applies.platform` names `netdev`; a device whose family is unknown (its file was refused)
keeps every device check, so that each can say it could not run.
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
    if not is_device(target):
        return [c for c in checks if not is_device_check(c)]
    family = target.facts().os_family
    return [c for c in checks if is_device_check(c)
            and (family == "unknown" or not c.applies.os_family or family in c.applies.os_family)]
