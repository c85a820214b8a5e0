"""Prowler OCSF JSON (`prowler <provider> -M json-ocsf`): a list of OCSF 1.x Detection
Findings (class_uid 2004), one per check and resource, for AWS, Azure, GCP, Kubernetes, M365 …

- status_code FAIL → a finding; PASS → not a finding; MANUAL → an info finding tagged
  "not-checked" (Prowler could not decide, a person must), with its own location so a later
  FAIL of the same check is tracked apart; it never reads as compliant.
- muted findings (`status: Suppressed`, Prowler's mutelist) are kept as accepted.
- asset: the cloud account (`aws:123456789012`, `gcp:<project>`, `azure:<subscription>`);
  Kubernetes findings carry no cloud block: `kubernetes:<namespace or cluster>`.
- identity: check id (`metadata.event_code`), account, and the resource (region + uid).
- severity: Prowler's Critical / High / Medium / Low as they are, Informational → info.
The same check on the same resource listed twice is one finding.
"""

from __future__ import annotations

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
    rewind,
    rewindable,
)
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import norm_severity, redact, split_cves, suppressed_by, unique_refs
from cityguard.model import Finding, Severity


@register
class Prowler:
    name = "prowler"
    tool = "prowler"
    description = "Prowler OCSF JSON (AWS, Azure, GCP, Kubernetes … cloud posture checks)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("["):
            return 0
        if has_keys(text, "event_code", "status_code", "finding_info") and (
            '"prowler"' in text.lower()
        ):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "Prowler OCSF") != "[":
            raise DataError(source, "not a Prowler OCSF report (expected a JSON list of findings)")
        self.scanned: set[tuple[str, str]] = set()
        yield from first_of_each(self._open(stream, source))

    def _open(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        """Failed and manual results (each one's resource counts as scanned)."""
        for item in iter_json(rewind(stream), source, "item"):
            if not isinstance(item, dict):
                raise DataError(source, "not a Prowler OCSF report (a finding is not an object)")
            status = str(item.get("status_code") or "").upper()
            if status in ("FAIL", "MANUAL"):
                finding = self._finding(item, status)
                self.scanned.add((self.tool, finding.asset_key))
                yield finding

    def _finding(self, x: dict[str, Any], status: str) -> Finding:
        meta = as_dict(x.get("metadata"))
        info = as_dict(x.get("finding_info"))
        cloud = as_dict(x.get("cloud"))
        account = as_dict(cloud.get("account"))
        resources = [r for r in as_list(x.get("resources")) if isinstance(r, dict)]
        res = resources[0] if resources else {}
        provider = str(cloud.get("provider") or ("kubernetes" if "kubernetes" in str(
            res.get("type") or "").lower() else "cloud"))  # fmt: skip
        scope = str(account.get("uid") or res.get("namespace") or res.get("cloud_partition")
                    or "default")  # fmt: skip
        check = str(meta.get("event_code") or info.get("title") or "")
        region = str(res.get("region") or cloud.get("region") or "")
        target = str(res.get("uid") or res.get("name") or "")
        where = " ".join(x for x in (region, target) if x)
        failed = status == "FAIL"
        unmapped = as_dict(x.get("unmapped"))
        remediation = as_dict(x.get("remediation"))
        refs = [unmapped.get("related_url"), *as_list(unmapped.get("additional_urls")),
                *[r for r in as_list(remediation.get("references"))
                  if str(r).startswith("http")]]  # fmt: skip
        raw = str(x.get("severity") or "")
        muted = str(x.get("status") or "").lower() == "suppressed"
        extra: dict[str, Any] = {"region": region or None, "resource": target or None,
                                 "resource_type": res.get("type"),
                                 "compliance": unmapped.get("compliance") or None}  # fmt: skip
        if muted:
            extra["suppression"] = suppressed_by("prowler mutelist")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="cloud",
            asset_key=f"{provider}:{scope}",
            rule_id=check,
            title=str(info.get("title") or check),
            severity=norm_severity(raw) if failed else Severity.INFO,
            severity_raw=raw if failed else f"{raw} (MANUAL: not verified by Prowler)",
            cves=split_cves(check),
            description=str(info.get("desc") or x.get("risk_details") or ""),
            solution=str(remediation.get("desc") or ""),
            location=where if failed else f"{where} not-checked".strip(),
            evidence=redact(str(x.get("status_detail") or x.get("message") or "")),
            references=unique_refs(refs),
            tags=rule_tags(self.tool, check, ("config",) if failed else ("not-checked",)),
            first_seen=iso_utc(info.get("created_time_dt")),
            last_seen=iso_utc(x.get("time_dt") or info.get("created_time_dt")),
            status="accepted" if muted else "open",
            extra={k: v for k, v in extra.items() if v is not None},
        )
