"""Nikto JSON (`{host, ip, port, banner, vulnerabilities: [{id, OSVDB, method, url, msg}]}`,
or an array of such objects for several targets).

Same identity and tool family as the XML importer (host, "port/tcp METHOD uri", test id), so
the two outputs of one scan deduplicate; repeated ids at one URI fold into one finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import merge_same
from cityguard.ingest.importers.nikto import item_finding
from cityguard.ingest.util import decode_json, first_of_each, head_text, json_start
from cityguard.model import Finding


@register
class NiktoJsonImporter:
    name: ClassVar[str] = "nikto_json"
    tool: ClassVar[str] = "nikto"
    description: ClassVar[str] = "Nikto JSON report"

    def sniff(self, head: bytes) -> int:
        if json_start(head) not in ("{", "["):
            return 0
        text = head_text(head)
        if '"vulnerabilities"' in text and '"banner"' in text and '"host"' in text:
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)  # nikto reports are small: one object per target
        targets = data if isinstance(data, list) else [data] if data else []
        return first_of_each(self._targets(targets))

    def _targets(self, targets: list[Any]) -> Iterator[Finding]:
        for scan in targets:
            if not isinstance(scan, Mapping):
                continue
            target = {k: str(scan.get(k) or "") for k in ("host", "ip", "port", "banner")}
            found = []
            for v in scan.get("vulnerabilities") or []:
                if not isinstance(v, Mapping):
                    continue
                finding = item_finding(
                    target, str(v.get("id") or ""), str(v.get("method") or ""),
                    str(v.get("url") or ""), str(v.get("msg") or ""), str(v.get("OSVDB") or ""),
                    self.name,
                )  # fmt: skip
                if finding is not None:
                    found.append(finding)
            yield from merge_same(found)
