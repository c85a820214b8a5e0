"""`cityguard grade`: flags, JSON, usage errors, and the questions asked in a terminal."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from terminal_session import TerminalSession


def test_json_output(cityguard_proc):
    p = cityguard_proc("grade", "--info", "social:serious", "--service", "citizens:serious",
                       "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert (doc["s"], doc["a"], doc["grade"], doc["level"]) == (3, 2, "S3A2", 3)
    assert doc["info"]["degree_zh"] == "严重损害"


def test_table_output(cityguard_proc):
    p = cityguard_proc("grade", "--info", "national:especially_serious",
                       "--service", "social:general")
    assert p.returncode == 0, p.stderr
    assert "S5A2" in p.stdout and "第五级 / level 5" in p.stdout
    assert "备案" in p.stderr  # level ≥ 2: review and filing reminder


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--info", "citizens:general"], "--service missing"),
        ([], "--info and --service missing"),
        (["--info", "people:general", "--service", "social:general"], "unknown object of harm"),
        (["--info", "social", "--service", "social:general"], "is not OBJECT:DEGREE"),
        (["--info", "social:serious", "--service", "social:general", "--format", "xml"],
         "--format must be"),
    ],
)
def test_usage_errors_exit_2_with_one_line(cityguard_proc, args, words):
    p = subprocess.run([sys.executable, "-m", "cityguard", "grade", *args],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert words in p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_asks_the_questions_in_a_terminal():
    """On a pseudo-terminal without flags: four questions, then S3A2
    (information: social/serious → 3; service: citizens/serious → 2)."""
    term = TerminalSession("grade", "--format", "json")
    try:
        for answer in ("social", "serious", "citizens", "serious"):
            term.answer(b"]: ", answer)  # rich prompts end with the choices: "[a/b/c]: "
        term.read_until(b"}")
    finally:
        code = term.close()
    assert code == 0
    text = bytes(term.buf).decode()
    doc = json.loads(text[text.index("{"):text.rindex("}") + 1])
    assert doc["grade"] == "S3A2" and doc["level"] == 3
