"""An error describes the input (its name, place, size, what was expected), never quotes it.

Any file of the machine can be handed to cityguard as a scan, an inventory, answers or an
Assessment JSON (by mistake, or by a manifest), and its first bytes may be a shadow line or a
private key. Each run below gets such a file and must end in exit 2 with one line naming the
file, with none of the file's secret words anywhere in the output.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from bounded import assert_refused, run_bounded

from cityguard.core.errors import DataError
from cityguard.core.yamlio import load_yaml


def _word(tag: str) -> str:
    return f"{tag}{uuid.uuid4().hex[:10]}"


def _shadow(tmp_path: Path) -> tuple[Path, list[str]]:
    salt, digest = _word("salt"), _word("hash")
    f = tmp_path / "shadow"
    f.write_text(f"root:$6${salt}${digest}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
                 encoding="utf-8")
    return f, [salt, digest, "root:$6$"]


def _private_key(tmp_path: Path) -> tuple[Path, list[str]]:
    body = _word("b3BlbnNzaC1rZXktdjE")
    f = tmp_path / "id_ed25519"
    f.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n"
                 "-----END OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    return f, [body, "BEGIN OPENSSH", "PRIVA"]


def _no_echo(p, secrets: list[str]) -> None:
    shown = p.stdout + p.stderr
    for s in secrets:
        assert s not in shown, (s, shown[-2000:])


@pytest.mark.parametrize("make", [_shadow, _private_key])
@pytest.mark.parametrize("command", [
    ("scans", "import", "{f}", "--store", "{db}"),
    ("scans", "import", "{f}", "--format", "nessus", "--store", "{db}"),
    ("scans", "import", "{f}", "--format", "trivy", "--store", "{db}"),
])
def test_a_file_that_is_no_scan_is_described_not_quoted(tmp_path, make, command):
    f, secrets = make(tmp_path)
    args = tuple(a.format(f=f, db=tmp_path / "cg.db") for a in command)
    p = run_bounded(*args, cwd=tmp_path)
    line = assert_refused(p, str(f))
    assert "bytes" in line or "not a" in line
    _no_echo(p, secrets)


def test_assess_with_such_a_scan_names_the_file_only(tmp_path):
    f, secrets = _shadow(tmp_path)
    (tmp_path / "host" / "etc").mkdir(parents=True)
    p = run_bounded("assess", "--target", "dir:host", "--scan", str(f), "--no-store",
                    "--output", "out", cwd=tmp_path, timeout=180)
    assert_refused(p, str(f), "not a recognised scan format")
    _no_echo(p, secrets)
    assert not (tmp_path / "out").exists()  # nothing half written


@pytest.mark.parametrize(("fmt", "text"), [
    ("trivy", '{{"SchemaVersion": 2, "Results": [{{"Target": 1, "Vulnerabilities": "{s}"}}]}}'),
    ("sarif", '{{"version": "2.1.0", "runs": [{{"tool": "{s}", "results": [{{"{s}": 1}}]}}]}}'),
    ("grype", '{{"matches": [{{"vulnerability": "{s}", "artifact": {{"{s}": 2}}}}]}}'),
])
def test_importer_failures_name_the_kind_of_problem_not_the_value(tmp_path, fmt, text):
    from cityguard import ingest

    secret = _word("Sv")
    f = tmp_path / f"x.{fmt}.json"
    f.write_text(text.format(s=secret), encoding="utf-8")
    with pytest.raises(DataError) as exc:  # each is refused in one line …
        ingest.read_file(f, fmt)
    assert secret not in str(exc.value) and str(f) in str(exc.value)  # … that names no value


def test_an_inventory_that_is_a_shadow_file(tmp_path):
    f, secrets = _shadow(tmp_path)
    p = run_bounded("assess", "--inventory", str(f), "--no-store", cwd=tmp_path)
    assert_refused(p, f"{f}:1:", "not a host name")
    _no_echo(p, secrets)


def test_answers_and_yaml_errors_do_not_quote_the_file(tmp_path):
    secret = _word("Sa")
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"answers:\n  L3-CES1-01: *{secret}\n", encoding="utf-8")
    (tmp_path / "host" / "etc").mkdir(parents=True)
    p = run_bounded("assess", "--target", "dir:host", "--answers", str(answers), "--no-store",
                    "--output", "out", cwd=tmp_path, timeout=180)
    assert_refused(p, f"{answers}:2:", "undefined alias")
    _no_echo(p, [secret])
    for text in (f"a: !{secret} x\n", f"a: b\n\t{secret}: c\n"):
        with pytest.raises(DataError) as exc:
            load_yaml(tmp_path / "x.yaml", text)
        assert secret not in str(exc.value) and exc.value.line is not None


def test_an_assessment_json_that_is_not_one(tmp_path):
    secret = _word("Sj")
    f = tmp_path / "run.json"
    f.write_text(f'{{"run_id": "{secret}", "created": "{secret}", "results": [{{"{secret}": 1}}],'
                 f' "system": {{"level": "{secret}"}}}}', encoding="utf-8")
    p = run_bounded("report", "render", str(f), "--format", "md", "--output", "out.md",
                    cwd=tmp_path)
    assert_refused(p, str(f))
    _no_echo(p, [secret])


def test_a_broken_yaml_file_on_a_host_is_an_error_result_that_quotes_nothing(tmp_path):
    secret = _word("Sh")
    (tmp_path / "host" / "etc").mkdir(parents=True)
    (tmp_path / "host" / "etc" / "app.yaml").write_text(
        f"db:\n  password: *{secret}\n  debug: !{secret} x\n", encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "site.yaml").write_text(
        "checks:\n"
        "  - id: site.app_debug_off\n"
        "    title_zh: 应用关闭调试\n    title_en: The application has debugging off\n"
        "    severity: low\n"
        "    rationale_zh: 测试用。\n    rationale_en: For the test.\n"
        "    remediation_zh: 关闭调试。\n    remediation_en: Turn debugging off.\n"
        "    applies: {platform: [linux]}\n    condition: all\n"
        "    rules:\n"
        "      - {probe: config_value, path: /etc/app.yaml, style: yaml, key: db.debug,"
        " expect: {equals: 'false'}}\n", encoding="utf-8")
    p = run_bounded("assess", "--target", "dir:host", "--checks", "checks", "--only",
                    "site.app_debug_off", "--no-store", "--format", "json,md", "--output",
                    "out", "--lang", "en", cwd=tmp_path, timeout=180)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    doc = (tmp_path / "out" / "assessment.json").read_text(encoding="utf-8")
    assert '"status": "error"' in doc and "invalid YAML" in doc
    for out in (tmp_path / "out").iterdir():
        assert secret not in out.read_text(encoding="utf-8"), out
    _no_echo(p, [secret])
