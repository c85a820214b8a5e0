"""`npm audit --json`: npm 6 (`advisories{}`) and npm 7+ (`auditReportVersion: 2`).

One finding per (package, advisory). The advisory id is the GHSA id when the report gives one
(npm 6 `github_advisory_id` or the advisory URL; npm 7 `via[].url`), so npm 6 and npm 7
reports of one project agree. npm 7 entries whose `via` holds only package names are the
dependents of a vulnerable package, not advisories of their own: they add no finding (the fix
path is in the solution of the advisory's finding).
Asset: "." — the audited project (the report does not name it; use one --system per project).
An npm error object (`{"error": {"code": "ENOAUDIT" …}}`) is an audit that did not run: no
finding (nothing is marked fixed) and a coverage gap with npm's message (ingest/gaps.py).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import any_key, as_dict, as_list, has_keys
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import norm_severity, split_cves, split_cwes, to_float, unique_refs
from cityguard.model import Finding

_GHSA = re.compile(r"GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}", re.I)


@register
class NpmAudit:
    name = "npm_audit"
    tool = "npm-audit"
    description = "npm audit --json (npm 6 advisories, npm 7+ auditReportVersion 2)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "auditReportVersion"):
            return 95
        if has_keys(text, "advisories") and any_key(text, "actions", "muted"):
            return 90
        if re.match(r'\{\s*"error"\s*:\s*\{\s*"code"\s*:\s*"E[A-Z]+"', text):
            return 50  # npm's error object: claimed so the user gets npm's own message
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)
        if not isinstance(data, dict):
            raise DataError(source, "not an npm audit report (expected a JSON object)")
        error = data.get("error")
        if isinstance(error, dict):  # the audit did not run: no finding, a coverage gap
            record(self, "scan_failed", source, detail=f"{error.get('code') or 'error'}: "
                   f"{error.get('summary') or error.get('detail') or ''}".strip()[:300])
            return
        self.scanned = {(self.tool, ".")}
        if isinstance(data.get("advisories"), dict):
            # npm 6 can split one GHSA into several numbered advisories (one per version
            # range, e.g. minimist 0.x and 1.x): one flaw of one package, evidence merged
            merged: dict[tuple[str, str], Finding] = {}
            for adv in data["advisories"].values():
                if isinstance(adv, dict):
                    f = self._npm6(adv)
                    if (f.location, f.rule_id) in merged:
                        merged[f.location, f.rule_id].evidence += "\n" + f.evidence
                    else:
                        merged[f.location, f.rule_id] = f
            yield from merged.values()
            return
        done: set[tuple[str, str]] = set()
        for key, pkg in (data.get("vulnerabilities") or {}).items():
            if not isinstance(pkg, dict):
                continue
            for via in as_list(pkg.get("via")):
                if isinstance(via, dict):
                    finding = self._npm7(str(pkg.get("name") or key), pkg, via)
                    if (finding.location, finding.rule_id) not in done:
                        done.add((finding.location, finding.rule_id))
                        yield finding

    def _npm6(self, adv: dict[str, Any]) -> Finding:
        module = str(adv.get("module_name") or "")
        findings = [f for f in as_list(adv.get("findings")) if isinstance(f, dict)]
        versions = sorted({str(f.get("version")) for f in findings if f.get("version")})
        paths = [str(p) for f in findings for p in as_list(f.get("paths"))]
        cwe = adv.get("cwe")
        if isinstance(cwe, str) and cwe.startswith("["):  # npm 6: a JSON list inside a string
            with contextlib.suppress(ValueError):
                cwe = json.loads(cwe)
        cvss = as_dict(adv.get("cvss"))
        refs = [
            adv.get("url"),
            *re.findall(r"https?://[^\s)\]]+", str(adv.get("references") or "")),
        ]
        return self._finding(
            module,
            _advisory_id(adv.get("github_advisory_id"), adv.get("url"), adv.get("id")),
            str(adv.get("title") or ""),
            str(adv.get("severity") or ""),
            to_float(cvss.get("score")),
            cvss.get("vectorString"),
            split_cves(adv.get("cves")),
            split_cwes(cwe),
            str(adv.get("overview") or ""),
            str(adv.get("recommendation") or ""),
            f"{module} {', '.join(versions)} (vulnerable {adv.get('vulnerable_versions') or '?'})"
            + (f"\npaths: {'; '.join(paths[:20])}" if paths else ""),
            refs,
        )

    def _npm7(self, name: str, pkg: dict[str, Any], via: dict[str, Any]) -> Finding:
        fix = pkg.get("fixAvailable")
        if isinstance(fix, dict):
            solution = f"Install {fix.get('name')}@{fix.get('version')}" + (
                " (a semver-major change)" if fix.get("isSemVerMajor") else ""
            )
        elif fix is True:
            solution = "Run `npm audit fix`."
        else:
            solution = "No fix is available yet."
        cvss = as_dict(via.get("cvss"))
        nodes = [str(n) for n in as_list(pkg.get("nodes"))]
        return self._finding(
            name, _advisory_id(None, via.get("url"), via.get("source")),
            str(via.get("title") or ""), str(via.get("severity") or pkg.get("severity") or ""),
            to_float(cvss.get("score")) or None, cvss.get("vectorString") or None,
            split_cves(via.get("url")), split_cwes(via.get("cwe")), "", solution,
            f"{name} {via.get('range') or pkg.get('range') or ''} "
            f"({'direct' if pkg.get('isDirect') else 'transitive'} dependency)"
            + (f"\nnodes: {'; '.join(nodes[:20])}" if nodes else ""), [via.get("url")],
        )  # fmt: skip

    def _finding(self, module: str, advisory: str, title: str, raw: str, score: float | None,
                 vector: str | None, cves: tuple[str, ...], cwes: tuple[str, ...],
                 description: str, solution: str, evidence: str,
                 refs: list[Any]) -> Finding:  # fmt: skip
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=advisory,
            title=f"{title} ({module})" if title else f"{advisory} in {module}",
            severity=norm_severity(raw),
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=vector,
            cves=cves,
            cwes=cwes,
            description=description,
            solution=solution,
            location=module,
            evidence=evidence.strip(),
            references=unique_refs(refs),
            tags=("vuln", "dependency"),
        )


def _advisory_id(ghsa: object, url: object, number: object) -> str:
    """The GHSA id when there is one (stable across npm versions), else npm's number."""
    for text in (ghsa, url):
        m = _GHSA.search(str(text or ""))
        if m:
            return "GHSA" + m.group(0)[4:].lower()
    return f"npm-{number}" if number is not None else str(url or "unknown")
