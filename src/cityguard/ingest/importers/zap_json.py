"""OWASP ZAP "traditional" JSON report (`{"@version", "site": [{"@name", "alerts": […]}]}`).

The same names as the XML report, attributes prefixed with `@`, every value a string; so the
same identity (site, alertRef) and the same tool family "zap". Sites are streamed one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import merge_same
from cityguard.ingest.importers.zap import alert_finding
from cityguard.ingest.util import first_of_each, head_text, iter_json, json_start
from cityguard.model import Finding


@register
class ZapJsonImporter:
    name: ClassVar[str] = "zap_json"
    tool: ClassVar[str] = "zap"
    description: ClassVar[str] = "OWASP ZAP traditional JSON report"
    version_pattern: ClassVar[bytes] = rb'"@version"\s*:\s*"([^"]+)"'

    def sniff(self, head: bytes) -> int:
        if json_start(head) != "{":
            return 0
        text = head_text(head)
        if '"site"' in text and ('"@version"' in text or '"@programName"' in text):
            return 95
        return 60 if '"alerts"' in text and '"riskcode"' in text else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._sites(stream, source))

    def _sites(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for site in iter_json(stream, source, "site.item"):
            if not isinstance(site, Mapping):
                continue
            attrs = {k.lstrip("@"): v for k, v in site.items() if k.startswith("@")}
            alerts = site.get("alerts") or []
            found = [
                f
                for alert in alerts
                if isinstance(alert, Mapping)
                and (f := alert_finding(attrs, _unprefixed(alert), self.name)) is not None
            ]
            yield from merge_same(found)


def _unprefixed(alert: Mapping[str, Any]) -> dict[str, Any]:
    return {k.lstrip("@"): v for k, v in alert.items()}
