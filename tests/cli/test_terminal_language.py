"""The summaries of `assess` and `gate` in Chinese (issues 13 and 20): cityguard's own
sentences — what was not checked, warnings, the gate's details — are said in Chinese, never
quoted in English; what remains English on the terminal is data (a scanner's title, a path).

Runs the real commands in-process on the example system, wide enough that no sentence is
wrapped, with --verbose so that the sentences behind the counts are printed too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityguard.model.serialize import assessment_from_dict
from cityguard.model.text import Text
from cityguard.policy.messages import say
from language_check import problems

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal"
WIDE = {"COLUMNS": "400", "NO_COLOR": "1"}


def _cli(*args: str) -> tuple[int, str]:
    from cityguard.cli import app

    res = CliRunner().invoke(app, list(args), env=WIDE, catch_exceptions=False)
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    if not (EXAMPLE / "cityguard.yaml").is_file():
        pytest.skip("examples/smart-city-portal is not in this checkout")
    out = tmp_path_factory.mktemp("zh-terminal")
    code, text = _cli("assess", "--manifest", str(EXAMPLE / "cityguard.yaml"), "--no-store",
                      "--verbose", "--lang", "zh", "--output", str(out))
    assert code == 0, text
    return text, out / "assessment.json"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_assess_summary_says_its_sentences_in_chinese(assessed):
    text, path = assessed
    doc = json.loads(path.read_text(encoding="utf-8"))
    a = assessment_from_dict(doc)
    own = [*a.summary.not_checked, *a.summary.warnings]
    assert own and all(isinstance(s, Text) for s in own), own
    flat = _flat(text)
    for sentence in own:
        zh = say(sentence, "zh")
        assert zh != str(sentence) and _flat(zh) in flat, zh
        assert _flat(str(sentence)) not in flat, sentence
    found = problems(text, doc, "zh")
    assert not found, "\n".join(found[:20])


def test_gate_details_are_said_in_chinese(assessed, tmp_path):
    """The example's waivers have all expired by 2027-09-01 and its findings block deploy: the
    rules' details (printed with --verbose) are the gate's own sentences."""
    from cityguard.gate.run import GateRequest, run_gate

    _, path = assessed
    args = {"stage": "deploy", "system": str(EXAMPLE / "cityguard.yaml"),
            "assessment": str(path), "today": "2027-09-01"}
    outcomes = run_gate(GateRequest(**args)).result.outcomes
    details = [(o.id, d) for o in outcomes for d in o.details]
    assert details and all(isinstance(d, Text) for _, d in details), details
    code, text = _cli("gate", "--manifest", args["system"], "--stage", "deploy",
                      "--assessment", args["assessment"], "--today", args["today"],
                      "--verbose", "--lang", "zh")
    assert code == 1, text
    flat = _flat(text)
    for rule, d in details:
        assert _flat(f"{rule}: {say(d, 'zh')}") in flat, d
        assert _flat(str(d)) not in flat, d
    # the English report says the same details in English
    code, text = _cli("gate", "--manifest", args["system"], "--stage", "deploy",
                      "--assessment", args["assessment"], "--today", args["today"],
                      "--verbose", "--lang", "en")
    assert code == 1
    assert all(_flat(f"{rule}: {say(d, 'en')}") in _flat(text) for rule, d in details)


def test_a_scan_that_saw_nothing_is_said_in_chinese_in_the_summary_and_report(tmp_path):
    """A coverage gap (an nmap run with no host up) reaches the not-checked list as a Text:
    the terminal and the zh report say it in Chinese, the JSON keeps the English and its key."""
    from cityguard import render

    out = tmp_path / "out"
    code, text = _cli("assess", "--target", f"dir:{REPO / 'tests/fixtures/hosts/weak'}",
                      "--scan", str(REPO / "tests/assets/ingest/nmap/no-host.xml"),
                      "--no-store", "--verbose", "--lang", "zh", "--output", str(out))
    assert code == 0, text
    doc = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    gaps = [m for m in doc["summary"]["not_checked_msgs"] if m and m["key"].startswith(
        "ingest.gap.")]
    assert [g["key"] for g in gaps] == ["ingest.gap.nothing_scanned"]
    a = assessment_from_dict(doc)
    gap = next(s for s in a.summary.not_checked if getattr(s, "key", "").startswith("ingest."))
    assert "scanned no target" in gap and "未扫描到任何目标" in say(gap, "zh")
    assert _flat(say(gap, "zh")) in _flat(text) and _flat(str(gap)) not in _flat(text)
    html = render.render_bytes(a, "html", lang="zh").decode("utf-8")
    assert "未扫描到任何目标" in html and "scanned no target" not in html
