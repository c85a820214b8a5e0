"""Burp Scanner issues XML (`<issues burpVersion=…>`): one finding per issue and location.

Identity: the issue's host (scheme://host[:port]), its location ("/path [param parameter]")
and its numeric issue type. Extension-generated issues all share type 134217728, so for them
the issue name joins the rule id. `serialNumber` is per export and stays out. The base64
request/response pairs (often megabytes) are never decoded: the issue is streamed and freed
per `<issue>`. Burp has no critical level: High/Medium/Low/Information map directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import TLS_WORDS, html_text, urls
from cityguard.ingest.util import first_of_each, head_text, xml_events, xml_root
from cityguard.ingest.values import norm_severity, split_cves, split_cwes
from cityguard.model import Finding

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

EXTENSION_ISSUE = "134217728"  # "Extension generated issue": every BApp issue has this type
_CWE_LINK = re.compile(r"CWE-(\d+)")


@register
class BurpImporter:
    name: ClassVar[str] = "burp"
    tool: ClassVar[str] = "burp"
    description: ClassVar[str] = "Burp Suite Scanner issues XML export"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "issues":
            return 0
        text = head_text(head)
        if "burpVersion" in text:
            return 95
        return 70 if "<serialNumber>" in text or "<!ELEMENT issue " in text else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._issues(stream, source))

    def _issues(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        # requestresponse bodies are freed as soon as they end, before their issue does
        for _event, elem in xml_events(stream, source, end=("requestresponse", "issue")):
            if elem.tag == "issue":
                finding = self._issue(elem)
                if finding is not None:
                    yield finding

    def _issue(self, issue: Element) -> Finding | None:
        def text(name: str) -> str:
            return (issue.findtext(name) or "").strip()

        host = text("host").rstrip("/")
        issue_type, name = text("type"), " ".join(text("name").split())
        if not host or not (issue_type or name):
            return None
        rule = f"{issue_type}:{name}" if issue_type in ("", EXTENSION_ISSUE) else issue_type
        location = text("location") or text("path") or "/"
        raw = text("severity")
        detail = html_text(text("issueDetail"))
        background = html_text(text("issueBackground"))
        classes = text("vulnerabilityClassifications")
        items = [(i.text or "").strip() for i in issue.iter("issueDetailItem") if i.text]
        host_el = issue.find("host")
        ip = host_el.get("ip", "") if host_el is not None else ""
        tags = ["web"]
        if TLS_WORDS.search(name):
            tags.append("tls")
        cves = split_cves(detail) if issue_type == EXTENSION_ISSUE else ()
        if cves:
            tags.append("vuln")
        return Finding(
            tool=self.tool, format=self.name, asset_kind="url", asset_key=host,
            rule_id=rule, title=name or f"Burp issue {issue_type}", severity=norm_severity(raw),
            severity_raw=f"{raw} ({text('confidence')})" if text("confidence") else raw,
            cves=cves, cwes=split_cwes(_CWE_LINK.findall(classes)),
            description="\n\n".join(x for x in (background, detail) if x),
            solution="\n\n".join(x for x in (html_text(text("remediationBackground")),
                                             html_text(text("remediationDetail"))) if x),
            location=location, evidence="\n".join(items) or detail[:2000],
            references=urls(text("references")), tags=tuple(tags),
            extra={k: v for k, v in (("ip", ip), ("confidence", text("confidence")),
                                     ("path", text("path"))) if v},
        )  # fmt: skip
