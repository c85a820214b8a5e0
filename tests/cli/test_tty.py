"""A real terminal 80 cells wide: a pseudo-terminal whose window size says 80 (no $COLUMNS),
and a tmux session, as an operator's SSH session is. Colours only where asked for, a progress
bar only on a terminal, and plain lines in CI logs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from legible import too_wide, visible

from terminal_session import TerminalSession

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "smart-city-portal"
WEAK = REPO / "tests" / "fixtures" / "hosts" / "weak"
GATE = ("gate", "--manifest", str(EXAMPLE / "cityguard.yaml"), "--stage", "deploy",
        "--today", "2027-09-01")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _run(*args: str, columns: int = 80, env: dict[str, str] | None = None,
         cwd: Path | None = None) -> tuple[int, str]:
    term = TerminalSession(*args, columns=columns, env=env, cwd=cwd)
    try:
        out = term.read_to_end()
    finally:
        code = term.close()
    return code, out


def test_gate_in_an_80_column_terminal_is_stacked_coloured_and_fits():
    code, out = _run(*GATE)
    assert code == 1
    text = visible(out)
    assert not too_wide(text, 80), too_wide(text, 80)[:3]
    assert "build.code_audit" in text and "整改建议" in text and "门禁阻断" in text
    assert "┏" not in text  # the four-column table became one record per rule
    assert COLOUR.search(out), "a colour terminal gets colour"


@pytest.mark.parametrize("how", [{"flag": "--no-color"}, {"env": "NO_COLOR"}])
def test_no_color_gives_clean_text_in_a_terminal(how):
    args = (*GATE, "--no-color") if how.get("flag") else GATE
    env = {"NO_COLOR": "1"} if how.get("env") else None
    code, out = _run(*args, env=env)
    assert code == 1 and "build.code_audit" in out
    assert not COLOUR.search(out), COLOUR.findall(out)[:5]


def test_assess_shows_a_bar_on_a_terminal_and_fits(tmp_path):
    code, out = _run("assess", "--target", f"dir:{WEAK}", "--no-store", "--output",
                     str(tmp_path / "a.json"), cwd=tmp_path)
    assert code == 0, visible(out)[-2000:]
    assert "测评中" in out and "━" in out  # rich's bar, drawn while the checks run
    bar, shown_cursor, after = out.rpartition("\x1b[?25h")  # the bar ends, the cursor is back
    assert bar and shown_cursor
    text = visible(after)
    assert not too_wide(text, 80), too_wide(text, 80)[:3]
    assert "结论：" in text and "未检查的内容" in text


def test_ci_logs_get_plain_progress_lines_and_no_bar(tmp_path):
    """stderr not a terminal: periodic lines (here every 0 s), no control codes, no bar."""
    env = {**os.environ, "CITYGUARD_PROGRESS_INTERVAL": "0"}
    p = subprocess.run([sys.executable, "-m", "cityguard", "assess", "--target", f"dir:{WEAK}",
                        "--no-store", "--output", str(tmp_path / "a.json")],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [x for x in p.stderr.splitlines() if x.startswith("测评中: ")]
    assert lines and re.fullmatch(r"测评中: \d+/\d+ \(\d+%\), \d+ s", lines[-1]), lines[-3:]
    assert "\x1b" not in p.stderr + p.stdout and "\r" not in p.stderr and "━" not in p.stderr


def test_quiet_and_verbose_are_the_same_flags_everywhere(tmp_path):
    env = {**os.environ}
    quiet = subprocess.run([sys.executable, "-m", "cityguard", "assess", "-q", "--target",
                            f"dir:{WEAK}", "--no-store", "--output", str(tmp_path / "q.json")],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert (tmp_path / "q.json").is_file()
    p = subprocess.run([sys.executable, "-m", "cityguard", "--quiet", *GATE], capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip().splitlines() == [next(x for x in p.stderr.splitlines()
                                                  if "门禁阻断" in x)]
    loud = subprocess.run([sys.executable, "-m", "cityguard", *GATE, "--verbose"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert "waivers.not_expired: W1" in loud.stderr  # the rule details only --verbose shows
    data = subprocess.run([sys.executable, "-m", "cityguard", "catalog", "-q", "--format",
                           "json"], capture_output=True, text=True, env=env, timeout=300)
    assert data.stdout.startswith("[") and data.stderr == ""  # the data asked for stays


def test_every_command_takes_the_output_flags():
    from typer.main import get_command

    from cityguard.cli import app

    def leaves(cmd, path=()):
        subs = getattr(cmd, "commands", {})
        yield path, cmd
        for name, sub in subs.items():
            yield from leaves(sub, (*path, name))

    for path, cmd in leaves(get_command(app)):
        names = {o for p in cmd.params for o in getattr(p, "opts", [])}
        assert {"--quiet", "-q", "--verbose", "-v", "--no-color"} <= names, path


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_scans_import_in_an_80_column_tmux_session(tmp_path):
    """tmux draws the session as a terminal would: capture what an operator sees."""
    socket = f"cg-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TMUX")}
    scans = EXAMPLE / "scans"
    command = (f"cd {tmp_path} && {sys.executable} -m cityguard scans import "
               f"{scans / 'web01.nessus'} {scans / 'portal-image.trivy.json'}"
               f" nope.xml --store s.db; echo EXIT=$?; sleep 60")
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "80",
                    "-y", "40", command], env=env, check=True, timeout=30)
    try:
        screen = ""
        for _ in range(120):
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "0"],
                                    capture_output=True, text=True, env=env).stdout
            if "EXIT=" in screen:
                break
            time.sleep(0.5)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], env=env, timeout=30)
    assert "EXIT=2" in screen, screen
    assert not too_wide(screen, 80)
    lines = screen.splitlines()
    assert "error: nope.xml: file not found" in screen  # one line for the log
    name = next(i for i, x in enumerate(lines) if x.startswith("│ nope.xml"))
    assert "✗ file not found" in lines[name + 1]  # and the reason right under its file
    assert "web01.nessus" in screen and "nessus" in screen
