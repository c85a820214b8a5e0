"""Every operator and modifier of `expect`, judged on values as probes yield them."""

from __future__ import annotations

import pytest

from cityguard.engine.expect import describe, judge, number, text, tokens
from cityguard.engine.probes import Value
from cityguard.engine.spec import Expect


def _judge(expect: dict, *values):
    return judge(Expect.from_dict(expect), [Value(v) for v in values])


@pytest.mark.parametrize(("expect", "values", "status"), [
    ({"equals": "no"}, ["no"], "pass"),
    ({"equals": "no"}, ["No"], "fail"),
    ({"equals": "no", "case_sensitive": False}, ["No"], "pass"),
    ({"equals": 0}, ["0"], "pass"),
    ({"equals": 5}, ["5.0"], "pass"),
    ({"equals": True}, [True], "pass"),
    ({"equals": False}, ["false"], "pass"),
    ({"not_equals": "yes"}, ["no"], "pass"),
    ({"not_equals": "yes"}, ["yes"], "fail"),
    ({"regex": "^TLSv1\\.[23]$"}, ["TLSv1.2"], "pass"),
    ({"regex": "^tlsv1", "case_sensitive": False}, ["TLSv1.3"], "pass"),
    ({"not_regex": "(?i)telnet"}, ["/usr/sbin/sshd"], "pass"),
    ({"not_regex": "telnet"}, ["in.telnetd"], "fail"),
    ({"lt": 91}, ["90"], "pass"),
    ({"le": 90}, ["91"], "fail"),
    ({"gt": 0}, [1], "pass"),
    ({"ge": 12}, ["12"], "pass"),
    ({"le": 600}, ["5m"], "pass"),  # sshd time format: 300 s
    ({"le": 600}, ["1h"], "fail"),
    ({"le": 90}, ["abc"], "fail"),
    ({"le": 90}, [None], "fail"),
    ({"in": ["TLSv1.2", "TLSv1.3"]}, ["TLSv1.3"], "pass"),
    ({"in": [1, 2]}, ["3"], "fail"),
    ({"not_in": ["telnet", "rsh"]}, ["ssh"], "pass"),
    ({"contains": "enforce_for_root"}, [["requisite", "retry=3", "enforce_for_root"]], "pass"),
    ({"contains": "-Indexes"}, ["FollowSymLinks -Indexes"], "pass"),
    ({"not_contains": "nullok"}, [["required", "nullok"]], "fail"),
    ({"subset_of": ["aes256-gcm@openssh.com", "aes256-ctr"]},
     ["aes256-gcm@openssh.com,aes256-ctr"], "pass"),
    ({"subset_of": ["aes256-ctr"]}, ["aes256-ctr,3des-cbc"], "fail"),
    ({"version_ge": "9.2p1"}, ["1:9.3p1-1"], "pass"),  # epoch 1 beats a missing epoch
    ({"version_ge": "1.2.10"}, ["1.2.9"], "fail"),
    ({"version_lt": "2.0~rc1"}, ["2.0~beta"], "pass"),
    ({"version_ge": "1.0"}, [None], "fail"),
    ({"age_days_le": 7}, [3.5], "pass"),
    ({"age_days_le": 7}, [30], "fail"),
    ({"mode_max": "0640"}, ["0600"], "pass"),
    ({"mode_max": "0640"}, ["0644"], "fail"),
    ({"mode_max": "0755"}, ["4755"], "fail"),  # setuid is an extra bit
    ({"mode_max": "0640"}, ["rw-"], "fail"),
])
def test_operators(expect: dict, values: list, status: str) -> None:
    assert _judge(expect, *values).status == status


def test_exists_and_count_ignore_false_and_null() -> None:
    assert _judge({"exists": True}).status == "fail"
    assert _judge({"exists": True}, False).status == "fail"  # `file` for a missing path
    assert _judge({"exists": True}, "x").status == "pass"
    assert _judge({"exists": False}, None, False).status == "pass"
    assert _judge({"count": {"le": 1}}, "root", "toor").status == "fail"
    assert _judge({"count": {"equals": 0}}, False, False).status == "pass"
    assert _judge({"count": {"ge": 2}}, 0, 0).status == "pass"  # uid 0 is a value, not "false"
    assert _judge({"count": {"gt": 0}}).status == "fail"
    assert _judge({"count": {"lt": 1}}).status == "pass"


def test_quantifiers() -> None:
    assert _judge({"equals": "no"}, "no", "yes").status == "fail"
    assert _judge({"equals": "no", "quantifier": "any"}, "no", "yes").status == "pass"
    assert _judge({"equals": "yes", "quantifier": "none"}, "no", "no").status == "pass"
    assert _judge({"equals": "yes", "quantifier": "none"}, "no", "yes").status == "fail"


def test_missing_modifier() -> None:
    assert _judge({"equals": "no"}).status == "fail"
    assert _judge({"equals": "no", "missing": "pass"}).status == "pass"
    assert _judge({"equals": "no", "missing": "not_applicable"}).status == "not_applicable"


def test_notes_explain_failures() -> None:
    j = _judge({"le": 90}, "abc", None)
    assert [note for _, _, note in j.checked] == ["not a number: 'abc'", "not set"]
    j = _judge({"subset_of": ["a"]}, "a,b,c")
    assert j.checked[0][2] == "not allowed: b, c"


def test_exactly_one_operator() -> None:
    with pytest.raises(ValueError, match="exactly one operator"):
        Expect.from_dict({"equals": 1, "regex": "x"})
    with pytest.raises(ValueError, match="exactly one operator"):
        Expect.from_dict({"quantifier": "any"})


def test_descriptions() -> None:
    assert describe(Expect.from_dict({"le": 90})) == "<= 90"
    assert describe(Expect.from_dict({"count": {"le": 0}})) == "count <= 0"
    assert describe(Expect.from_dict({"exists": False})) == "absent"
    assert describe(Expect.from_dict({"in": ["a", 1]})) == "in [a, 1]"
    assert describe(Expect.from_dict({"mode_max": "0640"})) == "mode at most 0640"


def test_normalisation_helpers() -> None:
    assert text(True) == "true" and text(5.0) == "5" and text(" 07 ") == "7"
    assert text(["a", 1]) == "a 1" and text(None) == ""
    assert number("1h30m") == 5400 and number(True) is None and number("x") is None
    assert tokens("a, b  c") == ["a", "b", "c"] and tokens(["x", 2]) == ["x", "2"]
