"""Syslog (RFC 5424) over UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS (RFC 5425),
with a CEF or a JSON message.

`<PRI>1 TIMESTAMP HOSTNAME cityguard PROCID MSGID [cityguard@32473 …] BOM MSG`: header fields
are printable ASCII cut to their RFC lengths, SD values escape `"`, `\\` and `]`, and the
message is CEF (extension values escaped) or one-line JSON, so no text of a finding can end
the record or forge a second one. TCP and TLS frames are `LEN SP MSG`; no transport
acknowledges a record, so "sent" means written to the socket. 32473 is the private enterprise
number RFC 5612 reserves for documentation: replace it with your own (sd_id).
"""

from __future__ import annotations

import json
import os
import re
import socket
from datetime import datetime, timezone

from cityguard.notify.channels.base import Channel, Outcome, Wire
from cityguard.notify.events import Event
from cityguard.notify.siem.cef import to_cef
from cityguard.notify.siem.ecs import to_ecs
from cityguard.notify.siem.records import event_record
from cityguard.notify.target import Target
from cityguard.notify.text import Message, utf8_len

SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
DEFAULT_FACILITY = 4  # security/authorization messages
SD_ID = "cityguard@32473"
_PRINTABLE = re.compile(r"[^\x21-\x7e]")
#: what a receiver must take (UDP: 2048 should, TLS: 8192 should)
LIMITS = {"udp": 2048, "tcp": 8192, "tls": 8192}


def ascii_field(value: str, limit: int) -> str:
    text = _PRINTABLE.sub("_", value)[:limit]
    return text or "-"


def sd_value(value: object) -> str:
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(value))
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


class Syslog(Channel):
    name = "syslog"
    required = (("host",),)

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.transport = str(target.opt("transport", "udp"))
        self.host = str(target.opt("host"))
        self.port = int(target.opt("port", 6514 if self.transport == "tls" else 514))
        self.format = str(target.opt("format", "cef"))
        self.facility = int(target.opt("facility", DEFAULT_FACILITY))
        self.hostname = ascii_field(socket.gethostname(), 255)
        self.sock: socket.socket | None = None
        self.udp: socket.socket | None = None

    @property
    def text_bytes(self) -> int:  # type: ignore[override]
        return LIMITS[self.transport] - 600  # room for the header and structured data

    def frame(self, event: Event, msg: str, now: float) -> bytes:
        pri = self.facility * 8 + SEVERITY.get(event.severity, 6)
        stamp = datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="microseconds")
        sd = (f'[{SD_ID} eventId="{sd_value(event.id)}" kind="{sd_value(event.kind)}"'
              f' system="{sd_value(event.system[:128])}" severity="{sd_value(event.severity)}"]')
        head = (f"<{pri}>1 {stamp.replace('+00:00', 'Z')} {self.hostname} cityguard "
                f"{os.getpid()} {ascii_field(event.kind, 32)} {sd} ")
        record = head.encode("utf-8") + b"\xef\xbb\xbf" + msg.encode("utf-8")  # SD values: UTF-8
        limit = LIMITS[self.transport]
        if len(record) > limit:  # a clean cut at a character boundary
            record = record[:limit].decode("utf-8", "ignore").encode("utf-8")
        return record

    def render(self, message: Message, event: Event, now: float) -> Wire:
        text = message.text(self.budget(), utf8_len)
        rec = event_record(event, message.title, text)
        if self.format == "json":
            msg = json.dumps(to_ecs(rec), ensure_ascii=False, separators=(",", ":"))
        else:
            msg = to_cef(rec)
        return self.render_raw(self.frame(event, msg, now))

    def render_raw(self, record: bytes) -> Wire:
        return Wire(target=self.target.name, channel=self.name, method="SYSLOG",
                    dest=f"{self.transport}://{self.host}:{self.port}", body=record,
                    limit=LIMITS[self.transport])

    def send(self, wire: Wire) -> Outcome:
        try:
            if self.transport == "udp":
                if self.udp is None:
                    self.udp = socket.socket(socket.AF_INET6 if ":" in self.host else
                                             socket.AF_INET, socket.SOCK_DGRAM)
                self.udp.sendto(wire.body, (self.host, self.port))
            else:
                self._stream().sendall(str(len(wire.body)).encode() + b" " + wire.body)
        except OSError as exc:
            self.close()
            return Outcome.retry("unreachable", f"{type(exc).__name__}: {exc.strerror or exc}")
        return Outcome.sent("written")

    def _stream(self) -> socket.socket:
        if self.sock is not None and _peer_closed(self.sock):
            self.close()  # the receiver went away: a write would vanish into the buffer
        if self.sock is None:
            raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
            if self.transport == "tls":
                import ssl

                context = ssl.create_default_context(cafile=self.target.file("ca_file"))
                raw = context.wrap_socket(raw, server_hostname=self.host)
            self.sock = raw
        return self.sock

    def close(self) -> None:
        for s in (self.sock, self.udp):
            if s is not None:
                s.close()
        self.sock = self.udp = None


def _peer_closed(sock: socket.socket) -> bool:
    import select

    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        if hasattr(sock, "cipher"):  # TLS: readable may be a session ticket, or the close
            return _tls_closed(sock)
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _tls_closed(sock: socket.socket) -> bool:
    import ssl

    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except ssl.SSLWantReadError:  # only TLS housekeeping was there: still open
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(timeout)
