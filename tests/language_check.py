"""One language per output: the checker behind tests/render/test_language.py (reports) and
tests/cli/test_terminal_language.py (the terminal).

A Chinese text must not show an English phrase or a raw enum value, an English one no
Chinese. What the Assessment carries as data (a scanner's title, a person's note, an asset
name, a command in a remediation, a path or value a check saw) is quoted as it came;
cityguard's own sentences (engine reasons, expectations and notes, scoring's sentences, the
high-risk evidence) are not data: only the values they quote (the `fields` of their `*_msg`
form in the JSON) are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# three Latin words in a row, each at least two letters: an English phrase
SENTENCE = re.compile(r"[A-Za-z][a-z]+(?:[ ,'’-]+[A-Za-z][a-z]+){2,}")
ENUMS = {
    "compliant", "partial", "non_compliant", "not_applicable", "not_assessed",
    "basically_compliant", "critical", "high", "medium", "low", "info", "pass", "fail",
    "error", "manual", "open", "reopened", "fixed", "accepted", "false_positive", "mitigated",
    "waived", "checks", "findings", "answer", "plan", "build", "deploy", "operate", "matrix",
    "multiplication", "general", "important", "active", "expiring", "expired",
}
# pieces of a page that are never prose: structure, ids, numbers, formulas, code
SEPARATORS = re.compile(r"\n|\||\t|<br>| — | · |：|；|（|）|、|，|。|: |; |\(|\)|\*\*")
# bilingual data fields: the side a report in the other language must not show
ZH_SIDE = re.compile(r"(_zh|^conclusion_reason|^major_hidden_risk_reason|^rate_formula|"
                     r"^score_formula|^level_zh)$")
EN_SIDE = re.compile(r"_en$")
NOT_DATA = {("risks", "vulnerability_title"),  # a check's English title: the report says the
            ("items", "reason")}  # problem; objects' English reason (reason_zh: Chinese side)
# cityguard's own sentences: never quoted data, whatever language they came in (their `_msg`
# form says them in the report's language; the values they quote are data, see quoted_data)
OWN = {("results", "reason"), ("results", "expected"), ("results", "message"),
       ("summary", "not_checked"), ("summary", "warnings"), ("high_risks", "evidence")}


def leaves(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, str(k)))
    elif isinstance(node, list):
        for v in node:
            yield from leaves(v, path)
    elif isinstance(node, str):
        yield path, node


def quoted_data(doc: dict, lang: str) -> list[str]:
    """Strings the Assessment carries as data that a report in `lang` may quote verbatim."""
    other = EN_SIDE if lang == "zh" else ZH_SIDE
    out = set()
    for path, value in leaves(doc):
        key = path[-1] if path else ""
        if any(p.endswith(("_msg", "_msgs")) for p in path):
            if "fields" not in path or key in ("key", "text"):
                continue  # a message key, or the English of a sentence inside a sentence
        elif other.search(key) or (path[0], key) in NOT_DATA | OWN:
            continue
        value = value.strip()
        if (path[0], key) == ("high_risks", "mitigation") and " / " in value:
            # scoring's "measure — 中文 / English": only the person's measure is data
            value = value.split(" / ")[0].rpartition(" — ")[0]
        if value.lower() in ENUMS or (value.isascii() and len(value) < 4):
            continue  # an enum value is never quoted data; short ASCII would cut words
        if len(value) >= 2:
            out.add(value)
    return sorted(out, key=len, reverse=True)


def segments(text: str, data: list[str]) -> Iterator[str]:
    """The text's pieces that are not quoted data (data removed first, longest first)."""
    blob = "\n".join(data)
    for d in data:
        if d in text:
            text = text.replace(d, "\n")
    for raw in SEPARATORS.split(text):
        seg = " ".join(raw.split()).removesuffix("…").strip()
        if len(seg) >= 2 and seg not in blob:  # a cut piece of data (truncated) is data too
            yield seg


def problems(text: str, doc: dict, lang: str) -> list[str]:
    """What in `text` (a report's visible text, a terminal's output) is not in `lang`: English
    phrases or raw enum values in Chinese, Chinese in English; quoted data of `doc` (the
    Assessment JSON) aside."""
    found = []
    for seg in segments(text, quoted_data(doc, lang)):
        if lang == "zh":
            words = seg.strip(" .,:;*_#>[]-").lower()
            if words in ENUMS or re.fullmatch(r"[a-z]+(_[a-z]+)+", words):
                found.append(f"raw value {seg!r}")
            elif SENTENCE.search(seg):
                found.append(f"English {SENTENCE.search(seg).group(0)!r} in {seg[:120]!r}")
        elif CJK.search(seg):
            found.append(f"Chinese in {seg[:120]!r}")
        elif re.fullmatch(r"[a-z]+(_[a-z]+)+", seg) and seg in ENUMS:
            found.append(f"raw value {seg!r}")
    return found
