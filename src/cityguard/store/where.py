"""A WHERE clause built from optional filters, its values always bound (`?`), never pasted.

    w = Where().equal("r.owner", owner).any_of("r.state", states)
    db.all(SELECT + w.sql() + " ORDER BY r.id", w.args)

A filter that is not given (None, "", an empty list) adds nothing, so a listing with no
filter is the plain SELECT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Where:
    conditions: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, condition: str, *args: Any) -> Where:
        """One condition with its `?` values, always."""
        self.conditions.append(condition)
        self.args.extend(args)
        return self

    def equal(self, column: str, value: Any) -> Where:
        """`column = ?` when a value is given."""
        return self.add(f"{column} = ?", value) if value else self

    def any_of(self, column: str, values: Sequence[Any]) -> Where:
        """`column IN (?, …)` when any value is given."""
        if values:
            self.add(f"{column} IN ({in_list(len(values))})", *values)
        return self

    def extend(self, other: Where) -> Where:
        """Every condition of `other` too, after these."""
        self.conditions.extend(other.conditions)
        self.args.extend(other.args)
        return self

    def sql(self) -> str:
        """" WHERE …" (with its leading space), or "" when no filter was given."""
        return " WHERE " + " AND ".join(self.conditions) if self.conditions else ""


def in_list(n: int) -> str:
    """The placeholders of an IN list of n values: "?, ?, ?"."""
    return ", ".join("?" * n)
