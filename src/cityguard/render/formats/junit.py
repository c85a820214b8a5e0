"""JUnit XML for CI dashboards: the checks, the findings and the high-risk issues, so a CI that
reads JUnit fails where the gate fails.

One <testsuite> per asset (classname `cityguard.<asset>`, name = check id). fail → <failure>
with the evidence and the remediation; error → <error>; manual and not_applicable →
<skipped> with the reason (they are not passes); a waived failure → <skipped type="waived">
naming the waiver, as InSpec does. Then two suites of their own:
- `cityguard.findings`: every scanner finding at or above the run's `--fail-on` (default
  high, the gate's default): open or reopened → <failure>, accepted or false positive →
  <skipped> with its triage (what is below the threshold is counted in the suite's properties);
- `cityguard.high_risks`: every high-risk issue (高风险): open → <failure>, mitigated or waived
  by an assessor → <skipped> saying so.
Valid against the Jenkins xUnit "junit-10" XSD (the dialect most CI systems read). Built with
the standard library's ElementTree (writing only; parsing XML elsewhere goes through
defusedxml).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import BinaryIO, ClassVar

from cityguard.model import Assessment, CheckResult, Finding, HighRisk, Severity
from cityguard.policy import messages
from cityguard.render import i18n
from cityguard.render.base import register

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(value: object) -> str:
    """Text XML 1.0 can hold (control characters from a host's output are dropped)."""
    return _ILLEGAL.sub("", "" if value is None else str(value))


def _seconds(ms: float) -> str:
    return f"{max(0.0, ms) / 1000:.3f}"  # the XSD allows at most three decimals


def _evidence(r: CheckResult, lang: str) -> str:
    lines = []
    for e in r.evidence:
        where = f"{e.file}:{e.line}" if e.file and e.line else (e.file or i18n.say(e.subject,
                                                                                     lang))
        key = "report.junit.observed_expected" if e.expected else "report.junit.observed"
        lines.append(messages.t(key, lang, where=where, observed=repr(e.observed),
                                expected=i18n.say(e.expected, lang)))
        if e.message:
            lines.append(f"  {i18n.say(e.message, lang)}")
    return "\n".join(lines)


def _case(suite: ET.Element, r: CheckResult, lang: str) -> str:
    title = i18n.pick(r.title_zh, r.title_en, lang)
    case = ET.SubElement(suite, "testcase", name=_x(r.check_id),
                         classname=_x(f"cityguard.{r.asset}"), time=_seconds(r.duration_ms))
    status = r.status.value
    if status == "fail" and r.waived:
        w = r.waiver or {}
        said = messages.t("report.junit.waived", lang, id=w.get("id") or "—", title=title,
                          until=w.get("expires") or w.get("until") or "—",
                          approver=w.get("approver") or "—")
        ET.SubElement(case, "skipped", type="waived", message=_x(said))
        return "skipped"
    if status == "fail":
        fix = i18n.pick(r.remediation_zh, r.remediation_en, lang)
        body = "\n".join(x for x in (
            _evidence(r, lang), messages.t("report.junit.units", lang, units=", ".join(r.unit_ids)),
            messages.t("report.junit.remediation", lang, fix=fix) if fix else "") if x)
        el = ET.SubElement(case, "failure", type=r.severity.value, message=_x(title))
        el.text = _x(body)
        return "failure"
    if status == "error":
        el = ET.SubElement(case, "error", type="error",
                           message=_x(i18n.say(r.reason, lang) or title))
        el.text = _x(_evidence(r, lang))
        return "error"
    if status in ("manual", "not_applicable"):
        ET.SubElement(case, "skipped", type=status,
                      message=_x(f"{i18n.status(status, lang)}: "
                                 f"{i18n.say(r.reason, lang) or title}"))
        return "skipped"
    return "pass"


#: the threshold when the run was given none: the gate's default
DEFAULT_FAIL_ON = "high"
OPEN = ("open", "reopened")


def fail_on(a: Assessment) -> Severity:
    return Severity.parse(str(a.selection.get("fail_on") or DEFAULT_FAIL_ON))


def _finding_case(suite: ET.Element, f: Finding, lang: str) -> str:
    where = f.location or (f"{f.port}/{f.protocol or 'tcp'}" if f.port else "")
    case = ET.SubElement(suite, "testcase", name=_x(f"{f.tool}:{f.rule_id} {where}".strip()),
                         classname=_x(f"cityguard.findings.{f.asset_key}"), time="0.000")
    title = _x(f"[{i18n.severity(f.severity.value, lang)}] {f.title}")
    if f.status in OPEN:
        el = ET.SubElement(case, "failure", type=f.severity.value, message=title)
        el.text = _x("\n".join(x for x in (
            f"{f.asset_key} {where}".strip(), f"fingerprint: {f.fingerprint}",
            f"units: {', '.join(f.unit_ids)}" if f.unit_ids else "",
            f"scan: {f.source_file}" if f.source_file else "", f.solution) if x))
        return "failure"
    ET.SubElement(case, "skipped", type=f.status, message=_x(
        f"{i18n.enum_label(i18n.FINDING_STATUS, f.status, lang)}: {title}"))
    return "skipped"


def _high_risk_case(suite: ET.Element, h: HighRisk, lang: str) -> str:
    title = i18n.pick(h.title_zh, h.title_en, lang)
    case = ET.SubElement(suite, "testcase", name=_x(f"{h.case_id} {title}"),
                         classname=_x(f"cityguard.high_risks.{h.asset}"), time="0.000")
    if h.status == "open":
        el = ET.SubElement(case, "failure", type="high_risk", message=_x(title))
        el.text = _x("\n".join([f"units: {', '.join(h.unit_ids)}", *h.evidence]))
        return "failure"
    ET.SubElement(case, "skipped", type=h.status, message=_x(
        f"{i18n.enum_label(i18n.HIGH_RISK_STATUS, h.status, lang)}: {h.mitigation or title}"))
    return "skipped"


@register
class JunitRenderer:
    name: ClassVar[str] = "junit"
    extension: ClassVar[str] = "junit.xml"
    filename: ClassVar[str] = "assessment.junit.xml"
    binary: ClassVar[bool] = False
    description: ClassVar[str] = "JUnit XML: one test case per check and asset"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        a = assessment
        root = ET.Element("testsuites", name=_x(f"cityguard {a.system.name}"))
        by_asset: dict[str, list[CheckResult]] = {}
        for r in a.results:
            by_asset.setdefault(r.asset, []).append(r)
        targets = {x.id: x.target for x in a.assets}
        totals = {"tests": 0, "failure": 0, "error": 0}
        total_ms = 0.0
        for asset, results in by_asset.items():
            suite = ET.SubElement(root, "testsuite", name=_x(asset), timestamp=_x(a.created),
                                  hostname=_x(targets.get(asset, asset)), id=_x(a.run_id))
            props = ET.SubElement(suite, "properties")
            for k, val in self._properties(a).items():
                ET.SubElement(props, "property", name=k, value=_x(val))
            counts = {"failure": 0, "error": 0, "skipped": 0, "pass": 0}
            for r in results:
                counts[_case(suite, r, lang)] += 1
            ms = sum(r.duration_ms for r in results)
            suite.set("tests", str(len(results)))
            suite.set("failures", str(counts["failure"]))
            suite.set("errors", str(counts["error"]))
            suite.set("skipped", str(counts["skipped"]))
            suite.set("time", _seconds(ms))
            totals["tests"] += len(results)
            totals["failure"] += counts["failure"]
            totals["error"] += counts["error"]
            total_ms += ms
        floor = fail_on(a)
        extra = (("cityguard.findings", _finding_case,
                  [f for f in a.findings if f.severity.rank >= floor.rank and f.status != "fixed"],
                  {"cityguard.fail_on": floor.value, "cityguard.findings_below_threshold": str(
                      sum(1 for f in a.findings if f.severity.rank < floor.rank
                          and f.status in OPEN))}),
                 ("cityguard.high_risks", _high_risk_case, a.high_risks, {}))
        for name, make, rows, more in extra:
            if not rows and name == "cityguard.high_risks":
                continue
            suite = ET.SubElement(root, "testsuite", name=name, timestamp=_x(a.created),
                                  hostname="cityguard", id=_x(a.run_id))
            props = ET.SubElement(suite, "properties")
            for k, val in {**self._properties(a), **more}.items():
                ET.SubElement(props, "property", name=k, value=_x(val))
            counts = {"failure": 0, "skipped": 0}
            for row in rows:
                counts[make(suite, row, lang)] += 1
            for k, val in (("tests", len(rows)), ("failures", counts["failure"]),
                           ("errors", 0), ("skipped", counts["skipped"]), ("time", "0.000")):
                suite.set(k, str(val))
            totals["tests"] += len(rows)
            totals["failure"] += counts["failure"]
        root.set("tests", str(totals["tests"]))
        root.set("failures", str(totals["failure"]))
        root.set("errors", str(totals["error"]))
        root.set("time", _seconds(total_ms))
        ET.indent(root)
        out.write(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")

    @staticmethod
    def _properties(a: Assessment) -> dict[str, str]:
        props = {"cityguard.run_id": a.run_id, "cityguard.system.manifest": a.system.name,
                 "cityguard.level": str(a.system.level)}
        if a.summary is not None:
            props["cityguard.conclusion"] = a.summary.conclusion
            props["cityguard.compliance_rate"] = str(a.summary.compliance_rate)
        return props
