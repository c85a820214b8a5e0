"""Nessus / Tenable CSV exports: the classic "Plugin ID, CVE, …" layout (Nessus, Tenable WAS)
and the Tenable.io / Tenable VM layout (`;`-delimited, dotted `asset.*` / `definition.*` names).

The classic export repeats a plugin result once per CVE, so consecutive rows with the same
identity are folded into one finding (the export is grouped by host and plugin; a repeat
further down the file is dropped). Identity and
tool family are those of the .nessus importer — host ip, "port/proto", plugin id — so the same
scan imported as XML or CSV deduplicates. Tenable.io rows in state FIXED are not open findings
and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import merge_same, net_location
from cityguard.ingest.importers.nessus import nessus_tags
from cityguard.ingest.util import cell, csv_rows, first_of_each, head_text
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_float, to_int
from cityguard.model import Finding, Severity

_NESSUS_SCALE = {"none": Severity.INFO, "info": Severity.INFO}


@register
class NessusCsvImporter:
    name: ClassVar[str] = "nessus_csv"
    tool: ClassVar[str] = "nessus"
    description: ClassVar[str] = "Tenable Nessus / Tenable.io / Tenable WAS CSV export"

    def sniff(self, head: bytes) -> int:
        first = head_text(head).split("\n", 1)[0].lower()
        if "plugin id" in first and "risk" in first and "host" in first:
            return 90
        if "definition.id" in first and "asset." in first:
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._rows(stream, source))

    def _rows(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        run: list[Finding] = []  # consecutive rows of one identity (one row per CVE)
        for row in csv_rows(stream, source):
            finding = self._tenable_io(row) if "definition.id" in row else self._classic(row)
            if finding is None:
                continue
            if run and run[-1].fingerprint != finding.fingerprint:
                yield from merge_same(run)
                run = []
            run.append(finding)
        yield from merge_same(run)

    def _classic(self, row: dict[str, str]) -> Finding | None:
        plugin = cell(row, "Plugin ID")
        host = cell(row, "IP Address", "Host")
        if not plugin or not host:
            return None
        port = to_int(row.get("Port")) or None
        proto = (row.get("Protocol") or "tcp").strip().lower()
        raw = cell(row, "Risk", "Risk Factor")
        severity = _NESSUS_SCALE.get(raw.lower()) or norm_severity(raw)
        cves = split_cves(row.get("CVE"))
        title = cell(row, "Name") or f"plugin {plugin}"
        v3 = to_float(cell(row, "CVSS v3.0 Base Score", "CVSSv3", "CVSS v3 Base Score"))
        v2 = to_float(cell(row, "CVSS v2.0 Base Score", "CVSS"))
        vector = cell(row, "CVSS v3.0 Vector", "CVSS v2.0 Vector") or None
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=host,
            port=port, protocol=proto, rule_id=plugin, title=title, severity=severity,
            severity_raw=raw, cvss_score=v3 if v3 is not None else v2, cvss_vector=vector,
            cves=cves, cwes=split_cwes(_cwe_refs(row.get("XREF", ""))),
            description="\n\n".join(x for x in (cell(row, "Synopsis"),
                                                 cell(row, "Description")) if x),
            solution="" if cell(row, "Solution") == "n/a" else cell(row, "Solution"),
            location=net_location(port, proto), evidence=cell(row, "Plugin Output"),
            references=tuple(cell(row, "See Also").split()),
            tags=nessus_tags(title, cell(row, "Family", "Plugin Family"), port, severity, cves),
            extra={k: v for k, v in (("fqdn", cell(row, "FQDN", "DNS Name")),
                                     ("netbios", cell(row, "NetBIOS"))) if v},
        )  # fmt: skip

    def _tenable_io(self, row: dict[str, str]) -> Finding | None:
        if cell(row, "state").upper() == "FIXED":
            return None
        plugin = cell(row, "definition.id")
        host = cell(
            row,
            "asset.display_ipv4_address",
            "asset.display_ipv6_address",
            "asset.display_fqdn",
            "asset.host_name",
            "asset.name",
        )
        if not plugin or not host:
            return None
        port = to_int(row.get("port")) or None
        proto = (row.get("protocol") or "tcp").strip().lower()
        raw = cell(row, "severity", "definition.severity")
        severity = _NESSUS_SCALE.get(raw.lower()) or norm_severity(raw)
        cves = split_cves(row.get("definition.cve"))
        title = cell(row, "definition.name") or f"plugin {plugin}"
        v3 = to_float(row.get("definition.cvss3.base_score"))
        score = v3 if v3 is not None else to_float(row.get("definition.cvss2.base_score"))
        vector = cell(row, "definition.cvss3.base_vector", "definition.cvss2.base_vector")
        # this export has lost its description header: the text sits under an empty column name
        description = cell(row, "definition.description", "")
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=host,
            port=port, protocol=proto, rule_id=plugin, title=title, severity=severity,
            severity_raw=raw, cvss_score=score, cvss_vector=vector or None, cves=cves,
            cwes=split_cwes(row.get("definition.cwe")),
            description="\n\n".join(x for x in (cell(row, "definition.synopsis"), description)
                                    if x),
            solution=cell(row, "definition.solution"),
            location=net_location(port, proto), evidence=row.get("output", "").strip("'\n "),
            references=tuple(cell(row, "definition.see_also").split()),
            tags=nessus_tags(title, cell(row, "definition.family"), port, severity, cves),
            first_seen=cell(row, "first_observed") or None,
            last_seen=cell(row, "last_seen") or None,
            extra={k: v for k, v in (("state", cell(row, "state")),
                                     ("fqdn", cell(row, "asset.display_fqdn")),
                                     ("plugin_family", cell(row, "definition.family")),
                                     ("vpr_score", cell(row, "definition.vpr.score"))) if v},
        )  # fmt: skip


def _cwe_refs(xref: str) -> list[str]:
    """CWE ids out of an XREF cell such as "CWE:79, IAVA:2020-A-0001"."""
    return re.findall(r"CWE:(\d+)", xref)
