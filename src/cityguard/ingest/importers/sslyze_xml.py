"""sslyze 2.x XML (`--xml_out`, removed in sslyze 3): the same checks as the JSON importer.

Streams one `<target>` at a time through defusedxml. The XML carries no scan date, so the
certificate expiry check relies on sslyze's own path validation ("certificate has expired").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers.sslyze import Server, server_findings
from cityguard.ingest.util import descendant, iter_xml, local, xml_root
from cityguard.ingest.values import to_int
from cityguard.model import Finding

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_PROTOCOLS = {"sslv2": "SSL 2.0", "sslv3": "SSL 3.0", "tlsv1": "TLS 1.0", "tlsv1_1": "TLS 1.1",
              "tlsv1_2": "TLS 1.2", "tlsv1_3": "TLS 1.3"}  # fmt: skip


@register
class SslyzeXml:
    name = "sslyze_xml"
    tool = "sslyze"
    description = "sslyze 2.x XML report (--xml_out)"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "document":
            return 0
        return 95 if b"SSLyzeVersion" in head else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        self.scanned: set[tuple[str, str]] = set()
        for target in iter_xml(stream, source, "target"):
            server = _server(target, source)
            self.scanned.add((self.tool, server.host))
            yield from server_findings(server, self.tool, self.name, None)


def _flag(elem: Element | None, attr: str) -> bool | None:
    if elem is None or attr not in elem.attrib:
        return None
    return elem.attrib[attr].strip().lower() == "true"


def _server(t: Element, source: str) -> Server:
    host = (t.get("host") or t.get("ip") or "").strip().lower()
    if not host:
        raise DataError(source, "an sslyze <target> without host or ip")
    s = Server(host, to_int(t.get("port")), t.get("ip") or "")
    for child in t:
        name = local(child.tag)
        if name in _PROTOCOLS:
            accepted = descendant(child, "acceptedCipherSuites")
            s.accepted[_PROTOCOLS[name]] = [
                c.get("name", "") for c in (accepted if accepted is not None else [])
                if local(c.tag) == "cipherSuite"
            ]  # fmt: skip
    s.heartbleed = _flag(descendant(t, "openSslHeartbleed"), "isVulnerable")
    s.ccs = _flag(descendant(t, "openSslCcsInjection"), "isVulnerable")
    robot = descendant(t, "robotAttack")
    s.robot = robot.get("resultEnum") if robot is not None else None
    reneg = descendant(t, "sessionRenegotiation")
    s.client_reneg = _flag(reneg, "canBeClientInitiated")
    s.secure_reneg = _flag(reneg, "isSecure")
    s.compression = _flag(descendant(t, "compressionMethod"), "isSupported")
    s.fallback_scsv = _flag(descendant(t, "tlsFallbackScsv"), "isSupported")
    s.hostname_match = _flag(descendant(t, "hostnameValidation"),
                             "certificateMatchesServerHostname")
    for pv in (e for e in t.iter() if local(e.tag) == "pathValidation"):
        result = (pv.get("validationResult") or "").strip()
        if result and result.lower() != "ok":
            s.untrusted.append(f"{pv.get('usingTrustStore') or '?'}: {result}")
    leaf = descendant(t, "certificate")
    if leaf is not None:
        algo = descendant(leaf, "signatureAlgorithm")
        s.sha1_chain = algo is not None and (algo.text or "").strip().lower().startswith("sha1")
        key = descendant(leaf, "publicKey")
        if key is not None and "RSA" in (key.get("algorithm") or ""):
            s.rsa_bits = to_int(key.get("size"))
    return s
