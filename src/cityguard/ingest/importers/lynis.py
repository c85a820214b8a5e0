"""Lynis `report.dat` (/var/log/lynis-report.dat): one finding per warning and suggestion.

The file is `key=value` lines; `warning[]=` and `suggestion[]=` read
"TEST-ID|message|details|solution|" (details may themselves hold `|`, so the first two and
the last field are taken as such and the rest is the details). Warnings are medium, suggestions
low (Lynis has no severity scale); both are tagged "compliance", "config" — plus "vuln" for the
vulnerable-package test and "malware" for the malware scanner tests. Identity: host (first
non-loopback IPv4 address, else hostname), test id, details ("PermitRootLogin (set YES to NO)"),
so each hardening item of SSH-7408 is tracked on its own; where details are "-", a
suggestion's text is the location instead (AUTH-9286 gives one suggestion for the minimum and
one for the maximum password age). A suggestion of a test that also warned folds into the
warning (it is that warning's fix).

Lynis writes `finish=true` as its last line; a report without it is an interrupted audit or a
truncated copy and is refused — importing it would mark every missing item as fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import local_iso, merge_same
from cityguard.ingest.util import BOM, head_text
from cityguard.model import Finding, Severity

_KINDS = {"warning[]": (Severity.MEDIUM, "warning"), "suggestion[]": (Severity.LOW, "suggestion")}
_EXTRA_TAGS = {"PKGS-7392": ("vuln",), "MALW-3280": ("malware",), "HRDN-7230": ("malware",)}


def split_item(value: str) -> tuple[str, str, str, str]:
    """(test id, message, details, solution), "-" and empty fields as ""."""
    parts = value.rstrip().removesuffix("|").split("|")
    test, message = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
    if len(parts) >= 4:
        details, solution = "|".join(parts[2:-1]).strip(), parts[-1].strip()
    else:
        details, solution = (parts[2].strip() if len(parts) > 2 else ""), ""
    return test, message, ("" if details == "-" else details), ("" if solution == "-" else solution)


@register
class LynisImporter:
    name: ClassVar[str] = "lynis"
    tool: ClassVar[str] = "lynis"
    description: ClassVar[str] = "Lynis report.dat (host hardening audit)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("# Lynis Report") or (
            "lynis_version=" in text and "report_version_major=" in text
        ):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        yield from self._read(stream, source)

    def _read(self, stream: BinaryIO, source: str) -> list[Finding]:
        values: dict[str, list[str]] = {}
        items: list[tuple[str, int, str]] = []  # (kind, line, value)
        finished = False
        for number, raw in enumerate(stream, start=1):
            try:
                line = (raw.removeprefix(BOM) if number == 1 else raw).decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise DataError(source, f"not UTF-8 text (byte {exc.start})", line=number) from None
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise DataError(source, "not a key=value line", line=number)  # never quoted
            if key in _KINDS:
                items.append((key, number, value))
            elif key == "finish":
                finished = value.strip() == "true"
            else:
                values.setdefault(key, []).append(value.strip())
        if not values and not items:
            return []
        if not finished:
            raise DataError(
                source,
                "incomplete Lynis report: no finish=true line "
                "(the audit was interrupted or the file is truncated)",
            )
        return self._findings(values, items, source)

    def _findings(
        self, values: dict[str, list[str]], items: list[tuple[str, int, str]], source: str
    ) -> list[Finding]:
        def one(key: str) -> str:
            return (values.get(key) or [""])[-1]

        ips = [ip for ip in values.get("network_ipv4_address[]", []) if not ip.startswith("127.")]
        hostname = one("hostname")
        fqdn = f"{hostname}.{one('domainname')}" if hostname and one("domainname") else hostname
        asset = ips[0] if ips else fqdn
        if not asset:
            raise DataError(source, "the Lynis report names no host (no hostname, no address)")
        ended = local_iso(one("report_datetime_end"), "%Y-%m-%d %H:%M:%S")
        vulnerable = values.get("vulnerable_package[]", [])
        warned = {split_item(v)[0] for k, _n, v in items if k == "warning[]"}
        found = []
        for key, number, value in items:
            test, message, details, solution = split_item(value)
            if not test:
                raise DataError(source, f"{key} without a test id", line=number)
            severity, kind = _KINDS[key]
            # details "-": the suggestion's text tells its items apart (AUTH-9286 minimum and
            # maximum password age); a suggestion of a test that also warned is that warning's fix
            where = details or ("" if kind == "warning" or test in warned else message)
            evidence = f"{kind}: {message}" + (f" ({details})" if details else "")
            if test == "PKGS-7392" and vulnerable:
                evidence += "\nvulnerable packages: " + ", ".join(vulnerable)
            found.append(Finding(
                tool=self.tool, format=self.name, asset_kind="host", asset_key=asset,
                rule_id=test, title=message or test, severity=severity, severity_raw=kind,
                description=message, solution=solution, location=where, evidence=evidence,
                references=(f"https://cisofy.com/lynis/controls/{test}/",),
                tags=("compliance", "config", *_EXTRA_TAGS.get(test, ())), last_seen=ended,
                extra={k: v for k, v in (("hostname", fqdn), ("os", one("os_fullname")),
                                         ("lynis_version", one("lynis_version")),
                                         ("hardening_index", one("hardening_index"))) if v},
            ))  # fmt: skip
        return merge_same(found)
