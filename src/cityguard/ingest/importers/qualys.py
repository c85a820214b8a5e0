"""Qualys VM ASSET_DATA_REPORT XML: one finding per HOST/VULN_INFO, details joined from GLOSSARY.

Identity: host IP, QID, "port/proto" (plus the FQDN of a virtual host when Qualys gives one).
The GLOSSARY (title, severity, CVEs, texts per QID) comes after the HOST_LIST, so a seekable
file is read twice — glossary first, then hosts — and memory stays bounded by the glossary,
not the host list; a pipe is buffered compactly instead. The external DTD the file names is
never fetched (defusedxml). Severity: 1 minimal … 5 urgent; "Ig" (information gathered) is info
whatever its level. VULN_STATUS "Fixed" rows are history, not open findings, and are skipped.

Also home of the helpers the CSV and WebGUI importers share (`qualys_tags`, `qualys_severity`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import (
    TLS_WORDS,
    html_text,
    is_risky,
    network_scan_tags,
    port_tags,
    urls,
)
from cityguard.ingest.util import first_of_each, xml_events, xml_root
from cityguard.ingest.values import norm_severity, split_cves, to_float, to_int
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_WEB = {"cgi", "web server", "web application", "web application firewall"}
_COMPLIANCE = {"security policy"}


def qualys_severity(level: object, vuln_type: str) -> Severity:
    if vuln_type.strip().lower() in ("ig", "info", "information gathered"):
        return Severity.INFO
    return norm_severity(level, "qualys")


def qualys_tags(
    category: str, title: str, port: int | None, severity: Severity, cves: tuple[str, ...],
    service: str = "", result: str = "",
) -> tuple[str, ...]:
    """Mapping hints. `service` is Qualys's SERVICE of the port; `result` the RESULT table of
    an open-services list (QID 82023 / 82004: one finding per host, one row per port)."""
    cat = category.strip().lower()
    tags: list[str] = []
    if TLS_WORDS.search(title):
        tags.append("tls")
    if cat in _WEB:
        tags.append("web")
    if "open tcp services" in title.lower() or "open udp services" in title.lower():
        tags.extend(port_tags(port, service) or ("port",))
        if any(is_risky(p, *names) for p, names in listed_ports(result)):
            tags.append("mgmt-port")
    if cat in _COMPLIANCE:
        tags.append("compliance")
    return network_scan_tags(title, severity, cves, tags)


def listed_ports(result: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(port, service names) of each row of an open-services RESULT table: "Port, IANA
    Assigned Ports/Services, Description, Service Detected[, …]", tab-separated."""
    for line in result.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if cells[0].isdigit():
            yield int(cells[0]), tuple(c for i, c in enumerate(cells[1:4]) if i != 1)


def qualys_location(port: int | None, protocol: str, fqdn: str) -> str:
    """ "443/tcp", "443/tcp www.example.org" for a virtual host; "" for a host-level QID."""
    where = f"{port}/{(protocol or 'tcp').lower()}" if port else ""
    return f"{where} {fqdn}".strip() if fqdn else where


@dataclass(frozen=True)
class _Details:
    title: str
    severity: str
    category: str
    cves: tuple[str, ...]
    cvss: float | None
    cvss3: float | None
    description: str
    solution: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class _Info:
    ip: str
    host: dict[str, str]
    qid: str
    qid_ref: str
    vuln_type: str
    port: int | None
    protocol: str
    service: str
    fqdn: str
    result: str
    first: str
    last: str
    status: str
    cvss: float | None
    cvss3: float | None


@register
class QualysImporter:
    name: ClassVar[str] = "qualys"
    tool: ClassVar[str] = "qualys"
    description: ClassVar[str] = "Qualys VM ASSET_DATA_REPORT XML"

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "ASSET_DATA_REPORT" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        if stream.seekable():
            start = stream.tell()
            glossary = _glossary(stream, source)
            stream.seek(start)
            infos: Iterator[_Info] = _infos(stream, source)
        else:  # one pass: hold the (compact) host entries until the glossary has been read
            glossary = {}
            infos = iter(list(_one_pass(stream, source, glossary)))
        return first_of_each(self._finding(i, glossary.get(i.qid_ref)) for i in infos
                             if i.status.lower() != "fixed")  # fmt: skip

    def _finding(self, info: _Info, details: _Details | None) -> Finding:
        title = details.title if details else f"QID {info.qid}"
        level = details.severity if details else ""
        severity = qualys_severity(level, info.vuln_type)
        cves = details.cves if details else ()
        score = next((s for s in (info.cvss3, info.cvss, details and details.cvss3,
                                  details and details.cvss) if s is not None), None)  # fmt: skip
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=info.ip,
            port=info.port, protocol=(info.protocol or None) and info.protocol.lower(),
            rule_id=info.qid, title=title, severity=severity,
            severity_raw=f"{info.vuln_type} {level}".strip(), cvss_score=score, cves=cves,
            description=details.description if details else "",
            solution=details.solution if details else "",
            location=qualys_location(info.port, info.protocol, info.fqdn),
            evidence=info.result, references=details.references if details else (),
            tags=qualys_tags(details.category if details else "", title, info.port, severity,
                             cves, info.service, info.result),
            first_seen=info.first or None, last_seen=info.last or None,
            extra={**info.host, **{k: v for k, v in (
                ("type", info.vuln_type), ("vuln_status", info.status),
                ("category", details.category if details else "")) if v}},
        )  # fmt: skip


