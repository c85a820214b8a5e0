"""SARIF 2.1.0 for code-scanning dashboards and SIEMs.

Results: failed checks (kind fail), checks that need a person (kind review, level none) and
scanner findings that are open or reopened; accepted and false-positive findings and waived
failures stay in, suppressed (status accepted) with the reason, so a dashboard shows why they
do not count. Checks that could not run (status error) are tool execution notifications, not
results. Levels: critical/high → error, medium → warning, low/info → note; rules carry
`security-severity` (CVSS when known). Locations: file and line of a check's evidence, a URL
for web findings, a logical location (host:port/proto) otherwise. Fingerprints are
cityguard's own (sha256 over tool, asset, rule, location).
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO, ClassVar
from urllib.parse import quote, urljoin

from cityguard.model import Assessment, CheckResult, Finding
from cityguard.render import i18n
from cityguard.render.base import json_bytes, register

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
_FILE_LINE = re.compile(r"^(?P<path>[^\s:]+(?:/[^\s:]*)?):(?P<line>\d+)(?::\d+)?$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _uri(path: str) -> str:
    return path if _URL.match(path) else quote(path, safe="/:@-._~!$&'()*+,;=")


def _text(value: str, fallback: str = "-") -> str:
    return value.strip() or fallback  # SARIF messages must not be empty


class _Run:
    def __init__(self, a: Assessment, lang: str) -> None:
        self.a, self.lang = a, lang
        self.rules: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.results: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []

    def rule(self, rid: str, build: Any) -> int:
        if rid not in self.index:
            self.index[rid] = len(self.rules)
            self.rules.append(build())
        return self.index[rid]

    def check(self, r: CheckResult) -> None:
        st = r.status.value
        title = i18n.pick(r.title_zh, r.title_en, self.lang) or r.check_id
        if st == "error":
            self.notes.append({"level": "warning", "descriptor": {"id": r.check_id},
                               "message": {"text": _text(f"{r.asset}: {r.reason or title}")}})
            return
        if st not in ("fail", "manual"):
            return
        fix = i18n.pick(r.remediation_zh, r.remediation_en, self.lang)
        idx = self.rule(r.check_id, lambda: {
            "id": r.check_id, "name": r.check_id,
            "shortDescription": {"text": _text(title)},
            "help": {"text": _text(fix, title)},
            "properties": {"tags": ["mlps", *r.unit_ids],
                           "security-severity": SECURITY_SEVERITY[r.severity.value]},
        })
        res: dict[str, Any] = {
            "ruleId": r.check_id, "ruleIndex": idx,
            "message": {"text": _text(f"{r.asset}: {title}" + (f" — {r.reason}" if r.reason
                                                                else ""))},
            "locations": self._check_locations(r),
            "partialFingerprints": {"cityguardCheck/v1": f"{r.asset}/{r.check_id}"},
            "properties": {"asset": r.asset, "unit_ids": list(r.unit_ids), "status": st},
        }
        if st == "manual":
            res.update(kind="review", level="none")
        else:
            res.update(kind="fail", level=LEVEL[r.severity.value])
        if r.waived:
            res["suppressions"] = [{"kind": "external", "status": "accepted", "justification":
                                    json.dumps(r.waiver or {}, ensure_ascii=False)}]
        self.results.append(res)

    def _check_locations(self, r: CheckResult) -> list[dict[str, Any]]:
        logical = {"name": r.asset, "fullyQualifiedName": r.asset, "kind": "resource"}
        for e in r.evidence:
            if e.file:
                phys: dict[str, Any] = {"artifactLocation": {"uri": _uri(e.file)}}
                if e.line and e.line > 0:
                    phys["region"] = {"startLine": e.line}
                return [{"physicalLocation": phys, "logicalLocations": [logical]}]
        return [{"logicalLocations": [logical]}]

    def finding(self, f: Finding) -> None:
        if f.status == "fixed":
            return
        rid = f"{f.tool}/{f.rule_id}"
        sev = f.severity.value
        idx = self.rule(rid, lambda: {
            "id": rid, "name": f.rule_id,
            "shortDescription": {"text": _text(f.title, rid)},
            "fullDescription": {"text": _text(f.description, f.title or rid)},
            "help": {"text": _text(f.solution, f.title or rid)},
            **({"helpUri": f.references[0]} if f.references
               and f.references[0].startswith(("http://", "https://")) else {}),
            "properties": {"tags": ["security", *f.cves, *f.cwes], "security-severity": (
                f"{f.cvss_score:.1f}" if f.cvss_score is not None else SECURITY_SEVERITY[sev])},
        })
        res: dict[str, Any] = {
            "ruleId": rid, "ruleIndex": idx, "kind": "fail", "level": LEVEL[sev],
            "message": {"text": _text(f"{f.asset_key}: {f.title}")},
            "locations": [self._finding_location(f)],
            "partialFingerprints": {"cityguardFinding/v1": f.fingerprint},
            "properties": {"asset": f.asset_key, "severity_raw": f.severity_raw,
                           "status": f.status, "unit_ids": list(f.unit_ids), "tool": f.tool},
        }
        if f.evidence:  # (attachments would need an artifact; the evidence is inline text)
            res["properties"]["evidence"] = f.evidence
        if f.status in ("accepted", "false_positive"):
            res["suppressions"] = [{"kind": "external", "status": "accepted",
                                    "justification": f.status}]
        self.results.append(res)

    @staticmethod
    def _finding_location(f: Finding) -> dict[str, Any]:
        m = _FILE_LINE.match(f.location or "")
        if m and f.asset_kind in ("file", "repository", "image", "package"):
            return {"physicalLocation": {"artifactLocation": {"uri": _uri(m["path"])},
                                         "region": {"startLine": max(1, int(m["line"]))}}}
        if f.asset_kind == "url" and _URL.match(f.asset_key):
            return {"physicalLocation": {"artifactLocation": {
                "uri": _uri(urljoin(f.asset_key, f.location or ""))}}}
        if f.asset_kind in ("file", "repository") and f.location:
            return {"physicalLocation": {"artifactLocation": {"uri": _uri(f.location)}}}
        where = f.asset_key + (f":{f.port}/{f.protocol or 'tcp'}" if f.port else "")
        return {"logicalLocations": [{"name": where, "fullyQualifiedName": where,
                                      "kind": "resource"}]}


@register
class SarifRenderer:
    name: ClassVar[str] = "sarif"
    extension: ClassVar[str] = "sarif"
    filename: ClassVar[str] = "assessment.sarif"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "SARIF 2.1.0: failed checks and findings for dashboards"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        a = assessment
        run = _Run(a, lang)
        for r in a.results:
            run.check(r)
        for f in a.findings:
            run.finding(f)
        invocation: dict[str, Any] = {"executionSuccessful": True}
        if run.notes:
            invocation["toolExecutionNotifications"] = run.notes
        props: dict[str, Any] = {"system": a.system.name, "level": a.system.level,
                                 "grade": a.system.grade, "created": a.created}
        if a.summary is not None:
            props.update(conclusion=a.summary.conclusion,
                         compliance_rate=a.summary.compliance_rate)
        doc = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "cityguard", "version": a.tool_version or "0",
                                    "rules": run.rules}},
                "automationDetails": {"id": f"cityguard/{a.system.name}/{a.run_id}"},
                "invocations": [invocation],
                "results": run.results,
                "properties": props,
            }],
        }
        out.write(json_bytes(doc, a, indent=1))
