"""Secrets never reach evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import write_tree

from cityguard.core.redact import MASK, is_secret_key, redact, redact_text


@pytest.mark.parametrize(("text", "expected"), [
    ("root:$6$rounds=5000$salt$hashhashhash:19000:0:99999:7:::", f"root:{MASK}:19000:0:99999:7:::"),
    ("alice:$y$j9T$abc$def:19000::::::", f"alice:{MASK}:19000::::::"),
    ("requirepass s3cr3t-Value", f"requirepass {MASK}"),
    ("masterauth \"quoted secret\"", f"masterauth {MASK}"),
    ("db.password = hunter2", f"db.password = {MASK}"),
    ("PASSWORD=abc123 OTHER=1", f"PASSWORD={MASK} OTHER=1"),
    ("api_key: 'AKIA1234567890'", f"api_key: {MASK}"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", f"Authorization: Bearer {MASK}"),
    ("url = postgres://app:pa55w0rd@db:5432/app", f"url = postgres://app:{MASK}@db:5432/app"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
     MASK),
    ("PasswordAuthentication no", "PasswordAuthentication no"),
    ("password_encryption = scram-sha-256", "password_encryption = scram-sha-256"),
])
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_secret_keys_by_name() -> None:
    assert is_secret_key("/etc/redis/redis.conf requirepass")
    assert is_secret_key("client.password") and is_secret_key("mysqld:password")
    assert not is_secret_key("/etc/ssh/sshd_config PasswordAuthentication")
    assert not is_secret_key("password_encryption")
    assert redact("hunter2", "requirepass") == MASK
    assert redact("yes", "password") == "yes"  # a setting, not a secret
    assert redact(["a", "token=abcdef"], "x") == ["a", f"token={MASK}"]
    assert redact({"password": "p"}) == {"password": MASK}
    assert redact(42, "password") == 42 and redact(None, "password") is None


def test_evidence_from_probes_is_redacted(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/redis/redis.conf": "requirepass VeryS3cret\n",
        "etc/app.ini": "[db]\npassword = hunter2hunter2\n",
        "etc/shadow": "root:$6$salt$hash:19000:0:99999:7:::\n",
        "root/.ssh/id_rsa": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
                            "-----END RSA PRIVATE KEY-----\n",
    })
    rules = [
        {"probe": "config_value", "path": "/etc/redis/redis.conf", "style": "redis",
         "key": "requirepass", "expect": {"regex": "^.{12,}$"}},
        {"probe": "config_value", "path": "/etc/app.ini", "style": "ini", "key": "db.password",
         "expect": {"exists": True}},
        {"probe": "file_content", "path": "/etc/shadow", "pattern": "^root:",
         "expect": {"exists": True}},
        {"probe": "file_content", "path": "/root/.ssh/id_rsa", "pattern": "MIIE",
         "expect": {"exists": True}},
    ]
    res = run_rules(root, rules)
    dump = repr([e.to_dict() for e in res.evidence]) + res.reason
    for secret in ("VeryS3cret", "hunter2", "$6$salt", "MIIE"):
        assert secret not in dump
    # judged on the real value, shown masked
    assert res.evidence[0].observed == MASK and res.evidence[0].ok is False
