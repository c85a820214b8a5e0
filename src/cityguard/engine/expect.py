"""Expectations: judge the values a probe collected.

Normalisation, so that YAML's `equals: 0` matches a config file's "0": booleans become
"true"/"false", numbers their shortest text ("5.0" → "5"), strings are stripped. Numeric
operators also read durations with an s/m/h/d/w suffix as seconds (sshd's "5m", nginx "65s").
For `exists` and `count` a value of false or null counts as nothing found: `file` yields
false for a missing path, `accounts … empty_password` false for a sound account.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from typing import Any

from cityguard.engine.patterns import Budget
from cityguard.engine.probes.base import Value
from cityguard.engine.spec import Expect
from cityguard.engine.versions import compare_versions
from cityguard.model.text import Text
from cityguard.policy.messages import text as say_text

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DURATION = re.compile(r"^(\d+[smhdw])+$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_CMP = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
        "equals": operator.eq}
_SYMBOL = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "equals": "=="}


@dataclass
class Judgement:
    status: str  # pass | fail | not_applicable
    expected: str  # human-readable expectation (a Text: said in the report's language)
    # value, ok (this value is acceptable), note
    checked: list[tuple[Value, bool, str]] = field(default_factory=list)
    message: str = ""


def text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return " ".join(text(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v).strip()
    if _NUMBER.match(s):
        f = float(s)
        return str(int(f)) if f.is_integer() else repr(f)
    return s


def number(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    if _NUMBER.match(s):
        return float(s)
    if _DURATION.match(s):
        # a match starts only where a run of digits starts: from every digit it was n²
        return float(sum(int(n) * _UNIT[u.lower()]
                         for n, u in re.findall(r"(?<!\d)(\d+)([a-zA-Z])", s)))
    return None


def tokens(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [text(x) for x in v]
    return [t for t in re.split(r"[\s,]+", text(v)) if t]


def _fold(s: str, case: bool) -> str:
    return s if case else s.lower()


def describe(e: Expect) -> Text:
    """The expectation in words (messages `engine.expect.<op>`), e.g. "<= 90", "exists"."""
    op, arg = e.op, e.arg
    if op == "count":
        (k, n), = arg.items()
        return say_text("engine.expect.count", symbol=_SYMBOL[k], value=text(n))
    if op in _SYMBOL:
        return say_text("engine.expect.compare", symbol=_SYMBOL[op], value=text(arg))
    if op in ("in", "not_in", "subset_of"):
        return say_text(f"engine.expect.{op}", values=", ".join(text(a) for a in arg))
    if op == "exists":
        return say_text("engine.expect.exists" if arg else "engine.expect.absent")
    if op == "mode_max":
        return say_text("engine.expect.mode_max", value=str(arg).zfill(4))
    if op == "not_equals":
        return say_text("engine.expect.compare", symbol="!=", value=text(arg))
    return say_text(f"engine.expect.{op}", value=text(arg))


def _one(e: Expect, v: Any, budget: Budget, at: str = "") -> tuple[bool, str]:
    """Does one value satisfy the operator? And why not. Patterns share `budget` (one per
    rule: every value of a rule together gets limits.REGEX_SECONDS)."""
    op, arg, case = e.op, e.arg, e.case_sensitive
    if op in ("equals", "not_equals"):
        same = _fold(text(v), case) == _fold(text(arg), case)
        return (same, "") if op == "equals" else (not same, "")
    if op in ("regex", "not_regex"):
        hit = budget.search(e.regex, text(v), at) is not None
        return (hit, "") if op == "regex" else (not hit, "")
    if op in ("lt", "le", "gt", "ge", "age_days_le"):
        n = number(v)
        if n is None:
            if v is None or v == "":
                return False, say_text("engine.judge.not_set")
            return False, say_text("engine.judge.not_a_number", value=repr(text(v)))
        return _CMP["le" if op == "age_days_le" else op](n, float(arg)), ""
    if op in ("in", "not_in"):
        member = _fold(text(v), case) in {_fold(text(a), case) for a in arg}
        return (member, "") if op == "in" else (not member, "")
    if op in ("contains", "not_contains"):
        member = _fold(text(arg), case) in {_fold(t, case) for t in tokens(v)}
        return (member, "") if op == "contains" else (not member, "")
    if op == "subset_of":
        allowed = {_fold(text(a), case) for a in arg}
        extra = [t for t in tokens(v) if _fold(t, case) not in allowed]
        return (not extra, say_text("engine.judge.not_allowed", values=", ".join(extra))
                if extra else "")
    if op in ("version_ge", "version_lt"):
        if v is None or text(v) == "":
            return False, say_text("engine.judge.no_version")
        c = compare_versions(text(v), text(arg))
        return (c >= 0, "") if op == "version_ge" else (c < 0, "")
    if op == "mode_max":
        try:
            mode = v if isinstance(v, int) else int(text(v), 8)
        except ValueError:
            return False, say_text("engine.judge.not_a_mode", value=repr(text(v)))
        extra_bits = mode & ~int(str(arg), 8)
        return (not extra_bits, say_text("engine.judge.extra_bits", bits=f"{extra_bits:04o}")
                if extra_bits else "")
    raise ValueError(f"unknown operator {op!r}")  # the loader refuses these


def judge(e: Expect, values: tuple[Value, ...] | list[Value]) -> Judgement:
    expected = describe(e)
    if e.op in ("exists", "count"):
        present = [v for v in values if v.value is not False and v.value is not None]
        if e.op == "exists":
            ok = bool(present) == bool(e.arg)
            msg = say_text("engine.judge.found", n=len(present))
        else:
            (k, n), = e.arg.items()
            ok = _CMP[k](len(present), n)
            msg = say_text("engine.judge.count", n=len(present))
        checked = [(v, ok, "") for v in present] or []
        return Judgement("pass" if ok else "fail", expected, checked, msg)
    if not values:
        status = {"fail": "fail", "pass": "pass", "not_applicable": "not_applicable"}[e.missing]
        return Judgement(status, expected, [], say_text("engine.judge.no_value"))
    checked = []
    budget = Budget(f"a value checked with {e.op}")
    for v in values:
        at = f"{v.file}:{v.line}" if v.file and v.line else (v.file or "")
        ok, note = _one(e, v.value, budget, at)
        if e.quantifier == "none":  # `ok` says whether the value is acceptable: here, if not
            ok, note = not ok, note or (say_text("engine.judge.for_no_value", expected=expected)
                                        if ok else "")
        checked.append((v, ok, note))
    oks = [ok for _, ok, _ in checked]
    passed = any(oks) if e.quantifier == "any" else all(oks)
    return Judgement("pass" if passed else "fail", expected, checked)
