"""Bad values for the assess flags added for fleets and the manifest: one line, exit 2."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--today", "2026-13-01"), "--today must be a date"),
        (("--inventory", "/nonexistent/hosts.ini"), "hosts.ini"),
        (("--limit", "web"), "--limit needs --inventory"),
        (("--target", "ssh://"), "ssh://[user@]host[:port]"),
        (("--target", "ftp://host"), "unknown target"),
        (("--answers", "/nonexistent/answers.yaml"), "answers.yaml"),
        (("--manifest", "/nonexistent/cityguard.yaml"), "cityguard.yaml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, args, words):
    out = tmp_path / "a.json"
    res = cli("assess", "--no-store", *args, "--output", str(out))
    assert res.exit_code == 2, res.output
    assert words in res.stderr
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert not out.exists()
