"""Syslog over UDP, TCP and TLS to receivers on 127.0.0.1 (certificate made here), hostile text
that must not forge a record, and e-mail through an SMTP server (aiosmtpd) that requires
STARTTLS and is read back as a person's mail client decodes it."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import ssl
import threading
from email.policy import default
from pathlib import Path

import pytest
from notify_loopback import (  # noqa: F401 - fixtures
    store_fixture,
    store_path_fixture,
    write_config,
)

from cityguard.notify.config import load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.notify.events import Event, event_id

HOSTILE = ("evil\n<13>1 2026-01-01T00:00:00Z forged cityguard - - - FAKE RECORD|x=1 "
           "CEF:0|a|b|c|d|e|10|\r\n" + "<script>alert(1)</script> ]\"\\ " + "长" * 40_000)


def hostile_event(n: int = 0) -> Event:
    return Event(event_id("finding.new", "s", n), "finding.new", "城市大脑\n伪造", "critical",
                 1_700_000_000.0, {"tool": "nessus", "file": "a.nessus", "n": 1,
                                   "findings": [{"id": 1, "title": HOSTILE, "severity":
                                                 "critical", "asset_key": "10.0.0.1|x=y",
                                                 "port": 443, "cves": "CVE-2021-44228"}]},
                 counts={"critical": 1})


def cert(tmp_path: Path) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
             ipaddress.ip_address("127.0.0.1"))]), critical=False)
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .sign(key, hashes.SHA256()))
    crt, pem = tmp_path / "rx.crt", tmp_path / "rx.key"
    crt.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


class StreamReceiver:
    """TCP (or TLS) syslog receiver reading RFC 6587 octet-counted frames."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.tls, self.frames, self.raw = tls, [], b""
        self.refused = ""  # why the TLS handshake failed on this side, if it did
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        conn, _ = self.sock.accept()
        if self.tls:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except ssl.SSLError as exc:  # the sender refused our certificate: nothing sent
                self.refused = str(exc.reason)
                conn.close()
                return
        with conn:
            while chunk := conn.recv(65536):
                self.raw += chunk
        data = self.raw
        while data:
            length, _, rest = data.partition(b" ")
            n = int(length)
            self.frames.append(rest[:n])
            data = rest[n:]

    def close(self) -> None:
        self.thread.join(5)
        self.sock.close()


def _target(transport: str, port: int, fmt: str = "cef", **extra) -> dict:
    return {"name": f"siem-{transport}", "type": "syslog", "host": "127.0.0.1", "port": port,
            "transport": transport, "format": fmt, **extra}


def _check_record(record: bytes, limit: int) -> str:
    assert len(record) <= limit
    text = record.decode("utf-8")
    assert "\n" not in text and "\r" not in text  # one record, whatever the title held
    assert re.match(r"<34>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ cityguard \d+ finding\.new "
                    r'\[cityguard@32473 eventId="cg-[0-9a-f]{32}" kind="finding.new" '
                    r'system="城市大脑 伪造" severity="critical"\] \ufeff', text), text[:300]
    return text


@pytest.mark.parametrize("fmt", ["cef", "json"])
def test_syslog_udp_one_datagram_per_record(tmp_path, st, fmt) -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(5)
    cfg = load_config(write_config(tmp_path / "n.yaml", [_target("udp", rx.getsockname()[1],
                                                                 fmt)]))
    enqueue(st, cfg, [hostile_event()])
    assert Deliverer(st, cfg).run()[0].sent == 1
    record, _ = rx.recvfrom(65536)
    rx.close()
    text = _check_record(record, 2048)
    msg = text.split("\ufeff", 1)[1]
    if fmt == "cef":
        head = msg.split("|")
        assert head[:3] == ["CEF:0", "cityguard", "cityguard"] and head[6] == "10"
        assert "10.0.0.1|x\\=y:443" in msg  # = in an extension value is escaped
        fields = re.split(r"(?<!\\)\|", msg, maxsplit=7)  # as a CEF parser splits it
        assert fields[5] == "【新发现问题】城市大脑 伪造 新增 1 个问题" and fields[6] == "10"
        assert fields[7].startswith("rt=1700000000000 externalId=cg-")
        assert "\\n" in msg  # the title's line break travels as the two characters \n
    else:
        import json

        doc = json.loads(msg)
        assert doc["cityguard"]["system"] == "城市大脑\n伪造"  # JSON keeps it, escaped


