"""What the overview templates need beside the Overview: chart series with their labels."""

from __future__ import annotations

from typing import Any

from cityguard.policy.messages import t
from cityguard.web.overview import CONCLUSIONS, Overview

#: conclusion → fill; dark enough to print, told apart by the legend's words too
COLORS = {"compliant": "#1a7f37", "basically_compliant": "#bf8700", "non_compliant": "#b3261e",
          "none": "#8c959f"}
FLOW = (("opened", "#b3261e"), ("fixed", "#1a7f37"))


def chart_context(ov: Overview, lang: str) -> dict[str, Any]:
    return {
        "conclusions": CONCLUSIONS,
        "conclusion_series": [(t(f"web.conclusion.{c}", lang), COLORS[c]) for c in CONCLUSIONS],
        "level_rows": [(t(f"web.level.{lv}", lang), [counts[c] for c in CONCLUSIONS])
                       for lv, counts in ov.by_level.items()],
        "rate_points": [(p.month, p.compliance_rate) for p in ov.trend],
        "risk_points": [(p.month, float(p.high_risks)) for p in ov.trend],
        "flow_points": [(p.month, p.opened, p.fixed) for p in ov.trend],
        "flow_series": [(t(f"web.col.{k}", lang), color) for k, color in FLOW],
    }
