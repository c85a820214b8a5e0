"""Qualys scan report XML from the web GUI (`<SCAN>` with `<IP>` / `<CAT>` / `<VULN>`).

A different dialect from ASSET_DATA_REPORT: every detection carries its own details. VULNS
(confirmed) and PRACTICES (potential) become findings at their severity; INFOS (information
gathered) become info findings; SERVICES (a service list, no issue) are skipped. Identity and
tool family match the other Qualys importers: IP, QID, "port/proto" (+ FQDN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import html_text
from cityguard.ingest.importers.qualys import qualys_location, qualys_severity, qualys_tags
from cityguard.ingest.util import first_of_each, head_text, xml_events, xml_root
from cityguard.ingest.values import split_cves, to_float, to_int
from cityguard.model import Finding

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# section → (item element, Qualys type as in the other exports)
_SECTIONS = {"VULNS": ("VULN", "Vuln"), "PRACTICES": ("PRACTICE", "Practice"),
             "INFOS": ("INFO", "Ig")}  # fmt: skip


@register
class QualysWebguiImporter:
    name: ClassVar[str] = "qualys_webgui"
    tool: ClassVar[str] = "qualys"
    description: ClassVar[str] = "Qualys scan report XML (web GUI <SCAN> dialect)"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "SCAN":
            return 0
        text = head_text(head)
        return 90 if "<IP value=" in text or "<KEY value=" in text else 30

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._ips(stream, source))

    def _ips(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        scanned: str | None = None
        for _event, ip in xml_events(stream, source, end=("HEADER", "IP")):
            if ip.tag == "HEADER":  # comes first: the scan date of every detection below
                dates = [k.text for k in ip.iter("KEY") if k.get("value") == "DATE" and k.text]
                scanned = dates[0].strip() if dates else None
                continue
            address = ip.get("value", "").strip()
            if not address:
                continue
            meta = {"dns": ip.get("name", ""), "os": (ip.findtext("OS") or "").strip(),
                    "netbios": (ip.findtext("NETBIOS_HOSTNAME") or "").strip()}  # fmt: skip
            meta = {k: v for k, v in meta.items() if v}
            for section, (item_tag, vuln_type) in _SECTIONS.items():
                for cat in ip.iterfind(f"{section}/CAT"):
                    for item in cat.findall(item_tag):
                        finding = self._item(address, meta, cat, item, vuln_type)
                        finding.last_seen = scanned
                        yield finding

    def _item(
        self, address: str, meta: dict[str, str], cat: Element, item: Element, vuln_type: str
    ) -> Finding:
        def text(name: str) -> str:
            return (item.findtext(name) or "").strip()

        qid = item.get("number", "")
        port = to_int(cat.get("port")) or None
        proto, fqdn = cat.get("protocol", ""), cat.get("fqdn", "")
        level = item.get("severity", "")
        severity = qualys_severity(level, vuln_type)
        title = " ".join(text("TITLE").split()) or f"QID {qid}"
        cves = split_cves([item.get("cveid", "")] + [c.findtext("ID") for c in item.iter("CVE_ID")])
        score = to_float(text("CVSS3_BASE")) or to_float(text("CVSS_BASE"))
        refs = [(r.findtext("URL") or "").strip() for r in item.iter("VENDOR_REFERENCE")]
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=address,
            port=port, protocol=proto.lower() or None, rule_id=qid, title=title,
            severity=severity, severity_raw=f"{vuln_type} {level}".strip(), cvss_score=score,
            cves=cves,
            description="\n\n".join(x for x in (html_text(text("DIAGNOSIS")),
                                                 html_text(text("CONSEQUENCE"))) if x),
            solution=html_text(text("SOLUTION")),
            location=qualys_location(port, proto, fqdn), evidence=text("RESULT"),
            references=tuple(r for r in refs if r),
            tags=qualys_tags(cat.get("value", ""), title, port, severity, cves,
                             result=text("RESULT")),
            extra={**meta, "type": vuln_type, "category": cat.get("value", "")},
        )  # fmt: skip
