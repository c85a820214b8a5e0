"""Enumerations shared by every layer, with their Chinese labels."""

from __future__ import annotations

from enum import Enum


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical … 0 for info, so `a.rank >= b.rank` means 'at least as severe'."""
        return _SEVERITY_RANK[self]

    @property
    def zh(self) -> str:
        return _SEVERITY_ZH[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls(value.strip().lower())


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
_SEVERITY_ZH = {
    Severity.CRITICAL: "严重",
    Severity.HIGH: "高",
    Severity.MEDIUM: "中",
    Severity.LOW: "低",
    Severity.INFO: "信息",
}


def severity_from_cvss(score: float | None) -> Severity:
    """FIRST CVSS v3/v4 qualitative bands."""
    if score is None or score <= 0:
        return Severity.INFO
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW


class CheckStatus(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"

    @property
    def zh(self) -> str:
        return {
            "pass": "通过",
            "fail": "未通过",
            "error": "出错",
            "not_applicable": "不适用",
            "manual": "需人工核查",
        }[self.value]


class Verdict(str, Enum):
    COMPLIANT = "compliant"
    PARTIAL = "partial"
    NON_COMPLIANT = "non_compliant"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSED = "not_assessed"

    @property
    def zh(self) -> str:
        return {
            "compliant": "符合",
            "partial": "部分符合",
            "non_compliant": "不符合",
            "not_applicable": "不适用",
            "not_assessed": "未测评",
        }[self.value]

    @property
    def score(self) -> float | None:
        """Item score of the report template; None = left out of every denominator.

        not_assessed also has no score, but unlike not_applicable it is a gap and is
        counted against compliance by the scoring rules (never as compliant).
        """
        return {"compliant": 1.0, "partial": 0.5, "non_compliant": 0.0}.get(self.value)


class Importance(str, Enum):
    """Weight class of an item in the 2021 report template (一般 / 重要 / 关键)."""

    GENERAL = "general"
    IMPORTANT = "important"
    KEY = "key"

    @property
    def zh(self) -> str:
        return {"general": "一般", "important": "重要", "key": "关键"}[self.value]


class Part(str, Enum):
    GENERAL = "general"
    CLOUD = "cloud"
    MOBILE = "mobile"
    IOT = "iot"
    ICS = "ics"
    BIGDATA = "bigdata"


EXTENSIONS = ("cloud", "mobile", "iot", "ics", "bigdata")

CLASS_CODES = ("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS", "HRS", "CMS", "MMS")
TECHNICAL_CLASSES = ("PES", "CNS", "ABS", "CES", "SMC")
MANAGEMENT_CLASSES = ("PSS", "ORS", "HRS", "CMS", "MMS")
