"""HCL (IBM) AppScan XML report (`<xml-report name="AppScan Report">`, AppScan Standard and
AppScan on Cloud exports): issue types, URLs and entities in lookup groups, then
`issue-group` with one `item` per issue (its variants nested inside).

One finding per issue. Identity: the site (scheme://host[:port] of the issue's URL) as asset,
the issue type (`attLoginNotOverSSL`) as rule, the URL path plus the parameter or cookie
the issue is about as location, and AppScan's issue id hashed in (AppScan derives it from the
issue's type, URL and entity, so a rescan keeps it, and two issues of one type on one page —
two parameters — stay apart). The URL comes from `url-group`; AppScan on Cloud exports have
none, and the URL is read from the first request line of the issue's test traffic.
Severity: AppScan's Critical / High / Medium / Low as they are, Informational → info; an
empty severity falls back to `severity-id` (4 critical … 0 info).
Lookup groups precede the issues and are small; each issue is freed once read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar
from urllib.parse import urlsplit

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import TLS_WORDS, clean
from cityguard.ingest.util import child_text, first_of_each, head_text, xml_events, xml_root
from cityguard.ingest.values import norm_severity, redact, split_cwes, to_float, to_int
from cityguard.model import Finding, Severity, fingerprint

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_LOOKUPS = ("issue-type-group", "url-group", "entity-group")
_GROUPS = (*_LOOKUPS, "issue-group")
_REQUEST = re.compile(r"^[A-Z]+ (https?://\S+) HTTP/", re.M)
_BY_ID = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
_PARAMETER_KINDS = {"parameter", "cookie", "header"}
_SESSION_IN_PATH = re.compile(r";jsessionid=[^/?#]*", re.I)  # changes every scan; a token


@register
class AppScan:
    name: ClassVar[str] = "appscan"
    tool: ClassVar[str] = "appscan"
    description: ClassVar[str] = "HCL/IBM AppScan XML report (Standard and on Cloud)"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "xml-report":
            return 0
        text = head_text(head)
        return 95 if "AppScan" in text[:2000] else 50

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._issues(stream, source))

    def _issues(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        lookup: dict[str, dict[str, tuple[str, str]]] = {g: {} for g in _LOOKUPS}
        group: str | None = None
        depth = 0  # of nested <item>s
        traffic: list[str] = []  # request lines seen in the current issue's variants
        reasons: list[str] = []  # why AppScan reported each variant
        starts = ("item", *_GROUPS)
        ends = ("item", "test-http-traffic", "reasoning", *_GROUPS)
        for event, elem in xml_events(stream, source, start=starts, end=ends):
            tag = elem.tag
            if event == "start":
                if tag == "item":
                    depth += 1
                    if depth == 1:
                        traffic, reasons = [], []
                else:
                    group = tag
            elif tag in _GROUPS:
                group = None
            elif tag == "test-http-traffic":
                traffic += _REQUEST.findall(elem.text or "")[:1]
            elif tag == "reasoning":
                reasons.append(clean(elem.text))
            else:  # an item ends
                depth -= 1
                if depth or group is None:
                    continue
                if group == "issue-group":
                    yield self._issue(elem, lookup, traffic, reasons)
                else:
                    lookup[group][elem.get("id", "")] = (
                        clean(child_text(elem, "name")), child_text(elem, "entity-type").lower())

    def _issue(self, item: Element, lookup: dict[str, dict[str, tuple[str, str]]],
               traffic: list[str], reasons: list[str]) -> Finding:
        def ref(name: str) -> str:
            return clean(item.findtext(f"{name}/ref"))

        issue_type = ref("issue-type")
        type_name = lookup["issue-type-group"].get(issue_type, ("", ""))[0]
        url = lookup["url-group"].get(ref("url"), ("", ""))[0] or (traffic[0] if traffic else "")
        entity, kind = lookup["entity-group"].get(ref("entity"), ("", ""))
        parts = urlsplit(url) if url.startswith("http") else None
        asset = f"{parts.scheme}://{parts.netloc}" if parts else "unknown"
        path = _SESSION_IN_PATH.sub("", parts.path or "/") if parts else (url or ref("url"))
        location = f"{path} [{entity}]" if entity and kind in _PARAMETER_KINDS else path
        raw = clean(child_text(item, "severity"))
        by_id = to_int(child_text(item, "severity-id"))
        severity = norm_severity(raw) if raw else (
            _BY_ID[min(by_id, 4)] if by_id is not None and by_id >= 0 else Severity.INFO)
        title = type_name or issue_type
        tags = ["web", *(["tls"] if TLS_WORDS.search(f"{title} {issue_type}") else [])]
        finding = Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="url",
            asset_key=asset,
            rule_id=issue_type or title,
            title=title,
            severity=severity,
            severity_raw=raw or (f"severity-id {by_id}" if by_id is not None else ""),
            cvss_score=to_float(child_text(item, "cvss-score")),
            cvss_vector=clean(item.findtext("cvss-vector/vector")) or None,
            cwes=split_cwes(child_text(item, "cwe")),
            description="; ".join(x for x in (ref("threat-class"), ref("security-risks"),
                                              ref("cause-id")) if x),  # fmt: skip
            solution=ref("remediation"),
            location=location,
            evidence=redact("\n".join(dict.fromkeys(r for r in reasons if r))[:2000]),
            tags=tuple(tags),
            extra={k: v for k, v in (("url", _SESSION_IN_PATH.sub("", url)), ("entity", entity),
                                     ("entity_type", kind),
                                     ("advisory", ref("advisory")),
                                     ("issue_id", item.get("id"))) if v},  # fmt: skip
        )
        digest = hashlib.sha256(str(item.get("id") or "").encode()).hexdigest()[:16]
        finding._fingerprint = fingerprint(self.tool, asset, finding.rule_id,
                                           f"{location}#{digest}")
        return finding
