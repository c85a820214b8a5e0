"""`cityguard users` through the real CLI: add (password from stdin, rules enforced, one line
and exit 2 otherwise), role, lock, list; every change in the audit log with the OS user."""

from __future__ import annotations

import json

from conftest import audit_rows, cli


def test_users_commands(tmp_path):
    store = str(tmp_path / "cg.db")
    ok = cli("users", "add", "zhang.san", "--role", "viewer", "--password-stdin", store=store,
             stdin="Zhang-Pass-2026!\n")
    assert ok.returncode == 0 and "zhang.san" in ok.stdout + ok.stderr
    for args, stdin, why in (
        (("add", "li", "--role", "viewer"), "Li-Pass-2026-ok!\n", "account name"),
        (("add", "wang.wu", "--role", "root"), "Wang-Pass-2026!\n", "unknown role"),
        (("add", "wang.wu", "--role", "viewer"), "password\n", "password needs"),
        (("passwd", "nobody"), "Nobody-Pass-2026!\n", "no user"),
    ):
        bad = cli("users", *args, "--password-stdin", store=store, stdin=stdin)
        assert bad.returncode == 2 and why in bad.stderr, (args, bad.stderr)
        assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert cli("users", "role", "zhang.san", "analyst", store=store).returncode == 0
    assert cli("users", "lock", "zhang.san", store=store).returncode == 0
    listed = json.loads(cli("users", "list", "--format", "json", store=store).stdout)
    assert listed[0]["role"] == "analyst" and listed[0]["locked"] is True
    table = cli("users", "list", store=store)
    assert "已锁定" in table.stdout
    actions = {r["action"] for r in audit_rows(store)}
    assert {"user.add", "user.role", "user.lock"} <= actions
