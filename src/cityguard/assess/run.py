"""Orchestration of one assessment, end to end (DESIGN.md):

    manifest → selection → checks on targets (engine, fleet) → scan files (ingest, store)
    → answers and waivers → scoring (verdicts, scores, conclusion, high risks, risk register)
    → one Assessment record (stored for history and `cityguard report`).

Each step is a function of its own; the capabilities never call each other, this module does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from cityguard import __version__
from cityguard.assess.fleet import FleetOptions, TargetSpec, close_all, open_all, run_fleet
from cityguard.assess.inputs import (
    apply_waivers,
    import_scans,
    join_store,
    load_answers,
    name_source_assets,
    waiver_dict,
)
from cityguard.core.dates import resolve_today
from cityguard.core.errors import UsageError
from cityguard.core.ids import time_ordered_id
from cityguard.core.resources import builtin_dir
from cityguard.engine import index, load_library
from cityguard.model import (
    Assessment,
    Asset,
    Catalog,
    CheckResult,
    Item,
    Selection,
    SystemInfo,
)
from cityguard.model.serialize import assessment_to_dict
from cityguard.policy.catalog import load_catalog, make_selection, select_items
from cityguard.policy.checkmap import level_of_unit, load_checkmap
from cityguard.policy.messages import text
from cityguard.scoring import ScoringInput, evaluate
from cityguard.store import DEFAULT_SYSTEM, open_store
from cityguard.system.inventory import load_inventory
from cityguard.system.manifest import load_manifest
from cityguard.system.validate import line_at


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
    jobs: int | None = None  # None: fleet.FleetOptions decides (checks or hosts)
    lang: str = "zh"
    scans: Sequence[str] = ()  # scanner files to import
    answers: str | None = None  # answers file for what only a person can judge
    system: str | None = None  # cityguard.yaml system manifest
    probe_timeout: float = 10.0
    inventory: str | None = None  # Ansible inventory: its hosts become ssh:// targets
    limit: str | None = None  # inventory group(s) or host(s)
    ssh: Any = None  # targets.ssh.SSHOptions
    store: str | None = None  # findings/runs store path (None: default place)
    use_store: bool = True  # keep history and track findings in the store
    system_name: str | None = None  # the store's system name (default: manifest name / host)
    today: date | None = None  # waiver expiry and evidence ages are judged on this day
    on_host: Callable[[str, str], None] | None = None  # per-host progress (fleet)
    device_type: str | None = None  # --device-type: network devices' OS family (netdev:, ssh://)
    allow_outside_paths: bool = False  # manifest paths may leave its folder (docs/security.md)
    fail_on: str | None = None  # --fail-on: recorded in the selection (the JUnit's threshold)
    findings_since: date | None = None  # --findings-since: stored findings last seen before
    stored_findings: bool = True  # the named system's open stored findings join the run
    asset: str | None = None  # --asset: the asset source-code findings ('.') belong to


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


def plan_assessment(req: AssessRequest, manifest: Any = None) -> Plan:
    if req.jobs is not None and req.jobs < 1:
        raise UsageError(f"--jobs must be at least 1 (got {req.jobs})")
    if manifest is not None and req.level is None and req.grade is None:
        selection = make_selection(None, manifest.grade, req.extensions or manifest.extensions)
    else:
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
    return Path(source).resolve().is_relative_to(builtin_dir("checks").resolve())


def _apply_only_skip(req: AssessRequest, library: list[Any], chosen: list[Any],
                     unit_ids: dict[str, tuple[str, ...]], catalog: Catalog,
                     selected: set[str]) -> list[Any]:
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


def target_specs(req: AssessRequest, manifest: Any = None) -> list[Any]:
    """Targets from the flags, else the inventory, else the manifest's assets, else this host."""
    specs = [TargetSpec(t) for t in req.targets if t]
    if req.inventory:
        hosts = load_inventory(req.inventory).select(req.limit)
        specs += [TargetSpec(h.spec, h.name, h.device_type) for h in hosts]
    elif req.limit:
        raise UsageError("--limit needs --inventory")
    if not specs and manifest is not None:
        specs = [TargetSpec(a.to_model(manifest.base_dir).target, a.id, a.device_type)
                 for a in manifest.assets if a.target]
        if not manifest.assets:
            specs = [TargetSpec("local")]
    return specs or [TargetSpec("local")]


