"""Junos / PAN-OS trailing comments are cut by string search, linear in the line's length.

The former regex (kept here as the oracle) restarted its `/*…*/$` search at every `/*` of a
line: a hostile backup line of 30,000 `/*` cost seconds. The cut must stay the same.
"""

from __future__ import annotations

import random
import re

from cityguard.targets.netdev_tree import _without_trailing_comment, brace_tree

_ORACLE = re.compile(r"(?<!\s)\s*(##.*|/\*.*?\*/)\s*$")


def test_the_cut_is_the_former_regex_cut_on_random_lines() -> None:
    rng = random.Random(20261206)
    alphabet = ["a", " ", "/", "*", "#", "\t", ";", "x"]
    for _ in range(20_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert _without_trailing_comment(line).strip() == _ORACLE.sub("", line).strip(), line


def test_real_comment_shapes() -> None:
    assert _without_trailing_comment("host-name fw1; ## set by ops").strip() == "host-name fw1;"
    assert _without_trailing_comment("port 22; /* ssh */").strip() == "port 22;"
    assert _without_trailing_comment("/* whole line */").strip() == ""
    assert _without_trailing_comment("path /a/*b;").strip() == "path /a/*b;"


def test_a_hostile_line_of_comment_openers_is_read_in_one_pass() -> None:
    hostile = "description x" + "/*" * 30_000 + "*/"
    tree = brace_tree(["system {", hostile, "}"], "hostile.conf")
    # the whole tail from the first opener is one comment: the statement keeps its words only
    assert [node.text for node in tree.children] == ["set system description x"]
