"""Real loopback receivers for the notification tests, and their fixtures (imported by the
test modules by name: a conftest.py here would take the module name `conftest` from the
other test folders that import helpers from theirs).

`Receiver` is an HTTP server on 127.0.0.1 that plays the robots, a Standard Webhooks endpoint,
the Elasticsearch bulk API and Splunk HEC: it checks every signature the way the real service
does (a wrong one gets the service's own error code in an HTTP 200 body), records each request
and answers from a script (success, an error code in a 200 body, 429 with Retry-After, 5xx).
It can be stopped and started again on the same port (a channel that is down for a while).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

from cityguard.model import Finding, Severity
from cityguard.store import open_store

DING_SECRET = "SEC-test-0123456789abcdef"
DING_TOKEN = "dt-token-1234567890"
FEISHU_SECRET = "fs-secret-abcdef"
FEISHU_TOKEN = "fs-hook-0987654321"
WECOM_KEY = "wc-key-11112222333344445555"
WEBHOOK_KEY = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
HEC_TOKEN = "hec-token-5555-6666"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None = None

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    #: path prefix → replies to give in order (status, headers, body); then the default
    script: dict[str, deque] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def answer(self, prefix: str, *replies: tuple[int, dict[str, str], Any]) -> None:
        self.script.setdefault(prefix, deque()).extend(replies)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                seen = Seen("POST", parts.path, parse_qs(parts.query),
                            {k.lower(): v for k, v in self.headers.items()}, body)
                status, headers, reply = receiver.reply(seen)
                receiver.seen.append(seen)
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def reply(self, seen: Seen) -> tuple[int, dict[str, str], Any]:
        checked = check_signature(seen)
        if checked is not None:
            seen.signature_ok = checked[0]
            if not checked[0]:
                return 200, {}, checked[1]
        for prefix, queue in self.script.items():
            if seen.path.startswith(prefix) and queue:
                return queue.popleft()
        return default_reply(seen)

    def bodies(self, prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(prefix)]


def check_signature(seen: Seen) -> tuple[bool, Any] | None:
    """(ok, the service's own error reply) for the routes that sign; None for the others."""
    if seen.path == "/robot/send":
        ts, sign = seen.query.get("timestamp", [""])[0], seen.query.get("sign", [""])[0]
        want = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
        ok = seen.query.get("access_token") == [DING_TOKEN] and hmac.compare_digest(
            unquote_plus(sign) if "%" in sign else sign, want)
        return ok, {"errcode": 310000, "errmsg": "sign not match"}
    if seen.path.startswith("/open-apis/bot/v2/hook/"):
        body = json.loads(seen.body)
        want = base64.b64encode(hmac.new(f"{body.get('timestamp')}\n{FEISHU_SECRET}".encode(),
                                         b"", hashlib.sha256).digest()).decode()
        ok = seen.path.endswith(FEISHU_TOKEN) and body.get("sign") == want
        return ok, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
    if seen.path == "/cgi-bin/webhook/send":
        return seen.query.get("key") == [WECOM_KEY], {"errcode": 93000,
                                                      "errmsg": "invalid webhook url"}
    if seen.path.startswith("/hook"):
        key = base64.b64decode(WEBHOOK_KEY[6:])
        h = seen.headers
        signed = f"{h.get('webhook-id')}.{h.get('webhook-timestamp')}.".encode() + seen.body
        want = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        return hmac.compare_digest(h.get("webhook-signature", ""), want), b"bad signature"
    if seen.path.startswith("/services/collector"):
        ok = seen.headers.get("authorization") == f"Splunk {HEC_TOKEN}"
        return ok, {"text": "Invalid token", "code": 4}
    return None


def default_reply(seen: Seen) -> tuple[int, dict[str, str], Any]:
    if seen.path.startswith("/open-apis/"):
        return 200, {}, {"code": 0, "msg": "success"}
    if seen.path in ("/robot/send", "/cgi-bin/webhook/send"):
        return 200, {}, {"errcode": 0, "errmsg": "ok"}
    if seen.path.endswith("/_bulk"):
        lines = [json.loads(x) for x in seen.body.decode().splitlines() if x.strip()]
        items = [{"create": {"_index": a["create"]["_index"], "_id": a["create"]["_id"],
                             "status": 201}} for a in lines[::2]]
        return 200, {}, {"took": 1, "errors": False, "items": items}
    if seen.path.startswith("/services/collector"):
        return 200, {}, {"text": "Success", "code": 0}
    return 200, {}, b"ok"


def vuln(host: str, rule: str, sev: str = "high", title: str | None = None,
         tool: str = "nessus") -> Finding:
    return Finding(tool=tool, format=tool, asset_kind="host", asset_key=host, rule_id=rule,
                   title=title or f"plugin {rule}", severity=Severity(sev), port=443,
                   protocol="tcp", location="443/tcp", cves=("CVE-2021-44228",))


def run_doc(run_id: str, system: str, created: str, conclusion: str = "non_compliant", *,
            high: list[dict] | None = None, results: list[dict] | None = None,
            items: list[dict] | None = None, level: int = 3) -> dict:
    return {"run_id": run_id, "created": created,
            "system": {"name": system, "level": level, "department": "市大数据局"},
            "summary": {"conclusion": conclusion, "score": 61.5, "compliance_rate": 58.2,
                        "not_checked": 4},
            "high_risks": high or [], "results": results or [], "items": items or []}


def write_config(path: Path, targets: list[dict], **block: Any) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({"notify": {**block, "targets": targets}},
                                   allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(name="receiver")
def receiver_fixture():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture(name="store_path")
def store_path_fixture(tmp_path: Path) -> Path:
    return tmp_path / "cg.db"


@pytest.fixture(name="st")
def store_fixture(store_path: Path):
    with open_store(store_path) as store:
        yield store
