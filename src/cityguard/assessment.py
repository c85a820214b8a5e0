"""Orchestration of one assessment: selection → checks → targets → results → Assessment.

Each step is a function of its own so that the steps other capabilities bring (importing
scan files through ingest/, scoring through scoring/) slot in between `run_checks` and the
finished record without touching the others. Until they are wired, run_assessment does not
call them, and `pending_inputs` names the inputs that were accepted but not processed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cityguard import __version__
from cityguard.errors import UsageError
from cityguard.model import (
    Assessment,
    Asset,
    Catalog,
    CheckResult,
    CheckStatus,
    Item,
    Selection,
    Severity,
    SystemInfo,
)

DEFAULT_JOBS = 4


@dataclass
class AssessRequest:
    level: int | None = None
    grade: str | None = None
    extensions: Sequence[str] = ()
    targets: Sequence[str] = ("local",)
    checks_dirs: Sequence[str] = ()
    policies_dirs: Sequence[str] = ()
    only: Sequence[str] = ()  # check ids or unit ids (comma-separated entries allowed)
    skip: Sequence[str] = ()
    jobs: int = DEFAULT_JOBS
    lang: str = "zh"
    scans: Sequence[str] = ()  # scanner files to import (wired by ingest/)
    answers: str | None = None  # answers file for manual items (wired by evidence/)
    system: str | None = None  # cityguard.yaml system manifest
    probe_timeout: float = 10.0


@dataclass
class Plan:
    """What will run: the selection, its items, the checks and the unit ids each gives."""

    selection: Selection
    catalog: Catalog
    items: list[Item]
    checks: list[Any]  # engine.Check
    unit_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _tokens(values: Sequence[str]) -> list[str]:
    return [t.strip() for v in values for t in str(v).split(",") if t.strip()]


def plan_assessment(req: AssessRequest) -> Plan:
    from cityguard.catalog import load_catalog, make_selection, select_items
    from cityguard.checkmap import load_checkmap
    from cityguard.engine import load_library

    if req.jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {req.jobs})")
    selection = make_selection(req.level, req.grade, req.extensions)
    catalog = load_catalog(req.policies_dirs)
    items = select_items(catalog, selection)
    selected = {i.unit_id for i in items}
    # S/A grading picks items of two levels: each level's own mapping gives their unit ids
    mapped: dict[str, list[str]] = {}
    for level in sorted({i.level for i in items} | {selection.level}):
        for cid, units in load_checkmap(level, req.policies_dirs, catalog).items():
            mapped.setdefault(cid, []).extend(u for u in units if u in selected)
    library = load_library(req.checks_dirs)
    unit_ids = {c.id: tuple(mapped.get(c.id, ())) for c in library}
    chosen = [c for c in library
              if unit_ids[c.id] or (c.id not in mapped and not _is_builtin(c.source))]
    chosen = _apply_only_skip(req, library, chosen, unit_ids, catalog, selected)
    return Plan(selection, catalog, items, chosen, unit_ids)


def _is_builtin(source: str) -> bool:
    from cityguard.resources import builtin_dir

    return Path(source).resolve().is_relative_to(builtin_dir("checks").resolve())


def _apply_only_skip(req: AssessRequest, library: list[Any], chosen: list[Any],
                     unit_ids: dict[str, tuple[str, ...]], catalog: Catalog,
                     selected: set[str]) -> list[Any]:
    from cityguard.checkmap import level_of_unit
    from cityguard.engine import index

    by_name = index(library)
    known_units = set(catalog.by_id())

    def parse(flag: str, values: Sequence[str]) -> tuple[set[str], set[str]]:
        checks, units = set(), set()
        for tok in _tokens(values):
            if level_of_unit(tok) is not None:
                uid = tok.upper()
                if uid not in known_units:
                    raise UsageError(f"{flag}: no unit {tok!r} in the catalog")
                if flag == "--only" and uid not in selected:
                    raise UsageError(f"{flag}: unit {uid} is not selected for this level/grade")
                units.add(uid)
            elif tok in by_name:
                checks.add(by_name[tok].id)
            else:
                raise UsageError(f"{flag}: {tok!r} is neither a check id nor a unit id")
        return checks, units

    if req.only:
        only_checks, only_units = parse("--only", req.only)
        chosen_ids = {c.id for c in chosen}
        chosen = [c for c in library
                  if c.id in only_checks
                  or (c.id in chosen_ids and set(unit_ids[c.id]) & only_units)]
    if req.skip:
        skip_checks, skip_units = parse("--skip", req.skip)
        chosen = [c for c in chosen
                  if c.id not in skip_checks and not set(unit_ids[c.id]) & skip_units]
    return chosen


def open_targets(specs: Sequence[str]) -> list[Any]:
    from cityguard.targets import open_target

    targets: list[Any] = []
    used: set[str] = set()
    try:
        for spec in specs or ("local",):
            t = open_target(spec)
            base, n = t.asset_id, 2
            while t.asset_id in used:  # two dir: trees with the same name stay apart
                t.asset_id = f"{base}-{n}"
                n += 1
            used.add(t.asset_id)
            targets.append(t)
    except Exception:
        for t in targets:
            t.close()
        raise
    return targets


def run_assessment(
    req: AssessRequest,
    *,
    on_plan: Callable[[int], None] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> Assessment:
    """Plan, open the targets, run the checks, and return the Assessment record."""
    from cityguard.engine import run_checks

    plan = plan_assessment(req)
    targets = open_targets(req.targets)
    try:
        if on_plan is not None:
            on_plan(len(plan.checks) * len(targets))
        base_dir = Path(req.system).resolve().parent if req.system else Path.cwd()
        results = run_checks(
            plan.checks, targets, level=plan.selection.level, jobs=req.jobs,
            unit_ids=plan.unit_ids, base_dir=base_dir, default_timeout=req.probe_timeout,
            on_result=on_result,
        )
        assets = [_asset(t) for t in targets]
    finally:
        for t in targets:
            t.close()
    # scan import (ingest/) and scoring (scoring/) come here once wired: they add
    # findings, items, control_points, classes, summary, high_risks and risks.
    return build_assessment(plan, assets, results)


def _asset(target: Any) -> Asset:
    facts = target.facts()
    return Asset(id=target.asset_id, target=target.spec, type="host",
                 name=facts.hostname or facts.os_name or target.spec)


def build_assessment(plan: Plan, assets: list[Asset], results: list[CheckResult]) -> Assessment:
    sel = plan.selection
    local_names = [a.name for a in assets if a.target == "local"]
    return Assessment(
        run_id=uuid.uuid4().hex,
        created=datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        tool_version=__version__,
        system=SystemInfo(name=local_names[0] if local_names else "cityguard assessment",
                          level=sel.level, grade=sel.grade, extensions=sel.extensions),
        assets=assets,
        selection={
            "level": sel.level,
            "grade": sel.grade,
            "extensions": list(sel.extensions),
            "items": [i.unit_id for i in plan.items],
            "checks": [c.id for c in plan.checks],
        },
        results=results,
    )


def pending_inputs(req: AssessRequest) -> list[str]:
    """Inputs accepted on the command line whose processing is not wired in yet."""
    out = []
    if req.scans:
        out.append("--scan")
    if req.answers:
        out.append("--answers")
    if req.system:
        out.append("--system")
    return out


# ---------------------------------------------------------------------------------------------
# views of a finished assessment used by the command line


@dataclass
class ControlPointRow:
    class_code: str
    class_name: str
    control_point: str
    counts: dict[str, int]


def control_point_summary(a: Assessment, catalog: Catalog, lang: str = "zh"
                          ) -> list[ControlPointRow]:
    """Check results per class and control point (a result counts once per control point)."""
    items = catalog.by_id()
    rows: dict[tuple[str, str], ControlPointRow] = {}
    order = {code: n for n, code in enumerate(("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS",
                                               "HRS", "CMS", "MMS"))}
    for r in a.results:
        keys: set[tuple[str, str, str]] = set()
        for uid in r.unit_ids:
            it = items.get(uid)
            if it is not None:
                keys.add((it.class_code, it.class_zh if lang == "zh" else it.class_en,
                          it.control_point_zh if lang == "zh" else it.control_point_en))
        if not keys:
            keys.add(("—", "未映射" if lang == "zh" else "unmapped", ""))
        for code, cname, cp in keys:
            row = rows.setdefault((code, cp), ControlPointRow(code, cname, cp, {}))
            row.counts[r.status.value] = row.counts.get(r.status.value, 0) + 1
    return sorted(rows.values(), key=lambda x: (order.get(x.class_code, 99), x.control_point))


def failed_at_or_above(a: Assessment, severity: str) -> list[CheckResult]:
    """Failed, unwaived results at or above a severity (for --fail-on)."""
    try:
        floor = Severity.parse(severity)
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise UsageError(f"--fail-on must be one of {known} (got {severity!r})") from None
    return [r for r in a.results
            if r.status == CheckStatus.FAIL and not r.waived and r.severity.rank >= floor.rank]
