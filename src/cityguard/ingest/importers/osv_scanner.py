"""OSV-Scanner JSON (`osv-scanner --format json`): `results[]` per scanned source (a lockfile,
an SBOM, a git checkout), each with `packages[]` and their `vulnerabilities[]` and `groups[]`.

One finding per group: OSV-Scanner lists the same problem once per database that knows it
(GHSA-… and PYSEC-… for one Django flaw) and says which ids are one problem in `groups`
(its table output shows one row per group). Identity: tool `osv_scanner`, asset "." (the
scanned tree, as for the other code scanners), rule = the group's first id, location =
`lockfile package@version` (the lockfile path normalised; a git source gives the commit).
Severity: the worst severity word of the group's records (GHSA's LOW / MODERATE / HIGH /
CRITICAL), else the group's `max_severity` CVSS score by FIRST bands; a malicious package
(MAL-…) is critical; a group with neither is **medium by policy** (`severity_raw` says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    need_json,
    peek,
    rewind,
    rewindable,
)
from cityguard.ingest.util import first_of_each, head_text, iter_json
from cityguard.ingest.values import (
    norm_path,
    norm_severity,
    split_cves,
    split_cwes,
    to_float,
    unique_refs,
)
from cityguard.model import Finding, Severity, severity_from_cvss

NO_SEVERITY = "none in the report: medium by policy"


@register
class OsvScanner:
    name = "osv_scanner"
    tool = "osv_scanner"
    description = "OSV-Scanner JSON (vulnerable dependencies per lockfile, SBOM or commit)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{") or not has_keys(text, "results"):
            return 0
        if has_keys(text, "source", "packages") and ('"lockfile"' in text or has_keys(
                text, "ecosystem")):  # fmt: skip
            return 90
        if '"results": []' in text and has_keys(text, "experimental_config"):
            return 80  # osv-scanner with nothing found
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if not peek(stream, 64):
            return  # osv-scanner writes nothing at all when it found nothing
        if need_json(stream, source, "OSV-Scanner") != "{":
            raise DataError(source, "not an OSV-Scanner report (expected a JSON object)")
        yield from first_of_each(self._results(stream, source))

    def _results(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        for result in iter_json(rewind(stream), source, "results.item"):
            if not isinstance(result, dict):
                raise DataError(source, "not an OSV-Scanner report (a result is not an object)")
            src = as_dict(result.get("source"))
            for pkg in as_list(result.get("packages")):
                if isinstance(pkg, dict):
                    yield from _package_findings(self, src, pkg)


def _package_findings(
    imp: OsvScanner, src: dict[str, Any], pkg: dict[str, Any]
) -> Iterator[Finding]:
    vulns = {str(v.get("id")): v for v in as_list(pkg.get("vulnerabilities"))
             if isinstance(v, dict) and v.get("id")}  # fmt: skip
    groups = [g for g in as_list(pkg.get("groups")) if isinstance(g, dict) and g.get("ids")]
    grouped = {str(i) for g in groups for i in as_list(g.get("ids"))}
    # a record no group names (older osv-scanner without groups) is a group of its own
    groups += [{"ids": [vid]} for vid in vulns if vid not in grouped]
    info = as_dict(pkg.get("package"))
    name, version = str(info.get("name") or ""), str(info.get("version") or "")
    path = norm_path(str(src.get("path") or ""))
    what = f"{name}@{version}" if name else f"commit {info.get('commit') or '?'}"
    for group in groups:
        ids = [str(i) for i in as_list(group.get("ids"))]
        records = [vulns[i] for i in ids if i in vulns]
        yield _finding(imp, ids, records, group, path, what, info)


def _finding(imp: OsvScanner, ids: list[str], records: list[dict[str, Any]],
             group: dict[str, Any], path: str, what: str, info: dict[str, Any]) -> Finding:
    aliases = [*ids, *as_list(group.get("aliases")),
               *(a for r in records for a in as_list(r.get("aliases")))]  # fmt: skip
    severity, raw = _severity(ids, records, group)
    first = records[0] if records else {}
    cwes = [c for r in records for c in as_list((r.get("database_specific") or {}).get("cwe_ids"))]
    cwes += [c.get("cweId") for r in records for a in as_list(r.get("affected"))
             if isinstance(a, dict) for c in as_list((a.get("database_specific") or {}).get("cwes"))
             if isinstance(c, dict)]  # fmt: skip
    refs = [x.get("url") for r in records for x in as_list(r.get("references"))
            if isinstance(x, dict)]  # fmt: skip
    malicious = any(i.startswith("MAL-") for i in ids)
    location = f"{path} {what}".strip()
    return Finding(
        tool=imp.tool,
        format=imp.name,
        asset_kind="repository",
        asset_key=".",
        rule_id=ids[0],
        title=str(first.get("summary") or f"{ids[0]} in {what}"),
        severity=severity,
        severity_raw=raw,
        cves=split_cves(aliases),
        cwes=split_cwes(cwes),
        description=str(first.get("details") or "").strip(),
        solution=_fix(records, str(info.get("name") or "")),
        location=location,
        evidence=f"{what} ({info.get('ecosystem') or '?'}) in {path or '?'}; "
                 f"ids: {', '.join(dict.fromkeys(str(a) for a in aliases))}",
        references=unique_refs(refs),
        tags=("vuln", "dependency", *(("malware",) if malicious else ())),
        last_seen=None,
        extra={k: v for k, v in (("ecosystem", info.get("ecosystem")), ("ids", ids),
                                 ("commit", info.get("commit"))) if v},  # fmt: skip
    )


def _severity(ids: list[str], records: list[dict[str, Any]],
              group: dict[str, Any]) -> tuple[Severity, str]:
    words = [str((r.get("database_specific") or {}).get("severity") or "") for r in records]
    graded = [norm_severity(w) for w in words if w]
    if graded:
        worst = max(graded, key=lambda s: s.rank)
        return worst, next(w for w in words if w and norm_severity(w) is worst)
    score = to_float(group.get("max_severity"))
    if score:
        return severity_from_cvss(score), f"CVSS {score}"
    if any(i.startswith("MAL-") for i in ids):
        return Severity.CRITICAL, "malicious package: critical by policy"
    return Severity.MEDIUM, NO_SEVERITY


def _fix(records: list[dict[str, Any]], name: str) -> str:
    """The versions that fix it, from the records' affected ranges ("fixed" events)."""
    fixed = [str(e["fixed"]) for r in records for a in as_list(r.get("affected"))
             if isinstance(a, dict) and (a.get("package") or {}).get("name") in (name, None)
             for rg in as_list(a.get("ranges")) if isinstance(rg, dict)
             for e in as_list(rg.get("events"))
             if isinstance(e, dict) and e.get("fixed")]  # fmt: skip
    if not fixed:
        return ""
    return f"Upgrade {name or 'the package'} to a fixed version: " + ", ".join(dict.fromkeys(fixed))
