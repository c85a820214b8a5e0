"""Views of a GateResult: the terminal table, and the JSON, JUnit and SARIF documents of the
gate's own rules (one test case / one SARIF rule per stage rule), for CI systems to publish.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cityguard import __version__
from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.policy.messages import enum, pick, say, t

FORMATS = ("table", "json", "junit", "sarif")
FILENAMES = {"json": "gate.json", "junit": "gate.junit.xml", "sarif": "gate.sarif"}
STATE_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}
INFO_URI = "https://github.com/cityguard/cityguard/blob/main/docs/ci/README.md"


def show_table(result: Any, lang: str) -> None:
    """One row per stage rule: the rule, its state, what was found and what to do. At 80
    columns the rules are stacked, one record each (cli/_layout.py)."""
    cols = [Col(t("cli.gate_col_rule", lang), heading=True),
            Col(t("cli.gate_col_state", lang)),
            Col(t("cli.gate_col_finding", lang), clip=True, min_width=28),
            Col(t("cli.gate_col_todo", lang), clip=True, min_width=28)]
    rows = [(f"{o.id}\n{_text(o, lang, 'title')}", t(f"cli.gate_state.{o.state}", lang),
             _text(o, lang, "message"), _text(o, lang, "todo")) for o in result.outcomes]
    title = t("cli.gate_title", lang, system=result.system, level=result.level,
              stage=enum("stage", result.stage, lang), today=result.today)
    console.table(cols, rows, title=title, summary=True)
    if console.settings.verbose:
        for o in result.outcomes:
            for line in o.details:
                console.detail(f"{o.id}: {say(line, lang)}")


def summary_line(result: Any, lang: str) -> str:
    c = result.counts()
    key = "cli.gate_passed" if result.passed else "cli.gate_blocked"
    return t(key, lang, passed=c["pass"], warned=c["warn"], failed=c["fail"])


def render(result: Any, fmt: str, lang: str) -> bytes:
    if fmt == "json":
        return (json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "junit":
        return junit(result, lang)
    if fmt == "sarif":
        return (json.dumps(sarif(result, lang), ensure_ascii=False, indent=2) + "\n").encode()
    raise ValueError(fmt)


def _text(o: Any, lang: str, what: str) -> str:
    return pick(getattr(o, f"{what}_zh"), getattr(o, f"{what}_en"), lang)


def junit(result: Any, lang: str) -> bytes:
    import xml.etree.ElementTree as ET

    c = result.counts()
    suites = ET.Element("testsuites", name="cityguard gate", tests=str(len(result.outcomes)),
                        failures=str(c["fail"]), errors="0")
    suite = ET.SubElement(suites, "testsuite", name=f"cityguard gate {result.stage}: "
                          f"{result.system}", tests=str(len(result.outcomes)),
                          failures=str(c["fail"]), errors="0", skipped="0",
                          timestamp=f"{result.today}T00:00:00")
    props = ET.SubElement(suite, "properties")
    for key in ("stage", "level", "today", "fail_on", "min_conclusion", "run_id",
                "baseline_run_id"):
        ET.SubElement(props, "property", name=key, value=str(getattr(result, key) or ""))
    for o in result.outcomes:
        case = ET.SubElement(suite, "testcase", classname=f"cityguard.gate.{result.stage}",
                             name=f"{o.id} {_text(o, lang, 'title')}", time="0")
        body = "\n".join([_text(o, lang, "message"), *(say(d, lang) for d in o.details),
                          *([_text(o, lang, "todo")] if o.todo_en else [])])
        if o.state == "fail":
            failure = ET.SubElement(case, "failure", message=_text(o, lang, "message"),
                                    type="gate")
            failure.text = body
        else:
            out = ET.SubElement(case, "system-out")
            out.text = ("WARNING: " if o.state == "warn" else "") + body
    ET.indent(suites)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="utf-8")


def _uri(path: str) -> str:
    p = Path(path).resolve()
    try:
        rel = os.path.relpath(p, Path.cwd())
    except ValueError:  # another drive on Windows
        return p.as_uri()
    return p.as_uri() if rel.startswith("..") else Path(rel).as_posix()


def sarif(result: Any, lang: str) -> dict[str, Any]:
    uri = _uri(result.manifest)
    rules, results = [], []
    for o in result.outcomes:
        rules.append({
            "id": o.id,
            "name": o.id.replace(".", "_"),
            "shortDescription": {"text": f"{o.title_zh} / {o.title_en}"},
            "fullDescription": {"text": _text(o, lang, "title")},
            "help": {"text": o.todo_zh + ("\n" if o.todo_zh else "") + o.todo_en or
                     f"{o.title_zh} / {o.title_en}"},
            "properties": {"tags": ["mlps", "gate", result.stage, *o.units],
                           "clause": o.clause},
        })
        if o.state == "pass":
            continue
        key = f"{result.system}\x1f{result.stage}\x1f{o.id}"
        results.append({
            "ruleId": o.id,
            "level": "error" if o.state == "fail" else "warning",
            "message": {"text": "\n".join([_text(o, lang, "message"), *o.details[:20],
                                           _text(o, lang, "todo")]).strip()},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": o.line or 1},
            }}],
            "partialFingerprints": {
                "cityguardGate/v1": hashlib.sha256(key.encode()).hexdigest()},
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cityguard-gate", "version": __version__,
                                "informationUri": INFO_URI, "rules": rules}},
            "automationDetails": {"id": f"cityguard-gate/{result.stage}/"},
            "invocations": [{"executionSuccessful": True}],
            "results": results,
            "properties": {"system": result.system, "level": result.level,
                           "stage": result.stage, "today": result.today,
                           "passed": result.passed},
        }],
    }
