"""Nmap XML (`-oX`): one finding per open port, one per CVE of the NSE `vulners` script, one
per problem other NSE scripts state (vulnerable, TLS graded below A, anonymous login, default
credentials: see _nmap_scripts).

Identity: host address (ip, else hostname), "port/proto", rule "open-port", the CVE id or the
script id (with the vulnerability's title when one script reports several).
A port is a high-risk one by its number or by the service nmap found on it (ssh on 2222).
first_seen / last_seen are the host's start and end times. A file with no host up says the
scan saw nothing: it yields nothing and records a coverage gap (never "all fixed").
Only `state="open"` ports count (open|filtered and closed are not exposures), hosts that are
down are skipped. Exploit references of vulners (MSF:…, EDB-ID:…) are not vulnerabilities of
their own: those naming a CVE go to that CVE's references, the rest to the port's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.gaps import CoverageGap, record
from cityguard.ingest.importers._nmap_scripts import problems as script_problems
from cityguard.ingest.importers._xmlkit import epoch_iso, net_location, port_tags
from cityguard.ingest.util import first_of_each, xml_events, xml_root
from cityguard.ingest.values import first_line, norm_severity, to_float, to_int
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
    version_pattern: ClassVar[bytes] = rb'<nmaprun\b[^>]*?\sversion="([^"]+)"'
    description: ClassVar[str] = "Nmap XML (-oX): open ports, NSE vulners CVEs"

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "nmaprun" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._hosts(stream, source))

    def _hosts(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        self.gaps: list[CoverageGap] = []
        up = 0
        for _event, host in xml_events(stream, source, end=("host",)):
            status = host.find("status")
            up += status is None or status.get("state", "up") == "up"
            yield from self._host(host)
        if not up:
            record(self, "nothing_scanned", source, detail="no host was up")

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
        first = epoch_iso(host.get("starttime")) or seen
        extra = {"hostnames": hostnames} if hostnames else {}
        for port in host.iter("port"):
            state = port.find("state")
            if state is None or state.get("state") != "open":
                continue
            for f in self._port(key, port, seen, extra):
                f.first_seen = first
                yield f

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
            evidence=evidence[:4000], references=tuple(other_refs), tags=port_tags(number, name),
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
        for problem in script_problems(port):
            yield Finding(
                tool=self.tool, format=self.name, asset_kind="host", asset_key=key,
                port=number, protocol=proto, rule_id=problem.rule_id, title=problem.title,
                severity=problem.severity, severity_raw=first_line(problem.evidence, 80),
                cves=problem.cves, location=f"{location} {problem.key}".strip(),
                evidence=problem.evidence[:4000], tags=problem.tags,
                last_seen=seen, extra={"script": problem.rule_id, "service": name},
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
