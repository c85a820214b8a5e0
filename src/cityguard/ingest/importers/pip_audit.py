"""pip-audit JSON: the old top-level array and the newer `{"dependencies": [...]}` object.

One finding per (package, vulnerability). The rule id is the first CVE among the id and its
aliases when there is one — PyPI, OSV and GitHub name one flaw PYSEC-…, GHSA-… and CVE-…, and
which one pip-audit prints depends on its version and service — else the id as given.
pip-audit rates nothing: severity is medium by policy (as DefectDojo does).
Dependencies skipped by pip-audit (`skip_reason`, e.g. not on PyPI) were not audited: they
add no finding; a report in which none was audited records a coverage gap (ingest/gaps.py).
Asset: "." — the audited environment/project (use one --system per project).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import any_key, as_list, has_keys
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import split_cves
from cityguard.model import Finding, Severity


@register
class PipAudit:
    name = "pip_audit"
    tool = "pip-audit"
    description = "pip-audit JSON (old array and {dependencies: [...]})"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text.startswith("{") and has_keys(text, "dependencies"):
            if any_key(text, "reportSchema", "scanInfo", "projectInfo"):
                return 0  # OWASP dependency-check JSON also has "dependencies"
            if any_key(text, "vulns", "skip_reason") or re.match(
                r'\{\s*"dependencies"\s*:\s*\[\s*\]\s*(,\s*"fixes"\s*:\s*\[\s*\]\s*)?\}\s*$', text
            ):
                return 90
            return 0
        if text.startswith("[") and has_keys(text, "name", "version", "vulns"):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)
        if data is None:
            return
        deps = data.get("dependencies") if isinstance(data, dict) else data
        if not isinstance(deps, list):
            raise DataError(source, "not a pip-audit report (no dependency list)")
        self.scanned = {(self.tool, ".")}
        audited = skipped = 0
        for dep in deps:
            if not isinstance(dep, dict):
                continue
            if dep.get("skip_reason"):
                skipped += 1
                continue
            audited += 1
            for vuln in as_list(dep.get("vulns")):
                if isinstance(vuln, dict):
                    yield self._finding(dep, vuln)
        if not audited:  # every dependency skipped, or none listed: no "all clear"
            record(self, "nothing_audited", source, detail=f"{skipped} of {len(deps)} "
                   "dependencies skipped" if deps else "no dependency listed")

    def _finding(self, dep: dict[str, Any], vuln: dict[str, Any]) -> Finding:
        name = str(dep.get("name") or "")
        version = str(dep.get("version") or "")
        vid = str(vuln.get("id") or "")
        aliases = [str(a) for a in as_list(vuln.get("aliases"))]
        cves = split_cves([vid, *aliases])
        fixes = [str(v) for v in as_list(vuln.get("fix_versions"))]
        rule = cves[0] if cves else vid
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=rule,
            title=f"{vid} in {name} {version}",
            severity=Severity.MEDIUM,
            severity_raw="",
            cves=cves,
            description=str(vuln.get("description") or ""),
            solution=f"Upgrade {name} to {' or '.join(fixes)}"
            if fixes
            else "No fixed version is published yet.",
            # PEP 503 name normalisation: Django, django and dj_ango name one package
            location=re.sub(r"[-_.]+", "-", name).lower(),
            evidence=f"{name} {version} installed",
            references=tuple(f"https://osv.dev/vulnerability/{x}" for x in [vid, *aliases] if x),
            tags=("vuln", "dependency"),
            extra={"id": vid, "aliases": aliases, "fix_versions": fixes},
        )
