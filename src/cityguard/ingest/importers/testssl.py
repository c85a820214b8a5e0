"""testssl.sh results: CSV (`--csvfile`), flat JSON (`--jsonfile`) and pretty JSON
(`--jsonfile-pretty`). Every row is (id, fqdn/ip, port, severity, finding, cve, cwe).

What becomes a finding: rows of severity LOW, MEDIUM, HIGH, CRITICAL. OK and INFO rows state
facts that are not problems ("SSLv3 not offered", the cipher order), WARN and DEBUG rows are
about the scanner itself ("no GOST engine"). FATAL rows (`scanProblem`) mean a target could
not be scanned: when no target of the file was scanned at all, the file is refused with the
scanner's message — an empty result must not read as "everything fixed".
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import any_key, as_list, has_keys, rewind, rewindable
from cityguard.ingest.util import head_text, iter_json
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_int
from cityguard.model import Finding

_HEADER = ["id", "fqdn/ip", "port", "severity", "finding", "cve", "cwe"]
_PROBLEMS = {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
_KNOWN = _PROBLEMS | {"OK", "INFO", "WARN", "DEBUG", "FATAL"}
_SECTIONS = ("pretest", "singleCipher", "protocols", "grease", "ciphers", "serverPreferences",
             "fs", "serverDefaults", "headerResponse", "vulnerabilities", "cipherTests",
             "browserSimulations", "rating")  # fmt: skip


@register
class Testssl:
    name = "testssl"
    tool = "testssl"
    description = "testssl.sh CSV, JSON or pretty JSON (problems of severity LOW and above)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith('"id","fqdn/ip","port","severity","finding"'):
            return 95
        if (
            text.startswith("{")
            and has_keys(text, "scanResult")
            and any_key(text, "Invocation", "openssl")
        ):
            return 95
        if text.startswith("[") and has_keys(text, "id", "ip", "port", "severity", "finding"):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        rewind(stream)
        if first == b"[":
            rows: Iterator[tuple[int | None, dict[str, Any]]] = (
                (None, r) for r in iter_json(stream, source, "item") if isinstance(r, dict)
            )
        elif first == b"{":
            rows = self._pretty(stream, source)
        else:
            rows = _csv_rows(stream, source)
        self.scanned: set[tuple[str, str]] = set()
        failures: list[str] = []
        for line, row in rows:
            severity = str(row.get("severity") or "").strip().upper()
            if severity not in _KNOWN:
                raise DataError(source, f"unknown severity {severity!r}", line=line,
                                field="severity")  # fmt: skip
            host = _host(str(row.get("fqdn/ip") or row.get("ip") or ""))
            if severity == "FATAL":
                failures.append(f"{host}:{row.get('port')}: {row.get('finding')}")
                continue
            if severity in ("WARN", "DEBUG"):  # about the scanner, not the target
                continue
            self.scanned.add((self.tool, host))
            if severity in _PROBLEMS:
                yield self._finding(row, host, severity)
        if failures:  # a target testssl could not reach is not a clean target: say so
            record(self, "targets_unreachable" if self.scanned else "scan_failed", source,
                   detail="; ".join(failures)[:300])  # fmt: skip

    def _pretty(self, stream: BinaryIO, source: str) -> Iterator[tuple[None, dict[str, Any]]]:
        """--jsonfile-pretty: scanResult[] of targets, each with sections of check rows."""
        for target in iter_json(stream, source, "scanResult.item"):
            if not isinstance(target, dict):
                continue
            where = f"{target.get('targetHost') or ''}/{target.get('ip') or ''}"
            for section in _SECTIONS:
                for row in as_list(target.get(section)):
                    if isinstance(row, dict):
                        yield None, {"fqdn/ip": where, "port": target.get("port"), **row}

    def _finding(self, row: dict[str, Any], host: str, severity: str) -> Finding:
        port = to_int(row.get("port"))
        check = str(row.get("id") or "")
        text = " ".join(str(row.get("finding") or "").split())  # testssl pads cipher columns
        cves = split_cves(row.get("cve"))
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="host",
            asset_key=host,
            port=port,
            protocol="tcp",
            rule_id=check,
            title=f"{check}: {text}"[:200] if text else check,
            severity=norm_severity(severity),
            severity_raw=severity,
            cves=cves,
            cwes=split_cwes(row.get("cwe")),
            description=text,
            location=f"{port}/tcp" if port else "",
            evidence=f"{row.get('fqdn/ip') or host}:{row.get('port')} {check} {text}",
            tags=("tls", "vuln") if cves else ("tls",),
        )


def _host(fqdn_ip: str) -> str:
    """'www.test.com/127.0.0.1' → the name; '/1.2.3.4' or '1.2.3.4' → the address."""
    name, _, ip = fqdn_ip.strip().partition("/")
    return (name or ip).strip().lower() or "unknown"


def _csv_rows(stream: BinaryIO, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Strict CSV: a row with another number of cells than the header (a cut-off file) fails."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text, strict=True)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        if header[:5] != _HEADER[:5]:
            raise DataError(source, f"not a testssl CSV header: {','.join(header)[:80]}", line=1)
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(source, f"row has {len(row)} cells, the header {len(header)} "
                                "(cut-off file?)", line=reader.line_num)  # fmt: skip
            yield reader.line_num, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        raise DataError(source, f"invalid CSV ({exc})", line=reader.line_num) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None
    finally:
        with contextlib.suppress(ValueError):  # the caller may have closed the file already
            text.detach()
