"""DingTalk, WeCom and Feishu robots against a loopback server that checks their signatures
and answers like the real services (errors in an HTTP 200 body, 429 with Retry-After, 5xx)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from notify_loopback import (  # noqa: F401 - fixtures
    DING_SECRET,
    DING_TOKEN,
    FEISHU_SECRET,
    FEISHU_TOKEN,
    WECOM_KEY,
    receiver_fixture,
    store_fixture,
    store_path_fixture,
    write_config,
)

from cityguard.notify.channels.dingtalk import dingtalk_sign
from cityguard.notify.channels.feishu import feishu_sign
from cityguard.notify.config import load_config
from cityguard.notify.deliver import Deliverer, enqueue
from cityguard.notify.events import Event, event_id
from cityguard.store import outbox

FAST = {"tries": 4, "base_seconds": 0.01, "cap_seconds": 0.05, "max_seconds": 600}


class Clock:
    """A fake clock: sleeping moves it on (rate limits and Retry-After without waiting)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now, self.slept = start, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def gate_event(n: int, system: str = "城市大脑") -> Event:
    return Event(event_id("gate.blocked", system, n), "gate.blocked", system, "high",
                 1_700_000_000.0 + n, {"stage": "deploy", "failed": [f"deploy.rule_{n}"]},
                 level=3, department="市大数据局")


def robots(tmp_path: Path, receiver, monkeypatch, **extra) -> Path:
    monkeypatch.setenv("CG_DING_TOKEN", DING_TOKEN)
    monkeypatch.setenv("CG_DING_SECRET", DING_SECRET)
    monkeypatch.setenv("CG_WECOM_KEY", f"{receiver.url}/cgi-bin/webhook/send?key={WECOM_KEY}")
    monkeypatch.setenv("CG_FEISHU_TOKEN", FEISHU_TOKEN)
    (tmp_path / "feishu.secret").write_text(FEISHU_SECRET + "\n", encoding="utf-8")
    targets = [
        {"name": "duty-ding", "type": "dingtalk", "base_url": receiver.url,
         "token_env": "CG_DING_TOKEN", "secret_env": "CG_DING_SECRET", "keyword": "告警",
         "retry": FAST, **extra.get("ding", {})},
        # the whole webhook URL pasted into the variable (as users do): accepted
        {"name": "duty-wecom", "type": "wecom", "token_env": "CG_WECOM_KEY", "retry": FAST},
        {"name": "duty-feishu", "type": "feishu", "base_url": receiver.url,
         "token_env": "CG_FEISHU_TOKEN", "secret_file": str(tmp_path / "feishu.secret"),
         "retry": FAST},
    ]
    return write_config(tmp_path / "notify.yaml", targets)


def test_signatures_match_the_reference_vectors() -> None:
    # ../shared/reference/notify-formats.md: DingTalk and Feishu vectors computed there
    assert dingtalk_sign("SEC0123456789abcdef", "1700000000000") == \
        "TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D"
    assert feishu_sign("fs-secret", "1700000000") == \
        "ognpFOmraex6LA29Ao14dsiNmmjE3YO4x5e/SX8n9Bw="


def test_each_robot_gets_a_signed_digest_once(tmp_path, receiver, monkeypatch, st) -> None:
    cfg = load_config(robots(tmp_path, receiver, monkeypatch))
    events = [gate_event(1)]
    assert enqueue(st, cfg, events) == (1, 3)
    reports = Deliverer(st, cfg).run()
    assert [(r.target, r.sent, r.failed, r.waiting) for r in reports] == [
        ("duty-ding", 1, 0, 0), ("duty-wecom", 1, 0, 0), ("duty-feishu", 1, 0, 0)]
    assert all(s.signature_ok for s in receiver.seen)
    ding = receiver.bodies("/robot/send")[0].json()
    assert ding["msgtype"] == "text" and ding["text"]["content"].startswith("【告警】【门禁阻断】")
    assert "未通过：deploy.rule_1" in ding["text"]["content"]
    feishu = receiver.bodies("/open-apis/")[0].json()
    assert feishu["msg_type"] == "text" and "城市大脑" in feishu["content"]["text"]
    # the same event found again, or a second run: nothing is posted twice
    assert enqueue(st, cfg, events) == (0, 0)
    Deliverer(st, cfg).run()
    assert len(receiver.seen) == 3


def test_an_error_in_a_200_body_is_a_failure_and_the_next_event_still_goes(
        tmp_path, receiver, monkeypatch, st) -> None:
    cfg = load_config(robots(tmp_path, receiver, monkeypatch))
    receiver.answer("/robot/send", (200, {}, {"errcode": 460101, "errmsg": "body 大小不合法"}))
    enqueue(st, cfg, [gate_event(1), gate_event(2)])
    report = Deliverer(st, cfg).run(["duty-ding"])[0]
    assert (report.sent, report.failed) == (1, 1)
    rows = {d["event_id"]: d for d in outbox.deliveries(st.db, target="duty-ding")}
    first, second = rows[gate_event(1).id], rows[gate_event(2).id]
    assert first["state"] == "failed" and first["code"] == "460101" and first["attempts"] == 1
    assert "lower max_bytes" in first["error"]  # a configuration error says what to fix
    assert second["state"] == "sent"
    assert len(receiver.bodies("/robot/send")) == 2  # not retried


