"""SARIF 2.1.0 from any producer (CodeQL, Semgrep, Grype, Gitleaks, dependency-check, …).

Streaming: a first pass reads only `runs[].tool` (rules come first even when a producer writes
`results` before `tool`, as Semgrep does), a second streams `runs[].results[]`. A log with one
run takes the fast path (ijson in C); several runs are walked event by event to know which
run a result belongs to. A run without `tool` that has results is refused (schema-invalid).

Choices:
- tool family: a producer that cityguard also reads natively (bandit, semgrep, checkov) has
  that tool's family, so its JSON and its SARIF give the same findings
  (`ingest/tooltags.py`); any other is "sarif:<first word of driver.name, lower case>"
  ("sarif:codeql"), so CodeQL and Semgrep logs of one repository never mark each other's
  findings fixed.
- asset: "." = the scanned source tree (use one --system per repository); the file and line
  go to `location`. A file whose last issue was fixed drops out of the log, so files cannot be
  the assets that scope "fixed". (versionControlProvenance usually follows the results and
  would cost a third pass over a large log.)
- location: always `path:startLine` (path normalised: no "./", '/' separators).
- identity: the producer's own fingerprint when it tells results apart (`fingerprints`, else
  `partialFingerprints`, e.g. CodeQL primaryLocationLineHash) — stable when lines shift;
  placeholders ("requires login", as Semgrep writes without a login) and values repeated
  within a file are ignored (see _sarif_result.ProducerIdentity); otherwise path:startLine.
- severity: `security-severity` (result, then rule properties; a number by CVSS bands, or a
  word as Semgrep writes), then a severity word in properties (bandit's `issue_severity`),
  then level (result, rule default, else warning): error→high, warning→medium, note→low,
  none→info. IaC scanners (checkov, tfsec, kics, …) give every failed check level "error"
  whatever its weight: without a severity of their own such a result is medium by policy, and
  severity_raw says so.
- kind pass/notApplicable and baselineState absent are not problems: skipped.
- suppressed results (a suppression accepted or without status, none under review or
  rejected) are kept with status "accepted" and extra["suppression"]: not open findings,
  still visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import HEAD_BYTES, register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_dict,
    as_list,
    count_key,
    first_value,
    need_json,
    peek,
    rewind,
    rewindable,
    text_of,
)
from cityguard.ingest.importers._sarif_result import (
    MAX_TEXT,
    ProducerIdentity,
    primary_location,
    result_message,
    suppression,
)
from cityguard.ingest.tooltags import family_of_producer, rule_tags
from cityguard.ingest.util import head_text, iter_json, json_error
from cityguard.ingest.values import (
    file_location,
    first_line,
    norm_path,
    norm_severity,
    redact,
    split_cves,
    to_float,
)
from cityguard.model import Finding, Severity, fingerprint, severity_from_cvss

_SCHEMA = re.compile(r'"\$schema"\s*:\s*"[^"]*sarif', re.I)
_VERSION = re.compile(r'"version"\s*:\s*"2\.1\.0"')
_CWE = re.compile(r"\bcwe[-_/ :]*0*(\d+)", re.I)
_SEVERITY_WORDS = {"critical", "high", "medium", "moderate", "low", "info", "informational"}
_SECRET_TOOLS = {"gitleaks", "trufflehog", "detect-secrets", "ggshield", "secretlint"}
_SCA_TOOLS = {"grype", "trivy", "dependency-check", "snyk", "osv-scanner", "npm", "pip-audit"}
_IAC_TOOLS = {"checkov", "tfsec", "kics", "terrascan", "hadolint", "kube-linter"}


@register
class Sarif:
    name = "sarif"
    tool = "sarif"
    description = "SARIF 2.1.0 from any producer (honours security-severity, suppressions)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if _SCHEMA.search(text):
            return 95
        if any_key(text, "runs") and _VERSION.search(text):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "SARIF") != "{":
            raise DataError(source, "not a SARIF log (the top level is not an object)")
        self.scanned: set[tuple[str, str]] = set()
        # one tool and one results array (the usual single run): stop reading at the tool;
        # a second run, even one without a tool, takes the exact event-by-event path
        single = count_key(stream, "tool") == 1 and count_key(stream, "results") <= 1
        if single:
            tool = first_value(stream, source, "runs.item.tool")
            runs = [_Run(tool, source)] if tool is not None else []
        else:
            runs = [_Run(t, source) for t in iter_json(rewind(stream), source, "runs.item.tool")]
        if not runs and not any_key(peek(stream, HEAD_BYTES), "runs"):
            raise DataError(source, "not a SARIF log (no runs)")
        self.scanned = {(run.family, run.asset) for run in runs}
        self.found_version = runs[0].version if runs else ""  # tool.driver of the first run
        if single and runs:
            for result in iter_json(rewind(stream), source, "runs.item.results.item"):
                yield from runs[0].finding(result, self.name)
        else:
            yield from _multi_run(stream, source, runs, self.name)


class _Run:
    """One run's tool: driver name, rules by index and id, per-rule facts computed once."""

    def __init__(self, tool: Any, source: str) -> None:
        tool = as_dict(tool)
        self.source = source
        driver = tool.get("driver") or {}
        self.name = str(driver.get("name") or "").strip()
        self.version = str(driver.get("semanticVersion") or driver.get("version") or "").strip()
        word = self.name.split()[0].lower() if self.name else "unknown"
        self.family = family_of_producer(self.name)
        self.secret_tool = word in _SECRET_TOOLS
        self.sca_tool = word in _SCA_TOOLS
        self.iac_tool = word in _IAC_TOOLS
        self.rules = [r for r in as_list(driver.get("rules")) if isinstance(r, dict)]
        self.by_id = {str(r.get("id")): r for r in self.rules if r.get("id")}
        self.ext_rules = [
            [r for r in as_list(ext.get("rules")) if isinstance(r, dict)]
            for ext in as_list(tool.get("extensions")) if isinstance(ext, dict)
        ]  # fmt: skip
        for rules in self.ext_rules:
            for r in rules:
                self.by_id.setdefault(str(r.get("id")), r)
        self.asset = "."
        self.identity = ProducerIdentity()
        self._facts: dict[str, _RuleFacts] = {}

    def rule_for(self, result: dict[str, Any]) -> dict[str, Any]:
        ref = as_dict(result.get("rule"))
        index = ref.get("index", result.get("ruleIndex"))
        rules = self.rules
        component = ref.get("toolComponent") or {}
        if isinstance(component.get("index"), int) and 0 <= component["index"] < len(
            self.ext_rules
        ):
            rules = self.ext_rules[component["index"]]
        if isinstance(index, int) and 0 <= index < len(rules):
            return rules[index]
        rid = str(result.get("ruleId") or ref.get("id") or "")
        return self.by_id.get(rid) or self.by_id.get(rid.split("/")[0]) or {}

    def facts(self, rule_id: str, rule: dict[str, Any]) -> _RuleFacts:
        key = rule_id or str(rule.get("id") or "")
        found = self._facts.get(key)
        if found is None:
            found = self._facts[key] = _RuleFacts(self, key, rule)
        return found

    def finding(self, r: dict[str, Any], fmt: str) -> Iterator[Finding]:
        if not self.name:
            raise DataError(self.source, "a SARIF run has results but no tool.driver.name")
        kind = str(r.get("kind") or "fail")
        if kind in ("pass", "notApplicable") or r.get("baselineState") == "absent":
            return
        rule = self.rule_for(r)
        ref = as_dict(r.get("rule"))
        message = result_message(r, rule)
        rule_id = str(r.get("ruleId") or ref.get("id") or rule.get("id") or "")
        # no rule at all (Gitleaks 7 writes none): the message is the only name of the check
        facts = self.facts(rule_id or message[:120], rule)
        props = as_dict(r.get("properties"))
        severity, raw = _severity(r, props, facts, kind)
        uri, line, snippet = primary_location(r)
        uri = norm_path(uri)
        location = f"{uri or '?'}:{line}" if line else uri or "?"
        suffix = self.identity.suffix(r, uri)
        evidence = "\n".join(x for x in (file_location(uri, line), message, snippet) if x)
        if facts.secret:
            evidence = redact(evidence, [str(props.get(k) or "") for k in ("offender", "secret",
                                                                          "match")])  # fmt: skip
        supp = suppression(r)
        finding = Finding(
            tool=self.family,
            format=fmt,
            asset_kind="repository",
            asset_key=self.asset,
            rule_id=facts.rule_id,
            title=facts.title or (first_line(message) if message else facts.rule_id),
            severity=severity,
            severity_raw=raw,
            cves=facts.cves,
            cwes=facts.cwes,
            description=facts.description or message,
            location=location,
            evidence=evidence[:MAX_TEXT],
            references=facts.references,
            tags=facts.tags,
            status="accepted" if supp else "open",
            extra={"line": line, "suppression": supp} if supp else {"line": line},
        )
        if suffix:  # a real producer fingerprint: the identity survives lines moving
            finding._fingerprint = fingerprint(self.family, self.asset, facts.rule_id,
                                               f"{uri or '?'}{suffix}")  # fmt: skip
        yield finding


