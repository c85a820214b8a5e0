"""Small builders for scoring tests: catalog items, check results, findings, assets."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cityguard.model import Asset, CheckResult, CheckStatus, Finding, Item, Severity
from cityguard.policy.catalog import load_catalog, make_selection, select_items
from cityguard.scoring import ScoringInput, evaluate, load_threats
from cityguard.scoring.config import resolve_config


def item(
    unit_id: str = "L3-CES1-01",
    importance: str = "general",
    control_point: str = "身份鉴别",
    class_code: str | None = None,
) -> Item:
    cls = class_code or unit_id.split("-")[1][:3]
    return Item(
        unit_id=unit_id, clause="8.1.4.1", item_letter="a", level=int(unit_id[1]),
        part="general", class_code=cls, class_zh=cls, class_en=cls,
        control_point_zh=control_point, control_point_en=control_point, sa_tag="G",
        summary_zh="", summary_en="", assessed_by=("automated_check",), importance=importance,
    )


def result(
    check_id: str,
    status: str = "fail",
    units: tuple[str, ...] = ("L3-CES1-01",),
    asset: str = "web01",
    severity: str = "high",
    waived: bool = False,
) -> CheckResult:
    return CheckResult(
        check_id=check_id, asset=asset, status=CheckStatus(status), severity=Severity(severity),
        unit_ids=units, title_en=check_id, waived=waived,
    )


def finding(
    rule_id: str = "10001",
    severity: str = "high",
    asset_key: str = "10.0.0.5",
    units: tuple[str, ...] = ("L3-CES1-21",),
    title: str = "Some vulnerability",
    tags: tuple[str, ...] = ("vuln",),
    cves: tuple[str, ...] = (),
    cwes: tuple[str, ...] = (),
    status: str = "open",
) -> Finding:
    return Finding(
        tool="nessus", format="nessus", asset_kind="host", asset_key=asset_key, rule_id=rule_id,
        title=title, severity=Severity(severity), tags=tags, cves=cves, cwes=cwes,
        unit_ids=units, status=status, location="443/tcp",
    )


def asset(asset_id: str = "web01", **kw: Any) -> Asset:
    return Asset(id=asset_id, **kw)


def config(**overrides: Any) -> dict[str, Any]:
    """The built-in configuration with `overrides` merged (nested dicts merge)."""
    return resolve_config(overrides or None)


@lru_cache(maxsize=1)
def threats() -> tuple[dict[str, Any], ...]:
    return tuple(load_threats())


@lru_cache(maxsize=4)
def real_items(level: int = 3) -> tuple[Item, ...]:
    return tuple(select_items(load_catalog(), make_selection(level)))


@lru_cache(maxsize=1)
def real_cases() -> tuple[Any, ...]:
    return tuple(load_catalog().high_risk_cases)


def run(items: list[Item], **kw: Any):
    """evaluate() with no high-risk rules unless given, the real threat catalog."""
    kw.setdefault("high_risk_rules", [])
    kw.setdefault("threats", list(threats()))
    return evaluate(ScoringInput(items=items, **kw))
