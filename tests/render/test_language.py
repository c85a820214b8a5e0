"""Every report format in zh and en, for the example system and this host: one language each.

A Chinese report must not show an English sentence or a raw enum value (`high`, `open`,
`non_compliant`), an English one no Chinese; neither may show an absolute path of the machine
that rendered it. What the Assessment carries as data — a scanner's title, a person's note,
an asset name, a command in a remediation, a path or value a check saw — is quoted as it came
and is allowed as written; labels, headings, enumerated values and cityguard's own sentences
(the engine's reasons, expectations and notes, scoring's sentences on what was not checked,
high-risk evidence) are not data and must be in the report's language: only the values they
quote (the `fields` of their `*_msg` form in the JSON) are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cityguard import render

HUMAN = ("html", "md", "xlsx", "csv_items")  # csv_findings, like JSON, is for machines
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
# form says them in the report's language; the values they quote are data, see _quoted)
OWN = {("results", "reason"), ("results", "expected"), ("results", "message"),
       ("summary", "not_checked"), ("summary", "warnings"), ("high_risks", "evidence")}


def _leaves(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, str(k)))
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v, path)
    elif isinstance(node, str):
        yield path, node


def _data(doc: dict, lang: str) -> list[str]:
    """Strings the Assessment carries as data that a report in `lang` may quote verbatim."""
    other = EN_SIDE if lang == "zh" else ZH_SIDE
    out = set()
    for path, value in _leaves(doc):
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


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title"):
            self.skip += 1
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self.skip -= 1
        self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _visible_text(a, name: str, lang: str) -> str:
    data = render.render_bytes(a, name, lang=lang)
    if name == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data))
        return "\n".join([ws.title for ws in wb] + [
            str(c.value) for ws in wb for row in ws.iter_rows() for c in row
            if c.value is not None])
    text = data.decode("utf-8-sig")
    if name == "html":
        p = _Text()
        p.feed(text)
        return "".join(p.parts)
    if name == "md":
        text = re.sub(r"^ *(`{3,})text\n.*?^ *\1$", "\n", text, flags=re.S | re.M)  # evidence
        return re.sub(r"\\([^\w\s]|_)", r"\1", text.replace("`", "\n"))
    if name.startswith("csv"):
        rows = list(csv.reader(io.StringIO(text)))
        return "\n".join(cell for row in rows for cell in row)
    return text


def _segments(text: str, data: list[str]) -> Iterator[str]:
    """The text's pieces that are not quoted data (data removed first, longest first)."""
    blob = "\n".join(data)
    for d in data:
        if d in text:
            text = text.replace(d, "\n")
    for raw in SEPARATORS.split(text):
        seg = " ".join(raw.split()).removesuffix("…").strip()
        if len(seg) >= 2 and seg not in blob:  # a cut piece of data (truncated) is data too
            yield seg


def _problems(a, doc: dict, name: str, lang: str) -> list[str]:
    data = _data(doc, lang)
    text = _visible_text(a, name, lang)
    found = []
    for seg in _segments(text, data):
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


def _runs(request) -> list[tuple[str, object, Path]]:
    return [(which, *request.getfixturevalue(f"{which}_run")) for which in ("example", "local")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_human_format_speaks_one_language(request, lang):
    from render_sample import build_sample

    from cityguard.model.serialize import assessment_to_dict

    failures = []
    sample = build_sample()
    runs = [("sample", sample, assessment_to_dict(sample)), *(
        (which, a, json.loads(path.read_text(encoding="utf-8"))) for which, a, path in
        _runs(request))]
    for which, a, doc in runs:
        doc = json.loads(json.dumps(doc))
        for name in HUMAN:
            failures += [f"{which} {name} {lang}: {p}" for p in _problems(a, doc, name, lang)]
    assert not failures, "\n".join(failures[:40])


def test_no_absolute_path_of_the_rendering_machine(request, repo_root):
    """The example's files and this host's temp folder never show; host paths (/etc/…) may.

    (The PDF is the HTML laid out; test_print.py checks its text layer too.)
    """
    for which, a, path in _runs(request):
        machine = [str(repo_root), str(path.parent.parent), str(Path.cwd())]
        for name in (*HUMAN, "csv_findings"):
            for lang in ("zh", "en"):
                text = _visible_text(a, name, lang)
                for m in machine:
                    assert m not in text, (which, name, lang, m)
    a, _ = request.getfixturevalue("example_run")
    assert any(x.target.startswith("dir:/") for x in a.assets)  # the run did resolve them
    html = render.render_bytes(a, "html").decode("utf-8")
    assert "dir:hosts/web01" in html and "scans/web01.nessus" in html
    assert ">nessus<" in html and ">trivy<" in html  # the scan table names the tool


def test_the_checker_catches_what_it_should(request):
    """The checks above are not blind: English and raw values planted in zh are found."""
    from dataclasses import replace

    a, path = request.getfixturevalue("example_run")
    doc = json.loads(path.read_text(encoding="utf-8"))
    bad = replace(a, system=replace(a.system, stage="not_a_stage_value"))
    assert any("raw value" in p for p in _problems(bad, doc, "html", "zh"))
    risky = replace(a, risks=[replace(r, vulnerability_kind="finding") for r in a.risks])
    # a check's English title where the problem should be: an English sentence in zh
    assert any("English" in p for p in _problems(risky, doc, "md", "zh"))
    # a value no label covers shows as written: Chinese in the English report
    zh_stage = replace(a, system=replace(a.system, stage="建设阶段"))
    assert any("Chinese" in p for p in _problems(zh_stage, doc, "html", "en"))


def test_no_language_ternary_in_the_renderers_or_templates(repo_root):
    """Strings have one home (messages.yaml): no `"…" if lang == "zh" else "…"` in render/."""
    ternary = re.compile(r"""if\s+lang\s*(==|!=)\s*['"](zh|en)['"]\s+else""")
    places = [*(repo_root / "src" / "cityguard" / "render").rglob("*.py"),
              *(repo_root / "reports").rglob("*.j2")]
    hits = [f"{p}:{n}" for p in places
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if ternary.search(line)]
    assert places and not hits, hits
