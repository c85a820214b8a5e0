"""Report labels: the renderers' view of cityguard.policy.messages.

Every string lives in `reports/i18n/messages.yaml` (zh and en); report labels are the keys
`report.<name>`, enumerated values `<enum>.<value>`. Templates call `t(key)`; code calls
`label(key, lang)` or `enum_label(GROUP, value, lang)`. The orders below are display orders,
not strings.
"""

from __future__ import annotations

from collections.abc import Callable

from cityguard.policy import messages
from cityguard.policy.messages import (
    pick,  # bilingual data fields (title_zh / title_en)
    say,  # cityguard's own sentences (model.text.Text)
)

__all__ = ["ASSET_TYPE", "CONCLUSION", "EXTENSION", "FINDING_STATUS", "HIGH_RISK_STATUS",
           "IMPORTANCE", "RISK_LEVEL", "RISK_METHOD", "SEVERITY_ORDER", "SOURCE", "STAGE",
           "STATUS_ORDER", "VERDICT_ORDER", "WAIVER_KIND", "WAIVER_STATE", "enum_label", "label",
           "paren", "pick", "say", "severity", "status", "translator", "verdict"]

# enumeration groups of messages.yaml
VERDICT = "verdict"
SEVERITY = "severity"
STATUS = "status"
IMPORTANCE = "importance"
CONCLUSION = "conclusion"
RISK_LEVEL = "risk_level"
HIGH_RISK_STATUS = "high_risk_status"
FINDING_STATUS = "finding_status"
SOURCE = "source"
STAGE = "stage"
RISK_METHOD = "risk_method"
WAIVER_STATE = "waiver_state"
WAIVER_KIND = "waiver_kind"
ASSET_TYPE = "asset_type"
EXTENSION = "extension"

#: the HTML `lang` attribute (BCP 47) of a report in each language: a tag, not a message
HTML_LANG = {"zh": "zh-CN", "en": "en"}

VERDICT_ORDER = ("compliant", "partial", "non_compliant", "not_assessed", "not_applicable")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
STATUS_ORDER = ("fail", "error", "manual", "pass", "not_applicable")


def label(key: str, lang: str) -> str:
    """The report label `report.<key>`; the key itself when unknown."""
    full = f"report.{key}"
    return messages.t(full, lang) if messages.has(full) else key


def enum_label(group: str, value: object, lang: str) -> str:
    return messages.enum(group, value, lang)


def verdict(value: str, lang: str) -> str:
    return messages.enum(VERDICT, value, lang)


def severity(value: object, lang: str) -> str:
    return messages.enum(SEVERITY, value, lang)


def status(value: object, lang: str) -> str:
    return messages.enum(STATUS, value, lang)


def paren(value: object, lang: str) -> str:
    """`value` in the language's parentheses: （…） in Chinese text, " (…)" in English."""
    return messages.t("report.paren", lang, value=value)


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **fields)` for templates: the label with `{field}` placeholders filled."""

    def t(key: str, **fields: object) -> str:
        text = label(key, lang)
        return text.format(**fields) if fields else text

    return t

