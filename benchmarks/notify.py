"""A run with 100,000 new findings, told to every kind of duty channel: how many messages,
how large against each channel's limit, and how long delivery takes to local receivers.

Usage: python benchmarks/notify.py [--findings N] [--systems N]

Builds a store with N new findings spread over the given systems (one scan import each), then
`notify scan` into a DingTalk, a WeCom and a Feishu robot (an HTTP server on 127.0.0.1 that
answers like them), a signed webhook, syslog over UDP and an OCSF file. The robots' rate
limits are lifted for the measurement (per_minute: 100000); the peer measured in the same run
is the naive design that posts one message per finding (what users of tools without digests
get): its message count, and its delivery time for the same number of posts extrapolated from
posting 2,000 of them over the same loopback HTTP server. Exits 1 when a message breaks its
channel's limit or the number of messages is not bounded by the number of imports.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from cityguard.model import Finding, Severity
from cityguard.notify.config import load_config
from cityguard.notify.service import scan
from cityguard.store import open_store

LIMITS = {"dingtalk": 20000, "wecom": 2048 + 512, "feishu": 20000, "webhook": 20000,
          "syslog": 2048, "file": 1 << 20}


class Sink(BaseHTTPRequestHandler):
    sizes: list[tuple[str, int]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.sizes.append((self.path, len(body)))
        reply = b'{"errcode":0,"errmsg":"ok"}' if not self.path.startswith("/open-apis") \
            else b'{"code":0,"msg":"success"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def findings(n: int, offset: int) -> list[Finding]:
    sev = ("critical", "high", "medium", "low", "info")
    return [Finding(tool="nessus", format="nessus", asset_kind="host",
                    asset_key=f"10.{(i // 65536) % 256}.{(i // 256) % 256}.{i % 256}",
                    rule_id=f"P{i % 500}", title=f"插件 {i % 500}：一个很长的漏洞标题 " * 3,
                    severity=Severity(sev[i % 5]), port=443, protocol="tcp",
                    cves=(f"CVE-2024-{i % 9000 + 1000}",))
            for i in range(offset, offset + n)]


def naive_post_seconds(url: str, posts: int) -> float:
    """The peer: one plain HTTP POST per finding over the same loopback server."""
    host, port = url.split("//")[1].split(":")
    started = time.perf_counter()
    for i in range(posts):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        body = json.dumps({"msgtype": "text", "text": {"content": f"finding {i}"}}).encode()
        conn.request("POST", "/robot/send?access_token=x", body=body,
                     headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--systems", type=int, default=10)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    datagrams: list[int] = []

    def drain() -> None:
        while True:
            datagrams.append(len(udp.recv(65536)))

    threading.Thread(target=drain, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.environ.update({"BM_TOKEN": "token-0123456789", "BM_SECRET": "SEC0123456789",
                           "BM_HOOK": "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"})
        fast = {"per_minute": 100000}
        targets = [
            {"name": "ding", "type": "dingtalk", "base_url": url, "token_env": "BM_TOKEN",
             "secret_env": "BM_SECRET", **fast},
            {"name": "wecom", "type": "wecom", "base_url": url, "token_env": "BM_TOKEN",
             **fast},
            {"name": "feishu", "type": "feishu", "base_url": url, "token_env": "BM_TOKEN",
             "secret_env": "BM_SECRET", **fast},
            {"name": "hook", "type": "webhook", "url": f"{url}/hook", "secret_env": "BM_HOOK"},
            {"name": "syslog", "type": "syslog", "host": "127.0.0.1",
             "port": udp.getsockname()[1], "transport": "udp"},
            {"name": "file", "type": "file", "path": str(base / "events.ndjson")},
        ]
        cfg_path = base / "notify.yaml"
        cfg_path.write_text(yaml.safe_dump({"notify": {"targets": targets}},
                                           allow_unicode=True), encoding="utf-8")
        cfg = load_config(cfg_path)
        per = args.findings // args.systems
        started = time.perf_counter()
        with open_store(base / "cg.db") as st:
            for s in range(args.systems):
                st.import_findings(findings(per, s * per), file=f"week-{s}.nessus",
                                   format="nessus", tool="nessus", system=f"系统{s:02d}")
            built = time.perf_counter() - started
            started = time.perf_counter()
            result = scan(st, cfg, since="2000-01-01")
            took = time.perf_counter() - started
        time.sleep(0.2)  # the last datagrams
        file_lines = (base / "events.ndjson").read_text(encoding="utf-8").splitlines()
    http_sizes = list(Sink.sizes)
    by_channel = {
        "dingtalk": [n for p, n in http_sizes if p.startswith("/robot")],
        "wecom": [n for p, n in http_sizes if p.startswith("/cgi-bin")],
        "feishu": [n for p, n in http_sizes if p.startswith("/open-apis")],
        "webhook": [n for p, n in http_sizes if p.startswith("/hook")],
        "syslog": datagrams,
        "file": [len(x.encode()) + 1 for x in file_lines],
    }
    total = sum(len(v) for v in by_channel.values())
    print(f"store: {args.findings:,} new findings in {args.systems} imports "
          f"(built in {built:.1f} s)")
    print(f"events: {len(result.events)}; messages delivered: {total} "
          f"({total / len(by_channel):.0f} per channel); scan + delivery {took:.2f} s")
    ok = True
    for channel, sizes in by_channel.items():
        limit = LIMITS[channel]
        worst = max(sizes) if sizes else 0
        fits = worst <= limit
        ok &= fits and len(sizes) <= args.systems
        print(f"  {channel:<9} {len(sizes):3d} messages, largest {worst:6,d} bytes of "
              f"{limit:,} {'ok' if fits else 'OVER'}")
    sample = min(2000, args.findings)
    naive = naive_post_seconds(url, sample) * args.findings / sample
    server.shutdown()
    ours = took
    print(f"peer (one message per finding): {args.findings:,} messages per channel; posting "
          f"them to one robot would take ~{naive:.0f} s here at loopback speed, "
          f"~{args.findings / 20 / 60:.0f} h at DingTalk's 20 a minute")
    print(f"ratio: {args.findings / max(1, total / len(by_channel)):,.0f}x fewer messages; "
          f"delivery {naive / max(ours, 1e-9):,.0f}x faster than the peer's posting")
    bounded = "bounded" if ok else "NOT bounded"
    print(f"target: at most one message per import and channel, each within its limit: "
          f"{bounded}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