class _RuleFacts:
    """What a rule contributes to each of its results (computed once per rule per run)."""

    def __init__(self, run: _Run, rule_id: str, rule: dict[str, Any]) -> None:
        props = as_dict(rule.get("properties"))
        tags = [str(t) for t in as_list(props.get("tags"))]
        self.rule_id = rule_id
        short = text_of(rule.get("shortDescription"))
        name = str(rule.get("name") or "")
        self.title = short or (name if name and name != rule_id else "")
        self.description = (text_of(rule.get("fullDescription")) or text_of(rule.get("help")))[
            :MAX_TEXT
        ]
        cwe_sources = [*tags, *as_list(props.get("cwe")), *as_list(props.get("cwes"))]
        self.cwes = tuple(dict.fromkeys(
            f"CWE-{m.group(1)}" for t in cwe_sources for m in _CWE.finditer(str(t))
        ))  # fmt: skip
        self.cves = split_cves([rule_id, name, short])
        self.references = tuple(str(u) for u in (rule.get("helpUri"),) if u)
        self.security_severity = props.get("security-severity")
        self.severity_word = _word(props.get("severity")) or _word(props.get("problem.severity"))
        self.level = str((rule.get("defaultConfiguration") or {}).get("level") or "")
        lowered = " ".join([rule_id, *tags]).lower()
        self.secret = run.secret_tool or "secret" in lowered
        hints: list[str] = []
        if self.secret:
            hints.append("secret")
        if self.cves or run.sca_tool:
            hints += ["vuln", "dependency"]
        if run.iac_tool or "misconfiguration" in lowered or "iac" in tags:
            hints.append("config")
        self.tags = rule_tags(run.family, rule_id, hints)
        self.iac = run.iac_tool
        self.default: tuple[Severity, str] | None = None  # severity when results add nothing


