"""SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning) and SIEMs.

Results: failed checks (kind fail), checks that need a person (kind review, level none) and
scanner findings that are open or reopened. Accepted and false-positive findings and waived
failures stay in with an accepted suppression and the reason, at level `note`: a viewer that
reads suppressions hides them, and one that does not (a CI step failing on `error`) does not
fail a passing system (docs/ci/README.md). Checks that could not run (status error) are tool
execution notifications, not results. Levels: critical/high → error, medium → warning,
low/info → note; rules carry `security-severity` (CVSS when known), at most ten tags (GitHub
keeps ten), a `fullDescription` and a `name` other than the id.

Every result has a physical location relative to a declared `uriBaseId` or a plain repository
path (render/_sarif_where.py); the scanner's URL or host:port stays in its properties.
Fingerprints are cityguard's own (sha256 over tool, asset, rule, location).
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO, ClassVar

from cityguard.model import Assessment, CheckResult, Finding
from cityguard.render import _sarif_where, i18n
from cityguard.render.base import register

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
              "sarif-schema-2.1.0.json")
INFO_URI = "https://github.com/cityguard/cityguard/blob/main/docs/reports.md"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
MAX_TAGS = 10  # GitHub code scanning keeps ten tags a rule and refuses files past twenty


def _text(value: str, fallback: str = "-") -> str:
    return value.strip() or fallback  # SARIF messages must not be empty


def _pascal(rule_id: str, fallback: str) -> str:
    """A readable name for a rule that is not its id (SARIF1001): `ssh.sshd.root_login` →
    `SshSshdRootLogin`."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", rule_id) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words)[:120]
    return name if name and name != rule_id else fallback


def _tags(*groups: Any) -> list[str]:
    return list(dict.fromkeys(str(t) for g in groups for t in g if t))[:MAX_TAGS]


def _suppress(res: dict[str, Any], why: str) -> None:
    res["properties"]["level_if_open"] = res["level"]
    res["level"] = "note"
    res["suppressions"] = [{"kind": "external", "status": "accepted", "justification": why}]


class _Run:
    def __init__(self, a: Assessment, lang: str) -> None:
        self.a, self.lang = a, lang
        self.places = _sarif_where.Places(a.assets)
        self.rules: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.notes: list[dict[str, Any]] = []

    def rule(self, rid: str, build: Any) -> int:
        if rid not in self.index:
            self.index[rid] = len(self.rules)
            self.rules.append(build())
        return self.index[rid]

    def check(self, r: CheckResult) -> dict[str, Any] | None:
        st = r.status.value
        title = i18n.pick(r.title_zh, r.title_en, self.lang) or r.check_id
        if st == "error":
            self.notes.append({"level": "warning", "descriptor": {"id": r.check_id},
                               "message": {"text": _text(f"{r.asset}: {r.reason or title}")}})
            return None
        if st not in ("fail", "manual"):
            return None
        fix = i18n.pick(r.remediation_zh, r.remediation_en, self.lang)
        idx = self.rule(r.check_id, lambda: {
            "id": r.check_id, "name": _pascal(r.check_id, "Check"),
            "shortDescription": {"text": _text(title)},
            "fullDescription": {"text": _text(f"{title} — {fix}" if fix else title)},
            "help": {"text": _text(fix, title)},
            "properties": {"tags": _tags(["security", "mlps"], r.unit_ids),
                           "unit_ids": list(r.unit_ids),
                           "security-severity": SECURITY_SEVERITY[r.severity.value]},
        })
        res: dict[str, Any] = {
            "ruleId": r.check_id, "ruleIndex": idx,
            "message": {"text": _text(f"{r.asset}: {title}" + (f" — {r.reason}" if r.reason
                                                                else ""))},
            "locations": [self.places.check(r)],
            "partialFingerprints": {"cityguardCheck/v1": f"{r.asset}/{r.check_id}"},
            "properties": {"asset": r.asset, "unit_ids": list(r.unit_ids), "status": st},
        }
        if st == "manual":
            res.update(kind="review", level="none")
        else:
            res.update(kind="fail", level=LEVEL[r.severity.value])
        if r.waived:
            _suppress(res, json.dumps(r.waiver or {}, ensure_ascii=False))
        return res

    def finding(self, f: Finding) -> dict[str, Any] | None:
        if f.status == "fixed":
            return None
        rid = f"{f.tool}/{f.rule_id}"
        sev = f.severity.value
        idx = self.rule(rid, lambda: {
            "id": rid, "name": _pascal(f.rule_id, f"{_pascal(f.tool, 'Scanner')}Finding"),
            "shortDescription": {"text": _text(f.title, rid)},
            "fullDescription": {"text": _text(f.description, f.title or rid)},
            "help": {"text": _text(f.solution, f.title or rid)},
            **({"helpUri": f.references[0]} if f.references
               and f.references[0].startswith("https://") else {}),
            "properties": {"tags": _tags(["security"], f.cves, f.cwes),
                           **({"cves": list(f.cves)} if f.cves else {}),
                           **({"cwes": list(f.cwes)} if f.cwes else {}),
                           "security-severity": (f"{f.cvss_score:.1f}" if f.cvss_score
                                                 is not None else SECURITY_SEVERITY[sev])},
        })
        res: dict[str, Any] = {
            "ruleId": rid, "ruleIndex": idx, "kind": "fail", "level": LEVEL[sev],
            "message": {"text": _text(f"{f.asset_key}: {f.title}")},
            "locations": [self.places.finding(f)],
            "partialFingerprints": {"cityguardFinding/v1": f.fingerprint},
            "properties": {"asset": f.asset_key, "severity_raw": f.severity_raw,
                           "status": f.status, "unit_ids": list(f.unit_ids), "tool": f.tool,
                           **_sarif_where.finding_where(f)},
        }
        if f.source_file:
            res["properties"]["scan_file"] = f.source_file
        if f.evidence:  # (attachments would need an artifact; the evidence is inline text)
            res["properties"]["evidence"] = f.evidence
        if f.status in ("accepted", "false_positive"):
            _suppress(res, f.status)
        return res


