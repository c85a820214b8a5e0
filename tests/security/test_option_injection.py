"""No value from a flag or a file becomes an option of a program cityguard starts.

Each entry point of an ssh:// target (`--target`, INI and YAML inventories, a manifest's
assets with `assess`, `gate --stage deploy` and `validate`) gets a host, user or port that
the real OpenSSH client would read as `-oProxyCommand=touch MARKER`. The run must end in
exit 2 with one line naming the file and line (or the flag), and MARKER must never exist.
The last test drives the real `ssh` binary with such a host smuggled past validation: the
`--` before the destination alone must keep ssh from running the command.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bounded import assert_refused, run_bounded

pytestmark = pytest.mark.skipif(shutil.which("ssh") is None,
                                reason="the OpenSSH client (ssh) is not installed")

#: the ProxyCommand writes MARKER (relative to the run's cwd) if ssh ever reads it as an option
PROXY = "-oProxyCommand=touch MARKER"
#: the same without spaces, so only the leading '-' gives it away
PROXY_TIGHT = "-oProxyCommand=touch${IFS}MARKER"


def _assert_no_marker(root: Path) -> None:
    assert not any(p.name == "MARKER" for p in root.rglob("MARKER")), "a local command ran"


SPECS = [
    f"ssh://{PROXY}",
    f"ssh://{PROXY_TIGHT}",
    "ssh://-oProxyCommand=id",
    f"ssh://ops@{PROXY_TIGHT}:22",
    "ssh://-oProxyCommand%3Did@10.0.0.1",   # the user part, percent-encoded
    "ssh://h;touch MARKER",
    "ssh://ops@10.0.0.1:-1",
    "ssh://ops@10.0.0.1:22/-oProxyCommand=id",
    "ssh://ops:pw@10.0.0.1",
    "ssh://10.0.0.1\n-oProxyCommand=id",   # urlsplit would drop the newline silently
]


@pytest.mark.parametrize("spec", SPECS[:2])
def test_target_flag(tmp_path, spec):
    p = run_bounded("assess", "--target", spec, "--no-store", "--output", "out", cwd=tmp_path)
    assert_refused(p, "target", spec)
    _assert_no_marker(tmp_path)


def test_every_spelling_is_refused_where_the_flag_is_parsed():
    from cityguard.core.errors import UsageError
    from cityguard.targets.ssh import parse_ssh_spec

    for spec in SPECS:
        with pytest.raises(UsageError, match="target"):
            parse_ssh_spec(spec)
    assert parse_ssh_spec("ssh://ops@10.0.0.5:2222") == ("ops", "10.0.0.5", 2222)
    assert parse_ssh_spec("ssh://u@[fd00::12]:22") == ("u", "fd00::12", 22)
    assert parse_ssh_spec("ssh://bastion-hop_1.example") == (None, "bastion-hop_1.example", None)


INI_CASES = {
    "host": "[web]\nweb1 ansible_host=10.0.0.1\nweb2 ansible_host=\"{v}\"\n",
    "user": "[web]\nweb1 ansible_host=10.0.0.1\n[web:vars]\nansible_user=\"{v}\"\n",
    "port": "[web]\nweb1 ansible_host=10.0.0.1 ansible_port=\"{v}\"\n",
    "name": "[web]\nweb1 ansible_host=10.0.0.1\n{v}\n",
}
INI_LINES = {"host": 3, "user": 4, "port": 2, "name": 3}


@pytest.mark.parametrize("case", sorted(INI_CASES))
def test_ini_inventory(tmp_path, case):
    value = PROXY_TIGHT if case == "name" else PROXY
    inv = tmp_path / "hosts.ini"
    inv.write_text(INI_CASES[case].format(v=value), encoding="utf-8")
    p = run_bounded("assess", "--inventory", str(inv), "--no-store", "--output", "out",
                    cwd=tmp_path)
    assert_refused(p, f"{inv}:{INI_LINES[case]}:")
    _assert_no_marker(tmp_path)


YAML_CASES = {
    "host": ("all:\n  children:\n    web:\n      hosts:\n        web1:\n"
             "          ansible_host: \"{v}\"\n", 6),
    "user": ("all:\n  vars:\n    ansible_user: \"{v}\"\n  hosts:\n    web1:\n"
             "      ansible_host: 10.0.0.1\n", 3),
    "port": ("all:\n  hosts:\n    web1:\n      ansible_host: 10.0.0.1\n"
             "      ansible_port: \"{v}\"\n", 5),
    "name": ("all:\n  hosts:\n    \"{v}\":\n", 3),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_inventory(tmp_path, case):
    text, line = YAML_CASES[case]
    inv = tmp_path / "hosts.yml"
    inv.write_text(text.format(v=PROXY_TIGHT if case == "name" else PROXY), encoding="utf-8")
    p = run_bounded("assess", "--inventory", str(inv), "--no-store", "--output", "out",
                    cwd=tmp_path)
    assert_refused(p, f"{inv}:{line}:")
    _assert_no_marker(tmp_path)


def _manifest(root: Path, target: str) -> Path:
    m = root / "cityguard.yaml"
    m.write_text(
        "name: s\nlevel: 3\nstage: deploy\nassets:\n"
        "  - {id: web01, target: \"dir:tree\"}\n"
        f"  - id: web02\n    target: \"{target}\"\n",
        encoding="utf-8")
    (root / "tree").mkdir()
    return m


@pytest.mark.parametrize("command", [
    ("assess", "--no-store", "--output", "out"),
    ("assess", "--manifest", "cityguard.yaml", "--no-store", "--output", "out"),
    ("gate", "--stage", "deploy"),
    ("validate", "cityguard.yaml"),
])
def test_manifest_assets(tmp_path, command):
    manifest = _manifest(tmp_path, f"ssh://{PROXY}")
    p = run_bounded(*command, cwd=tmp_path)
    line = assert_refused(p, "cityguard.yaml:7:", "assets.1.target")
    assert str(manifest.name) in line
    _assert_no_marker(tmp_path)


@pytest.mark.parametrize("target", [f"ssh://{PROXY_TIGHT}", f"ssh://{PROXY_TIGHT}@10.0.0.1",
                                    "ssh://ops@-oProxyCommand=id:22", "ssh://h:0"])
def test_manifest_validation_refuses_every_spelling(tmp_path, target):
    from cityguard.system.manifest import validate_manifest

    problems = validate_manifest(_manifest(tmp_path, target))
    assert [(p.line, p.field) for p in problems] == [(7, "assets.1.target")], problems


def test_ssh_ends_its_options_before_the_destination(tmp_path, monkeypatch):
    """A host that slipped past validation reaches the real ssh after `--`: never an option."""
    from cityguard.core.errors import TargetError
    from cityguard.targets.ssh import SSHOptions, SSHTarget

    monkeypatch.chdir(tmp_path)
    target = SSHTarget("ssh://10.0.0.1", SSHOptions(connect_timeout=2,
                                                    config_file="/dev/null"))
    target.host = PROXY  # as if a new entry point forgot to validate
    argv = target._argv("true")
    assert argv[argv.index("--") + 1] == PROXY and argv.index("--") < argv.index(PROXY)
    try:
        with pytest.raises(TargetError):
            target.connect()  # the real ssh: "-oProxyCommand=…" is a host name it cannot resolve
    finally:
        target.close()
    _assert_no_marker(tmp_path)
