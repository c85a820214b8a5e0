"""reports/i18n/messages.yaml: one home for every UI string, zh and en."""

from __future__ import annotations

import re

import pytest

from cityguard.core.errors import DataError
from cityguard.policy import messages

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_key_has_chinese_and_english():
    table = messages.messages()
    assert len(table) > 100
    for key, (zh, en) in table.items():
        assert zh and en, key


def test_chinese_text_is_chinese_and_english_text_is_not():
    for key, (zh, en) in messages.messages().items():
        if key in ("report.colon", "report.paren", "report.list_sep") or key.startswith(
                ("report.cves", "report.cvss")):  # punctuation and acronyms
            continue
        if not re.search(r"[^\W\d_]", re.sub(r"{\w+}", "", zh + en)):
            continue  # only placeholders, punctuation and symbols ("{value} [{why}]", "；")
        assert HAN.search(zh), f"{key}: zh text has no Chinese: {zh!r}"
        assert not HAN.search(en), f"{key}: en text has Chinese: {en!r}"


def test_placeholders_match_between_languages():
    for key, (zh, en) in messages.messages().items():
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_lookup_fills_fields_and_unknown_values_show_as_written():
    assert messages.t("verdict.compliant", "zh") == "符合"
    assert messages.t("verdict.compliant", "en") == "Compliant"
    assert "7" in messages.t("report.rows_capped", "en", shown=7, rest=1)
    assert messages.enum("severity", "bogus", "zh") == "bogus"
    assert messages.enum("severity", None, "zh") == ""


def test_a_site_file_replaces_single_keys_and_is_validated(tmp_path, monkeypatch):
    site = tmp_path / "site" / "i18n"
    site.mkdir(parents=True)
    (site / "messages.yaml").write_text('verdict.compliant: {zh: "达标", en: "Met"}\n', "utf-8")
    monkeypatch.setenv("CITYGUARD_REPORTS", str(tmp_path / "site"))
    messages.messages.cache_clear()
    try:
        assert messages.t("verdict.compliant", "zh") == "达标"
        assert messages.t("verdict.partial", "zh") == "部分符合"
        (site / "messages.yaml").write_text('verdict.compliant: {zh: "达标"}\n', "utf-8")
        messages.messages.cache_clear()
        with pytest.raises(DataError) as err:
            messages.messages()
        assert "messages.yaml" in err.value.one_line() and "en" in err.value.one_line()
    finally:
        messages.messages.cache_clear()
