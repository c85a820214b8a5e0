"""`http`: an HTTP(S) endpoint's status, a header, the TLS version and certificate expiry.

Standard library only (http.client + ssl). The certificate's notAfter is read from its DER
form, which the ssl module hands out even when verification is off (the default: an
assessor checks expiry of self-signed and internal certificates too).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    register,
)
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

if TYPE_CHECKING:
    import http.client

PROPERTIES = ("status", "header", "tls_version", "cert_days_left")
DEFAULT_TIMEOUT = 10.0
_BODY_LIMIT = 64 * 1024


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at pos."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    return tag, pos, pos + length


def cert_not_after(der: bytes) -> datetime:
    """notAfter of an X.509 certificate (RFC 5280 §4.1.2.5)."""
    _, cert, _ = _tlv(der, 0)  # Certificate
    _, pos, _ = _tlv(der, cert)  # TBSCertificate
    tag, _, end = _tlv(der, pos)
    if tag == 0xA0:  # [0] version
        pos = end
        tag, _, end = _tlv(der, pos)
    for _ in range(3):  # serialNumber, signature, issuer
        _, _, pos = _tlv(der, pos)
    _, validity, _ = _tlv(der, pos)
    _, _, after = _tlv(der, validity)  # skip notBefore
    tag, start, end = _tlv(der, after)
    text = der[start:end].decode("ascii").rstrip("Z")
    fmt = "%y%m%d%H%M%S" if tag == 0x17 else "%Y%m%d%H%M%S"
    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)


def fetch(url: str, timeout: float, verify: bool) -> tuple[int, dict[str, str], str | None,
                                                          bytes | None]:
    # imported here: ssl and http.client cost ~25 ms, and most hosts have no http check
    import http.client
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        ctx = ssl.create_default_context()
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, parts.port or 443, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "cityguard", "Connection": "close"})
        tls = der = None
        sock = conn.sock  # read before the response: a closing connection drops it
        if isinstance(sock, ssl.SSLSocket):
            tls = sock.version()
            der = sock.getpeercert(binary_form=True)
        resp = conn.getresponse()
        resp.read(_BODY_LIMIT)
        headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, headers, tls, der
    finally:
        conn.close()


@register
class HttpProbe(BaseProbe):
    name = "http"
    params = {
        "url": {"type": "string", "pattern": "^https?://[^\\s/]+"},
        "property": {"enum": list(PROPERTIES)},
        "header": {"type": "string", "minLength": 1},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
        "verify": {"type": "boolean"},
    }
    required = ("url",)

    def timeout(self, params: dict[str, Any], default: float) -> float:
        return float(params.get("timeout", DEFAULT_TIMEOUT)) * 2 + 1

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        if params.get("property") == "header" and "header" not in params:
            return [("header", "property: header needs `header: NAME`")]
        return []

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        if not target.can_run_commands:
            return Observation.na(say("engine.probe.dir_no_network"))
        import http.client

        prop = params.get("property", "status")
        url = params["url"]
        try:
            status, headers, tls, der = fetch(url, float(params.get("timeout", DEFAULT_TIMEOUT)),
                                              bool(params.get("verify", False)))
        except (OSError, http.client.HTTPException) as exc:
            raise ProbeError(f"{url}: {exc}") from None
        if prop == "status":
            return Observation.of([Value(status, subject=url)])
        if prop == "header":
            name = params.get("header", "")
            if name.lower() in headers:
                return Observation.of([Value(headers[name.lower()], subject=name)])
            return Observation.of([], note=say("engine.probe.no_header", name=name))
        if tls is None:
            return Observation.na(say("engine.probe.no_tls", url=url))
        if prop == "tls_version":
            return Observation.of([Value(tls, subject=url)])
        if not der:
            raise ProbeError(say("engine.probe.no_certificate", url=url))
        days = (cert_not_after(der).timestamp() - time.time()) / 86400
        return Observation.of([Value(round(days, 1), subject=url)])
