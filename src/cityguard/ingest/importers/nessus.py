""".nessus v2 (NessusClientData_v2): one finding per ReportItem, streamed per ReportHost.

Identity: host-ip (else the ReportHost name), "port/proto" (port 0 = host level), pluginID.
Two ReportItems with the same identity on one host (Nessus repeats a plugin per detected
instance, e.g. two PHP installs behind port 80) become one finding whose evidence keeps both
plugin outputs. Plugin output and timestamps change every run and stay out of the identity.

Read by a hand-written expat handler (ingest.expat: defusedxml's guards), not element trees: a
.nessus is hundreds of thousands of small ReportItems, and one Python call per element event
instead of a tree per item is most of the speed of a large import (docs/ingest.md,
"Throughput"). What a plugin says (title, texts, CVEs, CVSS, tags) is the same on every host,
so it is computed once per plugin text and shared by the findings of every host.

Also home of `nessus_tags`, shared with the CSV importer.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, ClassVar

from cityguard.ingest import expat
from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import (
    TLS_WORDS,
    epoch_iso,
    merge_same,
    net_location,
    network_scan_tags,
    port_tags,
)
from cityguard.ingest.util import xml_root
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_float, to_int
from cityguard.model import Finding, Severity, fp64

_WEB_FAMILIES = {"cgi abuses", "cgi abuses : xss", "web servers", "web application abuses"}
_PORT_FAMILIES = {"port scanners"}
_PORT_SCANNERS = re.compile(r"\b(SYN|TCP|UDP) scanner\b|netstat port", re.I)  # CSV: no family
_MALWARE_FAMILIES = {"backdoors"}
_COMPLIANCE_FAMILIES = {"policy compliance"}


def nessus_tags(
    title: str, family: str, port: int | None, severity: Severity, cves: tuple[str, ...],
    service: str | None = None,
) -> tuple[str, ...]:
    """Mapping hints for a Nessus plugin result (also used for the CSV exports). `service` is
    Nessus's name for what listens on the port (svc_name): ssh on 2222 is still high-risk."""
    fam = family.strip().lower()
    specific: list[str] = []
    if TLS_WORDS.search(title):
        specific.append("tls")
    if fam in _WEB_FAMILIES:
        specific.append("web")
    if fam in _PORT_FAMILIES or _PORT_SCANNERS.search(title):
        specific.extend(port_tags(port, service))
    if fam in _MALWARE_FAMILIES:
        specific.append("malware")
    if fam in _COMPLIANCE_FAMILIES:
        specific.append("compliance")
    return network_scan_tags(title, severity, cves, specific)


@register
class NessusImporter:
    name: ClassVar[str] = "nessus"
    tool: ClassVar[str] = "nessus"
    description: ClassVar[str] = "Tenable Nessus .nessus v2 (NessusClientData_v2)"
    #: a large file is read by two processes, split between two hosts (ingest.split)
    unit: ClassVar[str] = "ReportHost"
    envelope: ClassVar[tuple[str, ...]] = ("NessusClientData_v2", "Report")

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "NessusClientData_v2" else 0

    def reader(self) -> _Reader:
        return _Reader(self.tool, self.name)

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        reader = self.reader()
        return expat.feed(reader.parser, stream, source, reader.drain)


#: children of a ReportItem that may repeat
_LISTS = frozenset({"cve", "cwe", "xref"})
#: what a plugin says, the same on every host: the key of the per-plugin memo
_PLUGIN_FIELDS = ("plugin_name", "synopsis", "description", "solution", "see_also",
                  "cvss4_base_score", "cvss4_vector", "cvss3_base_score", "cvss3_vector",
                  "cvss_base_score", "cvss_vector")  # fmt: skip
#: item fields kept beside the finding (extra), in this order
_EXTRA_FIELDS = ("risk_factor", "vpr_score", "exploit_available")
_MEMO_SIZE = 20_000  # plugins remembered at once (a scan uses a few thousand)


