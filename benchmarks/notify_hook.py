"""What telling the duty channels at once costs a command (`assess`, `scans import`,
`gate --store`; notify/hook.py), and how long it can hold the command when a channel is down.

Usage: python benchmarks/notify_hook.py [--systems N] [--runs N] [--results N]

Builds a store with N systems, each with a few runs of the last day (a run document with M
check results), lets the SOC's `notify scan` read and send them all (as cron would have),
then stores one new run of one system and times:

- the hook for that system (its scan, the outbox, one delivery to a loopback webhook);
- the peer in the same run: `notify scan` for the same new run on the same store (the cron
  job the hook replaces; it also works out every system's posture for the dated events);
- the hook when the webhook refuses connections, and when it accepts and never answers (the
  budget: HOOK_SECONDS per target, ATTEMPT_SECONDS per attempt).

Exits 1 when the hook sent anything twice or held the command beyond its bound.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from cityguard.notify import hook
from cityguard.notify.config import load_config
from cityguard.notify.service import scan
from cityguard.store import open_store, outbox


class Sink(BaseHTTPRequestHandler):
    posts = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Sink.posts += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def run_doc(run_id: str, system: str, results: int) -> dict:
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    return {"run_id": run_id, "created": now,
            "system": {"name": system, "level": 3, "department": "市大数据局"},
            "summary": {"conclusion": "basically_compliant", "score": 80.5,
                        "compliance_rate": 81.0, "not_checked": 3},
            "high_risks": [],
            "results": [{"check_id": f"check_{n}", "asset": "web01", "status": "fail" if n % 7
                         else "pass", "severity": "medium", "title_zh": f"检查 {n}"}
                        for n in range(results)],
            "items": []}


def config_file(folder: Path, name: str, url: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"notify": {"targets": [
        {"name": "duty", "type": "webhook", "url": f"{url}/hook",
         "events": ["run.finished"]}]}}), "utf-8")
    return path


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--systems", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--results", type=int, default=400)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    silent = socket.socket()  # accepts (the kernel's backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    blackhole = f"http://127.0.0.1:{silent.getsockname()[1]}"
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = str(folder / "store.db")
        up = hook.brief(load_config(config_file(folder, "up", url)))
        with open_store(store) as st:
            for s in range(args.systems):
                for r in range(args.runs):
                    st.save_run(run_doc(f"s{s}-r{r}", f"系统{s:04d}", args.results))
            while scan(st, up).new_events:  # cron read and sent everything (500 runs a scan)
                pass
            print(f"store: {args.systems} systems x {args.runs} runs of {args.results} "
                  f"check results, all read and sent by notify scan ({Sink.posts} posts)")
            Sink.posts = 0
            st.save_run(run_doc("new-1", "系统0007", args.results))
        took, told = timed(lambda: hook.tell(up, store, "系统0007"))
        print(f"hook, webhook up:           {took * 1000:7.1f} ms  (sent {told.sent})")
        with open_store(store) as st:
            st.save_run(run_doc("new-2", "系统0008", args.results))
            peer, result = timed(lambda: scan(st, up))
        print(f"peer, notify scan:          {peer * 1000:7.1f} ms  "
              f"(events {len(result.events)}; ratio hook/peer {took / peer:.2f})")
        again, told2 = timed(lambda: hook.tell(up, store, "系统0007"))
        print(f"hook again, nothing new:    {again * 1000:7.1f} ms  (sent {told2.sent})")
        if told.sent != 1 or told2.sent or Sink.posts != 2:
            print(f"FAIL: posts {Sink.posts}, expected 2 (one per new run)")
            bad = 1
        bound = hook.HOOK_SECONDS + hook.ATTEMPT_SECONDS + 1.0
        for label, where, system in (("refused", refused, "系统0009"),
                                     ("never answers", blackhole, "系统0010")):
            cfg = hook.brief(load_config(config_file(folder, label.replace(" ", "-"), where)))
            with open_store(store) as st:
                st.save_run(run_doc(f"new-{system}", system, args.results))
            took, told = timed(lambda cfg=cfg, system=system: hook.tell(cfg, store, system))
            print(f"hook, webhook {label + ':':15s}{took:7.2f} s   (waiting {told.waiting}; "
                  f"bound {bound:.0f} s)")
            if took > bound or told.waiting != 1:
                print("FAIL: the hook held the command too long or lost the delivery")
                bad = 1
        with open_store(store) as st:
            pending = outbox.deliveries(st.db, states=["pending"])
        print(f"waiting in the outbox for notify send: {len(pending)}")
    silent.close()
    server.shutdown()
    return bad


if __name__ == "__main__":
    sys.exit(main())
