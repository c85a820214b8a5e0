"""The MLPS 2.0 requirement catalog as loaded from policies/mlps2/."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ASSESSMENT_METHODS = ("automated_check", "scanner", "evidence", "interview")


@dataclass(frozen=True)
class Item:
    """One requirement item of GB/T 22239-2019 = one test unit of GB/T 28448-2019."""

    unit_id: str  # L3-CES1-01 (GB/T 28448, stored explicitly, never derived)
    clause: str  # 8.1.4.1 (GB/T 22239 control-point clause)
    item_letter: str  # "a", "b", … or "" for a single-item control point
    level: int  # 1–4
    part: str  # general | cloud | mobile | iot | ics | bigdata
    class_code: str  # PES … MMS
    class_zh: str
    class_en: str
    control_point_zh: str
    control_point_en: str
    sa_tag: str  # S | A | G (Annex A)
    summary_zh: str
    summary_en: str
    assessed_by: tuple[str, ...]
    importance: str  # Importance value
    optional: bool = False  # the big-data annex is informative
    note: str = ""

    @property
    def clause_ref(self) -> str:
        """Clause with item letter as printed in reports: `8.1.4.1 a)`."""
        return f"{self.clause} {self.item_letter})" if self.item_letter else self.clause

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["assessed_by"] = list(self.assessed_by)
        d["class"] = self.class_code
        d["clause_ref"] = self.clause_ref
        d["control_point"] = self.control_point_zh
        return d


@dataclass(frozen=True)
class HighRiskCase:
    """One case of the high-risk determination guideline (高风险判定实施指引)."""

    case_id: str  # 6.4.1.1
    part: str
    class_code: str
    control_point_zh: str
    clause_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]  # every level's unit ids this case concerns
    scope: str  # L2+, L3+, …
    min_level: int
    trigger_zh: str
    trigger_en: str
    mitigable: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["clause_ids"] = list(self.clause_ids)
        d["unit_ids"] = list(self.unit_ids)
        return d


@dataclass(frozen=True)
class Selection:
    """What a system at a given level / grade / extension set must be assessed against."""

    level: int
    s_level: int
    a_level: int
    extensions: tuple[str, ...] = ()
    include_optional: bool = False

    @property
    def grade(self) -> str:
        return f"S{self.s_level}A{self.a_level}"


@dataclass
class Catalog:
    items: list[Item]
    high_risk_cases: list[HighRiskCase] = field(default_factory=list)

    def by_id(self) -> dict[str, Item]:
        return {i.unit_id: i for i in self.items}