@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_syslog_stream_octet_counted(tmp_path, st, transport) -> None:
    context = None
    extra = {}
    if transport == "tls":
        crt, key = cert(tmp_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(crt, key)
        extra = {"ca_file": str(crt)}
    rx = StreamReceiver(context)
    cfg = load_config(write_config(tmp_path / "n.yaml", [_target(transport, rx.port,
                                                                 **extra)]))
    enqueue(st, cfg, [hostile_event(0), hostile_event(1)])
    assert Deliverer(st, cfg).run()[0].sent == 2
    rx.close()
    assert len(rx.frames) == 2  # two frames, exactly the two records: nothing forged
    for frame in rx.frames:
        _check_record(frame, 8192)


def test_syslog_tls_refuses_an_unknown_certificate(tmp_path, st) -> None:
    crt, key = cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    rx = StreamReceiver(context)
    cfg = load_config(write_config(tmp_path / "n.yaml", [
        _target("tls", rx.port, retry={"tries": 1})]))
    enqueue(st, cfg, [hostile_event()])
    report = Deliverer(st, cfg, sleep=lambda s: None).run()[0]
    assert report.sent == 0 and report.waiting == 1
    assert "CERTIFICATE_VERIFY_FAILED" in report.problems[0]
    rx.thread.join(5)
    assert "UNKNOWN_CA" in rx.refused and rx.raw == b""  # the sender alerted, sent nothing
    rx.sock.close()


# --- e-mail -------------------------------------------------------------------------------

class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[object, bytes, bool]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.original_content or
                              envelope.content, session.ssl is not None))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tmp_path):
    pytest.importorskip("aiosmtpd", reason="pip install aiosmtpd (the test extra)")
    from aiosmtpd.controller import Controller

    crt, key = cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True)
    controller.start()
    yield inbox, port, crt
    controller.stop()


def test_email_over_starttls_with_a_chinese_subject(tmp_path, st, smtp) -> None:
    inbox, port, crt = smtp
    cfg = load_config(write_config(tmp_path / "n.yaml", [{
        "name": "mail", "type": "email", "host": "127.0.0.1", "port": port,
        "from": "cityguard@soc.example", "to": ["duty@soc.example", "lead@soc.example"],
        "ca_file": str(crt)}]))
    enqueue(st, cfg, [hostile_event()])
    assert Deliverer(st, cfg).run()[0].sent == 1
    rcpts, raw, over_tls = inbox.messages[0]
    assert over_tls and rcpts == ["duty@soc.example", "lead@soc.example"]
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # RFC 2047 in the header block
    msg = email.message_from_bytes(raw, policy=default)
    assert msg["Subject"] == "【新发现问题】城市大脑 伪造 新增 1 个问题"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "[严重]" in text and "CVE-2021-44228" in text
    assert len(text.encode()) < 70_000  # the 100 kB title was cut to a line


def test_email_refuses_a_server_without_starttls(tmp_path, st) -> None:
    pytest.importorskip("aiosmtpd")
    from aiosmtpd.controller import Controller

    port = _free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        cfg = load_config(write_config(tmp_path / "n.yaml", [{
            "name": "mail", "type": "email", "host": "127.0.0.1", "port": port,
            "from": "a@b.example", "to": ["c@d.example"]}]))
        enqueue(st, cfg, [hostile_event()])
        report = Deliverer(st, cfg).run()[0]
    finally:
        controller.stop()
    assert report.failed == 1 and "STARTTLS" in report.problems[0]
