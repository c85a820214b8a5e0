"""Scoring like an MLPS assessment (docs/scoring.md).

Item verdicts per object → item, control-point and class scores → compliance rate and
conclusion (2025 template; 2021 as an option) → high-risk issues and the major hidden risk →
the GB/T 20984 risk register. Grading by GB/T 22240 lives in `scoring.grading`.

Public entry: `evaluate(ScoringInput) -> ScoringOutcome`; `load_config(extra_dirs)` reads the
scoring configuration with site overrides merged.
"""

from cityguard.scoring.config import load_config, load_rules, load_threats
from cityguard.scoring.inputs import ScoringInput, ScoringOutcome
from cityguard.scoring.run import evaluate

__all__ = [
    "ScoringInput",
    "ScoringOutcome",
    "evaluate",
    "load_config",
    "load_rules",
    "load_threats",
]
