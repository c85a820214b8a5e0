"""Coverage gaps: a scan file that says the scan did not run, or that it audited nothing.

Such a file is no "all clear": pip-audit with every dependency skipped, npm's error object,
an nmap run that found no host up, sslyze or testssl that could not connect. The importer
yields no finding for it (so nothing is marked fixed) and records a gap; `scans import` prints
one warning line per gap and `assess` lists it under what was not checked. The text of a gap
is the message `ingest.gap.<kind>` of reports/i18n/messages.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("nothing_audited", "nothing_scanned", "scan_failed", "targets_unreachable")


@dataclass(frozen=True)
class CoverageGap:
    kind: str  # one of KINDS
    file: str  # the scan file
    tool: str  # tool family
    fields: dict[str, str] = field(default_factory=dict)  # placeholders of the message

    @property
    def message_key(self) -> str:
        return f"ingest.gap.{self.kind}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "tool": self.tool, **self.fields}


def record(importer: Any, kind: str, source: str, **fields: object) -> None:
    """Add a gap to the importer's `gaps` (read by the caller once the stream is consumed)."""
    if kind not in KINDS:
        raise ValueError(f"unknown coverage gap kind {kind!r}")
    gaps = getattr(importer, "gaps", None)
    if gaps is None:
        gaps = importer.gaps = []
    gaps.append(CoverageGap(kind, source, str(getattr(importer, "tool", "")),
                            {k: str(v) for k, v in fields.items()}))  # fmt: skip


def gaps_of(importer: Any) -> list[CoverageGap]:
    return list(getattr(importer, "gaps", None) or [])
