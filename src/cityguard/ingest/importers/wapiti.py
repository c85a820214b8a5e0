"""Wapiti JSON (`wapiti -u URL -f json -o FILE`, 3.x): `vulnerabilities`, `anomalies` and
`additionals`, each a map category → list of results, the category texts in
`classifications` and the scan in `infos`.

One finding per category, HTTP method, path and parameter: rule = the category ("Reflected
Cross Site Scripting"), location `GET /search [q]` (no parameter: `GET /`). Results that
differ only in their text (two cookies without HttpOnly on one page) fold into one finding
with both texts. Asset: the origin of `infos.target` (scheme://host:port).
Severity: wapiti's `level` 4 critical, 3 high, 2 medium, 1 low, 0 info; `additionals`
(fingerprints, methods) are info whatever their level.
CWE ids come from the category's references; every result is a web finding, and missing
HSTS / cleartext categories are transport-security findings as well.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys
from cityguard.ingest.importers._xmlkit import TLS_WORDS, merge_same
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import redact, split_cwes, to_int
from cityguard.model import Finding, Severity

_LEVELS = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
_SECTIONS = ("vulnerabilities", "anomalies", "additionals")


@register
class Wapiti:
    name = "wapiti"
    tool = "wapiti"
    description = "Wapiti JSON (-f json): vulnerabilities, anomalies, additionals"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "vulnerabilities") and (
            has_keys(text, "classifications") or has_keys(text, "anomalies", "additionals")
        ):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)
        if not isinstance(data, dict) or not isinstance(data.get("vulnerabilities"), dict):
            raise DataError(source, "not a wapiti report (no vulnerabilities map)")
        infos = as_dict(data.get("infos"))
        asset, port = _origin(str(infos.get("target") or ""))
        self.scanned = {(self.tool, asset)}
        texts = as_dict(data.get("classifications"))
        findings: list[Finding] = []
        for section in _SECTIONS:
            block = data.get(section) or {}
            if not isinstance(block, dict):
                raise DataError(source, f"not a wapiti report ({section} is not a map)")
            for category, results in block.items():
                about = as_dict(texts.get(category))
                for r in as_list(results):
                    if not isinstance(r, dict):
                        raise DataError(source, f"a wapiti {section} result is not an object")
                    findings.append(self._finding(section, category, r, about, asset, port))
        yield from merge_same(findings)

    def _finding(self, section: str, category: str, r: dict[str, Any], about: dict[str, Any],
                 asset: str, port: int | None) -> Finding:  # fmt: skip
        method = str(r.get("method") or "GET").upper()
        path = str(r.get("path") or "/")
        parameter = str(r.get("parameter") or "").strip()
        level = to_int(r.get("level"))
        severity = Severity.INFO if section == "additionals" or level is None else (
            _LEVELS[min(max(level, 0), len(_LEVELS) - 1)])  # fmt: skip
        refs = as_dict(about.get("ref"))
        tags = ["web"]
        if TLS_WORDS.search(category):
            tags.append("tls")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="url",
            asset_key=asset,
            port=port,
            protocol="tcp",
            rule_id=category,
            title=category,
            severity=severity,
            severity_raw=f"level {level}" if level is not None else "",
            cwes=split_cwes([k.split(":", 1)[0] for k in refs if k.upper().startswith("CWE")]),
            description=str(about.get("desc") or r.get("info") or "").strip(),
            solution=str(about.get("sol") or "").strip(),
            location=f"{method} {path}" + (f" [{parameter}]" if parameter else ""),
            # the request wapiti sent may carry the session cookie or credentials it was given
            evidence=redact(str(r.get("info") or "")),
            references=tuple(str(u) for u in refs.values() if u),
            tags=tuple(tags),
            extra={
                "section": section,
                "module": r.get("module"),
                "wstg": as_list(r.get("wstg")),
            },  # fmt: skip
        )


def _origin(target: str) -> tuple[str, int | None]:
    """scheme://host:port of the scanned URL (the asset), and its port."""
    parts = urlsplit(target.strip())
    if not parts.scheme or not parts.hostname:
        return (target.strip() or "unknown"), None
    port = None
    with contextlib.suppress(ValueError):
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return f"{parts.scheme}://{parts.netloc.lower()}", port
