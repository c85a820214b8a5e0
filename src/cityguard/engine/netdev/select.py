"""Which checks a target gets: device checks of its own OS family on devices, host checks on
hosts.

A device has no /etc/passwd: running the host library on it would only give a few hundred
`not_applicable` rows per switch, and so would the checks written for the other vendors; a
thousand switches would drown the report. A check is a device check when its
`applies.platform` names `netdev`. A device whose file was refused (binary, truncated, another
vendor's) has no family, so no check of the library can speak for it: it gets the one check
`netdev.configuration_read`, which the fleet turns into one `error` result carrying the
refusal line, instead of one error per check of every family.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from cityguard.engine.spec import Applies, Check
from cityguard.model import Severity
from cityguard.policy.messages import t

#: the id of the one result a refused device file gives (it is not in the library: it never
#: runs, it only stands for the device whose configuration could not be read)
REFUSED_CHECK_ID = "netdev.configuration_read"


def is_device_check(check: Check) -> bool:
    return "netdev" in check.applies.platform


def is_device(target: Any) -> bool:
    return getattr(target, "kind", "") in ("netdev", "netdev_ssh")


@cache
def refused_device_check() -> Check:
    """The stand-in check of a device whose configuration was refused."""
    return Check(
        id=REFUSED_CHECK_ID, severity=Severity.HIGH,
        title_zh=t("netdev.refused.title", "zh"), title_en=t("netdev.refused.title", "en"),
        rationale_zh=t("netdev.refused.rationale", "zh"),
        rationale_en=t("netdev.refused.rationale", "en"),
        remediation_zh=t("netdev.refused.remediation", "zh"),
        remediation_en=t("netdev.refused.remediation", "en"),
        source=__file__, index=0, applies=Applies(platform=("netdev",)),
    )


def checks_for(checks: Sequence[Check], target: Any) -> list[Check]:
    if not is_device(target):
        return [c for c in checks if not is_device_check(c)]
    family = target.facts().os_family
    if family == "unknown":  # the file was refused: one result says so, with its line
        return [refused_device_check()] if any(map(is_device_check, checks)) else []
    return [c for c in checks if is_device_check(c)
            and (not c.applies.os_family or family in c.applies.os_family)]
