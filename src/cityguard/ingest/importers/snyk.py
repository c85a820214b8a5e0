"""Snyk CLI JSON: `snyk test --json` (open source; one project object, or a list of them with
`--all-projects`) and `snyk container test --json` (an image: its OS packages, and under
`applications[]` the language projects found inside it).

Snyk lists a vulnerability once per dependency path (`from`) that pulls the package in; the
package at that version is the one thing to fix, so one finding per (project file, issue id,
package@version) — the count Snyk itself reports as `uniqueCount`. The first path is kept in
the evidence. Identity: tool `snyk`; asset "." with location `target-file package@version`
for code projects (as the other code scanners), or the image (`docker-image|name` → name)
with location `package@version` (`app-file package@version` for its applications).
Severity: `severityWithCritical` (Snyk's critical) else `severity`, else the CVSS score.
OS packages of an image are tagged `vuln` (patching), language packages `vuln` +
`dependency`; licence issues (`type: license`) are `compliance` findings.
Snyk Code output is SARIF (`snyk code test --sarif`): the sarif importer reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.core.jsonio import guard
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    iso_utc,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.util import first_of_each, head_text, iter_json, json_error, skip_bom
from cityguard.ingest.values import (
    norm_path,
    severity_or_cvss,
    split_cves,
    split_cwes,
    to_float,
    to_int,
    unique_refs,
    upgrade_advice,
)
from cityguard.model import Finding

_PROJECT_KEYS = ("projectName", "displayTargetFile", "targetFile", "packageManager", "path")
_IMAGE_PREFIX = "docker-image|"


@register
class Snyk:
    name = "snyk"
    tool = "snyk"
    description = "Snyk CLI JSON (snyk test / snyk container test, open source and images)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text[:1] not in "{[":
            return 0
        if has_keys(text, "vulnerabilities", "packageManager") and (
            "snyk" in text.lower() or has_keys(text, "uniqueCount", "dependencyCount")
        ):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "Snyk")
        self._dependencies: list[int] = []  # each project's dependencyCount
        if first == "[":  # --all-projects: one object per project, each read whole
            docs: Iterator[Any] = iter_json(rewind(stream), source, "item")
            findings = (f for doc in docs for f in self._project(_object(doc, source), source))
        elif first == "{":
            findings = self._streamed(stream, source)
        else:
            raise DataError(source, "not a Snyk report (expected a JSON object or list)")
        found = False
        for finding in first_of_each(findings):
            found = True
            yield finding
        if not found and self._dependencies and not any(self._dependencies):
            record(self, "nothing_audited", source, detail="dependencyCount is 0")

    def _streamed(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        """One project (or image) object: its vulnerabilities stream, its fields come first."""
        top = _top_fields(stream, source)
        self._count(top)
        ctx = _context(top, None)
        for vuln in iter_json(rewind(stream), source, "vulnerabilities.item"):
            yield self._finding(_object(vuln, source), ctx)
        if ctx["image"]:
            for app in iter_json(rewind(stream), source, "applications.item"):
                yield from self._project(_object(app, source), source, ctx["image"])

    def _project(self, doc: dict[str, Any], source: str,
                 image: str | None = None) -> Iterator[Finding]:
        self._count(doc)
        ctx = _context(doc, image)
        for vuln in as_list(doc.get("vulnerabilities")):
            yield self._finding(_object(vuln, source), ctx)
        if ctx["image"] and not image:
            for app in as_list(doc.get("applications")):
                yield from self._project(_object(app, source), source, ctx["image"])

    def _count(self, doc: dict[str, Any]) -> None:
        deps = to_int(doc.get("dependencyCount"))
        if deps is not None:
            self._dependencies.append(deps)

    def _finding(self, v: dict[str, Any], ctx: dict[str, Any]) -> Finding:
        vid = str(v.get("id") or "")
        package = str(v.get("packageName") or v.get("name") or "")
        version = str(v.get("version") or "")
        ids = as_dict(v.get("identifiers"))
        raw = str(v.get("severityWithCritical") or v.get("severity") or "")
        score = to_float(v.get("cvssScore"))
        licence = str(v.get("type") or "") == "license"
        where = f"{package}@{version}"
        location = f"{ctx['file']} {where}".strip() if ctx["file"] else where
        upgrade = [u for u in as_list(v.get("upgradePath")) if isinstance(u, str)]
        fixed = [str(x) for x in as_list(v.get("fixedIn"))]
        path = " > ".join(str(x) for x in as_list(v.get("from")))
        tags = ("compliance",) if licence else ("vuln",) if ctx["os"] else ("vuln", "dependency")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="image" if ctx["image"] else "repository",
            asset_key=ctx["image"] or ".",
            rule_id=vid,
            title=f"{v.get('title') or vid} in {package} {version}",
            severity=severity_or_cvss(raw, score),
            severity_raw=raw,
            cvss_score=score,
            cvss_vector=str(v.get("CVSSv3") or "") or None,
            cves=split_cves(ids.get("CVE")),
            cwes=split_cwes(ids.get("CWE")),
            description=str(v.get("description") or ""),
            solution=(f"Upgrade to {upgrade[0]}" if upgrade else
                      upgrade_advice(package, ", ".join(fixed))),  # fmt: skip
            location=location,
            evidence=f"{where} ({v.get('packageManager') or ctx['manager'] or '?'})"
                     + (f" via {path}" if path else ""),
            references=unique_refs(r.get("url") for r in as_list(v.get("references"))
                                   if isinstance(r, dict)),
            tags=tags,
            extra={k: x for k, x in (
                ("project", ctx["project"]), ("package_manager", ctx["manager"]),
                ("exploit", v.get("exploit")), ("epss", v.get("epssDetails")),
                ("published", iso_utc(v.get("publicationTime"))),
            ) if x},
        )  # fmt: skip


def _context(doc: dict[str, Any], image: str | None) -> dict[str, Any]:
    """What a vulnerability needs to know of its project: the image, the file, OS or not."""
    project = str(doc.get("projectName") or "")
    is_image = project.startswith(_IMAGE_PREFIX) or bool(doc.get("docker"))
    own_image = project.removeprefix(_IMAGE_PREFIX) if is_image else None
    file = norm_path(str(doc.get("displayTargetFile") or doc.get("targetFile") or ""))
    return {
        "image": image or own_image or None,
        "file": "" if is_image else file,
        "os": is_image and not image,  # the image's own packages; applications are not OS
        "project": project,
        "manager": doc.get("packageManager"),
    }


def _top_fields(stream: BinaryIO, source: str) -> dict[str, Any]:
    """The project fields of a single-object report (they follow the vulnerabilities)."""
    import ijson

    found: dict[str, Any] = {}
    try:
        for prefix, event, value in ijson.parse(guard(skip_bom(rewind(stream)), source)):
            if (prefix in _PROJECT_KEYS and event == "string") or (
                prefix == "dependencyCount" and event == "number"
            ):
                found[prefix] = value
            elif prefix == "" and event == "map_key" and value == "docker":
                found["docker"] = True
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    return found


def _object(value: Any, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DataError(source, "not a Snyk report (a project or vulnerability is not an object)")
    return value
