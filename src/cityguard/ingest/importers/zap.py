"""OWASP ZAP XML report (`<OWASPZAPReport>`, 2.x "traditional" and "XML plus").

One finding per alert per site. Identity: site (scheme://host[:port] as ZAP names it), alertRef
(pluginid-variant; pluginid in older reports). The alert's instances (uri, method, param,
evidence) go to the evidence, not the identity: an alert that moves from one URL to another is
the same weakness of the same site, and an alert ZAP lists twice (once per confidence level)
is one finding. Only a handful of instances are kept — 2.16 reports embed
full requests and responses. `riskcode` 0–3 maps info/low/medium/high (ZAP has no critical);
`confidence` 0 means the user marked it a false positive: it is imported with the tag
"false-positive" so the store can record it as such. The localised `generated` date is not
parsed.

Also home of `alert_finding`, shared with the JSON importer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import TLS_WORDS, html_text, merge_same, urls
from cityguard.ingest.util import first_of_each, xml_events, xml_root
from cityguard.ingest.values import norm_severity, split_cwes, to_int
from cityguard.model import Finding

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_INSTANCES = 20  # per alert, in the evidence
_INSTANCE_FIELDS = ("uri", "method", "param", "attack", "evidence")


def site_key(site: Mapping[str, Any]) -> str:
    """The site's name ("https://host" / "http://host:8080"), else built from host/port/ssl."""
    name = str(site.get("name") or "").strip().rstrip("/")
    if name:
        return name
    host, port = str(site.get("host") or ""), str(site.get("port") or "")
    scheme = "https" if str(site.get("ssl", "")).lower() == "true" else "http"
    default = "443" if scheme == "https" else "80"
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def alert_finding(site: Mapping[str, Any], alert: Mapping[str, Any], fmt: str) -> Finding | None:
    """A ZAP alert (XML or JSON, attributes already unprefixed) as a Finding."""

    def get(name: str) -> str:
        value = alert.get(name)
        return str(value).strip() if value is not None else ""

    rule = get("alertRef") or get("pluginid")
    key = site_key(site)
    if not rule or not key:
        return None
    title = get("alert") or get("name") or f"ZAP alert {rule}"
    risk, confidence = to_int(get("riskcode")), to_int(get("confidence"))
    instances = alert.get("instances") or []
    if isinstance(instances, Mapping):  # XML-to-dict shapes: {"instance": [...]}
        instances = instances.get("instance") or []
    if isinstance(instances, Mapping):
        instances = [instances]
    lines = []
    for inst in list(instances)[:MAX_INSTANCES]:
        parts = [f"{f}={str(inst.get(f)).strip()}" for f in _INSTANCE_FIELDS if inst.get(f)]
        lines.append(" ".join(parts))
    count = to_int(get("count")) or len(instances)
    if count > len(lines):
        lines.append(f"… {count} instances in all")
    tags = ["web"]
    if TLS_WORDS.search(title):
        tags.append("tls")
    if confidence == 0:
        tags.append("false-positive")
    return Finding(
        tool="zap", format=fmt, asset_kind="url", asset_key=key, rule_id=rule, title=title,
        severity=norm_severity(risk if risk is not None else 0, "zap"),
        severity_raw=get("riskdesc") or get("riskcode"), cwes=split_cwes(get("cweid")),
        description=html_text(get("desc")), solution=html_text(get("solution")),
        evidence="\n".join(lines), references=urls(get("reference")), tags=tuple(tags),
        extra={k: v for k, v in (("pluginid", get("pluginid")), ("confidence", confidence),
                                 ("wascid", get("wascid")), ("instances", count),
                                 ("otherinfo", html_text(get("otherinfo"))[:2000])) if v},
    )  # fmt: skip


@register
class ZapImporter:
    name: ClassVar[str] = "zap"
    tool: ClassVar[str] = "zap"
    description: ClassVar[str] = "OWASP ZAP XML report"
    version_pattern: ClassVar[bytes] = rb'<OWASPZAPReport\b[^>]*?\sversion="([^"]+)"'

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "OWASPZAPReport" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._alerts(stream, source))

    def _alerts(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        site: dict[str, str] = {}
        instances: list[dict[str, str]] = []
        seen = 0  # instances of the current alert, also those not kept
        found: list[Finding] = []  # of the current site
        events = xml_events(stream, source, start=("site",), end=("instance", "alertitem", "site"))
        for event, elem in events:
            if event == "start":
                site = dict(elem.attrib)
            elif elem.tag == "instance":  # keep the few fields we use; bodies are freed now
                seen += 1
                if len(instances) < MAX_INSTANCES:
                    instances.append({f: (elem.findtext(f) or "") for f in _INSTANCE_FIELDS})
            elif elem.tag == "alertitem":
                alert = _scalars(elem)  # the instances are gone from the element by now
                alert["instances"] = instances
                alert.setdefault("count", str(seen))
                instances, seen = [], 0
                finding = alert_finding(site, alert, self.name)
                if finding is not None:
                    found.append(finding)
            elif elem.tag == "site":
                yield from merge_same(found)
                found = []


def _scalars(elem: Element) -> dict[str, Any]:
    return {child.tag: (child.text or "") for child in elem if len(child) == 0}


__all__ = ["MAX_INSTANCES", "ZapImporter", "alert_finding", "site_key"]
