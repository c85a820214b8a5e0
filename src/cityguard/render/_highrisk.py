"""A high-risk issue's mitigation or waiver note, in the report's language.

A case that a person's answers cleared (status `waived`) is described from those answers,
read from the items' answer objects; any other note is scoring's text, whose fixed phrases
come as "中文 / English" after the declared measure, cut to the report's language.
"""

from __future__ import annotations

from cityguard.model import Assessment, HighRisk
from cityguard.policy import messages


def high_risk_note(h: HighRisk, a: Assessment, lang: str) -> str:
    """The mitigation or waiver of a high-risk issue, in the report's language."""
    if h.status == "waived" and h.source != "answer":
        answers = []
        for it in a.items:
            if it.unit_id not in h.unit_ids:
                continue
            for o in it.objects:
                if o.source == "answer" and o.asset in (h.asset, "system"):
                    note = (o.answer or {}).get("note") or ""
                    verdict = messages.enum("verdict", o.verdict, lang)
                    answers.append(f"{it.unit_id} {verdict}"
                                   + (messages.t("report.paren", lang, value=note) if note
                                      else ""))
        if answers:
            return messages.t("report.hr_answered", lang,
                              answers=messages.t("report.list_sep", lang).join(answers))
    return one_language(h.mitigation, lang)


def one_language(text: str, lang: str) -> str:
    """`measure — 中文 / English` (scoring's fixed phrases) → the part in `lang`."""
    if " / " not in text:
        return text
    left, right = text.split(" / ", 1)
    if lang != "en":
        return left
    head, sep, _ = left.rpartition(" — ")
    return f"{head}{sep}{right}" if sep else right
