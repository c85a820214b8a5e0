"""`cityguard validate`: exit 0 with a count, or every problem with file:line and exit 2."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal" / "cityguard.yaml"


def test_the_example_is_valid(cityguard_proc):
    p = cityguard_proc("validate", str(EXAMPLE))
    assert p.returncode == 0, p.stderr
    assert "valid" in p.stderr and "11 evidence record(s), 3 waiver(s); 0 problems" in p.stderr


def test_every_problem_is_listed_with_its_line(cityguard_proc, tmp_path):
    (tmp_path / "cityguard.yaml").write_text(
        "name: x\n"
        "stage: deploy\n"
        "level: 3\n"
        "evidence:\n"
        "  - {type: code_audit, path: audit.md, date: 2025-13-01, approver: a}\n"
        "waivers:\n"
        "  - {check: ssh.x, approver: b, expires: 2025-12-31}\n"
        "  - {finding: abcdef12, reason: r, approver: b, expires: soon}\n",
        encoding="utf-8")
    p = cityguard_proc("validate", cwd=tmp_path)  # ./cityguard.yaml by default
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert lines[-1] == "cityguard.yaml: 4 problem(s)"
    assert any(line.startswith("error: cityguard.yaml:5: evidence.0.date") for line in lines)
    assert any("cityguard.yaml:5: evidence.0.path: evidence file audit.md does not exist" in line
               for line in lines)
    assert any("cityguard.yaml:7: waivers.0: 'reason' is a required property" in line
               for line in lines)
    assert any("cityguard.yaml:8: waivers.1.expires" in line for line in lines)
    assert "Traceback" not in p.stderr
