"""What running a check on an asset gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityguard.model.common import CheckStatus, Severity
from cityguard.model.text import with_msgs


@dataclass(frozen=True)
class Evidence:
    """One observation behind a result: what a probe saw, where, against what expectation."""

    probe: str  # probe name, e.g. "file_content"
    subject: str  # path, argv, url, sysctl key …
    observed: Any = None  # value seen (secrets already redacted)
    expected: str = ""  # human-readable expectation, e.g. "<= 90"
    ok: bool | None = None
    file: str | None = None
    line: int | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "probe": self.probe,
            "subject": self.subject,
            "observed": self.observed,
            "expected": self.expected,
            "ok": self.ok,
        }
        if self.file is not None:
            d["file"] = self.file
        if self.line is not None:
            d["line"] = self.line
        if self.message:
            d["message"] = self.message
        return with_msgs(d, self, ("subject", "expected", "message"))


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    asset: str  # asset id
    status: CheckStatus
    severity: Severity
    unit_ids: tuple[str, ...]  # from the policies/ mapping for the selected level
    title_zh: str = ""
    title_en: str = ""
    evidence: tuple[Evidence, ...] = ()
    # why a result is error / not_applicable / manual; the manual question for a person
    # (a Text from the engine: said in the report's language, `reason_msg` in the JSON)
    reason: str = ""
    remediation_zh: str = ""
    remediation_en: str = ""
    duration_ms: float = 0.0
    waived: bool = False
    waiver: dict[str, Any] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return with_msgs(self._fields(), self, ("reason",))

    def _fields(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id,
            "asset": self.asset,
            "status": self.status.value,
            "severity": self.severity.value,
            "unit_ids": list(self.unit_ids),
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "evidence": [e.to_dict() for e in self.evidence],
            "reason": self.reason,
            "remediation_zh": self.remediation_zh,
            "remediation_en": self.remediation_en,
            "duration_ms": round(self.duration_ms, 2),
            "waived": self.waived,
            "waiver": self.waiver,
        }
