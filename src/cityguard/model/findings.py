"""A scanner finding, normalised across the 22+ formats cityguard imports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from cityguard.model.common import Severity

ASSET_KINDS = ("host", "url", "package", "file", "image", "repository", "cloud")
FINDING_STATUSES = ("open", "fixed", "reopened", "accepted", "false_positive")


def fingerprint(tool_family: str, asset_key: str, rule_id: str, location: str = "") -> str:
    """sha256 over the identity of a finding; never times, severity or free text.

    The digest of "tool\x1fasset\x1f" is kept per (tool, asset) and copied for each rule
    and location: an import hashes a few hundred assets' prefixes, not 200,000 of them."""
    start = _PREFIXES.get((tool_family, asset_key))
    if start is None:
        if len(_PREFIXES) >= _PREFIXES_KEPT:
            _PREFIXES.clear()
        start = _PREFIXES[(tool_family, asset_key)] = hashlib.sha256(
            f"{tool_family.strip().lower()}\x1f{asset_key.strip().lower()}\x1f".encode())
    digest = start.copy()
    digest.update(f"{rule_id.strip()}\x1f{location.strip()}".encode())
    return digest.hexdigest()


def fp64(fingerprint: str) -> int:
    """The first 64 bits of a fingerprint as a signed integer (fits SQL's BIGINT and
    array("q")): the store's prefix column, and the Nessus reader's record of what it gave,
    which a split read compares with the store's rows (ingest.split)."""
    return int(fingerprint[:16], 16) - (1 << 63)


_PREFIXES: dict[tuple[str, str], Any] = {}
_PREFIXES_KEPT = 4096  # (tool, asset) pairs remembered at once


@dataclass
class Finding:
    tool: str  # tool family: nessus, openvas, trivy, … (also the fingerprint family)
    format: str  # importer name that read it: nessus, nessus_csv, sarif, …
    asset_kind: str  # one of ASSET_KINDS
    asset_key: str  # ip / hostname / url / purl / path / image ref
    rule_id: str  # plugin id, NVT OID, QID, CVE, rule id …
    title: str
    severity: Severity
    severity_raw: str = ""
    port: int | None = None
    protocol: str | None = None
    cvss_score: float | None = None
    cvss_vector: str | None = None
    cves: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    description: str = ""
    solution: str = ""
    location: str = ""  # file:line, url path, package path, port/proto … part of the identity
    evidence: str = ""  # plugin output, matched text (secrets redacted)
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # importer hints for the MLPS mapping: "tls", "secret", "web", …
    first_seen: str | None = None
    last_seen: str | None = None
    unit_ids: tuple[str, ...] = ()  # filled by the MLPS mapping rules
    status: str = "open"  # one of FINDING_STATUSES (set by the store)
    id: int | None = None  # store row id
    source_file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    _fingerprint: str = field(default="", repr=False)

    @property
    def fingerprint(self) -> str:
        if not self._fingerprint:
            self._fingerprint = fingerprint(self.tool, self.asset_key, self.rule_id, self.location)
        return self._fingerprint

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "tool": self.tool,
            "format": self.format,
            "asset_kind": self.asset_kind,
            "asset_key": self.asset_key,
            "port": self.port,
            "protocol": self.protocol,
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "severity_raw": self.severity_raw,
            "cvss_score": self.cvss_score,
            "cvss_vector": self.cvss_vector,
            "cves": list(self.cves),
            "cwes": list(self.cwes),
            "description": self.description,
            "solution": self.solution,
            "location": self.location,
            "evidence": self.evidence,
            "references": list(self.references),
            "tags": list(self.tags),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "unit_ids": list(self.unit_ids),
            "status": self.status,
            "source_file": self.source_file,
        }
