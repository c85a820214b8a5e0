"""The risk register of GB/T 20984-2022: R = R(L(T, V), F(Ia, Va)).

Vulnerabilities are the failed checks and the open findings; each is paired with one threat
of policies/risk/threats.yaml (see that file for the matching order), valued on the asset it
was found on, and rated by the matrix method (default) or the multiplication method.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from cityguard.model import Asset, CheckResult, Finding, Item, Risk
from cityguard.scoring.common import AssetIndex, at_least, cp_name, iround, severity

LEVEL_ZH = {1: "很低", 2: "低", 3: "中", 4: "高", 5: "很高"}
LEVEL_EN = {1: "very low", 2: "low", 3: "medium", 4: "high", 5: "very high"}


@dataclass
class Vulnerability:
    key: str  # check id, or finding fingerprint
    kind: str  # check | finding
    asset: str
    title: str
    severity: str
    unit_ids: list[str]
    tags: tuple[str, ...] = ()
    has_cve: bool = False
    remediation_zh: str = ""
    remediation_en: str = ""


def asset_value(asset: Asset | None, cfg: dict[str, Any]) -> int:
    """Ia: the asset's own value, else derived from C/I/A, else the configured default."""
    acfg = cfg["risk"]["asset_value"]
    if asset is not None and asset.value:
        return max(1, min(5, int(asset.value)))
    cia = (asset.cia if asset is not None else None) or {}
    vals = [int(cia[k]) for k in ("c", "i", "a") if cia.get(k)]
    if len(vals) == 3 and acfg["from_cia"] == "log2":
        # GB/T 20984-2007 example: round(log2((2^C + 2^I + 2^A) / 3))
        return max(1, min(5, iround(math.log2(sum(2**v for v in vals) / 3))))
    if vals:
        return max(1, min(5, max(vals)))
    return int(acfg["default"])


def vulnerabilities(
    results: Sequence[CheckResult],
    findings: Sequence[Finding],
    assets: AssetIndex,
    selected: set[str],
    cfg: dict[str, Any],
) -> list[Vulnerability]:
    rcfg = cfg["risk"]
    open_statuses = set(cfg["verdicts"]["findings"]["open_statuses"])
    out = []
    for r in results:
        if r.status.value != "fail" or (r.waived and not rcfg["include_waived"]):
            continue
        out.append(Vulnerability(
            key=r.check_id, kind="check", asset=r.asset,
            title=r.title_en or r.title_zh or r.check_id,
            severity=r.severity.value, unit_ids=[u for u in r.unit_ids if u in selected],
            remediation_zh=r.remediation_zh, remediation_en=r.remediation_en,
        ))
    for f in findings:
        if f.status not in open_statuses or not at_least(f.severity, rcfg["min_finding_severity"]):
            continue
        out.append(Vulnerability(
            key=f.fingerprint, kind="finding", asset=assets.resolve(f), title=f.title,
            severity=severity(f.severity).value, unit_ids=[u for u in f.unit_ids if u in selected],
            tags=tuple(f.tags), has_cve=bool(f.cves),
            remediation_zh=f.solution, remediation_en=f.solution,
        ))
    return out


def pick_threat(
    v: Vulnerability, threats: Sequence[dict[str, Any]], items: dict[str, Item], default: str
) -> dict[str, Any]:
    """Explicit match (check glob, finding tag, CVE) → control point → class → default."""
    for t in threats:
        if v.kind == "check" and any(fnmatchcase(v.key, p) for p in t.get("checks", ())):
            return t
        if v.kind == "finding" and (
            set(v.tags) & set(t.get("finding_tags", ())) or (t.get("cve") and v.has_cve)
        ):
            return t
    its = [items[u] for u in v.unit_ids if u in items]
    for t in threats:
        if any(cp_name(i) in t.get("control_points", ()) for i in its):
            return t
    for t in threats:
        if any(i.class_code in t.get("classes", ()) for i in its):
            return t
    for t in threats:
        if t["id"] == default:
            return t
    return threats[-1]


def rate(t: int, v: int, ia: int, cfg: dict[str, Any]) -> tuple[int, int, int, int]:
    """(likelihood, loss, risk value, level) for threat frequency t, severity v, asset value ia."""
    rcfg = cfg["risk"]
    if rcfg["method"] == "matrix":
        likelihood = rcfg["likelihood_matrix"][t - 1][v - 1]
        loss = rcfg["loss_matrix"][ia - 1][v - 1]
        value = rcfg["risk_matrix"][likelihood - 1][loss - 1]
    else:
        likelihood = iround(math.sqrt(t * v))
        loss = iround(math.sqrt(ia * v))
        value = likelihood * loss
    bounds = rcfg["boundaries"][rcfg["method"]]
    level = next((i + 1 for i, b in enumerate(bounds) if value <= b), 5)
    return likelihood, loss, value, level


def register(
    results: Sequence[CheckResult],
    findings: Sequence[Finding],
    assets: AssetIndex,
    items: Sequence[Item],
    threats: Sequence[dict[str, Any]],
    cfg: dict[str, Any],
) -> list[Risk]:
    rcfg = cfg["risk"]
    by_id = {i.unit_id: i for i in items}
    scale = rcfg["severity_scale"]
    priority = {int(k): int(p) for k, p in rcfg["priority_by_level"].items()}
    out = []
    seen: set[str] = set()
    for v in vulnerabilities(results, findings, assets, set(by_id), cfg):
        t = pick_threat(v, threats, by_id, rcfg["default_threat"])
        ia = asset_value(assets.get(v.asset), cfg)
        facing = assets.internet_facing(v.asset)
        freq = int(rcfg["frequencies"].get(t["id"], t["frequency"]))
        if facing and "internet_facing_frequency" in t and t["id"] not in rcfg["frequencies"]:
            freq = int(t["internet_facing_frequency"])
        va = int(scale[v.severity])
        likelihood, loss, value, level = rate(freq, va, ia, cfg)
        rid = "R-" + hashlib.sha256(f"{v.asset}\x1f{t['id']}\x1f{v.key}".encode()).hexdigest()[:10]
        if rid in seen:  # the same check failing twice on one asset is one risk
            continue
        seen.add(rid)
        out.append(Risk(
            id=rid, asset=v.asset, threat_id=t["id"], threat_zh=t["name_zh"],
            threat_en=t["name_en"], vulnerability=v.key, vulnerability_title=v.title,
            asset_value=ia, threat_frequency=freq, vulnerability_severity=va,
            likelihood=likelihood, loss=loss, risk_value=value, level=level,
            level_zh=LEVEL_ZH[level], priority=priority[level], unit_ids=sorted(v.unit_ids),
            remediation_zh=v.remediation_zh or t.get("remediation_zh", ""),
            remediation_en=v.remediation_en or t.get("remediation_en", ""),
            level_en=LEVEL_EN[level], vulnerability_kind=v.kind, method=rcfg["method"],
        ))
    out.sort(key=lambda r: (-r.level, -r.risk_value, -r.asset_value,
                            -r.vulnerability_severity, r.asset, r.id))
    return out
