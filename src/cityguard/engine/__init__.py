"""The declarative check engine: load checks (checks/**/*.yaml) and run them on targets.

Public API (the rest is internal):
    load_library(extra_dirs) -> list[Check]          built-in + CITYGUARD_CHECKS + extra dirs
    validate_paths(paths) -> (list[Check], list[DataError])   every problem, for `checks validate`
    run_checks(checks, targets, level=, jobs=, unit_ids=, on_result=) -> list[CheckResult]
    run_check(check, make_context(target, level), unit_ids) -> CheckResult
"""

from cityguard.engine.loader import index, library_files, load_file, load_library, validate_paths
from cityguard.engine.runner import make_context, run_check, run_checks
from cityguard.engine.spec import Applies, Check, Expect, Group, Rule

__all__ = [
    "Applies",
    "Check",
    "Expect",
    "Group",
    "Rule",
    "index",
    "library_files",
    "load_file",
    "load_library",
    "make_context",
    "run_check",
    "run_checks",
    "validate_paths",
]
