"""An event as a person reads it: a title and lines, cut cleanly to a channel's byte budget.

Text from scans and hosts is hostile until cleaned: control characters, line breaks, bidi
overrides become spaces (a title cannot start a line of its own, forge a syslog record or
reorder what is shown), and each field is cut to a length a message can hold. When the lines
do not all fit, the message ends with "……另有 N 条" instead of a line cut in half.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cityguard.notify.events import SEVERITIES, Event, rank
from cityguard.policy.messages import enum, t

#: C0/C1 controls, DEL, line/paragraph separators, bidi embeddings/overrides/isolates, BOM
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+")
FIELD_CHARS = 160


def clean(value: object, limit: int = FIELD_CHARS) -> str:
    """One line of safe text of at most `limit` characters (… marks a cut)."""
    text = " ".join(_UNSAFE.sub(" ", str(value if value is not None else "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def json_len(text: str) -> int:
    """Bytes the text takes inside a JSON string (escapes counted), as the robots measure."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


@dataclass
class Message:
    title: str
    lines: list[str] = field(default_factory=list)
    lang: str = "zh"

    def text(self, budget: int, measure: Callable[[str], int] = utf8_len,
             prefix: str = "") -> str:
        """Title and as many whole lines as fit in `budget`, then "另有 N 条" for the rest."""
        title = prefix + self.title
        while measure(title) > budget and len(title) > 1:
            title = title[: max(1, len(title) * 3 // 4)] + "…"
        kept = [title]
        for n, line in enumerate(self.lines):
            left_after = len(self.lines) - n - 1
            trial = [*kept, line]
            if left_after:
                trial.append(t("notify.more", self.lang, n=left_after))
            if measure("\n".join(trial)) <= budget:
                kept.append(line)
                continue
            more = t("notify.more", self.lang, n=len(self.lines) - n)
            if measure("\n".join([*kept, more])) <= budget:
                kept.append(more)
            break
        return "\n".join(kept)


def _sev(value: str, lang: str) -> str:
    return enum("severity", value, lang)


def _finding_line(f: dict[str, Any], lang: str) -> str:
    where = clean(f.get("asset_key"), 80) + (f":{f['port']}" if f.get("port") else "")
    cves = clean(" ".join((f.get("cves") or "").split("\n")[:3]), 60)
    return (f"[{_sev(f.get('severity', 'info'), lang)}] {clean(f.get('title'))} — {where}"
            + (f" {cves}" if cves else ""))


def _counts_line(counts: dict[str, int], lang: str) -> str:
    parts = [f"{_sev(s, lang)} {counts[s]}" for s in reversed(SEVERITIES) if counts.get(s)]
    return t("notify.line.counts", lang, counts=" · ".join(parts) or "0")


def message_for(event: Event, lang: str, *, min_severity: str = "info", top: int = 10
                ) -> Message:
    """The message of an event for one target (its language, its severity floor)."""
    f, kind, system = event.facts, event.kind, clean(event.system, 80)
    title = t(f"notify.title.{kind}", lang, system=system, **_title_fields(event, lang))
    lines: list[str] = []
    if kind == "run.finished":
        lines.append(t("notify.line.run", lang, conclusion=enum("conclusion",
                       f.get("conclusion", ""), lang), rate=f.get("rate", "-"),
                       score=f.get("score", "-"), level=event.level or "-"))
        lines.append(t("notify.line.run_counts", lang, high=f.get("high_open", 0),
                       new_high=len(f.get("new_high_risks") or ()),
                       items=f.get("non_compliant", 0), unchecked=f.get("not_checked", 0)))
        lines += [t("notify.line.high_risk", lang, case=clean(h.get("case_id"), 20),
                    title=clean(h.get(f"title_{lang}") or h.get("title_zh")),
                    asset=clean(h.get("asset"), 80))
                  for h in (f.get("new_high_risks") or ())[:top]]
        lines += [t("notify.line.failure", lang, severity=_sev(r.get("severity", "info"), lang),
                    title=clean(r.get(f"title_{lang}") or r.get("title_zh") or r.get("check_id")),
                    asset=clean(r.get("asset"), 80))
                  for r in (f.get("top_failures") or ())[:top]]
    elif kind == "high_risk.new":
        lines += [t("notify.line.high_risk", lang, case=clean(h.get("case_id"), 20),
                    title=clean(h.get(f"title_{lang}") or h.get("title_zh")),
                    asset=clean(h.get("asset"), 80))
                  for h in f.get("high_risks") or ()]
    elif kind in ("finding.new", "finding.reopened"):
        counts = {s: n for s, n in event.counts.items() if rank(s) >= rank(min_severity)}
        lines.append(_counts_line(counts, lang))
        lines.append(t("notify.line.source", lang, tool=clean(f.get("tool"), 40),
                       file=clean(f.get("file"), 120)))
        shown = [x for x in f.get("findings") or () if rank(x.get("severity", "")) >=
                 rank(min_severity)]
        lines += [_finding_line(x, lang) for x in shown]
        hidden = sum(counts.values()) - len(shown)
        if hidden > 0:  # beyond what the event kept: counted, not listed
            lines.append(t("notify.more_stored", lang, n=hidden))
    elif kind == "gate.blocked":
        lines += [t("notify.line.rule", lang, rule=clean(r, 120)) for r in f.get("failed") or ()]
    elif kind in ("assessment.due", "assessment.overdue"):
        lines.append(t("notify.line.due", lang, due=f.get("due", "-"),
                       last=f.get("last") or "-", months=f.get("interval") or "-"))
    elif kind == "waiver.expiring":
        lines += [t("notify.line.expiring", lang, kind=enum("notify.waiver_kind",
                    x.get("kind", ""), lang), ref=clean(x.get("ref"), 40),
                    subject=clean(x.get("subject")), expires=x.get("expires", ""))
                  for x in f.get("items") or ()]
    elif kind == "rectification.overdue":
        lines += [t("notify.line.rectification", lang, id=x.get("id"),
                    title=clean(x.get("title")), owner=clean(x.get("owner"), 40),
                    due=x.get("due", ""))
                  for x in f.get("items") or ()]
    return Message(title=clean(title, 300), lines=lines, lang=lang)


def _title_fields(event: Event, lang: str) -> dict[str, Any]:
    f = event.facts
    return {
        "conclusion": enum("conclusion", f.get("conclusion", ""), lang),
        "n": f.get("n", 0), "stage": enum("stage", f.get("stage", ""), lang),
        "due": f.get("due", ""), "days": f.get("days", ""),
    }
