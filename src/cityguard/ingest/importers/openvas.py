"""OpenVAS / Greenbone GVM report XML (`<report>` or a `get_reports_response`).

One finding per `result` with an NVT. Identity: host ip, port text ("443/tcp", "general/tcp"),
NVT OID; `result@id` changes every scan and stays out. GVM's `threat` has no Critical, so the
severity comes from the 0–10 score by the CVSS bands (Log → info). A result repeated with the
same identity (GVM does this for some NVTs) is kept once.

Also home of the helpers shared with the CSV importer (`openvas_tags`, `split_nvt_tags`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import clean, network_scan_tags, port_tags
from cityguard.ingest.util import first_of_each, head_text, xml_events, xml_root
from cityguard.ingest.values import norm_severity, split_cves, to_float, to_int
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_TLS_FAMILIES = {"ssl and tls"}
_WEB_FAMILIES = {"web application abuses", "web servers", "cgi abuses"}
_PORT_FAMILIES = {"port scanners", "useless services", "service detection"}
_MALWARE_FAMILIES = {"malware"}
_CONFIG_FAMILIES = {"default accounts", "brute force attacks"}
_COMPLIANCE_FAMILIES = {"policy", "compliance", "it-grundschutz"}


_NAMED_PORT = re.compile(r"^\s*([\w.+-]+)\s*\(\s*(\d+)\s*/\s*(\w+)\s*\)\s*$")


def split_port(text: str) -> tuple[int | None, str | None]:
    """ "443/tcp" → (443, "tcp"); "general/tcp" → (None, "tcp"); "" → (None, None);
    "ssh (22/tcp)" (OpenVAS before GVM names the service) → (22, "tcp")."""
    named = _NAMED_PORT.match(text)
    if named:
        return int(named.group(2)), named.group(3).lower()
    number, _, proto = text.strip().partition("/")
    return (to_int(number) if number.isdigit() else None), (proto.lower() or None)


def port_service(text: str) -> str:
    """The service name of an "ssh (22/tcp)" port; "" for "22/tcp" and "general/tcp"."""
    named = _NAMED_PORT.match(text)
    return named.group(1).lower() if named else ""


def split_nvt_tags(text: str) -> dict[str, str]:
    """GVM's "summary=…|insight=…|solution_type=…" list as a dict (values keep their text)."""
    out: dict[str, str] = {}
    for part in re.split(r"\|(?=[a-z_]+=)", text or ""):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def openvas_tags(
    family: str, port: int | None, severity: Severity, cves: tuple[str, ...], title: str,
    service: str = "",
) -> tuple[str, ...]:
    fam = family.strip().lower()
    tags: list[str] = []
    if fam in _TLS_FAMILIES or title.upper().startswith(("SSL/TLS", "SSL ", "TLS ")):
        tags.append("tls")
    if fam in _WEB_FAMILIES:
        tags.append("web")
    if fam in _PORT_FAMILIES:
        tags.extend(port_tags(port, service))
    if fam in _MALWARE_FAMILIES or "backdoor" in title.lower():
        tags.append("malware")
    if fam in _CONFIG_FAMILIES:
        tags.append("config")
    if fam in _COMPLIANCE_FAMILIES:
        tags.append("compliance")
    return network_scan_tags(title, severity, cves, tags)


def openvas_severity(score: float | None, threat: str) -> Severity:
    if threat.strip().lower() in ("log", "debug", "false positive"):
        return Severity.INFO
    if score is not None:
        return norm_severity(score, "cvss")
    return norm_severity(threat)


@register
class OpenvasImporter:
    name: ClassVar[str] = "openvas"
    tool: ClassVar[str] = "openvas"
    description: ClassVar[str] = "OpenVAS / Greenbone GVM report XML"
    version_pattern: ClassVar[bytes] = rb"<(?:gmp|omp)>\s*<version>([^<]+)</version>"

    def sniff(self, head: bytes) -> int:
        root = xml_root(head)
        if root not in ("report", "get_reports_response"):
            return 0
        text = head_text(head)
        markers = ("<nvt ", "<gmp>", "<omp>", "format_id=", "<result_count", "<scan_run_status")
        return 90 if any(m in text for m in markers) else 20

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._results(stream, source))

    def _results(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        depth = 0  # inside a <result>: its <host> is the result's, not a report-level host
        host: tuple[str, str] = ("", "")
        for event, elem in xml_events(stream, source, start=("result",), end=("result", "host")):
            if event == "start":
                depth += 1
                if depth == 1:  # not for a result nested in an override or note
                    host = ("", "")
                continue
            if elem.tag == "host":
                if depth:  # captured before the element is freed
                    host = ((elem.text or "").strip(), (elem.findtext("hostname") or "").strip())
                continue
            depth -= 1
            finding = self._result(elem, host)
            if finding is not None:
                yield finding

    def _result(self, result: Element, host: tuple[str, str]) -> Finding | None:
        nvt = result.find("nvt")
        ip, hostname = host
        if nvt is None or not ip or not nvt.get("oid"):
            return None
        port_text = (result.findtext("port") or "").strip()
        port, proto = split_port(port_text)
        threat = (result.findtext("threat") or "").strip()
        score = to_float(result.findtext("severity"))
        severity = openvas_severity(score, threat)
        title = clean(nvt.findtext("name")) or nvt.get("oid", "")
        family = clean(nvt.findtext("family"))
        cvss, vector = _cvss(nvt)
        refs = nvt.find("refs")
        ref_list = list(refs) if refs is not None else []
        cves = split_cves([r.get("id") for r in ref_list if r.get("type", "").lower() == "cve"])
        cves = cves or split_cves(nvt.findtext("cve"))  # GVM < 9 put them in <cve>
        tags = split_nvt_tags(nvt.findtext("tags") or "")
        solution = clean(nvt.findtext("solution")) or clean(tags.get("solution"))
        summary = "\n\n".join(clean(tags.get(k)) for k in ("summary", "insight", "impact")
                              if clean(tags.get(k)))  # fmt: skip
        qod = to_int(result.findtext("qod/value"))
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=ip,
            port=port, protocol=proto, rule_id=nvt.get("oid", ""), title=title,
            severity=severity, severity_raw=f"{threat} {score}".strip() if score is not None
            else threat, cvss_score=cvss if cvss is not None else score, cvss_vector=vector,
            cves=cves, description=summary, solution=solution,
            location=port_text or "general",
            evidence=(result.findtext("description") or "").strip(),
            references=tuple(r.get("id", "") for r in ref_list
                             if r.get("type", "").lower() != "cve" and r.get("id")),
            tags=openvas_tags(family, port, severity, cves, title, port_service(port_text)),
            last_seen=(result.findtext("creation_time") or "").strip() or None,
            extra={k: v for k, v in (("hostname", hostname), ("family", family), ("qod", qod),
                                     ("solution_type", tags.get("solution_type", ""))) if v},
        )  # fmt: skip


def _cvss(nvt: Element) -> tuple[float | None, str | None]:
    for sev in nvt.iter("severity"):  # nvt/severities/severity (GVM 21+)
        if sev.get("type", "").startswith("cvss_base"):
            return to_float(sev.findtext("score")), (sev.findtext("value") or "").strip() or None
    vector = split_nvt_tags(nvt.findtext("tags") or "").get("cvss_base_vector") or None
    return to_float(nvt.findtext("cvss_base")), vector


__all__ = ["OpenvasImporter", "openvas_severity", "openvas_tags", "split_nvt_tags", "split_port"]
