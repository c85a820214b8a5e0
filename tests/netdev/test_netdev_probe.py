"""The netdev probes one behaviour at a time, through the real loader and runner."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from netdev_helpers import CORPUS, corpus_files, device_checks

from cityguard.engine import load_file, make_context, run_check
from cityguard.engine.netdev.literal import required_literal
from cityguard.model import CheckStatus
from cityguard.targets.netdev import NetdevTarget, read_config

IOS = """version 15.2
hostname R1
no aaa new-model
aaa new-model
username ops privilege 15 secret 9 $9$Abcdefghijklmn$OPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234
username guest privilege 1 password 0 Winter2026
ip access-list standard MGMT
 permit 10.0.0.0 0.0.0.255
ip access-list standard OLD
 permit any
line vty 0 4
 access-class MGMT in
 transport input ssh
line vty 5 15
 access-class GHOST in
end
"""


def run(tmp: Path, config: str, rule: dict, **check: object):  # type: ignore[no-untyped-def]
    body = {"id": "netdev.cisco_ios.t", "title_zh": "测试", "title_en": "Test",
            "severity": "low", "rationale_zh": "测试", "rationale_en": "Test",
            "remediation_zh": "测试", "remediation_en": "Test",
            "applies": {"platform": ["netdev"], "os_family": ["cisco_ios"]},
            "rules": [rule], **check}
    f = tmp / "t.yaml"
    f.write_text(yaml.safe_dump({"checks": [body]}, allow_unicode=True), encoding="utf-8")
    checks, errors = load_file(f)
    assert errors == [], errors
    dev = tmp / "r1.cfg"
    dev.write_text(config, encoding="utf-8")
    return run_check(checks[0], make_context(NetdevTarget(f"netdev:{dev}"), level=3))


def test_the_later_line_wins_and_the_evidence_says_so(tmp_path: Path) -> None:
    r = run(tmp_path, IOS, {"probe": "netdev", "match": "^(no )?aaa new-model$",
                            "occurrence": "last", "expect": {"equals": "aaa new-model"}})
    assert r.status is CheckStatus.PASS
    assert r.evidence[0].line == 4
    assert "the last of 2 lines (3, 4) is in force" in r.evidence[0].subject


def test_every_block_is_judged_and_a_block_without_the_line_takes_the_default(
        tmp_path: Path) -> None:
    r = run(tmp_path, IOS, {"probe": "netdev", "path": ["^line vty"], "per_block": True,
                            "match": "^transport input (.+)$", "capture": 1,
                            "absent": "vty_transport", "expect": {"equals": "ssh"}})
    assert r.status is CheckStatus.MANUAL  # vty 5 15: the IOS default depends on the release
    assert "show running-config all | include transport input" in r.reason
    assert r.reason.endswith("?") or "？" in r.reason


def test_secrets_are_judged_by_their_shape_and_never_shown(tmp_path: Path) -> None:
    r = run(tmp_path, IOS, {"probe": "netdev", "match": r"^username \S+ .*\b(?:password|secret)"
                            r" (?:\d )?(\S+)", "secret": 1, "capture": 1,
                            "expect": {"regex": "^<hash:"}})
    assert r.status is CheckStatus.FAIL
    shown = repr([e.to_dict() for e in r.evidence]) + r.reason
    assert "Winter2026" not in shown and "$9$Abcdef" not in shown
    assert "<cleartext>" in shown and "<hash:crypt-9>" in shown


def test_references_dangling_and_unbound(tmp_path: Path) -> None:
    spots = {"refs": [{"path": ["^line vty"], "match": r"^access-class (\S+) in"}],
             "defs": [{"match": r"^ip access-list standard (\S+)"}]}
    r = run(tmp_path, IOS, {"probe": "netdev_ref", "report": "dangling", **spots,
                            "expect": {"count": {"equals": 0}}})
    assert r.status is CheckStatus.FAIL and "GHOST: used at line 15" in r.reason
    r = run(tmp_path, IOS, {"probe": "netdev_ref", "report": "unbound", **spots,
                            "expect": {"count": {"equals": 0}}})
    assert r.status is CheckStatus.FAIL and "OLD: defined at line 9" in r.reason


def test_a_missing_block_and_an_open_question(tmp_path: Path) -> None:
    r = run(tmp_path, IOS, {"probe": "netdev", "path": ["^line con"], "missing_block": "manual",
                            "expect": {"exists": True}})
    assert r.status is CheckStatus.MANUAL and "^line con" in r.reason
    r = run(tmp_path, IOS, {"probe": "netdev", "match": r"^username (guest)\s", "capture": 1,
                            "manual_if": ".", "ask": "default_account",
                            "expect": {"count": {"equals": 0}}})
    assert r.status is CheckStatus.MANUAL and "(line 6)" in r.reason


def test_a_host_target_is_not_a_device(tmp_path: Path) -> None:
    from cityguard.targets.dir import DirTarget

    checks, _ = load_file(next(iter(device_checks())).source)
    r = run_check(checks[0], make_context(DirTarget(f"dir:{tmp_path}"), level=3))
    assert r.status is CheckStatus.NOT_APPLICABLE


def test_the_literal_prefilter_never_skips_a_line_the_pattern_matches() -> None:
    """Every pattern of the device library against every line of every corpus file."""
    patterns: set[str] = set()
    for c in device_checks():
        stack = [n for n in (c.root, c.applies.present_when) if n is not None]
        while stack:
            node = stack.pop()
            if hasattr(node, "children"):
                stack.extend(node.children)
                continue
            spots = [node.params, *node.params.get("refs", []), *node.params.get("defs", [])]
            for spot in spots:
                patterns.update(p for key in ("path", "where", "unless")
                                for p in spot.get(key, []))
                if "match" in spot:
                    patterns.add(spot["match"])
    compiled = [(re.compile(p), required_literal(p)) for p in patterns if p]
    assert len(compiled) > 150
    for rel in corpus_files():
        if "special_syntax" in rel:
            continue
        lines = [n.text for n in read_config(CORPUS / rel).root.walk()]
        for rx, literal in compiled:
            for line in lines:
                if literal and rx.search(line):
                    assert literal in line, (rx.pattern, literal, line)
