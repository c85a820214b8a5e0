"""JUnit in the report's language (issue 20): a waived failure says its waiver (id, expiry,
approver) in words, not as raw `k=v`; the engine's reasons and expectations are said in
Chinese in a zh file and in English in an en one."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cityguard import render
from cityguard.policy.messages import say


def _cases(sample, lang: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(render.render_bytes(sample, "junit", lang=lang))
    return {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}


def test_waived_error_and_failure_messages_in_each_language(sample):
    waived = next(r for r in sample.results if r.waived)
    error = next(r for r in sample.results if r.status.value == "error")
    failed = next(r for r in sample.results if r.status.value == "fail" and not r.waived)
    for lang, words in (("zh", ("已豁免", "有效期至", "审批人")),
                        ("en", ("waived", "until", "approved by"))):
        cases = _cases(sample, lang)
        msg = cases[(f"cityguard.{waived.asset}", waived.check_id)].find("skipped").get("message")
        assert all(w in msg for w in words) and "=" not in msg, msg
        assert waived.waiver["id"] in msg
        err = cases[(f"cityguard.{error.asset}", error.check_id)].find("error").get("message")
        assert err == say(error.reason, lang)
        body = cases[(f"cityguard.{failed.asset}", failed.check_id)].find("failure").text
        expected = say(failed.evidence[0].expected, lang)
        assert expected in body
    zh = _cases(sample, "zh")
    body = zh[(f"cityguard.{failed.asset}", failed.check_id)].find("failure").text
    assert "观察到" in body and "整改建议" in body and "observed" not in body
