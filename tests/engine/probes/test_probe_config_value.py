"""`config_value` in every style, with includes, defaults and precedence."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import write_tree


def _value(run_rules, root: Path, path: str, style: str, key: str, expect: dict, **kw):
    return run_rules(root, [{"probe": "config_value", "path": path, "style": style, "key": key,
                             "expect": expect, **kw}])


def test_sshd_first_match_includes_and_match_blocks(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/ssh/sshd_config": "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n"
                               "MaxAuthTries=4\nMatch User backup\n  PasswordAuthentication yes\n",
        "etc/ssh/sshd_config.d/50-cis.conf": "# hardening\npermitrootlogin no\n",
    })
    res = _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "PermitRootLogin",
                 {"equals": "no"})
    assert res.status.value == "pass"
    assert (res.evidence[0].file, res.evidence[0].line) == ("/etc/ssh/sshd_config.d/50-cis.conf", 2)
    assert _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "MaxAuthTries",
                  {"le": 4}).status.value == "pass"
    # a Match block is conditional: its settings are not the global value
    res = _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "PasswordAuthentication",
                 {"equals": "no"}, default="yes")
    assert res.status.value == "fail" and "default applies" in res.evidence[0].message


def test_default_applies_when_key_absent(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/ssh/sshd_config": "Port 22\n"})
    assert _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "X11Forwarding",
                  {"equals": "no"}, default="no").status.value == "pass"
    assert _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "X11Forwarding",
                  {"equals": "no"}).status.value == "fail"
    assert _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "X11Forwarding",
                  {"equals": "no", "missing": "pass"}).status.value == "pass"
    assert _value(run_rules, root, "/etc/ssh/sshd_config", "sshd", "X11Forwarding",
                  {"equals": "no", "missing": "not_applicable"}).status.value == "not_applicable"


def test_keyvalue_and_equals_last_wins(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/login.defs": "PASS_MAX_DAYS\t99999\nPASS_MAX_DAYS   90\nPASS_MIN_DAYS 1\n",
        "etc/security/pwquality.conf": "# minlen = 6\nminlen = 8\nminlen=12\ndcredit = -1\n",
    })
    res = _value(run_rules, root, "/etc/login.defs", "keyvalue", "PASS_MAX_DAYS", {"le": 90})
    assert res.status.value == "pass" and res.evidence[0].line == 2
    assert _value(run_rules, root, "/etc/security/pwquality.conf", "equals", "minlen",
                  {"ge": 12}).status.value == "pass"
    assert _value(run_rules, root, "/etc/security/pwquality.conf", "equals", "dcredit",
                  {"le": -1}).status.value == "pass"
    every = _value(run_rules, root, "/etc/security/pwquality.conf", "equals", "minlen",
                   {"ge": 12}, all_occurrences=True)
    assert every.status.value == "fail" and len(every.evidence) == 2


def test_ini_sections_flags_and_includes(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/mysql/my.cnf": "[client]\nport=3306\n!includedir /etc/mysql/conf.d/\n",
        "etc/mysql/conf.d/secure.cnf": "[mysqld]\nlocal-infile = 0\nskip-symbolic-links\n"
                                       "bind-address = 127.0.0.1 # loopback only\n",
    })
    assert _value(run_rules, root, "/etc/mysql/my.cnf", "ini", "mysqld.local_infile",
                  {"equals": 0}).status.value == "pass"
    assert _value(run_rules, root, "/etc/mysql/my.cnf", "ini", "mysqld.skip_symbolic_links",
                  {"exists": True}).status.value == "pass"
    assert _value(run_rules, root, "/etc/mysql/my.cnf", "ini", "mysqld.bind-address",
                  {"equals": "127.0.0.1"}).status.value == "pass"
    assert _value(run_rules, root, "/etc/mysql/my.cnf", "ini", "client.port",
                  {"equals": "3306"}).status.value == "pass"


def test_json_and_yaml_paths(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/docker/daemon.json": '{"icc": false, "log-opts": {"max-size": "10m"},'
                                  ' "hosts": ["unix:///var/run/docker.sock"]}',
        "etc/app/config.yaml": "server:\n  tls:\n    min_version: '1.2'\n  users:\n"
                               "    - name: a\n      admin: false\n"
                               "    - name: b\n      admin: true\n",
    })
    assert _value(run_rules, root, "/etc/docker/daemon.json", "json", "icc",
                  {"equals": False}).status.value == "pass"
    assert _value(run_rules, root, "/etc/docker/daemon.json", "json", "hosts[0]",
                  {"regex": "^unix://"}).status.value == "pass"
    res = _value(run_rules, root, "/etc/app/config.yaml", "yaml", "server.tls.min_version",
                 {"in": ["1.2", "1.3"]})
    assert res.status.value == "pass" and res.evidence[0].line == 3
    admins = _value(run_rules, root, "/etc/app/config.yaml", "yaml", "server.users[*].admin",
                    {"equals": True, "quantifier": "none"})
    assert admins.status.value == "fail"
    # quantifier none: the value that holds (b, line 8) is the failing one, listed first
    assert [(e.line, e.ok) for e in admins.evidence] == [(8, False), (6, True)]
    assert "line 8" in admins.reason


def test_pam_modules_and_options(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/pam.d/common-password": "password requisite pam_pwquality.so retry=3 minlen=12 "
                                     "enforce_for_root\n@include common-extra\n",
        "etc/pam.d/common-extra": "password [success=1 default=ignore] pam_unix.so obscure "
                                  "yescrypt remember=5\n",
        "etc/pam.d/system-auth": "auth required pam_faillock.so preauth deny=5 unlock_time=900\n"
                                 "auth include password-auth\n",
        "etc/pam.d/password-auth": "account required pam_faillock.so\n",
    })
    p = "/etc/pam.d/common-password"
    assert _value(run_rules, root, p, "pam", "pam_pwquality.so",
                  {"contains": "enforce_for_root"}).status.value == "pass"
    assert _value(run_rules, root, p, "pam", "pam_pwquality.so:minlen",
                  {"ge": 12}).status.value == "pass"
    assert _value(run_rules, root, p, "pam", "pam_unix.so:remember",
                  {"ge": 5}).status.value == "pass"
    assert _value(run_rules, root, p, "pam", "pam_unix.so",
                  {"contains": "[success=1 default=ignore]"}).status.value == "pass"
    s = "/etc/pam.d/system-auth"
    assert _value(run_rules, root, s, "pam", "auth/pam_faillock.so:deny",
                  {"le": 5}).status.value == "pass"
    both = _value(run_rules, root, s, "pam", "pam_faillock.so", {"exists": True})
    assert both.status.value == "pass" and len(both.evidence) == 2
    assert _value(run_rules, root, s, "pam", "account/pam_faillock.so",
                  {"count": {"equals": 1}}).status.value == "pass"


def test_nginx_directives_with_includes(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/nginx/nginx.conf": "http {\n  server_tokens off;\n  include sites-enabled/*;\n}\n",
        "etc/nginx/sites-enabled/site": "server {\n  listen 443 ssl;\n"
                                        "  ssl_protocols TLSv1.2 TLSv1.3;\n"
                                        "  add_header Strict-Transport-Security "
                                        "\"max-age=31536000\";\n"
                                        "  # ssl_protocols TLSv1;\n}\n",
    })
    n = "/etc/nginx/nginx.conf"
    assert _value(run_rules, root, n, "nginx", "server_tokens", {"equals": "off"}).status.value \
        == "pass"
    res = _value(run_rules, root, n, "nginx", "ssl_protocols",
                 {"subset_of": ["TLSv1.2", "TLSv1.3"]})
    assert res.status.value == "pass" and res.evidence[0].line == 3
    assert _value(run_rules, root, n, "nginx", "add_header",
                  {"regex": "^Strict-Transport-Security", "quantifier": "any"}).status.value \
        == "pass"


def test_apache_redis_postgresql(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {
        "etc/httpd/conf/httpd.conf": "ServerRoot \"/etc/httpd\"\nServerTokens Prod\n"
                                     "<Directory />\n  Options -Indexes\n</Directory>\n"
                                     "IncludeOptional conf.d/*.conf\n",
        "etc/httpd/conf.d/ssl.conf": "SSLProtocol -all +TLSv1.2 \\\n  +TLSv1.3\n",
        "etc/redis/redis.conf": "bind 127.0.0.1 -::1\nrequirepass \"s3cret-pass\"\n"
                                "rename-command FLUSHALL \"\"\nrename-command CONFIG \"\"\n",
        "var/lib/pgsql/data/postgresql.conf": "ssl = on\npassword_encryption = 'scram-sha-256'"
                                              "  # modern\nlog_connections on\n",
    })
    a = "/etc/httpd/conf/httpd.conf"
    assert _value(run_rules, root, a, "apache", "ServerTokens", {"equals": "Prod"}).status.value \
        == "pass"
    assert _value(run_rules, root, a, "apache", "Options", {"contains": "-Indexes"}).status.value \
        == "pass"
    assert _value(run_rules, root, a, "apache", "SSLProtocol",
                  {"regex": r"^-all \+TLSv1\.2 +\+TLSv1\.3$"}).status.value == "pass"
    r = "/etc/redis/redis.conf"
    res = _value(run_rules, root, r, "redis", "requirepass", {"regex": ".{8,}"})
    assert res.status.value == "pass" and res.evidence[0].observed == "***"
    assert _value(run_rules, root, r, "redis", "rename-command", {"regex": '^CONFIG ""$',
                  "quantifier": "any"}, all_occurrences=True).status.value == "pass"
    p = "/var/lib/pgsql/data/postgresql.conf"
    assert _value(run_rules, root, p, "postgresql", "password_encryption",
                  {"equals": "scram-sha-256"}).status.value == "pass"
    assert _value(run_rules, root, p, "postgresql", "log_connections",
                  {"in": ["on", "true"]}).status.value == "pass"