@dataclass(frozen=True)
class _Plugin:
    """The host-independent part of a finding, computed once per plugin text."""

    title: str
    severity: Severity
    score: float | None
    vector: str | None
    cves: tuple[str, ...]
    cwes: tuple[str, ...]
    description: str
    solution: str
    references: tuple[str, ...]


class _Reader:
    """Expat handlers for one .nessus: ReportItems become Findings, grouped per ReportHost.

    Only leaf text is kept (the text since the last start tag); the Policy block and every
    element outside ReportHost cost one callback each and nothing else."""

    def __init__(self, tool: str, fmt: str) -> None:
        self.tool, self.format = tool, fmt
        self.parser = expat.hardened()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data
        self.text = ""
        self.done: list[Finding] = []  # findings of finished hosts, not yet drained
        self.items: list[Finding] = []  # the current host's
        self.host = _Host()
        self.host_name = ""
        self.item: dict[str, str] | None = None  # attributes of the open ReportItem
        self.fields: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        self.props: dict[str, str] | None = None  # tags of the open HostProperties
        self.tag = ""
        #: (id, name, severity) -> (the plugin's texts, what they make): one entry a plugin
        self.plugins: dict[tuple[Any, ...], tuple[tuple[Any, ...], _Plugin]] = {}
        self.tags: dict[tuple[Any, ...], tuple[str, ...]] = {}
        #: per asset key, the first 64 bits of every fingerprint given so far (8 bytes each)
        self.given: dict[str, array[int]] = {}

    def drain(self) -> list[Finding]:
        out, self.done = self.done, []
        return out

    def data(self, text: str) -> None:
        self.text += text

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.text = ""
        if name == "ReportItem":
            self.item, self.fields, self.lists = attrs, {}, {"cve": [], "cwe": [], "xref": []}
            # every element inside an item is a field, a leaf: only its end is handled, and
            # the text is reset there instead of at its start (no start handler at all: a
            # quarter of the parse). A field's text may then begin with the whitespace
            # before its tag; every field is stripped before use.
            self.parser.StartElementHandler = None
            self.parser.EndElementHandler = self.field_end
        elif name == "tag":
            self.tag = attrs.get("name", "")
        elif name == "HostProperties":
            self.props = {}
        elif name == "ReportHost":
            self.host, self.items, self.host_name = _Host(), [], attrs.get("name", "")

    def field_end(self, name: str) -> None:
        if name == "ReportItem":
            self.items.append(self.finding(self.item or {}))
            self.item = None
            self.parser.StartElementHandler = self.start
            self.parser.EndElementHandler = self.end
        elif name in _LISTS:
            self.lists[name].append(self.text.strip())
        else:
            self.fields[name] = self.text
        self.text = ""

    def end(self, name: str) -> None:
        if name == "tag":
            if self.props is not None:
                self.props[self.tag] = self.text.strip()
        elif name == "HostProperties":
            self.host = _Host.from_properties(self.props or {})
            self.props = None
            self.items = [self.host.fill(f) for f in self.items]  # items before it (rare)
        elif name == "ReportHost":
            name = self.host_name
            # (a copy must drop the cached fingerprint: the identity changed)
            self.done.extend(self.first_time(merge_same(
                f if f.asset_key else replace(f, asset_key=name, _fingerprint="")
                for f in self.items)))  # fmt: skip
            self.host, self.items = _Host(), []

    def first_time(self, found: list[Finding]) -> list[Finding]:
        """Drop the findings an earlier ReportHost of the same address already gave.

        One IP under two ReportHost names (scanned by name and by address) repeats identities;
        only a repeated address can, so each address keeps the 64-bit prefixes of what it gave
        in a C array (8 bytes a finding instead of ~76 in a set of every identity of the file)
        and only a repeated one is searched. The first occurrence wins, as before.
        """
        if not found:
            return found
        key = found[0].asset_key  # one ReportHost: one asset key for all its findings
        given = self.given.get(key)
        if given is None:
            self.given[key] = array("q", [fp64(f.fingerprint) for f in found])
            return found
        earlier = set(given)
        kept = [f for f in found if fp64(f.fingerprint) not in earlier]
        given.extend(fp64(f.fingerprint) for f in kept)
        return kept

    def given_before(self, asset_key: str, prefix: int) -> bool:
        """Whether a host of this read already gave this identity (the split read's check
        of the second part, ingest.split)."""
        given = self.given.get(asset_key)
        return given is not None and prefix in given

    def gave(self, asset_key: str) -> bool:
        return asset_key in self.given

    def plugin(self, item: dict[str, str], fields: dict[str, str]) -> _Plugin:
        # the memo is looked up by the plugin's id, name and severity, then the texts are
        # compared: every item's texts are new string objects, and comparing them with the
        # remembered ones costs a tenth of hashing them again (a description is ~400 chars)
        get = fields.get
        cves, cwes = self.lists["cve"], self.lists["cwe"]
        head = (item.get("pluginID"), item.get("pluginName"), item.get("severity"))
        texts = (*map(get, _PLUGIN_FIELDS), tuple(cves), tuple(cwes))
        known = self.plugins.get(head)
        if known is not None and known[0] == texts:
            return known[1]
        if len(self.plugins) >= _MEMO_SIZE:
            self.plugins.clear()
        synopsis, description = _strip(get("synopsis")), _strip(get("description"))
        solution = _strip(get("solution"))
        score, vector = _cvss(fields)
        title = (item.get("pluginName") or _strip(get("plugin_name"))
                 or f"plugin {item.get('pluginID')}")  # fmt: skip
        plugin = _Plugin(
            title=title, severity=norm_severity(item.get("severity", ""), "nessus"),
            score=score, vector=vector, cves=split_cves(cves), cwes=split_cwes(cwes),
            description="\n\n".join(x for x in (synopsis, description) if x),
            solution=solution if solution != "n/a" else "",
            references=tuple(get("see_also", "").split()),
        )  # fmt: skip
        self.plugins[head] = (texts, plugin)
        return plugin

    def finding(self, item: dict[str, str]) -> Finding:
        fields = self.fields
        get = fields.get
        plugin = self.plugin(item, fields)
        raw_port = item.get("port", "")
        port = (int(raw_port) if raw_port.isdigit() else to_int(raw_port)) or None
        proto = (item.get("protocol") or "tcp").lower()
        family, service = item.get("pluginFamily", ""), item.get("svc_name", "")
        tag_key = (plugin.title, family, port, plugin.severity, bool(plugin.cves), service)
        tags = self.tags.get(tag_key)
        if tags is None:
            if len(self.tags) >= _MEMO_SIZE:
                self.tags.clear()
            tags = self.tags[tag_key] = nessus_tags(plugin.title, family, port,
                                                    plugin.severity, plugin.cves, service)
        host = self.host
        extra: dict[str, Any] = {**host.extra}
        if family:
            extra["plugin_family"] = family
        if service:
            extra["service"] = service
        for name in _EXTRA_FIELDS:
            value = get(name)
            if value and (value := value.strip()):
                extra[name] = value
        if self.lists["xref"]:
            extra["xref"] = self.lists["xref"]
        return Finding(
            tool=self.tool, format=self.format, asset_kind="host", asset_key=host.key,
            port=port, protocol=proto, rule_id=item.get("pluginID", ""), title=plugin.title,
            severity=plugin.severity, severity_raw=item.get("severity", ""),
            cvss_score=plugin.score, cvss_vector=plugin.vector, cves=plugin.cves,
            cwes=plugin.cwes, description=plugin.description, solution=plugin.solution,
            location=net_location(port, proto), evidence=_strip(get("plugin_output")),
            references=plugin.references, tags=tags, last_seen=host.seen, extra=extra,
        )  # fmt: skip


def _strip(text: str | None) -> str:
    return text.strip() if text else ""


@dataclass
class _Host:
    """What HostProperties says about the host of the ReportItems that follow."""

    key: str = ""  # host-ip; "" until known (then the ReportHost name fills it in)
    seen: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> _Host:
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
            return score, (_strip(fields.get(vector_tag)) or None)
    return None, None


__all__ = ["NessusImporter", "nessus_tags"]
