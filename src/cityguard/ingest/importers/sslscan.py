"""sslscan XML (`sslscan --xml=FILE host:port`, 1.x and 2.x): one `<ssltest>` per endpoint.

sslscan rates each cipher suite itself (`strength`: strong, acceptable, medium, weak,
anonymous, null); the findings use that judgement and the same rule ids as the sslyze and
testssl importers, so one server reads alike whichever TLS scanner looked at it:
  ssl2-accepted, ssl3-accepted → high; tls1.0-accepted, tls1.1-accepted → medium (from the
  `<protocol enabled="1">` elements of 2.x, else from the versions of accepted suites);
  weak-cipher-suites (accepted suites sslscan rates below "acceptable": null / anonymous /
  export → high, weak or medium → medium; 1.x without `strength`: judged by the suite's name);
  heartbleed → critical; insecure-renegotiation, tls-compression (CRIME) → medium;
  no-fallback-scsv → low; cert-expired → high; cert-self-signed, cert-sha1-signature (SHA-1
  or MD5), cert-weak-key (RSA < 2048) → medium.
Suites with status "not accepted" are not offered and give nothing. The XML carries no scan
date, so expiry is sslscan's own `<expired>` verdict. Asset: the host, location `port/tcp`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.util import child_text, descendant, iter_xml, local, xml_root
from cityguard.ingest.values import to_int
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# sslscan's protocol names (TLSv1.0 / <protocol type="tls" version="1.0">) → rule, severity
_OLD = {"SSLv2": ("ssl2-accepted", Severity.HIGH, ()),
        "SSLv3": ("ssl3-accepted", Severity.HIGH, ("CVE-2014-3566",)),
        "TLSv1.0": ("tls1.0-accepted", Severity.MEDIUM, ()),
        "TLSv1.1": ("tls1.1-accepted", Severity.MEDIUM, ())}  # fmt: skip
#: server features that are a problem in the state given: element, attributes, then the finding
_FEATURES = (
    ("renegotiation", {"supported": "1", "secure": "0"}, "insecure-renegotiation",
     Severity.MEDIUM, "Secure renegotiation is not supported", ("CVE-2009-3555",)),
    ("compression", {"supported": "1"}, "tls-compression", Severity.MEDIUM,
     "TLS compression is enabled (CRIME)", ("CVE-2012-4929",)),
    ("fallback", {"supported": "0"}, "no-fallback-scsv", Severity.LOW,
     "TLS_FALLBACK_SCSV is not supported", ()),
)
_FINE = frozenset({"strong", "acceptable"})
_BROKEN_STRENGTH = frozenset({"null", "anonymous", "export"})
# sslscan 1.x writes no strength: judge the OpenSSL suite name as sslscan 2 would
_BROKEN_NAME = re.compile(r"NULL|EXP|ADH|AECDH|anon", re.I)
_WEAK_NAME = re.compile(r"RC4|RC2|DES|MD5|IDEA|SEED", re.I)


@register
class Sslscan:
    name = "sslscan"
    tool = "sslscan"
    description = "sslscan XML (--xml): protocols, cipher strength, certificate"

    def sniff(self, head: bytes) -> int:
        if xml_root(head) != "document":
            return 0
        if b"<ssltest" in head or b'title="SSLScan' in head or b"rbsec/sslscan" in head:
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        self.scanned: set[tuple[str, str]] = set()
        for test in iter_xml(stream, source, "ssltest"):
            host = (test.get("host") or "").strip().lower()
            if not host:
                raise DataError(source, "an sslscan <ssltest> without host")
            self.scanned.add((self.tool, host))
            yield from _Endpoint(self, host, to_int(test.get("port")) or 443).findings(test)


class _Endpoint:
    def __init__(self, importer: Sslscan, host: str, port: int) -> None:
        self.importer, self.host, self.port = importer, host, port

    def make(self, rule: str, severity: Severity, title: str, evidence: str = "",
             cves: tuple[str, ...] = ()) -> Finding:  # fmt: skip
        return Finding(
            tool=self.importer.tool, format=self.importer.name, asset_kind="host",
            asset_key=self.host, port=self.port, protocol="tcp", rule_id=rule, title=title,
            severity=severity, cves=cves, description=f"{title} ({self.host}:{self.port})",
            location=f"{self.port}/tcp", evidence=evidence,
            tags=("tls", "vuln") if cves else ("tls",),
        )  # fmt: skip

    def findings(self, test: Element) -> Iterator[Finding]:
        children = list(test)
        accepted = [
            c
            for c in children
            if local(c.tag) == "cipher"
            and (c.get("status") or "").strip().lower() in ("accepted", "preferred")
        ]
        enabled = _enabled_protocols(children, accepted)
        for proto, (rule, severity, cves) in _OLD.items():
            if proto in enabled:
                count = sum(1 for c in accepted if c.get("sslversion") == proto)
                yield self.make(
                    rule,
                    severity,
                    f"{proto} is accepted",
                    f"{count} cipher suites accepted over {proto}",
                    cves,
                )
        yield from self._ciphers(accepted)
        bleeding = [
            h.get("sslversion") or "?"
            for h in children
            if local(h.tag) == "heartbleed" and h.get("vulnerable") == "1"
        ]
        if bleeding:
            yield self.make(
                "heartbleed",
                Severity.CRITICAL,
                "Vulnerable to Heartbleed",
                "over " + ", ".join(bleeding),
                ("CVE-2014-0160",),
            )
        for c in children:
            for tag, attrs, rule, severity, title, cves in _FEATURES:
                if local(c.tag) == tag and all(c.get(k) == v for k, v in attrs.items()):
                    yield self.make(rule, severity, title, "", cves)
        leaf = descendant(test, "certificate")
        if leaf is not None:
            yield from self._certificate(leaf)

    def _ciphers(self, accepted: list[Element]) -> Iterator[Finding]:
        weak, broken = [], False
        for c in accepted:
            suite = c.get("cipher") or ""
            strength = (c.get("strength") or "").strip().lower()
            if not strength:
                strength = ("null" if _BROKEN_NAME.search(suite) else
                            "weak" if _WEAK_NAME.search(suite) else "acceptable")  # fmt: skip
            if strength not in _FINE:
                broken = broken or strength in _BROKEN_STRENGTH
                weak.append(f"{c.get('sslversion') or '?'}: {suite} ({strength})")
        if weak:
            yield self.make(
                "weak-cipher-suites",
                Severity.HIGH if broken else Severity.MEDIUM,
                "Weak cipher suites are accepted",
                "\n".join(weak),
            )

    def _certificate(self, cert: Element) -> Iterator[Finding]:
        if child_text(cert, "expired").lower() == "true":
            yield self.make(
                "cert-expired",
                Severity.HIGH,
                "The certificate has expired",
                f"not after {child_text(cert, 'not-valid-after')}",
            )
        if child_text(cert, "self-signed").lower() == "true":
            yield self.make(
                "cert-self-signed",
                Severity.MEDIUM,
                "The certificate is self-signed",
                f"subject {child_text(cert, 'subject')}",
            )
        algorithm = child_text(cert, "signature-algorithm").lower()
        if algorithm.startswith(("sha1", "md5")):
            yield self.make(
                "cert-sha1-signature",
                Severity.MEDIUM,
                "The certificate is signed with SHA-1",
                f"signature {algorithm}",
            )
        key = next((e for e in cert if local(e.tag) == "pk"), None)
        bits = to_int(key.get("bits")) if key is not None else None
        if key is not None and (key.get("type") or "").upper() == "RSA" and bits and bits < 2048:
            yield self.make(
                "cert-weak-key",
                Severity.MEDIUM,
                "The certificate's RSA key is too short",
                f"{bits} bits",
            )


def _enabled_protocols(children: list[Element], accepted: list[Element]) -> set[str]:
    """TLSv1.0 … from sslscan 2's `<protocol>` elements, else the versions of accepted suites."""
    protocols = [c for c in children if local(c.tag) == "protocol"]
    if not protocols:
        return {c.get("sslversion") or "" for c in accepted}
    out = set()
    for p in protocols:
        if p.get("enabled") == "1":
            kind, version = (p.get("type") or "").lower(), p.get("version") or ""
            out.add(f"SSLv{version}" if kind == "ssl" else f"TLSv{version}")
    return out
