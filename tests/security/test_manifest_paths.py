"""A manifest names files only inside its own folder, unless the operator allows otherwise.

In CI the manifest comes from the repository: `scans: [../../etc/shadow]`, an absolute
evidence path, a symlink out of the checkout or a `dir:/` target must not make cityguard read
the machine's files. Each case is a real process (bounded): exit 2, one line naming the
manifest, the line and the field; with `--allow-outside-paths` the same manifest is accepted.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from bounded import assert_refused, run_bounded

HEAD = "name: s\nlevel: 3\nstage: deploy\n"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, str]:
    """(the repository with the manifest, a folder outside it holding a secret, the secret)."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "scans").mkdir(parents=True)
    (repo / "host" / "etc").mkdir(parents=True)
    outside.mkdir()
    secret = f"root:$6$salt{uuid.uuid4().hex[:10]}$hash:19000:0:99999:7:::"
    (outside / "shadow").write_text(secret + "\n", encoding="utf-8")
    (outside / "x.json").write_text("{}\n", encoding="utf-8")
    (outside / "answers.yaml").write_text("answers: {}\n", encoding="utf-8")
    return repo, outside, secret


CASES = {
    # name: (manifest body after HEAD, line, field)
    "scan_dotdot": ("scans: [../outside/shadow]\n", 4, "scans.0"),
    "scan_glob": ("scans:\n  - scans/*.json\n  - ../outside/*.json\n", 6, "scans.1"),
    "scan_absolute": ("scans: ['{outside}/shadow']\n", 4, "scans.0"),
    "scan_symlink": ("scans: [scans/*.json]\n", 4, "scans.0"),
    "evidence": ("evidence:\n  - {{type: grading_report, path: '{outside}/shadow', "
                 "date: 2025-01-10, approver: a}}\n", 5, "evidence.0.path"),
    "answers": ("answers: ../outside/answers.yaml\n", 4, "answers"),
    "dir_target": ("assets:\n  - {{id: h, target: 'dir:..'}}\n", 5, "assets.0.target"),
    "dir_root": ("assets:\n  - {{id: h, target: 'dir:/'}}\n", 5, "assets.0.target"),
}


def _write(repo: Path, outside: Path, case: str) -> Path:
    body = CASES[case][0].format(outside=outside)
    if case == "scan_symlink":  # inside the folder by name, outside once resolved
        (repo / "scans" / "link.json").symlink_to(outside / "x.json")
    if case == "scan_glob":
        (repo / "scans" / "ok.json").write_text("{}\n", encoding="utf-8")
    m = repo / "cityguard.yaml"
    m.write_text(HEAD + body, encoding="utf-8")
    return m


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_refuses_paths_outside_the_folder(layout, case):
    repo, outside, secret = layout
    _write(repo, outside, case)
    _, line, field = CASES[case]
    p = run_bounded("validate", "cityguard.yaml", cwd=repo)
    hit = assert_refused(p, f"cityguard.yaml:{line}:", f"{field}:", "outside the manifest's "
                         "folder", "--allow-outside-paths")
    assert secret not in p.stdout + p.stderr and "$6$" not in hit
    # the operator's flag (validate --allow-outside-paths) lifts exactly this problem
    from cityguard.system.manifest import validate_manifest

    allowed = validate_manifest(repo / "cityguard.yaml", allow_outside_paths=True)
    assert not any("outside the manifest's folder" in e.problem for e in allowed), allowed


@pytest.mark.parametrize("command", [
    ("assess", "--no-store", "--output", "out"),
    ("gate", "--stage", "deploy"),
])
def test_assess_and_gate_refuse_before_reading_anything(layout, command):
    repo, outside, secret = layout
    _write(repo, outside, "scan_dotdot")
    p = run_bounded(*command, cwd=repo, timeout=120)
    assert_refused(p, "cityguard.yaml:4:", "scans.0:", "outside the manifest's folder")
    assert secret not in p.stdout + p.stderr
    assert not (repo / "out").exists()


def test_the_flag_lets_the_operator_reach_outside(layout):
    """Allowed, the outside file is read, and it is still described, never quoted."""
    repo, outside, secret = layout
    m = repo / "cityguard.yaml"
    m.write_text(HEAD + "assets:\n  - {id: h, target: 'dir:host'}\n"
                 "scans: [../outside/shadow]\n", encoding="utf-8")
    p = run_bounded("assess", "--manifest", "cityguard.yaml", "--allow-outside-paths",
                    "--no-store", "--output", "out", cwd=repo, timeout=180)
    assert_refused(p, "shadow", "not a recognised scan format")  # read: it is no scan file
    assert secret not in p.stdout + p.stderr
