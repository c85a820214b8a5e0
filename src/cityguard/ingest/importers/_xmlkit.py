"""Private helpers of the XML-family importers (not an importer: discovery skips `_` modules).

What ingest.util does not cover and several of nessus, openvas, qualys, nmap, burp, zap,
nikto, dependency-check, xccdf and lynis need: port tags and "port/proto" locations,
timestamps, HTML-to-text, and folding repeated identities inside one report (dropping
repeated identities across a whole file is ingest.util.first_of_each, for every family).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone

from cityguard.ingest.values import to_int
from cityguard.model import Finding, Severity

#: remote administration, file sharing, databases, clear-text and RPC services: exposing them
#: is what MLPS "close unneeded services and high-risk ports" is about
MGMT_PORTS = frozenset({
    21, 22, 23, 69, 111, 135, 137, 138, 139, 161, 162, 445, 512, 513, 514, 873, 1099, 1433, 1521,
    1524, 2049, 2181, 2375, 2376, 3306, 3389, 4848, 5432, 5900, 5901, 5984, 5985, 5986, 6000,
    6379, 7001, 8009, 8161, 8291, 9000, 9042, 9200, 9300, 10250, 11211, 27017, 50000,
})  # fmt: skip

#: words in a title that mean transport crypto (MLPS transmission confidentiality items)
TLS_WORDS = re.compile(
    r"\b(SSL|TLS|cipher|certificate|HSTS|Strict-Transport-Security|Diffie-Hellman|RC4|POODLE"
    r"|BEAST|SWEET32|Heartbleed|DROWN|FREAK|Logjam|CRIME|BREACH|ROBOT|unencrypted|cleartext)",
    re.I,
)
#: no CVE listed, but the fix is still "patch or upgrade": unsupported or outdated software
PATCH_WORDS = re.compile(
    r"unsupported|end of life|\bEOL\b|obsolete|outdated|\s<\s|multiple vuln", re.I
)


#: the same services on any port (nmap / Nessus service names): ssh on 2222 is still ssh
MGMT_SERVICES = frozenset({
    "ftp", "ftps", "ssh", "telnet", "tftp", "rpcbind", "sunrpc", "msrpc", "netbios-ns",
    "netbios-ssn", "microsoft-ds", "smb", "snmp", "exec", "login", "shell", "rsync", "java-rmi",
    "rmiregistry", "ms-sql-s", "oracle", "oracle-tns", "nfs", "zookeeper", "docker", "mysql",
    "postgresql", "ms-wbt-server", "rdp", "vnc", "x11", "couchdb", "redis", "mongodb",
    "mongod", "memcache", "memcached", "elasticsearch", "cassandra", "ldap", "kerberos",
    # Nessus svc_name spellings
    "cifs", "msrdp", "mssql", "dce-rpc", "epmap", "rlogin", "rsh", "rexec", "oracle_tnslsnr",
    # Qualys SERVICE / "Service Detected" spellings
    "win remote desktop", "netbios ssn", "netbios ns", "ms-sql", "rpc", "microsoft sql server",
})  # fmt: skip


def port_tags(port: int | None, service: str | None = None) -> tuple[str, ...]:
    """Mapping hints for an exposed port: "port", plus "mgmt-port" for a high-risk one, known
    by its number or by the service the scanner found on it."""
    if not port:
        return ()
    return ("port", "mgmt-port") if is_risky(port, service) else ("port",)


def is_risky(port: int | None, *services: str | None) -> bool:
    """A high-risk port: by its number, or by any name a scanner gave its service."""
    return (port in MGMT_PORTS
            or any((s or "").strip().lower() in MGMT_SERVICES for s in services))  # fmt: skip


def network_scan_tags(title: str, severity: Severity, cves: tuple[str, ...],
                      specific: Iterable[str]) -> tuple[str, ...]:
    """Mapping hints of a network scanner's result (Nessus, OpenVAS, Qualys), without repeats:
    "vuln" first when it names CVEs or asks for a patch, then what its family or category
    says (`specific`), and "vuln" alone for a result of low severity or above that nothing
    else describes (a missing patch without a CVE, and the like)."""
    patch = cves or (severity.rank >= Severity.LOW.rank and PATCH_WORDS.search(title))
    tags = [*(["vuln"] if patch else []), *specific]
    if severity.rank >= Severity.LOW.rank and not tags:
        tags.append("vuln")
    return tuple(dict.fromkeys(tags))


def net_location(port: int | None, protocol: str | None) -> str:
    """Location part of a network finding's identity: "443/tcp"; "0/tcp" for host level."""
    return f"{port or 0}/{(protocol or 'tcp').lower()}"


def epoch_iso(value: object) -> str | None:
    """Epoch seconds as ISO-8601 UTC; None for blank, zero or junk."""
    seconds = to_int(value)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def local_iso(text: str | None, *formats: str) -> str | None:
    """A timestamp without zone in one of `formats`, as naive ISO-8601 (the zone is unknown)."""
    value = " ".join((text or "").split())
    for fmt in formats:
        parsed = _strptime(value, fmt)
        if parsed is not None:
            return parsed.isoformat()
    return None


def _strptime(value: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        return None


def clean(text: str | None) -> str:
    """Whitespace collapsed: pretty-printers indent the inside of names and titles."""
    return " ".join((text or "").split())


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"<\s*(br|/p|p|/li|li|/div|/tr|/h\d)\b[^>]*>", re.I)


def html_text(text: str | None) -> str:
    """Scanner HTML (Burp, ZAP, Qualys) as plain text: tags dropped, entities decoded."""
    if not text:
        return ""
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def urls(text: str | None) -> tuple[str, ...]:
    """Every URL in a text or HTML fragment, de-duplicated in order."""
    return tuple(dict.fromkeys(m.rstrip(".,;") for m in _URL.findall(html.unescape(text or ""))))


def merge_same(findings: Iterable[Finding]) -> list[Finding]:
    """Fold findings that share a fingerprint into the first (one report unit at a time).

    Evidence is joined, CVEs / CWEs / references are united, the worst severity wins.
    """
    out: dict[str, Finding] = {}
    for f in findings:
        first = out.get(f.fingerprint)
        if first is None:
            out[f.fingerprint] = f
            continue
        evidence = first.evidence
        if f.evidence and f.evidence not in evidence:
            evidence = f"{evidence}\n---\n{f.evidence}" if evidence else f.evidence
        worst = first if first.severity.rank >= f.severity.rank else f
        out[f.fingerprint] = replace(
            first,
            evidence=evidence,
            severity=worst.severity,
            severity_raw=worst.severity_raw,
            cves=tuple(dict.fromkeys(first.cves + f.cves)),
            cwes=tuple(dict.fromkeys(first.cwes + f.cwes)),
            references=tuple(dict.fromkeys(first.references + f.references)),
            _fingerprint=first.fingerprint,
        )
    return list(out.values())
