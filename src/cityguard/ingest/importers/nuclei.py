"""ProjectDiscovery nuclei: JSON Lines (`-jsonl`, also old `-json`) or a JSON array (`-je`).

Old (v2) keys `templateID`/`matched`/`matcher_name` and v3 keys `template-id`/`matched-at`/
`matcher-name` are both read. Identity: template id plus matcher name, at the matched URL or
host:port. When a template has no matcher name but extracts values (tls-version reports tls12
and tls13 as two results), the sorted extracted values are part of the location: they are
distinct facts, not repeats. Only short token-like values count; values with blanks, '=' or
';' (a Set-Cookie line with a session id and a date) would change on every scan.
Asset: the origin (scheme://host[:port]) for web templates, the
host otherwise; a result naming no target at all gets asset "unknown".
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_dict,
    as_list,
    iso_utc,
    rewind,
    rewindable,
)
from cityguard.ingest.util import head_text, iter_json, iter_json_lines
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_float, to_int
from cityguard.model import Finding

_WEB_TYPES = {"http", "headless", "javascript", "file"}
# extracted values that may enter the identity: short tokens (tls12, 8.5.1, cookie names);
# anything with blanks, '=' or ';' (Set-Cookie lines, banners with dates) changes every scan
_TOKEN = re.compile(r"[\w.\-/:@+]{1,64}")


@register
class Nuclei:
    name = "nuclei"
    tool = "nuclei"
    description = "nuclei JSON Lines or JSON array (v2 and v3 keys)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text[:1] not in ("{", "[") or not any_key(text, "template-id", "templateID"):
            return 0
        return 90 if any_key(text, "info") else 60

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        rewind(stream)
        if head.startswith(b"["):
            items: Iterator[Any] = iter_json(stream, source, "item")
        else:  # JSON Lines; a 0-byte file is nuclei's "nothing found"
            items = iter_json_lines(stream, source)
        for item in items:
            if isinstance(item, dict):
                yield self._finding(item)

    def _finding(self, d: dict[str, Any]) -> Finding:
        info = as_dict(d.get("info"))
        cls = as_dict(info.get("classification"))
        template = str(d.get("template-id") or d.get("templateID") or "")
        matcher = str(d.get("matcher-name") or d.get("matcher_name") or "")
        kind = str(d.get("type") or "")
        target = _target(d)
        asset_kind, asset_key, port = _asset(target, d, kind)
        extracted = [str(x) for x in as_list(d.get("extracted-results") or
                                             d.get("extracted_results"))]  # fmt: skip
        location = target or asset_key
        if not matcher and extracted and all(_TOKEN.fullmatch(x) for x in extracted):
            values = ",".join(sorted(set(extracted)))
            if len(values) > 120:
                values = "sha256:" + hashlib.sha256(values.encode()).hexdigest()[:16]
            location += f" [{values}]"
        raw = str(info.get("severity") or "unknown")
        cves = split_cves(as_list(cls.get("cve-id")))
        tags = [str(t).lower() for t in _list_or_csv(info.get("tags"))]
        hints = ["web"] if kind in _WEB_TYPES else []
        if kind == "ssl" or "ssl" in tags or "tls" in tags:
            hints.append("tls")
        if cves or "cve" in tags:
            hints.append("vuln")
        if {"misconfig", "default-login", "exposure", "config"} & set(tags):
            hints.append("config")
        if kind == "network" and port:
            hints.append("port")
        name = str(info.get("name") or template)
        refs = _list_or_csv(info.get("reference"), sep="\n")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset_kind,
            asset_key=asset_key,
            port=port,
            protocol="tcp" if port else None,
            rule_id=f"{template}:{matcher}" if matcher else template,
            title=f"{name} ({matcher})" if matcher else name,
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=to_float(cls.get("cvss-score")),
            cvss_vector=str(cls.get("cvss-metrics") or "") or None,
            cves=cves,
            cwes=split_cwes(as_list(cls.get("cwe-id"))),
            description=str(info.get("description") or "").strip(),
            solution=str(info.get("remediation") or "").strip(),
            location=location,
            evidence="\n".join(
                x for x in (target, "extracted: " + ", ".join(extracted) if extracted else "") if x
            ),
            references=tuple(r.lstrip("- ").strip() for r in refs if r.strip("- ").strip()),
            tags=tuple(dict.fromkeys(hints)),
            last_seen=iso_utc(d.get("timestamp")),
        )


def _target(d: dict[str, Any]) -> str:
    """What was matched: matched-at, else the URL (nuclei ≥ 3.3 may prefix it with '/')."""
    for key in ("matched-at", "matched", "url", "path", "host", "ip"):
        value = str(d.get(key) or "").strip()
        if value.startswith("/") and "://" in value:
            value = value.lstrip("/")
        if value:
            return value
    return ""


def _asset(target: str, d: dict[str, Any], kind: str) -> tuple[str, str, int | None]:
    """(asset kind, key, port): URL origin for web results, host for the others."""
    port = to_int(d.get("port"))
    candidates = [target, str(d.get("host") or ""), str(d.get("ip") or "")]
    for value in candidates:
        if "://" in value:
            parts = urlsplit(value)
            host = (parts.hostname or "").lower()
            if not host:
                continue
            with contextlib.suppress(ValueError):  # a non-numeric port: keep nuclei's own
                port = parts.port or port or {"https": 443, "http": 80}.get(parts.scheme)
            if kind in _WEB_TYPES:
                return "url", f"{parts.scheme}://{parts.netloc.lower()}", port
            return "host", host, port
        if value:
            host, sep, maybe_port = value.rpartition(":")
            if sep and maybe_port.isdigit() and "]" not in maybe_port:
                return "host", host.strip("[]").lower(), int(maybe_port)
            return "host", value.lower(), port
    return "host", "unknown", port


def _list_or_csv(value: object, sep: str = ",") -> list[str]:
    """nuclei writes tags/references as a list (v3) or one comma/newline-separated string."""
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if isinstance(value, str):
        return [v.strip() for v in value.split(sep) if v.strip()]
    return []
