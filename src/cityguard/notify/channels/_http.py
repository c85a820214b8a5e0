"""One HTTP(S) POST with the standard library: exact bytes out, status, headers and a bounded
body back. No redirects are followed (a robot URL that redirects is a misconfiguration), and a
network failure is an Outcome to retry, never an exception that stops the other deliveries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from cityguard.notify.channels.base import Outcome, Wire

MAX_REPLY = 1024 * 1024  # a reply larger than this is cut (we only read a code from it)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def retry_after(self) -> float | None:
        """Retry-After (seconds or an HTTP date) or Feishu's x-ogw-ratelimit-reset."""
        for name in ("retry-after", "x-ogw-ratelimit-reset"):
            raw = self.headers.get(name, "").strip()
            if not raw:
                continue
            try:
                return max(0.0, float(raw))
            except ValueError:
                pass
            try:
                import time

                return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
            except (TypeError, ValueError):
                pass
        return None


class Unreachable(Exception):
    """The request did not get an answer (refused, reset, timed out, TLS failed)."""


def post(wire: Wire, timeout: float, ca_file: str | None = None) -> Reply:
    import http.client
    import ssl

    parts = urlsplit(wire.dest)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=ca_file)
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
        try:
            headers = {"Content-Length": str(len(wire.body)), **wire.headers}
            if parts.username or parts.password:
                import base64

                pair = f"{parts.username or ''}:{parts.password or ''}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            conn.request("POST", path, body=wire.body, headers=headers)
            resp = conn.getresponse()
            body = resp.read(MAX_REPLY)
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(type(exc).__name__ + (f": {exc}" if str(exc) else "")) from None


def exchange(wire: Wire, timeout: float, ca_file: str | None = None) -> Reply | Outcome:
    """The reply, or the outcome (retry) of a request that got none."""
    try:
        return post(wire, timeout, ca_file)
    except Unreachable as exc:
        return Outcome.retry("unreachable", wire.mask(str(exc))[:300])


def answered(wire: Wire, timeout: float, ca_file: str | None = None) -> Reply | Outcome:
    """A 2xx reply, whose body then decides; or the outcome of a request that got no reply
    or a status that decides alone."""
    reply = exchange(wire, timeout, ca_file)
    if isinstance(reply, Outcome):
        return reply
    decided = http_outcome(reply)
    return reply if decided is None else decided


def http_outcome(reply: Reply) -> Outcome | None:
    """The outcome an HTTP status alone decides (None: 2xx, the body decides)."""
    if 200 <= reply.status < 300:
        return None
    if reply.status == 429 or reply.status >= 500 or reply.status == 408:
        return Outcome.retry(f"http {reply.status}", _snippet(reply), reply.retry_after())
    return Outcome.refused(f"http {reply.status}", _snippet(reply))


def _snippet(reply: Reply) -> str:
    text = reply.body[:300].decode("utf-8", "replace")
    return " ".join(text.split())
