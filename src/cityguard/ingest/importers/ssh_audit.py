"""ssh-audit JSON (`ssh-audit -j HOST`): one server's key exchange, host key, cipher and MAC
algorithms, each with ssh-audit's own notes (`fail`, `warn`, `info`), and the CVEs of its
banner's software.

One finding per algorithm ssh-audit rates `fail` or `warn` (rule `kex:<name>`, `key:<name>`,
`enc:<name>`, `mac:<name>`) and one per CVE (rule = the CVE id). Asset: the host of `target`
("host:port"), location `port/tcp`. Severity: `fail` → high, `warn` → medium (ssh-audit's
"remove" and "change" recommendations); CVEs by their CVSS score.
Weak SSH algorithms endanger the remote-administration channel like weak TLS does the web
(tag `ssh-crypto`, finding_rules.yaml). ssh-audit before 2.9 wrote the algorithm names
without any rating: such a file is a coverage gap (nothing was judged), never an all-clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys, join_nonempty
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import to_float, to_int
from cityguard.model import Finding, Severity, severity_from_cvss

_KINDS = {"kex": "key exchange", "key": "host key", "enc": "cipher", "mac": "MAC"}


@register
class SshAudit:
    name = "ssh_audit"
    tool = "ssh-audit"
    description = "ssh-audit JSON (-j): SSH algorithms rated fail/warn, CVEs of the server"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if (
            text.startswith("{")
            and has_keys(text, "banner", "kex")
            and (has_keys(text, "enc", "mac") or has_keys(text, "compression"))
        ):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)  # one server: a few kilobytes
        if not isinstance(data, dict) or not isinstance(data.get("kex"), list):
            raise DataError(source, "not an ssh-audit report (no kex list)")
        host, port = _target(data, source)
        self.scanned = {(self.tool, host)}
        software = _software(data)
        rated = False
        for kind, label in _KINDS.items():
            for algo in as_list(data.get(kind)):
                if not isinstance(algo, dict):
                    continue  # ssh-audit < 2.9 writes bare names: nothing is rated
                notes = algo.get("notes") if isinstance(algo.get("notes"), dict) else None
                rated = rated or notes is not None
                if notes and (notes.get("fail") or notes.get("warn")):
                    yield self._weak(host, port, kind, label, algo, notes, software)
        for cve in as_list(data.get("cves")):
            if isinstance(cve, dict) and cve.get("name"):
                yield self._cve(host, port, cve, software)
        if not rated:
            record(
                self,
                "nothing_audited",
                source,
                detail="the report lists SSH algorithms without ratings (ssh-audit < 2.9)",
            )

    def _base(self, host: str, port: int, rule: str, title: str, severity: Severity,
              raw: str, software: str) -> dict[str, Any]:  # fmt: skip
        return {"tool": self.tool, "format": self.name, "asset_kind": "host", "asset_key": host,
                "port": port, "protocol": "tcp", "rule_id": rule, "title": title,
                "severity": severity, "severity_raw": raw, "location": f"{port}/tcp",
                "extra": {"software": software} if software else {}}  # fmt: skip

    def _weak(self, host: str, port: int, kind: str, label: str, algo: dict[str, Any],
              notes: dict[str, Any], software: str) -> Finding:  # fmt: skip
        name = str(algo.get("algorithm") or "?")
        fail, warn = as_list(notes.get("fail")), as_list(notes.get("warn"))
        raw = "fail" if fail else "warn"
        size = to_int(algo.get("keysize"))
        evidence = join_nonempty(
            *(f"fail: {x}" for x in fail), *(f"warn: {x}" for x in warn),
            f"key size {size} bits" if size else None,
        )  # fmt: skip
        return Finding(
            **self._base(host, port, f"{kind}:{name}",
                         f"Weak SSH {label} algorithm offered: {name}",
                         Severity.HIGH if fail else Severity.MEDIUM, raw, software),
            description=f"The SSH server on {host}:{port} offers the {label} algorithm {name}, "
                        f"which ssh-audit rates {raw}.",
            solution=f"Remove {name} from the server's {label} algorithms "
                     "(sshd_config KexAlgorithms / HostKeyAlgorithms / Ciphers / MACs).",
            evidence=evidence,
            tags=("ssh-crypto",),
        )  # fmt: skip

    def _cve(self, host: str, port: int, cve: dict[str, Any], software: str) -> Finding:
        name = str(cve["name"]).upper()
        score = to_float(cve.get("cvssv2"))
        return Finding(
            **self._base(host, port, name, f"{name} in {software or 'the SSH server'}",
                         severity_from_cvss(score), f"cvssv2 {score}" if score else "",
                         software),
            cvss_score=score,
            cves=(name,) if name.startswith("CVE-") else (),
            description=str(cve.get("description") or ""),
            solution="Upgrade the SSH server software.",
            tags=("vuln",),
        )  # fmt: skip


def _target(data: dict[str, Any], source: str) -> tuple[str, int]:
    text = str(data.get("target") or "").strip()
    if not text:
        raise DataError(source, "an ssh-audit report without target")
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        host, port = text, "22"
    return host.strip("[]").lower(), int(port)


def _software(data: dict[str, Any]) -> str:
    banner = as_dict(data.get("banner"))
    return str(banner.get("software") or banner.get("raw") or "")
