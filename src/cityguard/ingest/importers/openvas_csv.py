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
from cityguard.ingest.importers._xmlkit import first_of_each
from cityguard.ingest.importers.openvas import openvas_severity, openvas_tags
from cityguard.ingest.util import csv_rows, head_text
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
        return first_of_each(self._rows(stream, source))

    def _rows(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for row in csv_rows(stream, source):
            finding = self._row(row)
            if finding is not None:
                yield finding

    def _row(self, row: dict[str, str]) -> Finding | None:
        def cell(name: str) -> str:
            return row.get(name, "").strip()

        ip, oid = cell("IP"), cell("NVT OID")
        if not ip or not oid:
            return None
        port, proto = to_int(cell("Port")), cell("Port Protocol").lower() or None
        location = f"{port}/{proto or 'tcp'}" if port else (f"general/{proto}" if proto
                                                           else "general")  # fmt: skip
        score = to_float(cell("CVSS"))
        threat = cell("Severity")
        severity = openvas_severity(score, threat)
        title = " ".join(cell("NVT Name").split()) or oid
        cves = split_cves(cell("CVEs"))
        description = "\n\n".join(
            x for x in (cell("Summary"), cell("Vulnerability Insight"), cell("Impact")) if x
        )
        refs = [x.strip() for name in ("Other References", "CERTs", "BIDs")
                for x in cell(name).split(",") if x.strip()]  # fmt: skip
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=ip,
            port=port or None, protocol=proto, rule_id=oid, title=title, severity=severity,
            severity_raw=f"{threat} {score}".strip() if score is not None else threat,
            cvss_score=score, cves=cves, description=description, solution=cell("Solution"),
            location=location, evidence=cell("Specific Result"), references=tuple(refs),
            tags=openvas_tags("", port, severity, cves, title),
            last_seen=cell("Timestamp") or None,
            extra={k: v for k, v in (("hostname", cell("Hostname")), ("qod", to_int(cell("QoD"))),
                                     ("solution_type", cell("Solution Type"))) if v},
        )  # fmt: skip
