"""sslyze JSON (3.x, 4.x and 5.x schemas). sslyze rates nothing: findings are derived per server.

The checks (rule id → severity), shared with sslyze_xml (sslyze 2.x XML):
  ssl2-accepted, ssl3-accepted → high; tls1.0-accepted, tls1.1-accepted → medium;
  weak-cipher-suites (NULL, EXPORT, anonymous → high; RC4, RC2, DES/3DES, MD5, IDEA, SEED →
  medium), heartbleed → critical, openssl-ccs-injection → high, robot (strong oracle high,
  weak medium), client-renegotiation, insecure-renegotiation, tls-compression (CRIME) →
  medium, no-fallback-scsv → low, cert-hostname-mismatch, cert-untrusted, cert-expired →
  high, cert-sha1-signature (the leaf or the verified chain signed with SHA-1 or MD5),
  cert-weak-key (RSA < 2048) → medium, hsts-missing → low.
  What sslyze's own check against Mozilla's "intermediate" configuration reports besides:
  weak-dh-params (DH < 2048 bits) → medium; cipher-suites-not-recommended (accepted suites
  outside Mozilla's list that are not already weak), tls-curves-not-recommended (curves other
  than X25519, P-256, P-384), cert-long-lifespan (over 366 days) → low.
A check sslyze did not run (NOT_SCHEDULED, ERROR) gives nothing. Expiry is judged against the
scan's own date (never "now": re-importing an old file must give the same findings).
Servers sslyze could not reach give no finding and a coverage gap (ingest/gaps.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    exact_json,
    first_value,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
    top_scalars,
)
from cityguard.ingest.util import head_text
from cityguard.ingest.values import to_int
from cityguard.model import Finding, Severity

PROTOCOLS = {"ssl_2_0": "SSL 2.0", "ssl_3_0": "SSL 3.0", "tls_1_0": "TLS 1.0",
             "tls_1_1": "TLS 1.1", "tls_1_2": "TLS 1.2", "tls_1_3": "TLS 1.3"}  # fmt: skip
_OLD = {"SSL 2.0": ("ssl2-accepted", Severity.HIGH, ()),
        "SSL 3.0": ("ssl3-accepted", Severity.HIGH, ("CVE-2014-3566",)),
        "TLS 1.0": ("tls1.0-accepted", Severity.MEDIUM, ()),
        "TLS 1.1": ("tls1.1-accepted", Severity.MEDIUM, ())}  # fmt: skip
_BROKEN = re.compile(r"NULL|EXPORT|EXP-|_anon_|\bADH|\bAECDH|_ANON", re.I)
_WEAK = re.compile(r"RC4|RC2|_DES_|DES_CBC|DES-CBC|3DES|DES_EDE|MD5|IDEA|SEED", re.I)


@dataclass
class Server:
    """One scanned endpoint, normalised across sslyze versions (None = not checked)."""

    host: str
    port: int | None
    ip: str = ""
    accepted: dict[str, list[str]] = field(default_factory=dict)  # "TLS 1.0" → cipher names
    heartbleed: bool | None = None
    ccs: bool | None = None
    robot: str | None = None
    client_reneg: bool | None = None
    secure_reneg: bool | None = None
    compression: bool | None = None
    fallback_scsv: bool | None = None
    hostname_match: bool | None = None
    untrusted: list[str] = field(default_factory=list)  # "Mozilla: certificate has expired"
    not_after: str | None = None  # leaf notAfter, ISO UTC
    sha1_chain: bool | None = None
    sig_hash: str = ""  # the leaf's signature hash ("sha1")
    rsa_bits: int | None = None
    hsts: bool | None = None
    lifespan_days: int | None = None  # leaf notAfter - notBefore
    dh_bits: int | None = None  # smallest ephemeral DH group accepted
    curves: list[str] | None = None  # supported ECDH curves (None = not checked)


def server_findings(s: Server, tool: str, fmt: str, scanned_at: str | None) -> Iterator[Finding]:
    """The findings of one server (see the module docstring for the checks)."""

    def make(rule: str, severity: Severity, title: str, evidence: str = "",
             cves: tuple[str, ...] = (), tags: tuple[str, ...] = ("tls",)) -> Finding:  # fmt: skip
        return Finding(
            tool=tool, format=fmt, asset_kind="host", asset_key=s.host, port=s.port,
            protocol="tcp", rule_id=rule, title=title, severity=severity,
            cves=cves, description=f"{title} ({s.host}:{s.port})",
            location=f"{s.port}/tcp" if s.port else "", evidence=evidence,
            tags=(*tags, "vuln") if cves else tags, last_seen=scanned_at,
            extra={"ip": s.ip} if s.ip else {},
        )  # fmt: skip

    for proto, (rule, severity, cves) in _OLD.items():
        if s.accepted.get(proto):
            yield make(
                rule,
                severity,
                f"{proto} is accepted",
                f"{len(s.accepted[proto])} cipher suites accepted over {proto}",
                cves,
            )
    weak = [f"{p}: {c}" for p, names in s.accepted.items() for c in names
            if _BROKEN.search(c) or _WEAK.search(c)]  # fmt: skip
    if weak:
        broken = any(_BROKEN.search(w) for w in weak)
        yield make(
            "weak-cipher-suites",
            Severity.HIGH if broken else Severity.MEDIUM,
            "Weak cipher suites are accepted",
            "\n".join(weak),
        )
    if s.heartbleed:
        yield make(
            "heartbleed", Severity.CRITICAL, "Vulnerable to Heartbleed", "", ("CVE-2014-0160",)
        )
    if s.ccs:
        yield make(
            "openssl-ccs-injection",
            Severity.HIGH,
            "Vulnerable to OpenSSL CCS injection",
            "",
            ("CVE-2014-0224",),
        )
    if s.robot and s.robot.startswith("VULNERABLE"):
        sev = Severity.HIGH if "STRONG" in s.robot else Severity.MEDIUM
        yield make("robot", sev, "Vulnerable to the ROBOT attack", s.robot, ("CVE-2017-13099",))
    if s.client_reneg:
        yield make(
            "client-renegotiation",
            Severity.MEDIUM,
            "Client-initiated renegotiation is accepted (denial of service)",
        )
    if s.secure_reneg is False:
        yield make(
            "insecure-renegotiation",
            Severity.MEDIUM,
            "Secure renegotiation is not supported",
            "",
            ("CVE-2009-3555",),
        )
    if s.compression:
        yield make(
            "tls-compression",
            Severity.MEDIUM,
            "TLS compression is enabled (CRIME)",
            "",
            ("CVE-2012-4929",),
        )
    if s.fallback_scsv is False:
        yield make("no-fallback-scsv", Severity.LOW, "TLS_FALLBACK_SCSV is not supported")
    if s.hostname_match is False:
        yield make(
            "cert-hostname-mismatch", Severity.HIGH, "The certificate does not match the host name"
        )
    if s.untrusted:
        yield make(
            "cert-untrusted",
            Severity.HIGH,
            "The certificate chain does not validate",
            "\n".join(s.untrusted),
        )
    if s.not_after and scanned_at and s.not_after < scanned_at:
        yield make(
            "cert-expired",
            Severity.HIGH,
            "The certificate has expired",
            f"not after {s.not_after}, scanned {scanned_at}",
        )
    if s.sha1_chain or s.sig_hash in ("sha1", "md5"):
        yield make("cert-sha1-signature", Severity.MEDIUM, "The certificate is signed with SHA-1",
                   f"leaf signature hash {s.sig_hash}" if s.sig_hash else "verified chain")
    if s.rsa_bits is not None and s.rsa_bits < 2048:
        yield make(
            "cert-weak-key",
            Severity.MEDIUM,
            "The certificate's RSA key is too short",
            f"{s.rsa_bits} bits",
        )
    yield from _mozilla_findings(s, make)
    if s.hsts is False:
        yield make(
            "hsts-missing",
            Severity.LOW,
            "No HTTP Strict-Transport-Security header",
            "",
            (),
            ("tls", "web"),
        )


# Mozilla's "intermediate" server configuration (ssl-config.mozilla.org, version 5.7): what
# sslyze --mozilla_config=intermediate holds a server to, beyond the checks above
MOZILLA_SUITES = frozenset({
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
})  # fmt: skip
MOZILLA_CURVES = frozenset({"X25519", "prime256v1", "secp256r1", "secp384r1"})
MAX_LIFESPAN_DAYS = 366


def _mozilla_findings(s: Server, make: Callable[..., Finding]) -> Iterator[Finding]:
    if s.dh_bits is not None and s.dh_bits < 2048:
        yield make("weak-dh-params", Severity.MEDIUM, "Diffie-Hellman parameters are too small",
                   f"{s.dh_bits} bits (Logjam; at least 2048)", ("CVE-2015-4000",))
    extra = sorted({c for names in s.accepted.values() for c in names if c
                    and c not in MOZILLA_SUITES and not (_BROKEN.search(c) or _WEAK.search(c))})
    if extra:
        yield make("cipher-suites-not-recommended", Severity.LOW,
                   "Cipher suites outside Mozilla's intermediate configuration are accepted",
                   "\n".join(extra))
    odd = sorted(set(s.curves or ()) - MOZILLA_CURVES)
    if odd:
        yield make("tls-curves-not-recommended", Severity.LOW,
                   "Key-exchange curves outside Mozilla's intermediate configuration",
                   ", ".join(odd))
    if s.lifespan_days is not None and s.lifespan_days > MAX_LIFESPAN_DAYS:
        yield make("cert-long-lifespan", Severity.LOW, "The certificate is valid for too long",
                   f"{s.lifespan_days} days (at most {MAX_LIFESPAN_DAYS})")


@register
class Sslyze:
    name = "sslyze"
    tool = "sslyze"
    description = "sslyze JSON 3.x–5.x (findings derived per server: protocols, ciphers, certs)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        return 95 if text.startswith("{") and has_keys(text, "server_scan_results") else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "sslyze") != "{":
            raise DataError(source, "not an sslyze JSON report (expected an object)")
        top = top_scalars(stream, source, "server_scan_results", exact=True)
        scanned_at = iso_utc(top.get("date_scans_started"))
        failures = [
            str(e.get("server_string") or e.get("error_message") or e)
            for e in as_list(first_value(stream, source, "server_connectivity_errors", exact=True))
            if isinstance(e, dict)
        ]
        self.scanned: set[tuple[str, str]] = set()
        for node in exact_json(rewind(stream), source, "server_scan_results.item"):
            server = _server(node) if isinstance(node, dict) else None
            if server is None:
                failures.append(str((node or {}).get("server_location", {}).get("hostname")))
                continue
            self.scanned.add((self.tool, server.host))
            yield from server_findings(server, self.tool, self.name, scanned_at)
        if failures:  # a server sslyze could not reach is not a clean server: say so
            record(self, "targets_unreachable" if self.scanned else "scan_failed", source,
                   detail="could not connect to " + ", ".join(failures)[:300])  # fmt: skip


def _server(node: dict[str, Any]) -> Server | None:
    """Normalise one server_scan_results item; None when the server was not scanned."""
    if "scan_result" in node:  # 5.x: {status, result} per command
        if str(node.get("scan_status") or "COMPLETED") != "COMPLETED":
            return None
        loc = node.get("server_location") or {}
        raw = node.get("scan_result") or {}
        results = {k: (v or {}).get("result") for k, v in raw.items() if isinstance(v, dict)
                   and (v or {}).get("status") == "COMPLETED"}  # fmt: skip
    else:  # 3.x / 4.x: the result itself per command
        loc = (node.get("server_info") or {}).get("server_location") or {}
        results = node.get("scan_commands_results") or {}
    s = Server(str(loc.get("hostname") or loc.get("ip_address") or "unknown").lower(),
               to_int(loc.get("port")), str(loc.get("ip_address") or ""))  # fmt: skip
    for key, label in PROTOCOLS.items():
        res = results.get(f"{key}_cipher_suites")
        if isinstance(res, dict):
            accepted = [c for c in as_list(res.get("accepted_cipher_suites"))
                        if isinstance(c, dict)]  # fmt: skip
            s.accepted[label] = [str((c.get("cipher_suite") or {}).get("name") or "")
                                 for c in accepted]  # fmt: skip
            for c in accepted:
                eph = as_dict(c.get("ephemeral_key"))
                if str(eph.get("type_name") or "").upper() == "DH" and to_int(eph.get("size")):
                    s.dh_bits = min(s.dh_bits or 1 << 30, to_int(eph.get("size")) or 0)
    curves = results.get("elliptic_curves")
    if isinstance(curves, dict) and curves.get("supports_ecdh_key_exchange") is not None:
        s.curves = [str(c.get("name")) for c in as_list(curves.get("supported_curves"))
                    if isinstance(c, dict)]  # fmt: skip
    get = lambda cmd, *keys: _pick(results.get(cmd), keys)  # noqa: E731 - a local shorthand
    s.heartbleed = get("heartbleed", "is_vulnerable_to_heartbleed")
    s.ccs = get("openssl_ccs_injection", "is_vulnerable_to_ccs_injection")
    s.robot = get("robot", "robot_result")
    s.client_reneg = get(
        "session_renegotiation",
        "is_vulnerable_to_client_renegotiation_dos",
        "accepts_client_renegotiation",
    )
    s.secure_reneg = get("session_renegotiation", "supports_secure_renegotiation")
    s.compression = get("tls_compression", "supports_compression")
    s.fallback_scsv = get("tls_fallback_scsv", "supports_fallback_scsv")
    headers = results.get("http_headers")
    if isinstance(headers, dict) and not headers.get("http_error_trace"):
        s.hsts = headers.get("strict_transport_security_header") is not None
    _certificates(s, results.get("certificate_info"))
    return s


def _pick(result: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(result, dict):
        return None
    return next((result[k] for k in keys if k in result), None)


def _certificates(s: Server, info: Any) -> None:
    """Leaf certificate facts from the first deployment (the one for the SNI name)."""
    deployments = [d for d in as_list((info or {}).get("certificate_deployments"))
                   if isinstance(d, dict)] if isinstance(info, dict) else []  # fmt: skip
    if not deployments:
        return
    dep = deployments[0]
    s.hostname_match = dep.get("leaf_certificate_subject_matches_hostname")
    for pv in as_list(dep.get("path_validation_results")):
        error = pv.get("openssl_error_string") if isinstance(pv, dict) else None
        if error or (isinstance(pv, dict) and pv.get("was_validation_successful") is False):
            store = (pv.get("trust_store") or {}).get("name") or "?"
            s.untrusted.append(f"{store}: {error or 'validation failed'}")
    s.sha1_chain = dep.get("verified_chain_has_sha1_signature")
    chain = as_list(dep.get("received_certificate_chain"))
    leaf = chain[0] if chain and isinstance(chain[0], dict) else {}
    s.not_after = iso_utc(leaf.get("not_valid_after") or leaf.get("notAfter"))
    s.sig_hash = str((leaf.get("signature_hash_algorithm") or {}).get("name") or "").lower()
    s.lifespan_days = _days(leaf.get("not_valid_before") or leaf.get("notBefore"), s.not_after)
    key = leaf.get("public_key") or leaf.get("publicKey") or {}
    if "RSA" in str(key.get("algorithm") or ""):
        s.rsa_bits = to_int(key.get("key_size") or key.get("size"))


def _days(start: object, end: str | None) -> int | None:
    """Whole days between two ISO times (None when either is missing)."""
    from datetime import datetime

    first = iso_utc(start)
    if not first or not end:
        return None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return (datetime.strptime(end, fmt) - datetime.strptime(first, fmt)).days
