"""The problem behind a failed check or a risk, in the report's language, with what was seen.

Check titles state the secure state ("SSH 主机私钥仅 root 可读"); read in a risk register they
sound like facts that are fine. The register, the top risks and the remediation plan show the
problem instead: the unmet state in the report's language and the observed value
("未满足：SSH 主机私钥仅 root 可读（实测：0644）"). A finding's title already names a problem
(the scanner's words) and stays as it is.
"""

from __future__ import annotations

from cityguard.model import Assessment, CheckResult, Risk
from cityguard.policy import messages
from cityguard.policy.messages import pick

MAX_VALUES = 3  # observed values quoted per problem (the rest are counted)
MAX_VALUE_CHARS = 60


def _one(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def observed(r: CheckResult, lang: str) -> str:
    """The failing evidence's observed values, the file named when several files failed."""
    failing = [e for e in r.evidence if e.ok is not True and e.observed not in (None, "", [])]
    files = {e.file or e.subject for e in failing}
    parts: list[str] = []
    for e in failing:
        values = e.observed if isinstance(e.observed, (list, tuple)) else [e.observed]
        for v in values:
            where = (e.file or e.subject) if len(files) > 1 else ""
            part = f"{where} {_one(v)}" if where else _one(v)
            if part not in parts:
                parts.append(part)
    if not parts:
        return ""
    shown = messages.t("report.list_sep", lang).join(parts[:MAX_VALUES])
    rest = len(parts) - MAX_VALUES
    return shown + (messages.t("report.and_more", lang, n=rest) if rest > 0 else "")


def check_problem(r: CheckResult, lang: str) -> str:
    title = pick(r.title_zh, r.title_en, lang) or r.check_id
    seen = observed(r, lang)
    if seen:
        return messages.t("report.problem_observed", lang, title=title, observed=seen)
    return messages.t("report.problem", lang, title=title)


class Problems:
    """Problem texts of one Assessment's risks (check results looked up once)."""

    def __init__(self, a: Assessment, lang: str) -> None:
        self.lang = lang
        self._results = {(r.asset, r.check_id): r for r in a.results}

    def result(self, asset: str, check_id: str) -> CheckResult | None:
        return self._results.get((asset, check_id))

    def risk(self, r: Risk) -> str:
        if r.vulnerability_kind == "check":
            result = self._results.get((r.asset, r.vulnerability))
            if result is not None:
                return check_problem(result, self.lang)
        return r.vulnerability_title