@register
class SarifRenderer:
    name: ClassVar[str] = "sarif"
    extension: ClassVar[str] = "sarif"
    filename: ClassVar[str] = "assessment.sarif"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "SARIF 2.1.0: failed checks and findings for dashboards"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        """Results are written one by one as they are made (memory stays flat on 100,000
        findings); rules, base ids and notifications, known only at the end, follow them."""
        a = assessment
        run = _Run(a, lang)
        out.write(b'{"$schema": ' + _dump(SCHEMA_URI) + b', "version": "2.1.0", "runs": [{'
                  b'\n"results": [')
        first = True
        for res in _results(run, a):
            out.write((b"\n" if first else b",\n") + _dump(res))
            first = False
        invocation: dict[str, Any] = {"executionSuccessful": True}
        if run.notes:
            invocation["toolExecutionNotifications"] = run.notes
        props: dict[str, Any] = {"system": a.system.name, "level": a.system.level,
                                 "grade": a.system.grade, "created": a.created}
        if a.summary is not None:
            props.update(conclusion=a.summary.conclusion,
                         compliance_rate=a.summary.compliance_rate)
        tail: dict[str, Any] = {
            "tool": {"driver": {"name": "cityguard", "version": a.tool_version or "0",
                                "semanticVersion": _semver(a.tool_version),
                                "informationUri": INFO_URI, "rules": run.rules}},
            "automationDetails": {"id": f"cityguard/{a.system.name}/{a.run_id}"},
            "invocations": [invocation],
            "properties": props,
        }
        if run.places.bases:
            tail["originalUriBaseIds"] = run.places.bases
        out.write(b"\n],\n")
        for n, (key, value) in enumerate(tail.items()):
            out.write((b",\n" if n else b"") + _dump(key) + b": " + _dump(value))
        out.write(b"\n}]}\n")


def _results(run: _Run, a: Assessment) -> Any:
    for r in a.results:
        res = run.check(r)
        if res is not None:
            yield res
    for f in a.findings:
        res = run.finding(f)
        if res is not None:
            yield res


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace")


def _semver(version: str) -> str:
    m = re.match(r"\d+(\.\d+){0,2}", version or "")
    parts = (m.group(0).split(".") if m else ["0"]) + ["0", "0"]
    return ".".join(parts[:3])
