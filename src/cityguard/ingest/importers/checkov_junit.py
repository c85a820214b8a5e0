"""Checkov JUnit XML (`checkov -d DIR -o junitxml`): one `<testsuite>` per framework
("terraform scan", "dockerfile scan", "secrets scan" …), one `<testcase>` per check and
resource, named "[SEVERITY][CHECK_ID] check name".

- a testcase with `<failure>` is a finding; one with `<skipped>` (`#checkov:skip=`) is kept as
  accepted with the skip comment; a testcase with neither passed and is not a finding.
- identity as in checkov's JSON and SARIF (tool family `checkov`, asset ".", rule = the check
  id, location `path:first line`; the path without checkov's leading "/"), read from the
  failure text "File: /main.tf: 24-31" — so the JUnit, JSON and SARIF of one run give the same
  findings. A skipped testcase carries no line: its location is `path` plus the resource.
- severity: the bracket where the platform filled it in; "NONE" (open-source runs) is medium
  by policy, as for checkov JSON and SARIF.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, local, xml_events, xml_root
from cityguard.ingest.values import file_location, norm_path, norm_severity, redact, suppressed_by
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_NAME = re.compile(r"\s*\[([A-Za-z]*)\]\s*\[([^\]]+)\]\s*(.*)", re.S)
_FILE = re.compile(r"^File:\s*(.+?):\s*(\d+)(?:-(\d+))?\s*$", re.M)
_RESOURCE = re.compile(r"^Resource:\s*(.*?)\s*$", re.M)
_POLICY = "no severity given, medium by policy"


@register
class CheckovJunit:
    name = "checkov_junit"
    tool = "checkov"
    description = "Checkov JUnit XML (-o junitxml): failed checks, skips as accepted"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) not in ("testsuites", "testsuite"):
            return 0
        if re.search(rb'<testcase name="\[[A-Za-z]*\]\[CKV2?_', head) or (
            b'name="custom_tool_name" value="Checkov"' in head
        ):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        self.scanned = {(self.tool, ".")}
        yield from first_of_each(self._cases(stream, source))

    def _cases(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        suite, seen_case = "", False
        for event, elem in xml_events(stream, source, start=("testsuite",), end=("testcase",)):
            if event == "start":
                suite = (elem.get("name") or "").removesuffix(" scan").strip()
                continue
            seen_case = True
            finding = self._finding(elem, suite, source)
            if finding is not None:
                yield finding
        if not seen_case and not suite:
            raise DataError(source, "not a checkov JUnit report (no testsuite)")

    def _finding(self, case: Element, framework: str, source: str) -> Finding | None:
        outcome = next((c for c in case if local(c.tag) in ("failure", "skipped")), None)
        if outcome is None:
            return None  # passed
        m = _NAME.match(case.get("name") or "")
        if not m:
            raise DataError(source, "a checkov testcase whose name is not '[SEVERITY][ID] …'")
        raw, check_id, check_name = m.group(1), m.group(2).strip(), m.group(3).strip()
        text = outcome.text or ""
        where = _FILE.search(text)
        raw_path = where.group(1) if where else (case.get("file") or "")
        path = norm_path(raw_path[1:] if raw_path.startswith("/") else raw_path)
        line = int(where.group(2)) if where and int(where.group(2)) > 0 else None
        resource_m = _RESOURCE.search(text)
        resource = resource_m.group(1) if resource_m else _resource(case, raw_path)
        skipped = local(outcome.tag) == "skipped"
        extra: dict[str, object] = {"line": line, "framework": framework, "resource": resource}
        if where and where.group(3) and line:
            extra["end_line"] = int(where.group(3))
        if skipped:
            why = (outcome.get("message") or "").strip()
            extra["suppression"] = suppressed_by("checkov skip", why)
        location = file_location(path, line or resource)
        word = "" if raw.upper() == "NONE" else raw
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=check_id,
            title=check_name or check_id,
            severity=norm_severity(word) if word else Severity.MEDIUM,
            severity_raw=word or _POLICY,
            description=(outcome.get("message") or check_name).strip(),
            location=location,
            evidence=redact("\n".join(x for x in (location, resource) if x)),
            tags=rule_tags(self.tool, check_id, _hints(framework, check_id)),
            status="accepted" if skipped else "open",
            extra=extra,
        )


def _resource(case: Element, raw_path: str) -> str:
    """classname is "<file>.<resource>": the resource once the file is taken off."""
    classname = case.get("classname") or ""
    return classname[len(raw_path) + 1 :] if classname.startswith(raw_path + ".") else ""


def _hints(framework: str, check_id: str) -> tuple[str, ...]:
    """As for checkov JSON: the secrets framework finds secrets, SCA frameworks packages."""
    kind = framework.lower()
    if kind == "secrets" or "secret" in check_id.lower():
        return ("secret",)
    if kind.startswith("sca"):
        return ("vuln", "dependency")
    return ()
