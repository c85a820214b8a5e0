"""OSCAL assessment-results (JSON), for compliance-trestle and other OSCAL tools.

Mapping (one `results[]` entry per run):
- assets → `local-definitions.inventory-items` (scanner hosts not declared as assets too);
  cityguard itself → a `software` component, the actor of every characterization;
- selected MLPS items → `reviewed-controls` (control-id = unit id; 不适用 items excluded);
- check results and findings → `observations` (methods TEST, EXAMINE for manual checks);
- item verdicts → `findings` targeting the item (`objective-id`); only 符合 is `satisfied`,
  partial / non-compliant / not assessed are `not-satisfied` (reason fail / other), so a gap
  never reads as met; high-risk issues → findings too, with their case id;
- the risk register → `risks` with GB/T 20984 facets (likelihood, loss, value, level) and
  the remediation as a recommendation.
UUIDs are version 5 (stable for the same run), times carry a timezone, strings are trimmed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from typing import Any, BinaryIO, ClassVar

from cityguard.model import Assessment, CheckResult, Finding
from cityguard.render import i18n
from cityguard.render._jsonstream import Stream, write_json
from cityguard.render.base import is_large, register

OSCAL_VERSION = "1.1.2"  # what compliance-trestle reads; also valid against the 1.2.x schema
NS = "urn:cityguard:oscal"
FACETS = "urn:cityguard:gb-t-20984-2022"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "urn:cityguard")


def _one_line(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _prop(name: str, value: object) -> dict[str, str] | None:
    text = _one_line(value)
    return {"name": name, "ns": NS, "value": text} if text else None


def _props(*pairs: tuple[str, object]) -> dict[str, Any]:
    props = [p for p in (_prop(k, v) for k, v in pairs) if p]
    return {"props": props} if props else {}


def _when(text: str) -> str:
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        dt = datetime.now()
    return (dt if dt.tzinfo else dt.astimezone()).isoformat(timespec="seconds")


class _Doc:
    def __init__(self, a: Assessment, lang: str) -> None:
        self.a, self.lang = a, lang
        self.when = _when(a.created)
        self.tool_uuid = self.uid("tool")
        self.subjects: dict[str, str] = {x.id: self.uid("asset", x.id) for x in a.assets}
        # observation uuids are known before the observations are written (they are streamed,
        # and the item findings and risks refer to them); scanned hosts become subjects first
        self.obs_by_check: dict[tuple[str, str], str] = {
            (r.asset, r.check_id): self.uid("check", r.asset, r.check_id) for r in a.results}
        self.obs_by_fp: dict[str, str] = {}
        for r in a.results:
            self.subject(r.asset)
        for f in a.findings:
            if f.status != "fixed":
                self.obs_by_fp[f.fingerprint] = self.uid("finding", f.fingerprint)
                self.subject(f.asset_key)

    def uid(self, *parts: str) -> str:
        return str(uuid.uuid5(_ROOT, "\x1f".join((self.a.run_id, *parts))))

    def title(self, *candidates: str) -> str:
        return next((_one_line(c) for c in candidates if _one_line(c)), "-")

    def subject(self, key: str) -> str:
        if key not in self.subjects:
            self.subjects[key] = self.uid("asset", key)
        return self.subjects[key]

    def inventory(self) -> list[dict[str, Any]]:
        declared = {x.id: x for x in self.a.assets}
        items = []
        for key, u in self.subjects.items():
            x = declared.get(key)
            desc = f"{x.name or x.id} ({x.type}, {x.target})" if x else f"scanned asset {key}"
            items.append({"uuid": u, "description": desc, **_props(
                ("asset-id", key), ("asset-type", x.type if x else "scanned"),
                ("internet-facing", str(x.internet_facing).lower() if x else ""),
                ("asset-value", x.value if x else ""))})
        return items

    def check_observation(self, r: CheckResult) -> dict[str, Any]:
        u = self.uid("check", r.asset, r.check_id)
        self.obs_by_check[(r.asset, r.check_id)] = u
        lines = [f"{e.file or e.subject}{f':{e.line}' if e.line else ''}: {e.observed!r}"
                 + (f" (expected {e.expected})" if e.expected else "") for e in r.evidence]
        obs: dict[str, Any] = {
            "uuid": u, "title": self.title(f"{r.check_id} @ {r.asset}"),
            "description": self.title(i18n.pick(r.title_zh, r.title_en, self.lang), r.check_id)
            + f" — {r.status.value}" + (f": {r.reason}" if r.reason else ""),
            **_props(("check-id", r.check_id), ("status", r.status.value),
                     ("severity", r.severity.value), ("mlps-units", " ".join(r.unit_ids)),
                     ("waived", "true" if r.waived else "")),
            "methods": ["EXAMINE" if r.status.value == "manual" else "TEST"],
            "types": ["finding" if r.status.value == "fail" else "control-objective"],
            "subjects": [{"subject-uuid": self.subject(r.asset), "type": "inventory-item"}],
            "collected": self.when,
        }
        if lines:
            obs["relevant-evidence"] = [{"description": "\n".join(lines)}]
        return obs

    def finding_observation(self, f: Finding) -> dict[str, Any]:
        u = self.uid("finding", f.fingerprint)
        self.obs_by_fp[f.fingerprint] = u
        obs: dict[str, Any] = {
            "uuid": u, "title": self.title(f.title, f.rule_id),
            "description": f.description or f.title or f.rule_id,
            **_props(("tool", f.tool), ("rule-id", f.rule_id), ("severity", f.severity.value),
                     ("cvss-score", f.cvss_score), ("cves", " ".join(f.cves)),
                     ("finding-status", f.status), ("location", f.location),
                     ("fingerprint", f.fingerprint), ("mlps-units", " ".join(f.unit_ids))),
            "methods": ["TEST"], "types": ["finding"],
            "subjects": [{"subject-uuid": self.subject(f.asset_key), "type": "inventory-item"}],
            "collected": _when(f.last_seen or self.a.created),
        }
        if f.evidence:
            obs["relevant-evidence"] = [{"description": f.evidence}]
        return obs

    def item_findings(self) -> list[dict[str, Any]]:
        risks_by_unit: dict[str, list[str]] = {}
        for r in self.a.risks:
            for unit in r.unit_ids:
                risks_by_unit.setdefault(unit, []).append(self.uid("risk", r.id))
        out = []
        for it in self.a.items:
            if it.verdict == "not_applicable":
                continue
            ok = it.verdict == "compliant"
            related = [self.obs_by_check.get((o.asset, c)) for o in it.objects for c in o.check_ids]
            related += [self.obs_by_fp.get(fp) for o in it.objects for fp in o.finding_ids]
            objects = "\n".join(f"- {o.asset}: {o.verdict} ({o.source}) "
                                f"{i18n.pick(o.reason_zh, o.reason, self.lang)}".rstrip()
                                for o in it.objects)
            f: dict[str, Any] = {
                "uuid": self.uid("item", it.unit_id),
                "title": self.title(" ".join((it.unit_id, i18n.pick(
                    it.control_point_zh, it.control_point_en, self.lang), it.clause))),
                "description": objects or it.verdict,
                **_props(("verdict", it.verdict), ("item-score", it.score),
                         ("clause", it.clause), ("importance", it.importance)),
                "target": {"type": "objective-id", "target-id": it.unit_id, "status": {
                    "state": "satisfied" if ok else "not-satisfied",
                    "reason": "pass" if ok else ("other" if it.verdict == "not_assessed"
                                                 else "fail")}},
            }
            uniq = list(dict.fromkeys(u for u in related if u))
            if uniq:
                f["related-observations"] = [{"observation-uuid": u} for u in uniq]
            if risks_by_unit.get(it.unit_id):
                f["related-risks"] = [{"risk-uuid": u}
                                      for u in dict.fromkeys(risks_by_unit[it.unit_id])]
            out.append(f)
        for h in self.a.high_risks:
            out.append({
                "uuid": self.uid("high-risk", h.case_id, h.asset),
                "title": self.title(f"{h.case_id} {i18n.pick(h.title_zh, h.title_en, self.lang)}"),
                "description": "\n".join(h.evidence) or h.title_en or h.case_id,
                **_props(("high-risk-case", h.case_id), ("high-risk-status", h.status),
                         ("asset", h.asset), ("mitigation", h.mitigation)),
                "target": {"type": "objective-id",
                           "target-id": (h.unit_ids or [f"case-{h.case_id}"])[0],
                           "status": {"state": "satisfied" if h.status == "waived"
                                      else "not-satisfied", "reason": "fail"}},
            })
        return out

    def risks_of(self, risks: list[Any]) -> Iterator[dict[str, Any]]:
        for r in risks:
            facets = [{"name": n, "system": FACETS, "value": str(v)} for n, v in (
                ("likelihood", r.likelihood), ("impact", r.loss), ("risk", r.risk_value),
                ("risk-level", r.level), ("threat-frequency", r.threat_frequency),
                ("vulnerability-severity", r.vulnerability_severity),
                ("asset-value", r.asset_value))]
            fix = i18n.pick(r.remediation_zh, r.remediation_en, self.lang)
            risk: dict[str, Any] = {
                "uuid": self.uid("risk", r.id),
                "title": self.title(r.vulnerability_title, r.vulnerability),
                "description": f"{i18n.pick(r.threat_zh, r.threat_en, self.lang)} — "
                               f"{r.vulnerability_title} ({r.asset})",
                "statement": fix or r.vulnerability_title or r.id,
                **_props(("risk-id", r.id), ("priority", r.priority), ("asset", r.asset),
                         ("risk-level-label", i18n.pick(r.level_zh, r.level_en, self.lang)),
                         ("method", r.method), ("mlps-units", " ".join(r.unit_ids))),
                "status": "open",
                "characterizations": [{"origin": {"actors": [
                    {"type": "tool", "actor-uuid": self.tool_uuid}]}, "facets": facets}],
            }
            if fix:
                risk["remediations"] = [{"uuid": self.uid("remediation", r.id),
                                         "lifecycle": "recommendation",
                                         "title": self.title(fix), "description": fix}]
            obs = (self.obs_by_check.get((r.asset, r.vulnerability))
                   or self.obs_by_fp.get(r.vulnerability))
            if obs:
                risk["related-observations"] = [{"observation-uuid": obs}]
            yield risk


@register
class OscalRenderer:
    name: ClassVar[str] = "oscal"
    extension: ClassVar[str] = "oscal.json"
    filename: ClassVar[str] = "assessment.oscal.json"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "NIST OSCAL assessment-results (JSON) for OSCAL tools"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        """Observations and risks are written one by one (memory stays flat)."""
        write_json(build(assessment, lang), out, indent=None if is_large(assessment) else 1)


def build(a: Assessment, lang: str = "zh") -> dict[str, Any]:
    d = _Doc(a, lang)
    live = [f for f in a.findings if f.status != "fixed"]
    observations = Stream(chain(a.results, live), lambda x: d.check_observation(x)
                          if isinstance(x, CheckResult) else d.finding_observation(x))
    s = a.summary
    applicable = [it.unit_id for it in a.items if it.verdict != "not_applicable"]
    excluded = [it.unit_id for it in a.items if it.verdict == "not_applicable"]
    selection: dict[str, Any] = ({"include-controls": [{"control-id": u} for u in applicable]}
                                 if applicable else {"include-all": {}})
    if excluded:
        selection["exclude-controls"] = [{"control-id": u} for u in excluded]
    result: dict[str, Any] = {
        "uuid": d.uid("result"),
        "title": d.title(f"MLPS 2.0 level {a.system.level} assessment of {a.system.name}"),
        "description": (f"{s.conclusion_en or s.conclusion} — compliance rate "
                        f"{s.compliance_rate}% ({s.rate_formula_en or s.score_formula_en})"
                        if s else "not scored: check results and findings only"),
        "start": d.when, "end": d.when,
        **_props(("conclusion", s.conclusion if s else ""),
                 ("compliance-rate", s.compliance_rate if s else ""),
                 ("score", s.score if s else ""),
                 ("major-hidden-risk", str(s.major_hidden_risk).lower() if s else ""),
                 ("run-id", a.run_id)),
        "local-definitions": {
            "components": [{"uuid": d.tool_uuid, "type": "software", "title": "cityguard",
                            "description": f"cityguard {a.tool_version}: MLPS 2.0 assessment",
                            "status": {"state": "operational"}}],
        },
        "reviewed-controls": {"control-selections": [selection]},
    }
    findings = d.item_findings()
    risks = Stream(d.risks_of(a.risks)) if a.risks else None
    inventory = d.inventory()  # scanned hosts are subjects too (_Doc knows them already)
    if inventory:
        result["local-definitions"]["inventory-items"] = inventory
    result.update({k: rows for k, rows in (
        ("observations", observations if a.results or live else None), ("risks", risks),
        ("findings", findings)) if rows})
    resource = d.uid("selection")
    return {"assessment-results": {
        "uuid": d.uid("assessment-results"),
        "metadata": {
            "title": d.title(f"cityguard MLPS 2.0 assessment results: {a.system.name}"),
            "last-modified": d.when, "version": d.title(a.run_id), "oscal-version": OSCAL_VERSION,
            **_props(("level", a.system.level), ("grade", a.system.grade),
                     ("extensions", " ".join(a.system.extensions)), ("stage", a.system.stage)),
        },
        "import-ap": {"href": f"#{resource}"},
        "results": [result],
        "back-matter": {"resources": [{
            "uuid": resource, "title": d.title("MLPS 2.0 item selection (GB/T 28448-2019)"),
            "description": json.dumps(a.selection, ensure_ascii=False) if a.selection else "-",
        }]},
    }}
