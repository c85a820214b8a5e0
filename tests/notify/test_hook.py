"""`assess`, `scans import` and `gate --store` tell the duty channels themselves (issue 16):
real cityguard processes against the loopback webhook receiver. The digest arrives once; a
second run and a later `notify scan` post nothing twice; a receiver that is down leaves the
command's exit code alone and its events waiting for `notify send`; `--no-notify` queues
nothing; another system's events are neither queued nor sent by this system's run."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from notify_loopback import (  # noqa: F401 - fixtures
    WEBHOOK_KEY,
    Receiver,
    receiver_fixture,
    run_doc,
    store_fixture,
    store_path_fixture,
    write_config,
)

from cityguard.notify.config import load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.notify.events import Event, event_id
from cityguard.store import open_store, outbox

HARDENED = Path(__file__).resolve().parents[1] / "fixtures" / "hosts" / "hardened"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples"
SYSTEM = "智慧社区平台"
#: one check keeps each assessment short; the digest does not depend on how many ran
ONLY = ("--only", "L3-CES1-01")


def hook_target(url: str, **extra: object) -> dict:
    return {"name": "duty", "type": "webhook", "url": f"{url}/hook",
            "secret_env": "CG_HOOK_SECRET",
            "retry": {"tries": 2, "base_seconds": 0.05, "cap_seconds": 0.1}, **extra}


def manifest(folder: Path, url: str | None, **extra: object) -> Path:
    """A system manifest whose host is a directory tree, with a notify block when `url`."""
    data: dict = {"version": 1, "name": SYSTEM, "level": 3, "stage": "operate",
                  "assets": [{"id": "web01", "type": "host", "target": f"dir:{HARDENED}"}],
                  **extra}
    if url:
        data["notify"] = {"targets": [hook_target(url)]}
    path = folder / "cityguard.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_HOOK_SECRET", WEBHOOK_KEY)
    monkeypatch.delenv("CITYGUARD_NOTIFY", raising=False)


def assess(cityguard_proc, folder: Path, *args: str):
    return cityguard_proc("assess", "--allow-outside-paths", "--output", str(folder / "out"),
                          *ONLY, *args, cwd=folder)


def outbox_rows(tmp_path: Path) -> list[dict]:
    with open_store(tmp_path / "store.db") as st:
        return outbox.deliveries(st.db, limit=100)


def bodies(receiver: Receiver) -> list[dict]:
    return [s.json() for s in receiver.bodies("/hook")]


def test_assess_tells_its_digest_once_and_nothing_twice(tmp_path, receiver,
                                                        cityguard_proc) -> None:
    manifest(tmp_path, receiver.url)
    first = assess(cityguard_proc, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "已通知值班通道：1 条通知已送达（duty）" in first.stderr
    got = bodies(receiver)
    assert [b["type"] for b in got] == ["cityguard.run.finished"]
    assert got[0]["data"]["system"] == SYSTEM and all(s.signature_ok for s in receiver.seen)

    second = assess(cityguard_proc, tmp_path)  # the same run again: its own digest only
    assert second.returncode == 0, second.stderr
    with open_store(tmp_path / "store.db") as st:
        runs = sorted(r["run_id"] for r in st.list_runs(SYSTEM))
    got = bodies(receiver)
    assert sorted(b["data"]["facts"]["run_id"] for b in got) == runs and len(runs) == 2
    ids = [s.headers["webhook-id"] for s in receiver.seen]
    assert len(ids) == len(set(ids)) == 2

    # the cron job's scan afterwards finds both events already in the outbox
    cron = cityguard_proc("notify", "scan", cwd=tmp_path)
    assert cron.returncode == 0, cron.stderr
    assert len(receiver.seen) == 2
    assert [r["state"] for r in outbox_rows(tmp_path)] == ["sent", "sent"]


def test_scans_import_of_many_findings_is_one_digest(tmp_path, receiver, corpus,
                                                     cityguard_proc, monkeypatch) -> None:
    # a SOC-wide configuration (no manifest here): high findings or worse, to the duty hook
    config = write_config(tmp_path / "soc-notify.yaml",
                          [hook_target(receiver.url, min_severity="high")])
    monkeypatch.setenv("CITYGUARD_NOTIFY", str(config))
    scan = corpus / "openvas" / "many_vuln.xml"  # 44 findings, 19 of them high or critical
    proc = cityguard_proc("scans", "import", str(scan), "--system", SYSTEM, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = bodies(receiver)
    assert [b["type"] for b in got] == ["cityguard.finding.new"]
    data = got[0]["data"]
    assert data["system"] == SYSTEM and data["facts"]["n"] == 44
    assert data["counts"] == {"critical": 8, "high": 11, "medium": 25}
    assert "44" in data["title"]
    # importing the same file again brings nothing new: nothing is posted
    again = cityguard_proc("scans", "import", str(scan), "--system", SYSTEM, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(receiver.seen) == 1 and "已通知" not in again.stderr


def test_a_receiver_that_is_down_changes_no_exit_code_and_loses_nothing(
        tmp_path, cityguard_proc) -> None:
    down = Receiver().start()
    port = down.port
    down.stop()  # nothing listens on this port now
    manifest(tmp_path, f"http://127.0.0.1:{port}")
    proc = assess(cityguard_proc, tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if "未送达" in x]
    assert lines == ["warning: 1 条通知未送达（等待重试 1 条，失败 0 条），已留在发件箱；查看原因："
                     "cityguard notify status"], proc.stderr
    assert "Traceback" not in proc.stderr
    waiting = outbox_rows(tmp_path)
    assert [(r["state"], r["kind"], r["code"]) for r in waiting] == \
        [("pending", "run.finished", "unreachable")]
    status = cityguard_proc("notify", "status", cwd=tmp_path)
    assert status.returncode == 1 and "unreachable" in status.stdout

    back = Receiver(port=port).start()
    try:
        sent = cityguard_proc("notify", "send", cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
        assert [b["type"] for b in bodies(back)] == ["cityguard.run.finished"]
        assert cityguard_proc("notify", "send", cwd=tmp_path).returncode == 0
        assert cityguard_proc("notify", "scan", cwd=tmp_path).returncode == 0
        assert len(back.seen) == 1  # once, whoever sends it
    finally:
        back.stop()
    assert [r["state"] for r in outbox_rows(tmp_path)] == ["sent"]


def test_no_notify_queues_nothing(tmp_path, receiver, cityguard_proc) -> None:
    manifest(tmp_path, receiver.url)
    proc = assess(cityguard_proc, tmp_path, "--no-notify")
    assert proc.returncode == 0, proc.stderr
    assert receiver.seen == [] and outbox_rows(tmp_path) == []
    assert "通知" not in proc.stderr


def test_a_bad_configuration_stops_the_command_before_any_work(tmp_path, receiver,
                                                               cityguard_proc) -> None:
    path = manifest(tmp_path, receiver.url)
    path.write_text(path.read_text("utf-8").replace("secret_env: CG_HOOK_SECRET",
                                                    "secret: whsec_in_clear"), "utf-8")
    proc = assess(cityguard_proc, tmp_path)
    assert proc.returncode == 2
    err = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert len(err) == 1 and "cityguard.yaml:" in err[0] and "secret_env" in err[0]
    assert "whsec_in_clear" not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "store.db").exists()
    # --notify where nothing is kept in the store, or no configuration applies: bad usage
    manifest(tmp_path, receiver.url)
    proc = assess(cityguard_proc, tmp_path, "--notify", "--no-store")
    assert proc.returncode == 2 and "--no-store" in proc.stderr
    assert not (tmp_path / "out").exists() and receiver.seen == []
    manifest(tmp_path, None)
    proc = assess(cityguard_proc, tmp_path, "--notify")
    assert proc.returncode == 2 and "CITYGUARD_NOTIFY" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_another_systems_events_are_not_sent_by_this_run(tmp_path, receiver, cityguard_proc,
                                                         monkeypatch) -> None:
    config = write_config(tmp_path / "soc-notify.yaml", [hook_target(receiver.url)])
    monkeypatch.setenv("CITYGUARD_NOTIFY", str(config))
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    with open_store(tmp_path / "store.db") as st:
        st.save_run(run_doc("other-1", "政务云", now))
    # the SOC's scan queued the other system's run without sending it yet …
    queued = cityguard_proc("notify", "scan", "--no-send", cwd=tmp_path)
    assert queued.returncode == 0 and "新增待发送 1 条" in queued.stderr
    with open_store(tmp_path / "store.db") as st:  # … and it ran again since
        st.save_run(run_doc("other-2", "政务云", now))
    manifest(tmp_path, None)
    proc = assess(cityguard_proc, tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = bodies(receiver)
    assert [(b["type"], b["data"]["system"]) for b in got] == \
        [("cityguard.run.finished", SYSTEM)]
    queued = {(r["system"], r["state"]) for r in outbox_rows(tmp_path)}
    assert queued == {("政务云", "pending"), (SYSTEM, "sent")}  # other-2 is not queued by us
    # the SOC's next scan sends the other system's two runs, and ours not again
    cron = cityguard_proc("notify", "scan", cwd=tmp_path)
    assert cron.returncode == 0, cron.stderr
    runs = [b["data"]["facts"]["run_id"] for b in bodies(receiver)]
    assert runs[1:] == ["other-1", "other-2"] and len(runs) == 3


def test_a_blocked_gate_tells_the_gate_and_keeps_exit_1(tmp_path, receiver, cityguard_proc,
                                                        monkeypatch) -> None:
    config = write_config(tmp_path / "soc-notify.yaml",
                          [hook_target(receiver.url, events=["gate.blocked"])])
    monkeypatch.setenv("CITYGUARD_NOTIFY", str(config))
    variant = EXAMPLE / "variants" / "deploy.security_test" / "cityguard.yaml"
    proc = cityguard_proc("gate", "--manifest", str(variant), "--allow-outside-paths",
                          "--today", "2025-09-01", "--store", str(tmp_path / "store.db"),
                          "--format", "json", "--output", str(tmp_path / "gate.json"),
                          cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    got = bodies(receiver)
    assert [b["type"] for b in got] == ["cityguard.gate.blocked"]
    verdict = json.loads((tmp_path / "gate.json").read_text("utf-8"))
    assert got[0]["data"]["system"] == verdict["system"]
    assert got[0]["data"]["facts"]["failed"]
    # without --store the gate keeps nothing, so it tells nothing
    quiet = cityguard_proc("gate", "--manifest", str(variant), "--allow-outside-paths",
                           "--today", "2025-09-01", cwd=tmp_path)
    assert quiet.returncode == 1 and len(receiver.seen) == 1


def test_the_budget_bounds_every_wait_and_the_rest_waits_in_order(tmp_path, receiver,
                                                                  st) -> None:
    """In-process, on the hook's Deliverer: a Retry-After or a rate limit longer than the
    budget is not slept through; the delivery waits with its next try time."""
    cfg = load_config(write_config(tmp_path / "n.yaml", [
        hook_target(receiver.url, per_minute=1, retry={"tries": 5, "base_seconds": 0.01})]))
    events = [Event(event_id("gate.blocked", SYSTEM, n), "gate.blocked", SYSTEM, "high",
                    float(n), {"stage": "deploy", "failed": [f"rule {n}"]}) for n in range(3)]
    enqueue(st, cfg, events)
    slept: list[float] = []
    first = Deliverer(st, cfg, system=SYSTEM, budget=5, sleep=slept.append).run()[0]
    # one a minute: the first goes, the next two wait rather than sleep for a minute
    assert (first.sent, first.waiting, slept) == (1, 2, [])
    receiver.answer("/hook", (429, {"Retry-After": "30"}, b"slow down"))
    later = Deliverer(st, cfg, system=SYSTEM, budget=5, sleep=slept.append,
                      clock=lambda: time.time() + 120).run()[0]
    assert (later.sent, later.waiting, slept) == (0, 2, [])
    pending = outbox.deliveries(st.db, states=["pending"])
    assert len(pending) == 2 and max(d["next_at"] for d in pending) >= time.time() + 100


def test_a_long_run_kept_after_the_soc_scan_passed_its_stamp_is_still_told(
        tmp_path, receiver, st, store_path) -> None:
    """A run is stamped when it starts: a fleet assessment kept after `notify scan` has read
    a later stamp of another system is still told by its own command's hook."""
    from datetime import timedelta

    from cityguard.notify import hook
    from cityguard.notify.service import scan

    cfg = load_config(write_config(tmp_path / "n.yaml", [hook_target(receiver.url)]))
    now = datetime.now().astimezone()
    st.save_run(run_doc("other", "政务云", now.isoformat(timespec="seconds")))
    assert len(scan(st, cfg).events) == 1  # the SOC's scan: its mark is now
    started = (now - timedelta(minutes=20)).isoformat(timespec="seconds")
    st.save_run(run_doc("fleet-run", SYSTEM, started))  # kept now, stamped 20 minutes ago
    told = hook.tell(hook.brief(cfg), str(store_path), SYSTEM)
    assert (told.events, told.sent) == (1, 1)
    assert [b["data"]["facts"]["run_id"] for b in bodies(receiver)] == ["other", "fleet-run"]
    assert hook.tell(hook.brief(cfg), str(store_path), SYSTEM).sent == 0  # and once only
