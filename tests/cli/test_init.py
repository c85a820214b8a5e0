"""`cityguard init`: a commented manifest that validates, never overwritten silently, and the
grading questions asked in a terminal."""

from __future__ import annotations

from cityguard.system.manifest import load_manifest
from terminal_session import TerminalSession


def test_writes_a_commented_manifest_that_validates(cityguard_proc, tmp_path):
    p = cityguard_proc("init", "--name", "市民热线", "--info", "social:serious",
                       "--service", "citizens:serious", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    path = tmp_path / "cityguard.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("#") > 15 and "waivers" in text and "reason, approver, expires" in text
    m = load_manifest(path)
    assert (m.name, m.level, m.grade, m.stage) == ("市民热线", 3, "S3A2", "plan")
    assert cityguard_proc("validate", cwd=tmp_path).returncode == 0


def test_never_overwrites_without_force(cityguard_proc, tmp_path):
    target = tmp_path / "sys" / "cityguard.yaml"
    target.parent.mkdir()
    target.write_text("mine\n")
    p = cityguard_proc("init", str(target.parent), "--level", "2")  # DIR → DIR/cityguard.yaml
    assert p.returncode == 2 and "already exists; use --force" in p.stderr
    assert target.read_text() == "mine\n"
    p = cityguard_proc("init", str(target), "--level", "2", "--stage", "build", "--force")
    assert p.returncode == 0, p.stderr
    m = load_manifest(target)
    assert (m.level, m.stage) == (2, "build")


def test_bad_flags_exit_2(cityguard_proc, tmp_path):
    for args, words in ((["--level", "7"], "--level must be 1-4"),
                        (["--stage", "later"], "--stage must be one of"),
                        (["--info", "national:especially_serious", "--service", "social:general"],
                         "level 5")):
        p = cityguard_proc("init", *args, cwd=tmp_path)
        assert p.returncode == 2 and words in p.stderr, (args, p.stderr)
        assert not (tmp_path / "cityguard.yaml").exists()


def test_asks_name_and_grading_in_a_terminal(tmp_path):
    term = TerminalSession("init", cwd=tmp_path)
    try:
        term.answer(b"): ", "交通信号控制")  # "system name (<dir name>): "
        for answer in ("social", "especially_serious", "social", "serious"):
            term.answer(b"]: ", answer)
        term.read_until(b"cityguard validate")
    finally:
        code = term.close()
    assert code == 0
    m = load_manifest(tmp_path / "cityguard.yaml")
    assert (m.name, m.grade, m.level) == ("交通信号控制", "S4A3", 4)
