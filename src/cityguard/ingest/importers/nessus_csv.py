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
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar

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
        v3 = to_float(cell(row, "CVSS v3.0 Base Score", "CVSSv3", "CVSS v3 Base Score"))
        v2 = to_float(cell(row, "CVSS v2.0 Base Score", "CVSS"))
        return self._finding(
            row, _CLASSIC, plugin, host,
            cvss_score=v3 if v3 is not None else v2,
            cvss_vector=cell(row, "CVSS v3.0 Vector", "CVSS v2.0 Vector") or None,
            cwes=split_cwes(_cwe_refs(row.get("XREF", ""))),
            description="\n\n".join(x for x in (cell(row, "Synopsis"),
                                                 cell(row, "Description")) if x),
            solution="" if cell(row, "Solution") == "n/a" else cell(row, "Solution"),
            evidence=cell(row, "Plugin Output"),
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
        v3 = to_float(row.get("definition.cvss3.base_score"))
        score = v3 if v3 is not None else to_float(row.get("definition.cvss2.base_score"))
        vector = cell(row, "definition.cvss3.base_vector", "definition.cvss2.base_vector")
        # this export has lost its description header: the text sits under an empty column name
        description = cell(row, "definition.description", "")
        return self._finding(
            row, _TENABLE_IO, plugin, host,
            cvss_score=score, cvss_vector=vector or None,
            cwes=split_cwes(row.get("definition.cwe")),
            description="\n\n".join(x for x in (cell(row, "definition.synopsis"), description)
                                    if x),
            solution=cell(row, "definition.solution"),
            evidence=row.get("output", "").strip("'\n "),
            first_seen=cell(row, "first_observed") or None,
            last_seen=cell(row, "last_seen") or None,
            extra={k: v for k, v in (("state", cell(row, "state")),
                                     ("fqdn", cell(row, "asset.display_fqdn")),
                                     ("plugin_family", cell(row, "definition.family")),
                                     ("vpr_score", cell(row, "definition.vpr.score"))) if v},
        )  # fmt: skip

    def _finding(self, row: dict[str, str], layout: _Layout, plugin: str, host: str,
                 **fields: Any) -> Finding:
        """What both layouts hold in the same way (under their own column names): the port,
        the risk, the CVEs, the title and family, the "See Also" links."""
        port = to_int(row.get(layout.port)) or None
        proto = (row.get(layout.protocol) or "tcp").strip().lower()
        raw = cell(row, *layout.risk)
        severity = _NESSUS_SCALE.get(raw.lower()) or norm_severity(raw)
        cves = split_cves(row.get(layout.cve))
        title = cell(row, layout.name) or f"plugin {plugin}"
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=host,
            port=port, protocol=proto, rule_id=plugin, title=title, severity=severity,
            severity_raw=raw, cves=cves, location=net_location(port, proto),
            references=tuple(cell(row, layout.see_also).split()),
            tags=nessus_tags(title, cell(row, *layout.family), port, severity, cves),
            **fields,
        )  # fmt: skip


@dataclass(frozen=True)
class _Layout:
    """The column names of one CSV layout for what both layouts hold."""

    port: str
    protocol: str
    risk: tuple[str, ...]
    cve: str
    name: str
    family: tuple[str, ...]
    see_also: str


_CLASSIC = _Layout("Port", "Protocol", ("Risk", "Risk Factor"), "CVE", "Name",
                   ("Family", "Plugin Family"), "See Also")
_TENABLE_IO = _Layout("port", "protocol", ("severity", "definition.severity"), "definition.cve",
                      "definition.name", ("definition.family",), "definition.see_also")


def _cwe_refs(xref: str) -> list[str]:
    """CWE ids out of an XREF cell such as "CWE:79, IAVA:2020-A-0001"."""
    return re.findall(r"CWE:(\d+)", xref)
