"""OpenVAS / Greenbone GVM CSV export ("IP, Hostname, Port, Port Protocol, CVSS, …, NVT OID").

Columns are mapped by header name (exports differ: some carry QoD, EPSS, …). Identity and
tool family are those of the XML importer — ip, "port/proto", NVT OID — so the XML and CSV
of one report deduplicate; results without a port are "general/<proto>" as in the XML.
Result ID and Timestamp change every scan and stay out of the identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers.openvas import openvas_severity, openvas_tags
from cityguard.ingest.util import cell, csv_rows, first_of_each, head_text
from cityguard.ingest.values import split_cves, to_float, to_int
from cityguard.model import Finding


@register
class OpenvasCsvImporter:
    name: ClassVar[str] = "openvas_csv"
    tool: ClassVar[str] = "openvas"
    description: ClassVar[str] = "OpenVAS / Greenbone GVM CSV export"

    def sniff(self, head: bytes) -> int:
        first = head_text(head).split("\n", 1)[0]
        return 90 if "NVT OID" in first and "IP" in first else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        findings = (self._row(row) for row in csv_rows(stream, source))
        return first_of_each(f for f in findings if f is not None)

    def _row(self, row: dict[str, str]) -> Finding | None:
        ip, oid = cell(row, "IP"), cell(row, "NVT OID")
        if not ip or not oid:
            return None
        port, proto = to_int(cell(row, "Port")), cell(row, "Port Protocol").lower() or None
        location = f"{port}/{proto or 'tcp'}" if port else (f"general/{proto}" if proto
                                                           else "general")  # fmt: skip
        score = to_float(cell(row, "CVSS"))
        threat = cell(row, "Severity")
        severity = openvas_severity(score, threat)
        title = " ".join(cell(row, "NVT Name").split()) or oid
        cves = split_cves(cell(row, "CVEs"))
        description = "\n\n".join(
            x for x in (cell(row, name) for name in ("Summary", "Vulnerability Insight", "Impact"))
            if x
        )
        refs = [x.strip() for name in ("Other References", "CERTs", "BIDs")
                for x in cell(row, name).split(",") if x.strip()]  # fmt: skip
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=ip,
            port=port or None, protocol=proto, rule_id=oid, title=title, severity=severity,
            severity_raw=f"{threat} {score}".strip() if score is not None else threat,
            cvss_score=score, cves=cves, description=description, solution=cell(row, "Solution"),
            location=location, evidence=cell(row, "Specific Result"), references=tuple(refs),
            tags=openvas_tags("", port, severity, cves, title),
            last_seen=cell(row, "Timestamp") or None,
            extra={k: v for k, v in (("hostname", cell(row, "Hostname")),
                                     ("qod", to_int(cell(row, "QoD"))),
                                     ("solution_type", cell(row, "Solution Type"))) if v},
        )  # fmt: skip
