"""Nmap XML (`-oX`): one finding per open port, one per CVE of the NSE `vulners` script.

Identity: host address (ip, else hostname), "port/proto", rule "open-port" or the CVE id.
Only `state="open"` ports count (open|filtered and closed are not exposures), hosts that are
down are skipped. Exploit references of vulners (MSF:…, EDB-ID:…) are not vulnerabilities of
their own: those naming a CVE go to that CVE's references, the rest to the port's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import epoch_iso, first_of_each, net_location, port_tags
from cityguard.ingest.util import xml_events, xml_root
from cityguard.ingest.values import norm_severity, to_float, to_int
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_CVE_IN = re.compile(r"CVE-\d{4}-\d{4,}", re.I)
# vulners output without <table> children (old script versions): "CVE-2018-15919  5.0  url"
_VULNERS_LINE = re.compile(r"^\s*(\S+)\s+(\d+(?:\.\d+)?)\s+(https?://\S+)?", re.M)


@register
class NmapImporter:
    name: ClassVar[str] = "nmap"
    tool: ClassVar[str] = "nmap"
    description: ClassVar[str] = "Nmap XML (-oX): open ports, NSE vulners CVEs"

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "nmaprun" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._hosts(stream, source))

    def _hosts(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for _event, host in xml_events(stream, source, end=("host",)):
            yield from self._host(host)

    def _host(self, host: Element) -> Iterator[Finding]:
        status = host.find("status")
        if status is not None and status.get("state", "up") != "up":
            return
        addresses = {a.get("addrtype", ""): a.get("addr", "") for a in host.findall("address")}
        hostnames = [h.get("name", "") for h in host.iter("hostname") if h.get("name")]
        key = addresses.get("ipv4") or addresses.get("ipv6") or (hostnames or [""])[0]
        key = key or addresses.get("mac", "")
        if not key:
            return
        seen = epoch_iso(host.get("endtime") or host.get("starttime"))
        extra = {"hostnames": hostnames} if hostnames else {}
        for port in host.iter("port"):
            state = port.find("state")
            if state is None or state.get("state") != "open":
                continue
            yield from self._port(key, port, seen, extra)

    def _port(self, key: str, port: Element, seen: str | None, extra: dict) -> Iterator[Finding]:
        number = to_int(port.get("portid"))
        proto = (port.get("protocol") or "tcp").lower()
        location = net_location(number, proto)
        service = port.find("service")
        svc = dict(service.attrib) if service is not None else {}
        label = " ".join(v for v in (svc.get("product"), svc.get("version")) if v)
        name = svc.get("name", "")
        what = f"{name}: {label}" if name and label else name
        title = f"Open port {location}" + (f" ({what})" if what else "")
        vulns, other_refs = _vulners(port)
        scripts = [
            f"{s.get('id')}: {s.get('output', '').strip()}"
            for s in port.findall("script")
            if s.get("id") != "vulners"
        ]
        evidence = "\n".join(filter(None, [f"service: {name} {label}".strip(), *scripts]))
        yield Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=key,
            port=number, protocol=proto, rule_id="open-port", title=title,
            severity=Severity.INFO, severity_raw="open", location=location,
            evidence=evidence[:4000], references=tuple(other_refs), tags=port_tags(number),
            last_seen=seen,
            extra={**extra, "service": name, "product": label,
                   "cpe": [c.text for c in port.iter("cpe") if c.text]},
        )  # fmt: skip
        for cve, (score, refs, exploit) in vulns.items():
            yield Finding(
                tool=self.tool, format=self.name, asset_kind="host", asset_key=key,
                port=number, protocol=proto, rule_id=cve,
                title=f"{cve} in {label or name or location}",
                severity=norm_severity(score, "cvss"), severity_raw=str(score or ""),
                cvss_score=score, cves=(cve,), location=location,
                evidence=f"vulners: {cve} (cvss {score}) on {label or name}".strip(),
                references=tuple(refs), tags=("vuln",), last_seen=seen,
                extra={"exploit_available": exploit},
            )  # fmt: skip


def _vulners(port: Element) -> tuple[dict[str, tuple[float | None, list[str], bool]], list[str]]:
    """CVE → (cvss, references, exploit known) from the vulners script; other references."""
    entries: list[tuple[str, float | None, bool, bool]] = []  # id, cvss, is a CVE, is exploit
    for script in port.findall("script"):
        if script.get("id") != "vulners":
            continue
        tables = [t for t in script.iter("table") if t.find("elem") is not None]
        for table in tables:
            elems = {e.get("key"): (e.text or "").strip() for e in table.findall("elem")}
            ident = elems.get("id", "")
            if ident:
                is_cve = elems.get("type", "cve") == "cve" and bool(_CVE_IN.fullmatch(ident))
                exploit = elems.get("is_exploit") == "true"
                entries.append((ident, to_float(elems.get("cvss")), is_cve, exploit))
        if not tables:  # old script output: text lines only
            for m in _VULNERS_LINE.finditer(script.get("output", "")):
                ident = m.group(1)
                is_cve = bool(_CVE_IN.fullmatch(ident))
                entries.append((ident, to_float(m.group(2)), is_cve, "*EXPLOIT*" in m.group(0)))
    cves: dict[str, tuple[float | None, list[str], bool]] = {}
    for ident, score, is_cve, exploit in entries:
        if is_cve:
            cve = ident.upper()
            cves[cve] = (score, [f"https://vulners.com/cve/{cve}"], exploit)
    others: list[str] = []
    for ident, _score, is_cve, _exploit in entries:
        if is_cve:
            continue
        ref = f"https://vulners.com/{ident}"
        named = [c.upper() for c in _CVE_IN.findall(ident) if c.upper() in cves]
        for cve in named:  # an exploit module for a CVE we report: a reference, and a red flag
            score, refs, _ = cves[cve]
            cves[cve] = (score, [*refs, ref], True)
        if not named:
            others.append(ref)
    return cves, others