def _word(value: object) -> str:
    text = str(value or "").strip().lower()
    return text if text in _SEVERITY_WORDS else ""


def _severity(
    r: dict[str, Any], props: dict[str, Any], facts: _RuleFacts, kind: str
) -> tuple[Severity, str]:
    if not props and "level" not in r and kind == "fail":  # the common case: rule decides
        if facts.default is None:
            facts.default = _severity({}, {"_": 1}, facts, kind)
        return facts.default
    for given in (props.get("security-severity"), facts.security_severity):
        if given is None or given == "":
            continue
        score = to_float(given)
        if score is not None:
            return severity_from_cvss(score), f"security-severity {given}"
        if _word(given):
            return norm_severity(_word(given)), f"security-severity {given}"
    word = _word(props.get("severity")) or facts.severity_word
    if word:
        return norm_severity(word), word
    if _word(props.get("issue_severity")):  # bandit's own rating, as in its JSON
        raw = str(props["issue_severity"])
        return norm_severity(raw), f"{raw} (confidence {props.get('issue_confidence') or '?'})"
    level = str(r.get("level") or facts.level or "")
    if facts.iac and kind == "fail":
        # Checkov (without its platform) writes level "error" on every failed check: that is
        # no rating. Medium by policy, and the raw value says so.
        return Severity.MEDIUM, f"level {level or 'none'}: no severity given, medium by policy"
    if not level and facts.secret and kind == "fail":
        return Severity.HIGH, ""  # a leaked secret with no level: the gitleaks policy (high)
    level = level or ("warning" if kind == "fail" else "none")
    return norm_severity(level), level


def _multi_run(stream: BinaryIO, source: str, runs: list[_Run], fmt: str) -> Iterator[Finding]:
    """Walk events to know each result's run (several runs, or runs without a tool)."""
    import ijson

    state = {"run": -1, "tools_before": 0, "has_tool": False, "results": False}

    def events() -> Iterator[tuple[str, str, Any]]:
        stream.seek(0)
        if stream.read(3) != b"\xef\xbb\xbf":
            stream.seek(0)
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if prefix == "runs.item":
                if event == "start_map":
                    state.update(run=state["run"] + 1, has_tool=False, results=False)
                elif event == "map_key" and value == "tool":
                    state["has_tool"] = True
                elif event == "end_map":
                    if state["results"] and not state["has_tool"]:
                        raise DataError(
                            source, f"run {state['run'] + 1} has results but no tool (SARIF "
                            "requires runs[].tool.driver.name)")  # fmt: skip
                    state["tools_before"] += state["has_tool"]
            yield prefix, event, value

    try:
        for result in ijson.items(events(), "runs.item.results.item", use_float=True):
            state["results"] = True
            index = state["tools_before"]
            if index >= len(runs):
                raise DataError(source, f"run {state['run'] + 1} has results but no tool (SARIF "
                                "requires runs[].tool.driver.name)")  # fmt: skip
            yield from runs[index].finding(result, fmt)
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
