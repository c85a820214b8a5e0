"""Grading by GB/T 22240-2020 (定级指南): object of harm × degree of harm → level.

The table (§5 Tables 1–3, identical for business information and system service) is certain
and lives here, not in configuration. The system level is max(S, A) (§6.1, §6.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cityguard.core.errors import UsageError

OBJECTS = ("citizens", "social", "national")
DEGREES = ("general", "serious", "especially_serious")

OBJECT_ZH = {
    "citizens": "公民、法人和其他组织的合法权益",
    "social": "社会秩序、公共利益",
    "national": "国家安全",
}
OBJECT_EN = {
    "citizens": "lawful rights of citizens, legal persons and organisations",
    "social": "social order and public interest",
    "national": "national security",
}
DEGREE_ZH = {"general": "一般损害", "serious": "严重损害", "especially_serious": "特别严重损害"}
DEGREE_EN = {"general": "ordinary harm", "serious": "serious harm",
             "especially_serious": "especially serious harm"}

#: GB/T 22240-2020 Table 1/2/3: rows = object, columns = degree
TABLE = {
    "citizens": (1, 2, 2),
    "social": (2, 3, 4),
    "national": (3, 4, 5),
}


def level_for(obj: str, degree: str) -> int:
    if obj not in TABLE:
        raise UsageError(f"unknown object of harm {obj!r}; known: {', '.join(OBJECTS)}")
    if degree not in DEGREES:
        raise UsageError(f"unknown degree of harm {degree!r}; known: {', '.join(DEGREES)}")
    return TABLE[obj][DEGREES.index(degree)]


def parse_harm(text: str, flag: str = "--info") -> tuple[str, str]:
    """'citizens:serious' → ('citizens', 'serious'); '-' is accepted for '_'."""
    obj, sep, degree = text.strip().lower().partition(":")
    degree = degree.replace("-", "_")
    if not sep or not obj or not degree:
        raise UsageError(f"{flag} {text!r} is not OBJECT:DEGREE (e.g. citizens:serious)")
    level_for(obj, degree)  # validates both names
    return obj, degree


@dataclass(frozen=True)
class Grading:
    info_object: str
    info_degree: str
    service_object: str
    service_degree: str
    s: int
    a: int

    @property
    def level(self) -> int:
        return max(self.s, self.a)

    @property
    def grade(self) -> str:
        return f"S{self.s}A{self.a}"

    @property
    def needs_review(self) -> bool:
        """Level 2 and above: expert review, approval and filing (备案) with public security."""
        return self.level >= 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "s": self.s,
            "a": self.a,
            "grade": self.grade,
            "level": self.level,
            "info": {"object": self.info_object, "degree": self.info_degree,
                     "object_zh": OBJECT_ZH[self.info_object],
                     "degree_zh": DEGREE_ZH[self.info_degree]},
            "service": {"object": self.service_object, "degree": self.service_degree,
                        "object_zh": OBJECT_ZH[self.service_object],
                        "degree_zh": DEGREE_ZH[self.service_degree]},
            "needs_review_and_filing": self.needs_review,
        }


def grade(info: tuple[str, str], service: tuple[str, str]) -> Grading:
    """S from the harm to business information, A from the harm to the system service."""
    return Grading(
        info_object=info[0], info_degree=info[1],
        service_object=service[0], service_degree=service[1],
        s=level_for(*info), a=level_for(*service),
    )


def harm_level(harm: str) -> int:
    """'social:serious' → 3 by the GB/T 22240-2020 table (shared with `cityguard grade`)."""
    obj, _, degree = harm.partition(":")
    return level_for(obj, degree.replace("-", "_"))