def run_assessment(
    req: AssessRequest,
    *,
    on_plan: Callable[[int], None] | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> Assessment:
    """Plan, run the checks, import scans, apply answers and waivers, score, store."""
    manifest = None
    if req.system:
        manifest = load_manifest(req.system, allow_outside_paths=req.allow_outside_paths)
    plan = plan_assessment(req, manifest)
    today = resolve_today(req.today)
    fleet = FleetOptions(jobs=req.jobs, ssh=req.ssh, on_host=req.on_host,
                         device_type=req.device_type)
    targets = open_all(target_specs(req, manifest), fleet)
    try:
        if on_plan is not None:
            on_plan(len(plan.checks) * len(targets))
        base_dir = manifest.base_dir if manifest is not None else Path.cwd()
        results = run_fleet(
            plan.checks, targets, level=plan.selection.level, unit_ids=plan.unit_ids,
            base_dir=base_dir, probe_timeout=req.probe_timeout, options=fleet,
            on_result=on_result,
        )
        assets = _assets(targets, manifest, fleet.unreachable)
    finally:
        close_all(targets)

    system_name = req.system_name or (manifest.name if manifest is not None else None)
    store = _open_store(req) if req.use_store else None
    try:
        scan_files = [*req.scans, *(manifest.scan_files() if manifest is not None else [])]
        scans = import_scans(scan_files, level=plan.selection.level, store=store,
                             system=system_name)
        joined = None
        if store is not None and (scans.findings or system_name):
            joined = join_store(store, system_name or DEFAULT_SYSTEM, scans.findings,
                                today=today, level=plan.selection.level,
                                since=req.findings_since,
                                others=bool(system_name) and req.stored_findings)
            scans.findings.extend(joined.findings)
        answers_file = req.answers or (manifest.answers if manifest is not None else None)
        answers, mitigations = load_answers(answers_file, set(plan.catalog.by_id()))
        waivers = manifest.waivers if manifest is not None else ()
        results = apply_waivers(results, scans.findings, waivers, today)
        assessment = build_assessment(plan, assets, results)
        assessment.selection["fail_on"] = req.fail_on
        assessment.findings = scans.findings
        assessment.scans = [s.to_dict() for s in scans.imports] + (joined.scans if joined
                                                                    else [])
        assessment.waivers = [_waiver_row(w, today) for w in waivers]
        if manifest is not None:
            assessment.system = manifest.system_info()
        elif system_name:
            assessment.system = replace(assessment.system, name=system_name)
        name_source_assets(assessment.findings, _source_asset(req, manifest, assessment))
        _score(assessment, plan, answers, [*mitigations, *_manifest_mitigations(manifest)],
               manifest, req, today)
        assessment.summary.not_checked.extend(
            text("assess.not_checked.refused", line=line) for line in fleet.rejected)
        assessment.summary.not_checked.extend(scans.not_checked())  # scans that saw nothing
        if joined is not None:
            notes, gaps = joined.sentences(assessment.system.name)
            assessment.summary.warnings.extend(notes)
            assessment.summary.not_checked.extend(gaps)
        if fleet.unreachable:
            assessment.summary.not_checked.extend(
                text("assess.not_checked.unreachable", line=line) for line in fleet.unreachable)
        if store is not None:
            _store_run(store, assessment)
    finally:
        if store is not None:
            store.close()
    return assessment


def _source_asset(req: AssessRequest, manifest: Any, a: Assessment) -> str:
    """The asset source-code findings belong to: --asset, else the manifest's one application
    asset, else the system."""
    if req.asset:
        return req.asset
    apps = [x.id for x in a.assets if x.type == "application"] if manifest is not None else []
    return apps[0] if len(apps) == 1 else a.system.name


def _open_store(req: AssessRequest) -> Any:
    return open_store(req.store)


def _store_run(store: Any, assessment: Assessment) -> None:
    """Save the run and attach the earlier runs of the same system (the trend)."""
    assessment.history = [
        r for r in store.list_runs(assessment.system.name) if r.get("run_id") != assessment.run_id
    ]
    store.save_run(assessment_to_dict(assessment))


def _manifest_mitigations(manifest: Any) -> list[dict[str, Any]]:
    return list(manifest.mitigations) if manifest is not None else []


def _waiver_row(w: Any, today: date) -> dict[str, Any]:
    row = waiver_dict(w)
    row["expired"] = w.expired(today)
    row["days_left"] = (w.expires - today).days
    return row


def _score(assessment: Assessment, plan: Plan, answers: dict[str, Any],
           mitigations: list[dict[str, Any]], manifest: Any, req: AssessRequest,
           today: date) -> None:
    # the manifest's `ref` is a document number; scoring reads unit ids from `unit_ids`
    evidence = manifest.evidence_records() if manifest is not None else []
    outcome = evaluate(ScoringInput(
        items=plan.items,
        high_risk_cases=plan.catalog.high_risk_cases,
        results=assessment.results,
        findings=assessment.findings,
        assets=assessment.assets,
        answers=answers,
        evidence_records=evidence,
        mitigations=mitigations,
        level=plan.selection.level,
        policy_dirs=tuple(req.policies_dirs),
        today=today,
    ))
    assessment.items = outcome.items
    assessment.control_points = outcome.control_points
    assessment.classes = outcome.classes
    assessment.summary = outcome.summary
    assessment.high_risks = outcome.high_risks
    assessment.risks = outcome.risks


def _assets(targets: Sequence[Any], manifest: Any, unreachable: list[str]) -> list[Asset]:
    """Assets of the run: the manifest's (with their attributes) and the hosts checked."""
    declared = {a.id: a for a in _declared_assets(manifest)}
    out: list[Asset] = []
    folders: set[str] = set()
    for t in targets:
        if t.asset_id in declared:
            out.append(declared.pop(t.asset_id))
            continue
        parent = t.asset_id.split("/", 1)[0]  # one device of a declared netdev: folder
        if "/" in t.asset_id and parent in declared:
            folders.add(parent)
            out.append(replace(declared[parent], id=t.asset_id, target=t.spec,
                               name=_asset(t, unreachable).name))
            continue
        out.append(_asset(t, unreachable))
    # assets judged from findings and evidence only (a folder of devices is its devices)
    out.extend(a for a in declared.values() if a.id not in folders)
    return out


def _declared_assets(manifest: Any) -> list[Asset]:
    """The manifest's assets, each with the file and line that declares it (SARIF points a
    result that read no file there)."""
    if manifest is None:
        return []
    path = manifest.path.resolve()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        text = ""
    out = []
    for n, asset in enumerate(manifest.model_assets()):
        line = line_at(path, ["assets", n], text) if text else None
        out.append(replace(asset, declared_in=f"{path}:{line}") if line else asset)
    return out


def _asset(target: Any, unreachable: Sequence[str] = ()) -> Asset:
    kind = getattr(target, "asset_type", "host")  # network_device for netdev: and devices
    if any(line.startswith(f"{target.spec}:") for line in unreachable):
        return Asset(id=target.asset_id, target=target.spec, type=kind, name=target.spec)
    facts = target.facts()
    return Asset(id=target.asset_id, target=target.spec, type=kind,
                 name=facts.hostname or facts.os_name or target.spec)


def build_assessment(plan: Plan, assets: list[Asset], results: list[CheckResult]) -> Assessment:
    sel = plan.selection
    local_names = [a.name for a in assets if a.target == "local"]
    return Assessment(
        run_id=time_ordered_id(),
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
