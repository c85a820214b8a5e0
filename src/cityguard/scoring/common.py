"""Small helpers shared by the scoring modules: verdict order, severities, asset resolution."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from cityguard.model import Asset, Finding, Item, Severity, Verdict

#: worst first: a verdict "raised" moves right in this order
RAISE_ORDER = ("non_compliant", "partial", "compliant")

#: item score of the report template (not_assessed scores 0 in every rate: a gap never helps)
SCORE = {"compliant": 1.0, "partial": 0.5, "non_compliant": 0.0, "not_assessed": 0.0}

VERDICT_EN = {
    "compliant": "compliant",
    "partial": "partially compliant",
    "non_compliant": "non-compliant",
    "not_applicable": "not applicable",
    "not_assessed": "not assessed",
}


def zh(verdict: str) -> str:
    return Verdict(verdict).zh


def worse(a: str, b: str) -> str:
    """The worse of two scored verdicts (non_compliant < partial < compliant)."""
    return a if RAISE_ORDER.index(a) <= RAISE_ORDER.index(b) else b


def severity(value: Severity | str) -> Severity:
    return value if isinstance(value, Severity) else Severity.parse(str(value))


def at_least(value: Severity | str, floor: Severity | str) -> bool:
    return severity(value).rank >= severity(floor).rank


def round_half_up(x: float, decimals: int = 0) -> float:
    """Rounding as people do it by hand (2.5 → 3), not banker's rounding."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP))


def iround(x: float) -> int:
    return int(round_half_up(x, 0))


def fmt(x: float, decimals: int = 1) -> str:
    """A number as printed in a formula: no trailing zeros beyond what the value needs."""
    r = round_half_up(x, decimals)
    if math.isclose(r, round(r)):
        return str(int(round(r)))
    return f"{r:.{decimals}f}".rstrip("0").rstrip(".")


_PART_DIGIT = {"general": "1", "cloud": "2", "mobile": "3", "iot": "4", "ics": "5"}


def item_key(item: Item) -> str:
    """Control-point key as in GB/T 28448 unit ids: `CES1/身份鉴别` (class, part digit, name).

    The same control-point name exists in several parts (general and cloud 访问控制), so the
    part is part of the key; the informative big-data annex has no digit: `CES-bigdata/…`.
    """
    digit = _PART_DIGIT.get(item.part)
    code = f"{item.class_code}{digit}" if digit else f"{item.class_code}-{item.part}"
    return f"{code}/{item.control_point_zh}"


def cp_name(item: Item) -> str:
    """Class and control point as threat catalogs name it: `CES/身份鉴别`."""
    return f"{item.class_code}/{item.control_point_zh}"


# ---------------------------------------------------------------------------------------------
# which asset a finding belongs to


def _host_of(text: str) -> str:
    text = text.strip()
    if "://" in text:
        host = urlsplit(text).hostname or ""
        return host.lower()
    if text.count(":") == 1:  # host:port
        return text.split(":", 1)[0].lower()
    return text.lower()


class AssetIndex:
    """Resolves a finding's asset key (ip, hostname, url) to a declared asset id."""

    def __init__(self, assets: Sequence[Asset]) -> None:
        self.assets = {a.id: a for a in assets}
        self._keys: dict[str, str] = {}
        for a in assets:
            names = [a.id, a.name, *a.tags]
            if a.target.startswith("ssh://"):
                names.append(_host_of(a.target))
            for n in names:
                if n:
                    self._keys.setdefault(n.strip().lower(), a.id)
                    self._keys.setdefault(_host_of(n), a.id)

    def resolve(self, finding: Finding) -> str:
        key = finding.asset_key.strip()
        for candidate in (key.lower(), _host_of(key)):
            if candidate in self._keys:
                return self._keys[candidate]
        return key

    def get(self, asset_id: str) -> Asset | None:
        return self.assets.get(asset_id)

    def internet_facing(self, asset_id: str) -> bool:
        a = self.assets.get(asset_id)
        return bool(a and a.internet_facing)


def is_open(finding: Finding, open_statuses: Iterable[str]) -> bool:
    return finding.status in set(open_statuses)
