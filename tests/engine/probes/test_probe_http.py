"""`http` against real HTTP and HTTPS servers on 127.0.0.1 (certificate made with openssl)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cityguard.engine.probes.http import cert_not_after
from cityguard.targets import open_target


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        return


def _serve(ctx: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, int]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    if ctx is not None:
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl CLI is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem")], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


@pytest.fixture
def http_port() -> Iterator[int]:
    srv, port = _serve()
    yield port
    srv.shutdown()


@pytest.fixture
def https_port(cert) -> Iterator[int]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*map(str, cert))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    srv, port = _serve(ctx)
    yield port
    srv.shutdown()


def _run(run_rules, url: str, expect: dict, **kw):
    return run_rules(open_target("local"), [{"probe": "http", "url": url, "expect": expect, **kw}])


def test_status_and_headers(run_rules, http_port: int) -> None:
    base = f"http://127.0.0.1:{http_port}"
    assert _run(run_rules, base + "/", {"equals": 200}).status.value == "pass"
    assert _run(run_rules, base + "/admin", {"equals": 404}, property="status").status.value \
        == "pass"
    assert _run(run_rules, base + "/", {"regex": "max-age=\\d{7,}"}, property="header",
                header="strict-transport-security").status.value == "pass"
    assert _run(run_rules, base + "/", {"exists": False}, property="header",
                header="Server-Timing").status.value == "pass"
    assert _run(run_rules, base + "/", {"equals": "x"}, property="tls_version").status.value \
        == "not_applicable"


def test_tls_version_and_certificate(run_rules, https_port: int, cert) -> None:
    base = f"https://127.0.0.1:{https_port}/"
    assert _run(run_rules, base, {"in": ["TLSv1.2", "TLSv1.3"]}, property="tls_version") \
        .status.value == "pass"
    res = _run(run_rules, base, {"ge": 29}, property="cert_days_left")
    assert res.status.value == "pass" and 29 <= res.evidence[0].observed <= 30.1
    assert _run(run_rules, base, {"ge": 60}, property="cert_days_left").status.value == "fail"
    # verification on: a self-signed certificate is an error, reported as such
    verified = _run(run_rules, base, {"equals": 200}, verify=True)
    assert verified.status.value == "error" and "CERTIFICATE_VERIFY_FAILED" in verified.reason


def test_der_not_after_matches_openssl(cert) -> None:
    der = ssl.PEM_cert_to_DER_cert(cert[0].read_text())
    out = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", str(cert[0])],
                         capture_output=True, text=True, check=True).stdout
    expected = datetime.strptime(out.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
    assert cert_not_after(der) == expected.replace(tzinfo=timezone.utc)


def test_unreachable_is_an_error_and_dir_is_not_applicable(tmp_path: Path, run_rules) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here now
    res = _run(run_rules, f"http://127.0.0.1:{port}/", {"equals": 200}, timeout=2)
    assert res.status.value == "error"
    na = run_rules(tmp_path, [{"probe": "http", "url": "http://127.0.0.1/",
                               "expect": {"equals": 200}}])
    assert na.status.value == "not_applicable" and "no network requests" in na.reason
