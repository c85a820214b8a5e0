"""Views of a finished Assessment used by the command line, and library validation.

Kept apart from assessment.py (the pipeline) so each module has one job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cityguard.core.errors import DataError, UsageError
from cityguard.core.yamlio import line_of
from cityguard.engine import index, library_files, validate_paths
from cityguard.model import Assessment, Catalog, CheckResult, CheckStatus, Severity
from cityguard.policy.checkmap import LEVELS, checkmap_files, load_file_mappings


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
                keys.add((it.class_code, it.class_zh if lang == "zh" else it.class_en,
                          it.control_point_zh if lang == "zh" else it.control_point_en))
        if not keys:
            keys.add(("—", "未映射" if lang == "zh" else "unmapped", ""))
        for code, cname, cp in keys:
            row = rows.setdefault((code, cp), ControlPointRow(code, cname, cp, {}))
            row.counts[r.status.value] = row.counts.get(r.status.value, 0) + 1
    return sorted(rows.values(), key=lambda x: (order.get(x.class_code, 99), x.control_point))


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
