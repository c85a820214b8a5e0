"""Qualys VM CSV export ("IP, DNS, NetBIOS, …, QID, Title, Vuln Status, Type, Severity, …").

One finding per row. Identity and tool family are those of the ASSET_DATA_REPORT importer —
IP, QID, "port/proto" (plus FQDN) — so the two exports of one subscription deduplicate. Rows
whose Vuln Status is Fixed are history and are skipped. Dates are "MM/DD/YYYY hh:mm:ss"
without a zone and are kept as naive ISO-8601.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import html_text, local_iso
from cityguard.ingest.importers.qualys import qualys_location, qualys_severity, qualys_tags
from cityguard.ingest.util import cell, csv_rows, first_of_each, head_text
from cityguard.ingest.values import split_cves, to_float, to_int
from cityguard.model import Finding

_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S")


@register
class QualysCsvImporter:
    name: ClassVar[str] = "qualys_csv"
    tool: ClassVar[str] = "qualys"
    description: ClassVar[str] = "Qualys VM CSV export"

    def sniff(self, head: bytes) -> int:
        first = head_text(head).split("\n", 1)[0]
        cells = {c.strip().strip('"') for c in first.split(",")}
        return 90 if {"IP", "QID", "Title", "Severity"} <= cells else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        findings = (self._row(row) for row in csv_rows(stream, source))
        return first_of_each(f for f in findings if f is not None)

    def _row(self, row: dict[str, str]) -> Finding | None:
        ip, qid = cell(row, "IP"), cell(row, "QID")
        status = cell(row, "Vuln Status")
        if not ip or not qid or status.lower() == "fixed":
            return None
        port, proto, fqdn = to_int(cell(row, "Port")), cell(row, "Protocol"), cell(row, "FQDN")
        level, vuln_type = cell(row, "Severity"), cell(row, "Type")
        severity = qualys_severity(level, vuln_type)
        title = " ".join(cell(row, "Title").split()) or f"QID {qid}"
        cves = split_cves(cell(row, "CVE ID"))
        # "CVSS3 Base" reads "8.1 (AV:N/AC:H/…)": the score, then the vector without prefix
        base, _, vector = cell(row, "CVSS3 Base").partition(" ")
        score = to_float(base) or to_float(cell(row, "CVSS3")) or to_float(cell(row, "CVSS Base"))
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=ip,
            port=port or None, protocol=proto.lower() or None, rule_id=qid, title=title,
            severity=severity, severity_raw=f"{vuln_type} {level}".strip(), cvss_score=score,
            cvss_vector=vector.strip("()") or None,  # the export omits the CVSS:3.x/ prefix
            cves=cves,
            description="\n\n".join(x for x in (html_text(cell(row, "Threat")),
                                                 html_text(cell(row, "Impact"))) if x),
            solution=html_text(cell(row, "Solution")),
            location=qualys_location(port or None, proto, fqdn),
            evidence=cell(row, "Results"),
            tags=qualys_tags(cell(row, "Category"), title, port or None, severity, cves,
                             result=cell(row, "Results")),
            first_seen=local_iso(cell(row, "First Detected"), *_DATE_FORMATS),
            last_seen=local_iso(cell(row, "Last Detected"), *_DATE_FORMATS),
            extra={k: v for k, v in (
                ("dns", cell(row, "DNS")), ("netbios", cell(row, "NetBIOS")),
                ("os", cell(row, "OS")),
                ("type", vuln_type), ("vuln_status", status), ("category", cell(row, "Category")),
            ) if v},
        )  # fmt: skip
