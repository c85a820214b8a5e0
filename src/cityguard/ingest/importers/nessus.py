""".nessus v2 (NessusClientData_v2): one finding per ReportItem, streamed per ReportHost.

Identity: host-ip (else the ReportHost name), "port/proto" (port 0 = host level), pluginID.
Two ReportItems with the same identity on one host (Nessus repeats a plugin per detected
instance, e.g. two PHP installs behind port 80) become one finding whose evidence keeps both
plugin outputs. Plugin output and timestamps change every run and stay out of the identity.

Also home of `nessus_tags`, shared with the CSV importer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import (
    PATCH_WORDS,
    TLS_WORDS,
    end_elements,
    epoch_iso,
    first_of_each,
    merge_same,
    net_location,
    port_tags,
)
from cityguard.ingest.util import xml_root
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_float, to_int
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_WEB_FAMILIES = {"cgi abuses", "cgi abuses : xss", "web servers", "web application abuses"}
_PORT_FAMILIES = {"port scanners"}
_PORT_SCANNERS = re.compile(r"\b(SYN|TCP|UDP) scanner\b|netstat port", re.I)  # CSV: no family
_MALWARE_FAMILIES = {"backdoors"}
_COMPLIANCE_FAMILIES = {"policy compliance"}


def nessus_tags(
    title: str, family: str, port: int | None, severity: Severity, cves: tuple[str, ...]
) -> tuple[str, ...]:
    """Mapping hints for a Nessus plugin result (also used for the CSV exports)."""
    fam = family.strip().lower()
    tags: list[str] = []
    if cves or (severity.rank >= Severity.LOW.rank and PATCH_WORDS.search(title)):
        tags.append("vuln")
    if TLS_WORDS.search(title):
        tags.append("tls")
    if fam in _WEB_FAMILIES:
        tags.append("web")
    if fam in _PORT_FAMILIES or _PORT_SCANNERS.search(title):
        tags.extend(port_tags(port))
    if fam in _MALWARE_FAMILIES:
        tags.append("malware")
    if fam in _COMPLIANCE_FAMILIES:
        tags.append("compliance")
    if severity.rank >= Severity.LOW.rank and not tags:
        tags.append("vuln")  # a non-info plugin without a more specific class: missing patch etc.
    return tuple(dict.fromkeys(tags))


@register
class NessusImporter:
    name: ClassVar[str] = "nessus"
    tool: ClassVar[str] = "nessus"
    description: ClassVar[str] = "Tenable Nessus .nessus v2 (NessusClientData_v2)"

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "NessusClientData_v2" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        # one IP under two ReportHost names (scanned by name and by address) repeats identities
        return first_of_each(self._hosts(stream, source))

    def _hosts(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        host = _Host()
        items: list[Finding] = []
        for elem in end_elements(stream, source):
            tag = elem.tag
            if tag == "ReportItem":
                items.append(self._item(elem, host))
                elem.clear()  # plugin output can be large; keep only the Finding
            elif tag == "HostProperties":
                host = _Host.from_properties(elem)
                items = [host.fill(f) for f in items]  # items before their properties (rare)
            elif tag == "ReportHost":
                name = elem.get("name", "")
                # (a copy must drop the cached fingerprint: the identity changed)
                yield from merge_same(f if f.asset_key else replace(f, asset_key=name,
                                                                    _fingerprint="")
                                      for f in items)  # fmt: skip
                elem.clear()
                host, items = _Host(), []
            elif tag == "Policy":
                elem.clear()  # scan settings: most of a small file's bytes, never used

    def _item(self, item: Element, host: _Host) -> Finding:
        fields: dict[str, str] = {}
        lists: dict[str, list[str]] = {"cve": [], "cwe": [], "xref": []}
        for child in item:  # one pass over ~20 children instead of a findtext per field
            text = (child.text or "").strip()
            if child.tag in lists:
                lists[child.tag].append(text)
            else:
                fields[child.tag] = text
        get = fields.get
        port = to_int(item.get("port")) or None
        proto = (item.get("protocol") or "tcp").lower()
        raw = item.get("severity", "")
        severity = norm_severity(raw, "nessus")
        cves = split_cves(lists["cve"])
        title = item.get("pluginName") or get("plugin_name") or f"plugin {item.get('pluginID')}"
        family = item.get("pluginFamily", "")
        score, vector = _cvss(fields)
        synopsis, description, solution = get("synopsis"), get("description"), get("solution")
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=host.key,
            port=port, protocol=proto, rule_id=item.get("pluginID", ""), title=title,
            severity=severity, severity_raw=raw, cvss_score=score, cvss_vector=vector,
            cves=cves, cwes=split_cwes(lists["cwe"]),
            description="\n\n".join(x for x in (synopsis, description) if x),
            solution=solution if solution and solution != "n/a" else "",
            location=net_location(port, proto), evidence=get("plugin_output", ""),
            references=tuple(get("see_also", "").split()),
            tags=nessus_tags(title, family, port, severity, cves), last_seen=host.seen,
            extra={**host.extra, **{k: v for k, v in (
                ("plugin_family", family), ("service", item.get("svc_name", "")),
                ("risk_factor", get("risk_factor")), ("vpr_score", get("vpr_score")),
                ("exploit_available", get("exploit_available")), ("xref", lists["xref"]),
            ) if v}},
        )  # fmt: skip


@dataclass
class _Host:
    """What HostProperties says about the host of the ReportItems that follow."""

    key: str = ""  # host-ip; "" until known (then the ReportHost name fills it in)
    seen: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_properties(cls, elem: Element) -> _Host:
        props = {t.get("name", ""): (t.text or "").strip() for t in elem.iter("tag")}
        return cls(
            key=props.get("host-ip", ""),
            seen=epoch_iso(props.get("HOST_END_TIMESTAMP") or props.get("HOST_START_TIMESTAMP")),
            extra={
                k: props[k]
                for k in ("host-fqdn", "netbios-name", "operating-system")
                if props.get(k)
            },  # fmt: skip
        )

    def fill(self, f: Finding) -> Finding:
        extra = {**self.extra, **f.extra}
        return replace(f, asset_key=self.key, last_seen=self.seen, extra=extra, _fingerprint="")


def _cvss(fields: dict[str, str]) -> tuple[float | None, str | None]:
    """Newest CVSS version present: v4, v3, then v2 (score, vector)."""
    for score_tag, vector_tag in (
        ("cvss4_base_score", "cvss4_vector"),
        ("cvss3_base_score", "cvss3_vector"),
        ("cvss_base_score", "cvss_vector"),
    ):
        score = to_float(fields.get(score_tag))
        if score is not None:
            return score, (fields.get(vector_tag) or None)
    return None, None


__all__ = ["NessusImporter", "nessus_tags"]