def test_too_fast_and_429_are_retried_honouring_the_wait(tmp_path, receiver, monkeypatch,
                                                        st) -> None:
    cfg = load_config(robots(tmp_path, receiver, monkeypatch))
    receiver.answer("/robot/send", (200, {}, {"errcode": 130101, "errmsg": "send too fast"}))
    receiver.answer("/cgi-bin/webhook/send", (429, {"Retry-After": "7"}, b"slow down"),
                    (503, {}, b"busy"))
    enqueue(st, cfg, [gate_event(1)])
    clock = Clock()
    reports = Deliverer(st, cfg, clock=clock, sleep=clock.sleep).run(["duty-ding",
                                                                      "duty-wecom"])
    assert [(r.sent, r.failed) for r in reports] == [(1, 0), (1, 0)]
    assert 60.0 in clock.slept  # DingTalk's 130101: a minute
    assert 7.0 in clock.slept  # WeCom: Retry-After
    wecom = outbox.deliveries(st.db, target="duty-wecom")[0]
    tries = outbox.attempts(st.db, wecom["id"])
    assert [a["outcome"] for a in tries] == ["retry", "retry", "sent"]
    assert [a["code"] for a in tries] == ["http 429", "http 503", "0"]


def test_a_wrong_signature_is_a_configuration_error_not_retried(tmp_path, receiver,
                                                               monkeypatch, st, cli) -> None:
    path = robots(tmp_path, receiver, monkeypatch)
    monkeypatch.setenv("CG_DING_SECRET", "SEC-not-the-right-one")
    cfg = load_config(path)
    enqueue(st, cfg, [gate_event(1)])
    result = cli("notify", "send", "--target", "duty-ding", "--config", str(path),
                 "--store", str(st.location.path))
    assert result.exit_code == 1
    assert "310000" in result.output and "secret_env" in result.output
    assert "SEC-not-the-right-one" not in result.output and DING_TOKEN not in result.output
    assert len(receiver.bodies("/robot/send")) == 1
    assert outbox.deliveries(st.db, target="duty-ding")[0]["state"] == "failed"
    # fixed: retry sends it
    monkeypatch.setenv("CG_DING_SECRET", DING_SECRET)
    result = cli("notify", "retry", "--target", "duty-ding", "--config", str(path),
                 "--store", str(st.location.path))
    assert result.exit_code == 0, result.output
    assert outbox.deliveries(st.db, target="duty-ding")[0]["state"] == "sent"


def test_rate_limit_keeps_a_robot_within_20_a_minute(tmp_path, receiver, monkeypatch,
                                                     st) -> None:
    cfg = load_config(robots(tmp_path, receiver, monkeypatch))
    enqueue(st, cfg, [gate_event(n) for n in range(45)])
    clock = Clock()
    report = Deliverer(st, cfg, clock=clock, sleep=clock.sleep).run(["duty-ding"])[0]
    assert report.sent == 45
    times = [a["at"] for d in outbox.deliveries(st.db, target="duty-ding", limit=100)
             for a in outbox.attempts(st.db, d["id"])]
    times.sort()
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) == 20
    assert times[-1] - times[0] >= 120  # 45 posts need at least two more minutes


def test_feishu_signature_and_dry_run_masks_every_secret(tmp_path, receiver, monkeypatch,
                                                        cli, st) -> None:
    path = robots(tmp_path, receiver, monkeypatch)
    cfg = load_config(path)
    enqueue(st, cfg, [gate_event(1)])
    result = cli("notify", "send", "--dry-run", "--config", str(path), "--store",
                 str(st.location.path))
    assert result.exit_code == 0, result.output
    text = result.output
    for secret in (DING_TOKEN, DING_SECRET, WECOM_KEY, FEISHU_TOKEN, FEISHU_SECRET):
        assert secret not in text
    assert "access_token=***" in text and "/bot/v2/hook/***" in text
    assert "POST http://127.0.0.1" in text and "of 20000]" in text
    assert receiver.seen == []  # no socket opened
    assert all(d["state"] == "pending" for d in outbox.deliveries(st.db))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notify_test_sends_one_canned_message(tmp_path, receiver, monkeypatch, cli,
                                              lang) -> None:
    path = robots(tmp_path, receiver, monkeypatch)
    result = cli("notify", "test", "--target", "duty-feishu", "--config", str(path),
                 "--lang", lang)
    assert result.exit_code == 0, result.output
    body = json.loads(receiver.seen[0].body)
    assert ("通知测试" if lang == "zh" else "Test") in body["content"]["text"]
    receiver.answer("/open-apis/", (200, {}, {"code": 19024, "msg": "Key Words Not Found"}))
    result = cli("notify", "test", "--target", "duty-feishu", "--config", str(path))
    assert result.exit_code == 1 and "19024" in result.output and "keyword" in result.output
