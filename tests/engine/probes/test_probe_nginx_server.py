"""`nginx_server`: the value in force per server block (own, else http's, else default)."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import write_tree

MAIN = """user www-data;
events { worker_connections 768; }
http {
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;  # Debian's nginx.conf
    include /etc/nginx/sites-enabled/*;
}
stream { server { listen 5000 ssl; } }
"""
PORTAL = """server { listen 80; return 301 https://$host$request_uri; }
server {
    listen 443 ssl http2;
    server_name portal.example.cn;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { ssl_protocols TLSv1; }
}
"""
LEGACY = "server {\n    listen 8443 ssl;\n    server_name legacy.example.cn;\n}\n"


def _run(run_rules, root: Path, **extra):
    rule = {"probe": "nginx_server", "path": "/etc/nginx/nginx.conf", "key": "ssl_protocols",
            "ssl_only": True, "expect": {"subset_of": ["TLSv1.2", "TLSv1.3"],
                                         "missing": "not_applicable"}, **extra}
    return run_rules(root, [rule])


def test_a_server_that_sets_its_own_value_overrides_http(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/nginx/nginx.conf": MAIN,
                                       "etc/nginx/sites-enabled/portal": PORTAL})
    res = _run(run_rules, root)
    assert res.status.value == "pass"
    (ev,) = [e for e in res.evidence if e.observed is not None]
    assert ev.observed == "TLSv1.2 TLSv1.3" and "portal.example.cn" in ev.subject
    assert ev.file == "/etc/nginx/sites-enabled/portal"


def test_a_server_without_its_own_value_inherits_http(tmp_path: Path, run_rules) -> None:
    root = write_tree(tmp_path / "r", {"etc/nginx/nginx.conf": MAIN,
                                       "etc/nginx/sites-enabled/portal": PORTAL,
                                       "etc/nginx/sites-enabled/legacy": LEGACY})
    res = _run(run_rules, root)
    assert res.status.value == "fail" and "legacy.example.cn" in res.reason
    assert "/etc/nginx/nginx.conf" in {e.file for e in res.evidence}


def test_no_tls_server_is_not_applicable_and_the_default_fills_gaps(tmp_path: Path,
                                                                   run_rules) -> None:
    plain = write_tree(tmp_path / "p", {
        "etc/nginx/nginx.conf": "http { server { listen 80; } }\n"})
    assert _run(run_rules, plain).status.value == "not_applicable"
    bare = write_tree(tmp_path / "b", {
        "etc/nginx/nginx.conf": "http { server { listen 443 ssl; } }\n"})
    assert _run(run_rules, bare, default="TLSv1 TLSv1.1 TLSv1.2").status.value == "fail"
