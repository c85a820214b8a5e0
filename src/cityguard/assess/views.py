"""Views of a finished Assessment used by the command line, and library validation.

Kept apart from run.py (the pipeline) so each module has one job. Numbers and lists only:
the words around them come from reports/i18n/messages.yaml in cli/_assess_view.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.core.yamlio import line_of
from cityguard.engine import index, library_files, validate_paths
from cityguard.model import Assessment, Catalog, CheckResult, CheckStatus, Severity
from cityguard.policy.checkmap import LEVELS, checkmap_files, load_file_mappings
from cityguard.policy.messages import pick, t


@dataclass
class ControlPointRow:
    class_code: str
    class_name: str
    control_point: str
    counts: dict[str, int]


def control_point_summary(a: Assessment, catalog: Catalog, lang: str = "zh"
                          ) -> list[ControlPointRow]:
    """Check results per class and control point (a result counts once per control point)."""
    items = catalog.by_id()
    rows: dict[tuple[str, str], ControlPointRow] = {}
    order = {code: n for n, code in enumerate(("PES", "CNS", "ABS", "CES", "SMC", "PSS", "ORS",
                                               "HRS", "CMS", "MMS"))}
    for r in a.results:
        keys: set[tuple[str, str, str]] = set()
        for uid in r.unit_ids:
            it = items.get(uid)
            if it is not None:
                keys.add((it.class_code, pick(it.class_zh, it.class_en, lang),
                          pick(it.control_point_zh, it.control_point_en, lang)))
        if not keys:
            keys.add(("—", t("cli.unmapped", lang), ""))
        for code, cname, cp in keys:
            row = rows.setdefault((code, cp), ControlPointRow(code, cname, cp, {}))
            row.counts[r.status.value] = row.counts.get(r.status.value, 0) + 1
    return sorted(rows.values(), key=lambda x: (order.get(x.class_code, 99), x.control_point))


#: how fleet.unreachable_results begins the reason of every check of a host it could not use
UNREACHABLE_REASONS = ("host unreachable: ", "input refused: ")


@dataclass
class FailedCheck:
    """One failed check, with every asset it failed on (a fleet repeats the same failure)."""

    check_id: str
    severity: Severity
    title_zh: str
    title_en: str
    remediation_zh: str
    remediation_en: str
    assets: list[str] = field(default_factory=list)


def top_failed(a: Assessment, n: int | None = None) -> tuple[list[FailedCheck], int]:
    """Failed, unwaived checks, most severe first (then those failing on most assets), at most
    `n`; and how many there are in all."""
    by_check: dict[str, FailedCheck] = {}
    for r in a.results:
        if r.status != CheckStatus.FAIL or r.waived:
            continue
        row = by_check.setdefault(r.check_id, FailedCheck(
            r.check_id, r.severity, r.title_zh, r.title_en, r.remediation_zh, r.remediation_en))
        if r.asset not in row.assets:
            row.assets.append(r.asset)
    rows = sorted(by_check.values(),
                  key=lambda f: (-f.severity.rank, -len(f.assets), f.check_id))
    return (rows if n is None else rows[:n]), len(rows)


def unreachable(a: Assessment) -> list[tuple[str, str]]:
    """(asset, why) of every asset whose checks could not run at all (host down, refused)."""
    out: dict[str, str] = {}
    per_asset: Counter[str] = Counter(r.asset for r in a.results)
    errors: dict[str, list[str]] = {}
    for r in a.results:
        if r.status == CheckStatus.ERROR:
            for prefix in UNREACHABLE_REASONS:
                if r.reason.startswith(prefix):
                    errors.setdefault(r.asset, []).append(r.reason[len(prefix):])
    for asset, reasons in errors.items():
        if len(reasons) == per_asset[asset]:
            out[asset] = reasons[0]
    return list(out.items())


@dataclass
class NotChecked:
    """What the run did not establish, by kind (never counted as compliant)."""

    items_not_assessed: int = 0  # items nothing assessed: counted as 0
    items_with_gaps: int = 0  # items some assets of which nothing assessed
    manual: int = 0  # check results a person must judge
    errors: int = 0  # check results that could not complete (unreachable hosts excluded)
    not_applicable: int = 0  # checks whose subject is absent on the asset
    unreachable: list[tuple[str, str]] = field(default_factory=list)  # (asset, why)

    def any(self) -> bool:
        return bool(self.items_not_assessed or self.items_with_gaps or self.manual
                    or self.errors or self.not_applicable or self.unreachable)


def not_checked(a: Assessment) -> NotChecked:
    down = unreachable(a)
    down_assets = {asset for asset, _ in down}
    status = Counter(r.status for r in a.results if r.asset not in down_assets)
    return NotChecked(
        items_not_assessed=sum(1 for i in a.items if i.verdict == "not_assessed"),
        items_with_gaps=sum(1 for i in a.items if i.gaps and i.verdict != "not_assessed"),
        manual=status[CheckStatus.MANUAL],
        errors=status[CheckStatus.ERROR],
        not_applicable=status[CheckStatus.NOT_APPLICABLE],
        unreachable=down,
    )


def open_high_risks(a: Assessment) -> list[Any]:
    """High-risk issues still open (not mitigated, not waived), in the order scoring found."""
    return [h for h in a.high_risks if h.status == "open"]


def check_severity(severity: str) -> Severity:
    try:
        return Severity.parse(severity)
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise UsageError(f"--fail-on must be one of {known} (got {severity!r})") from None


def failed_at_or_above(a: Assessment, severity: str) -> list[CheckResult]:
    """Failed, unwaived results at or above a severity (for --fail-on)."""
    floor = check_severity(severity)
    return [r for r in a.results
            if r.status == CheckStatus.FAIL and not r.waived and r.severity.rank >= floor.rank]


def open_findings_at_or_above(a: Assessment, severity: str) -> list[Any]:
    """Open (not accepted, not false positive, not fixed) findings at or above a severity."""
    floor = check_severity(severity)
    return [f for f in a.findings
            if f.status in ("open", "reopened") and f.severity.rank >= floor.rank]


def validate_library(paths: Sequence[str], checks_dirs: Sequence[str] = (),
                     policies_dirs: Sequence[str] = ()) -> tuple[list[Any], list[Any]]:
    """Checks and every problem (DataError) in check files.

    With no paths: the whole library (built-in + extra dirs), and the checkmaps of every level
    must name only checks that exist.
    """
    if paths:
        return validate_paths(paths)
    checks, errors = validate_paths(library_files(checks_dirs))
    names = index(checks)
    for level in LEVELS:
        for path in checkmap_files(level, policies_dirs):
            try:
                mapping = load_file_mappings(path)
            except DataError as exc:
                errors.append(exc)
                continue
            for unit, entries in mapping.items():
                for n, m in enumerate(entries):
                    if m.check not in names:
                        errors.append(DataError(path, f"mapped check {m.check!r} does not exist",
                                                line=line_of(path, ["map", unit, n]),
                                                field=f"map.{unit}.{n}"))
    return checks, errors
