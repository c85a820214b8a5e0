"""Nikto XML (`<niktoscan>`, nested `<niktoscan>` in 2.1.6): one finding per test id and URI.

Identity: target host name (else ip), "port/tcp METHOD uri", nikto test id — the same for the
XML and the JSON output of one scan. Nikto reuses a generic id for many messages (999100
"uncommon header …" once per header): items of one target with the same identity are folded
into one finding that lists every message; the random file names and junk methods nikto
probes with are normalised ("/<random>.", "<junk>") so they do not change the identity.
Nikto has no severity: everything is info (as in DefectDojo); the raw OSVDB id is kept.
The bogus 1970 `scanend` is ignored.

Also home of `item_finding`, shared with the JSON importer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import TLS_WORDS, local_iso, merge_same
from cityguard.ingest.util import first_of_each, xml_events, xml_root
from cityguard.ingest.values import to_int
from cityguard.model import Finding, Severity

_METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "TRACK", "CONNECT",
            "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
            "DEBUG"}  # fmt: skip
# nikto probes with random 8-letter names ("/iqeVqbOU.") and junk methods ("SOWBGYUF") that
# change every run; in the identity they would turn one finding into a new one per scan
_RANDOM_NAME = re.compile(r"^/[A-Za-z0-9]{8}\.$")


def stable_request(method: str, uri: str) -> tuple[str, str]:
    method = (method or "GET").upper()
    uri = uri or "/"
    return (method if method in _METHODS else "<junk>"), (
        "/<random>." if _RANDOM_NAME.match(uri) else uri
    )


def item_finding(
    target: dict[str, str], test_id: str, method: str, uri: str, message: str, osvdb: str,
    fmt: str,
) -> Finding | None:  # fmt: skip
    host = target.get("host") or target.get("ip") or ""
    if not host or not test_id:
        return None
    port = to_int(target.get("port")) or None
    method, uri = stable_request(method, uri)
    message = " ".join(message.split())
    tags = ["web"]
    if TLS_WORDS.search(message):
        tags.append("tls")
    return Finding(
        tool="nikto", format=fmt, asset_kind="host", asset_key=host, port=port,
        protocol="tcp", rule_id=test_id, title=message[:200] or f"nikto test {test_id}",
        severity=Severity.INFO, severity_raw="", location=f"{port or 0}/tcp {method} {uri}",
        evidence=message, description=message,
        references=(f"OSVDB-{osvdb}",) if osvdb and osvdb != "0" else (), tags=tuple(tags),
        last_seen=target.get("time") or None,
        extra={k: v for k, v in (("ip", target.get("ip", "")), ("site", target.get("site", "")),
                                 ("banner", target.get("banner", ""))) if v},
    )  # fmt: skip


@register
class NiktoImporter:
    name: ClassVar[str] = "nikto"
    tool: ClassVar[str] = "nikto"
    description: ClassVar[str] = "Nikto XML report"

    def sniff(self, head: bytes) -> int:
        return 95 if xml_root(head) == "niktoscan" else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._scans(stream, source))

    def _scans(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        target: dict[str, str] = {}
        found: list[Finding] = []
        for event, elem in xml_events(
            stream, source, start=("scandetails",), end=("item", "scandetails")
        ):
            if event == "start":
                a = elem.attrib
                target = {
                    "host": a.get("targethostname", "") or a.get("targetip", ""),
                    "ip": a.get("targetip", ""), "port": a.get("targetport", ""),
                    "site": a.get("sitename", ""), "banner": a.get("targetbanner", ""),
                    "time": local_iso(a.get("starttime"), "%Y-%m-%d %H:%M:%S") or "",
                }  # fmt: skip
            elif elem.tag == "item":
                finding = item_finding(
                    target, elem.get("id", ""), elem.get("method", ""),
                    (elem.findtext("uri") or "").strip(),
                    (elem.findtext("description") or "").strip(), elem.get("osvdbid", ""),
                    self.name,
                )  # fmt: skip
                if finding is not None:
                    found.append(finding)
            else:  # one target's items are complete
                yield from merge_same(found)
                found = []
        yield from merge_same(found)