def _text(elem: Element, name: str) -> str:
    return (elem.findtext(name) or "").strip()


def _details(d: Element) -> _Details:
    description = "\n\n".join(x for x in (html_text(_text(d, "THREAT")),
                                          html_text(_text(d, "IMPACT"))) if x)  # fmt: skip
    refs = [_text(r, "URL") for r in d.iter("VENDOR_REFERENCE") if _text(r, "URL")]
    refs += [_text(r, "URL") for r in d.iter("CVE_ID") if _text(r, "URL")]
    return _Details(
        title=" ".join(_text(d, "TITLE").split()),
        severity=_text(d, "SEVERITY"),
        category=_text(d, "CATEGORY"),
        cves=split_cves([_text(c, "ID") for c in d.iter("CVE_ID")]),
        cvss=to_float(_text(d, "CVSS_SCORE/CVSS_BASE") or _text(d, "CVSS_BASE")),
        cvss3=to_float(_text(d, "CVSS3_SCORE/CVSS3_BASE") or _text(d, "CVSS3_BASE")),
        description=description,
        solution=html_text(_text(d, "SOLUTION")),
        references=tuple(dict.fromkeys(refs)) or urls(_text(d, "SOLUTION")),
    )


def _glossary(stream: BinaryIO, source: str) -> dict[str, _Details]:
    out: dict[str, _Details] = {}
    for _event, elem in xml_events(stream, source, end=("VULN_DETAILS", "HOST")):
        if elem.tag == "VULN_DETAILS":
            out[elem.get("id", "")] = _details(elem)
    return out


def _host_info(host: Element) -> tuple[str, dict[str, str]]:
    ip = _text(host, "IP")
    meta = {k.lower(): _text(host, k) for k in ("DNS", "NETBIOS", "OPERATING_SYSTEM")}
    return ip, {k: v for k, v in meta.items() if v}


def _vuln_infos(host: Element) -> Iterator[_Info]:
    ip, meta = _host_info(host)
    if not ip:
        return
    for v in host.iter("VULN_INFO"):
        qid = v.find("QID")
        if qid is None:
            continue
        yield _Info(
            ip=ip, host=meta, qid=(qid.text or "").strip(),
            qid_ref=qid.get("id") or f"qid_{(qid.text or '').strip()}",
            vuln_type=_text(v, "TYPE"), port=to_int(_text(v, "PORT")),
            protocol=_text(v, "PROTOCOL"), service=_text(v, "SERVICE"), fqdn=_text(v, "FQDN"),
            result=_text(v, "RESULT"),
            first=_text(v, "FIRST_FOUND"), last=_text(v, "LAST_FOUND"),
            status=_text(v, "VULN_STATUS"), cvss=to_float(_text(v, "CVSS_FINAL")),
            cvss3=to_float(_text(v, "CVSS3_FINAL")),
        )  # fmt: skip


def _infos(stream: BinaryIO, source: str) -> Iterator[_Info]:
    for _event, host in xml_events(stream, source, end=("HOST", "VULN_DETAILS")):
        if host.tag == "HOST":
            yield from _vuln_infos(host)


def _one_pass(stream: BinaryIO, source: str, glossary: dict[str, _Details]) -> Iterator[_Info]:
    for _event, elem in xml_events(stream, source, end=("HOST", "VULN_DETAILS")):
        if elem.tag == "HOST":
            yield from _vuln_infos(elem)
        else:
            glossary[elem.get("id", "")] = _details(elem)


__all__ = ["QualysImporter", "qualys_location", "qualys_severity", "qualys_tags"]
