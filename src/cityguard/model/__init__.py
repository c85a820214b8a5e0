"""The ground layer: plain dataclasses and enums. Imports nothing of the project above it."""

from cityguard.model.assessment import (
    SCHEMA_VERSION,
    Assessment,
    Asset,
    GroupScore,
    HighRisk,
    ItemResult,
    ObjectVerdict,
    Risk,
    Summary,
    SystemInfo,
)
from cityguard.model.catalog import ASSESSMENT_METHODS, Catalog, HighRiskCase, Item, Selection
from cityguard.model.common import (
    CLASS_CODES,
    EXTENSIONS,
    MANAGEMENT_CLASSES,
    TECHNICAL_CLASSES,
    CheckStatus,
    Importance,
    Part,
    Severity,
    Verdict,
    severity_from_cvss,
)
from cityguard.model.findings import ASSET_KINDS, FINDING_STATUSES, Finding, fingerprint
from cityguard.model.results import CheckResult, Evidence

__all__ = [
    "ASSESSMENT_METHODS",
    "ASSET_KINDS",
    "CLASS_CODES",
    "EXTENSIONS",
    "FINDING_STATUSES",
    "MANAGEMENT_CLASSES",
    "SCHEMA_VERSION",
    "TECHNICAL_CLASSES",
    "Assessment",
    "Asset",
    "Catalog",
    "CheckResult",
    "CheckStatus",
    "Evidence",
    "Finding",
    "GroupScore",
    "HighRisk",
    "HighRiskCase",
    "Importance",
    "Item",
    "ItemResult",
    "ObjectVerdict",
    "Part",
    "Risk",
    "Selection",
    "Severity",
    "Summary",
    "SystemInfo",
    "Verdict",
    "fingerprint",
    "severity_from_cvss",
]
