"""`cityguard init`: a commented manifest that validates, never overwritten silently, and the
grading questions asked in a terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time

from cityguard.system import load_manifest


def _read_until(fd: int, needle: bytes, buf: bytearray, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while needle not in buf:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} not seen in {bytes(buf)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf.extend(chunk)


def _reap(pid: int, timeout: float = 15) -> int:
    """Wait for the child; one still waiting for input after `timeout` is killed (never hang)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


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
    pid, fd = pty.fork()
    if pid == 0:  # child: the real CLI on a terminal
        os.chdir(tmp_path)
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
        os.execve(sys.executable, [sys.executable, "-m", "cityguard", "init"], env)
    buf = bytearray()
    try:
        _read_until(fd, b"): ", buf)  # "system name (<dir name>): "
        os.write(fd, "交通信号控制\n".encode())
        for answer in ("social", "especially_serious", "social", "serious"):
            _read_until(fd, b"]: ", buf)
            buf.clear()
            os.write(fd, answer.encode() + b"\n")
            _read_until(fd, answer.encode() + b"\r\n", buf)
        _read_until(fd, b"cityguard validate", buf)
    finally:
        status = _reap(pid)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    m = load_manifest(tmp_path / "cityguard.yaml")
    assert (m.name, m.grade, m.level) == ("交通信号控制", "S4A3", 4)
