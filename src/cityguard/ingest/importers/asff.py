"""AWS Security Finding Format (ASFF): what AWS Security Hub holds and exports
(`aws securityhub get-findings` → `{"Findings": […]}`), and what products write for it
(`prowler -M json-asff`, Inspector, GuardDuty, Config rules …; a bare list of findings).

- A finding per ASFF finding that is still a problem: `Compliance.Status` FAILED / WARNING,
  or no compliance status at all (Inspector vulnerabilities, GuardDuty detections).
  PASSED is not a finding; NOT_AVAILABLE (and Prowler's INFOED) become **info findings tagged
  not-checked**, never compliant. `RecordState: ARCHIVED` and `Workflow.Status: RESOLVED`
  are closed upstream and not findings; `Workflow.Status: SUPPRESSED` is kept as accepted.
- Asset: `aws:<account>/<product>` (`aws:123456789012/inspector`): Security Hub gathers many
  products, and a file with only GuardDuty's findings must not mark Inspector's fixed.
- Identity: rule = the vulnerability id (Inspector's CVE), else the control id (Config,
  Security Hub standards), else the finding type (GuardDuty), else GeneratorId; location =
  region and first resource; ASFF's own finding `Id` (stable while the product updates the
  finding) is hashed in, so two findings of one rule on one resource stay apart.
- Severity: `Severity.Label` (CRITICAL / HIGH / MEDIUM / LOW as they are, INFORMATIONAL →
  info), else `Severity.Normalized` 0–100 by ASFF's bands (90 critical, 70 high, 40 medium,
  1 low).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    iso_utc,
    need_json,
    peek,
    rewind,
    rewindable,
)
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    norm_severity,
    redact,
    split_cves,
    split_cwes,
    suppressed_by,
    to_float,
    unique_refs,
)
from cityguard.model import Finding, Severity, fingerprint

_OPEN = {"FAILED", "WARNING", ""}
_NORMALIZED = ((90, Severity.CRITICAL), (70, Severity.HIGH), (40, Severity.MEDIUM),
               (1, Severity.LOW))  # fmt: skip


@register
class Asff:
    name = "asff"
    tool = "asff"
    description = "AWS Security Finding Format (Security Hub, Inspector, GuardDuty, Prowler)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text[:1] not in "{[":
            return 0
        if has_keys(text, "SchemaVersion", "ProductArn", "AwsAccountId"):
            return 95
        if has_keys(text, "SchemaVersion", "ProductArn", "GeneratorId"):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "ASFF")
        if first == "[":
            prefix = "item"
        elif first == "{":
            prefix = "findings.item" if '"findings"' in peek(stream) else "Findings.item"
        else:
            raise DataError(source, "not an ASFF document (expected a JSON list or object)")
        yield from first_of_each(self._open(iter_json(rewind(stream), source, prefix), source))

    def _open(self, items: Iterator[Any], source: str) -> Iterator[Finding]:
        """The findings still open: archived, resolved and passed ones are left out."""
        for item in items:
            if not isinstance(item, dict):
                raise DataError(source, "not an ASFF document (a finding is not an object)")
            status = str(as_dict(item.get("Compliance")).get("Status") or "").upper()
            workflow = str(as_dict(item.get("Workflow")).get("Status") or "").upper()
            closed = item.get("RecordState") == "ARCHIVED" or workflow == "RESOLVED"
            if not (closed or status == "PASSED"):
                yield self._finding(item, status in _OPEN, workflow == "SUPPRESSED")

    def _finding(self, x: dict[str, Any], failed: bool, suppressed: bool) -> Finding:
        product = _product(x)
        account = str(x.get("AwsAccountId") or _account_of(str(x.get("Id") or "")) or "unknown")
        resources = [r for r in as_list(x.get("Resources")) if isinstance(r, dict)]
        res = resources[0] if resources else {}
        region = str(x.get("Region") or res.get("Region") or "")
        vulns = [v for v in as_list(x.get("Vulnerabilities")) if isinstance(v, dict)]
        rule = _rule(x, vulns)
        where = " ".join(p for p in (region, str(res.get("Id") or "")) if p)
        location = where if failed else f"{where} not-checked".strip()
        severity, raw = _severity(as_dict(x.get("Severity")))
        fix = as_dict(as_dict(x.get("Remediation")).get("Recommendation"))
        packages = [p for v in vulns for p in as_list(v.get("VulnerablePackages"))
                    if isinstance(p, dict)]  # fmt: skip
        cvss = [c for v in vulns for c in as_list(v.get("Cvss")) if isinstance(c, dict)]
        base = ("vuln",) if vulns else ("config",) if "Compliance" in x else ()
        asset_key = f"aws:{account}/{product}"
        finding = Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="cloud",
            asset_key=asset_key,
            rule_id=rule,
            title=str(x.get("Title") or rule),
            severity=severity if failed else Severity.INFO,
            severity_raw=raw if failed else f"{raw} (not verified: {product} could not decide)",
            cvss_score=max((to_float(c.get("BaseScore")) or 0.0 for c in cvss),
                           default=None) or None,
            cvss_vector=next((str(c["BaseVector"]) for c in cvss if c.get("BaseVector")), None),
            cves=split_cves([v.get("Id") for v in vulns] + [rule]),
            cwes=split_cwes([c for v in vulns for c in as_list(v.get("Cwes"))]),
            description=str(x.get("Description") or ""),
            solution=str(fix.get("Text") or ""),
            location=location,
            evidence=redact("\n".join(
                [f"{r.get('Type') or '?'} {r.get('Id') or '?'}" for r in resources]
                + [f"{p.get('Name')} {p.get('Version') or ''} → {p.get('FixedInVersion') or '?'}"
                   for p in packages])),  # fmt: skip
            references=unique_refs((fix.get("Url"), x.get("SourceUrl"),
                                    *(r for v in vulns for r in as_list(v.get("ReferenceUrls"))))),
            tags=rule_tags(self.tool, rule, base if failed else ("not-checked",)),
            first_seen=iso_utc(x.get("FirstObservedAt") or x.get("CreatedAt")),
            last_seen=iso_utc(x.get("LastObservedAt") or x.get("UpdatedAt")),
            status="accepted" if suppressed else "open",
            extra={k: v for k, v in (
                ("product", product), ("region", region or None), ("asff_id", x.get("Id")),
                ("types", as_list(x.get("Types")) or None),
                ("resources", [r.get("Id") for r in resources[1:]] or None),
                ("requirements", as_dict(x.get("Compliance")).get("RelatedRequirements")),
                ("suppression", suppressed_by("security hub workflow") if suppressed else None),
            ) if v},
        )  # fmt: skip
        digest = hashlib.sha256(str(x.get("Id") or "").encode()).hexdigest()[:16]
        finding._fingerprint = fingerprint(self.tool, asset_key, rule, f"{location}#{digest}")
        return finding


def _product(x: dict[str, Any]) -> str:
    """inspector, guardduty, securityhub, prowler … from ProductName or the product ARN."""
    name = str(x.get("ProductName") or "").strip()
    if not name:
        name = str(x.get("ProductArn") or "").rsplit("/", 1)[-1]
    return name.lower().replace(" ", "") or "unknown"


def _rule(x: dict[str, Any], vulns: list[dict[str, Any]]) -> str:
    if vulns and vulns[0].get("Id"):
        return str(vulns[0]["Id"])
    fields = as_dict(x.get("ProductFields"))
    control = fields.get("ControlId") or as_dict(x.get("Compliance")).get("SecurityControlId")
    if control:
        return str(control)
    generator = str(x.get("GeneratorId") or "")
    types = [str(t) for t in as_list(x.get("Types")) if t]
    if (not generator or generator.startswith("arn:")) and types:
        return types[0].rsplit("/", 1)[-1]  # GuardDuty: the detector is no rule, the type is
    return generator or str(x.get("Title") or "")


def _severity(sev: dict[str, Any]) -> tuple[Severity, str]:
    label = str(sev.get("Label") or "")
    if label:
        return norm_severity(label), label
    score = to_float(sev.get("Normalized"))
    if score is None:
        return Severity.INFO, ""
    return next((s for floor, s in _NORMALIZED if score >= floor), Severity.INFO), f"{score:g}/100"


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""
