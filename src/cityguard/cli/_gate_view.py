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

FORMATS = ("table", "json", "junit", "sarif")
FILENAMES = {"json": "gate.json", "junit": "gate.junit.xml", "sarif": "gate.sarif"}
STATE_ZH = {"pass": "通过", "warn": "提醒", "fail": "未通过"}
STATE_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}
INFO_URI = "https://github.com/cityguard/cityguard/blob/main/docs/ci/README.md"


def show_table(result: Any, lang: str) -> None:
    from cityguard.cli import console

    zh = lang == "zh"
    cols = ["规则", "状态", "说明", "整改建议"] if zh else ["rule", "state", "finding",
                                                            "what to do"]
    rows = []
    for o in result.outcomes:
        title = o.title_zh if zh else o.title_en
        rows.append((f"{o.id}\n{title}", STATE_ZH[o.state] if zh else o.state,
                     o.message_zh if zh else o.message_en, o.todo_zh if zh else o.todo_en))
    stage = {"plan": "规划", "build": "建设", "deploy": "上线", "operate": "运行"}[result.stage]
    title = (f"{result.system}（第{result.level}级）{stage}阶段门禁 · {result.today}" if zh
             else f"{result.system} (level {result.level}) {result.stage} gate · {result.today}")
    console.table(cols, rows, title=title)


def summary_line(result: Any, lang: str) -> str:
    c = result.counts()
    if lang == "zh":
        verdict = "通过" if result.passed else "阻断"
        return f"门禁{verdict}：{c['pass']} 项通过，{c['warn']} 项提醒，{c['fail']} 项未通过"
    verdict = "passed" if result.passed else "BLOCKED"
    return f"gate {verdict}: {c['pass']} pass, {c['warn']} warn, {c['fail']} fail"


def render(result: Any, fmt: str, lang: str) -> bytes:
    if fmt == "json":
        return (json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "junit":
        return junit(result, lang)
    if fmt == "sarif":
        return (json.dumps(sarif(result, lang), ensure_ascii=False, indent=2) + "\n").encode()
    raise ValueError(fmt)


def _text(o: Any, lang: str, what: str) -> str:
    zh, en = getattr(o, f"{what}_zh"), getattr(o, f"{what}_en")
    return (zh if lang == "zh" else en) or en or zh


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
        body = "\n".join([_text(o, lang, "message"), *o.details,
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


def write_atomic(path: Path, data: bytes) -> None:
    import tempfile

    from cityguard.core.errors import UsageError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
