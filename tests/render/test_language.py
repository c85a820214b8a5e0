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
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cityguard import render
from cityguard.model.text import Text
from language_check import problems

HUMAN = ("html", "md", "xlsx", "csv_items")  # csv_findings, like JSON, is for machines


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


def _problems(a, doc: dict, name: str, lang: str) -> list[str]:
    return problems(_visible_text(a, name, lang), doc, lang)


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
    # cityguard's own sentences are no quoted data: as plain English (no key to say them in
    # Chinese, as before they were Texts) they are caught
    assert a.summary.not_checked and all(isinstance(x, Text) for x in a.summary.not_checked)
    plain = replace(a, summary=replace(a.summary, not_checked=[str(x) for x in
                                                               a.summary.not_checked]))
    assert any("English" in p for p in _problems(plain, doc, "html", "zh"))
    assert not _problems(a, doc, "html", "zh")


def test_no_language_ternary_in_the_renderers_or_templates(repo_root):
    """Strings have one home (messages.yaml): no `"…" if lang == "zh" else "…"` in render/."""
    ternary = re.compile(r"""if\s+lang\s*(==|!=)\s*['"](zh|en)['"]\s+else""")
    places = [*(repo_root / "src" / "cityguard" / "render").rglob("*.py"),
              *(repo_root / "reports").rglob("*.j2")]
    hits = [f"{p}:{n}" for p in places
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if ternary.search(line)]
    assert places and not hits, hits
