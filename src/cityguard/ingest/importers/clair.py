"""Clair container-image reports in the two JSON shapes users archive:

- clair-scanner (`clair-scanner --report FILE`): `{"image", "unapproved", "vulnerabilities":
  [{featurename, featureversion, vulnerability, namespace, severity, fixedby, link, …}]}`;
- klar (`klar IMAGE` with JSON_OUTPUT=true): `{"LayerCount", "Vulnerabilities": {"High":
  [{Name, FeatureName, FeatureVersion, NamespaceName, Severity, FixedBy, Link, …}], …}}`.

One finding per (vulnerability, package@version) of the image. The asset is the image that
clair-scanner names; klar's JSON names no image, so the file name's stem stands for it (as for
kube-bench: name each file after its image). Clair reports the operating-system packages of
the image, so findings are tagged `vuln` (patching), not `dependency`.
Severity: Clair's Defcon1 and Critical → critical, High / Medium / Low as they are,
Negligible and Unknown → info.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.core.jsonio import guard
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    first_value,
    has_keys,
    need_json,
    rewind,
    rewindable,
)
from cityguard.ingest.util import first_of_each, head_text, iter_json, json_error, skip_bom
from cityguard.ingest.values import norm_severity, split_cves, unique_refs, upgrade_advice
from cityguard.model import Finding, Severity


@register
class Clair:
    name = "clair"
    tool = "clair"
    description = "Clair image vulnerabilities (clair-scanner and klar JSON)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "image", "unapproved", "vulnerabilities"):
            return 90
        if has_keys(text, "LayerCount", "Vulnerabilities"):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        if need_json(stream, source, "Clair") != "{":
            raise DataError(source, "not a Clair report (expected a JSON object)")
        image = first_value(stream, source, "image")
        if isinstance(image, str):  # clair-scanner
            records = iter_json(rewind(stream), source, "vulnerabilities.item")
            yield from first_of_each(self._findings(records, image, _SCANNER_KEYS, source))
        else:  # klar: one list per severity
            stem = PurePath(source).stem or "image"
            for _severity, items in _kvitems(rewind(stream), source, "Vulnerabilities"):
                if not isinstance(items, list):
                    raise DataError(source, "not a klar report (a severity is not a list)")
                yield from first_of_each(self._findings(iter(items), stem, _KLAR_KEYS, source))

    def _findings(self, records: Iterator[Any], image: str, keys: dict[str, str],
                  source: str) -> Iterator[Finding]:
        for rec in records:
            if not isinstance(rec, dict):
                raise DataError(source, "not a Clair report (a vulnerability is not an object)")
            yield self._finding({k: rec.get(v) for k, v in keys.items()}, image)

    def _finding(self, v: dict[str, Any], image: str) -> Finding:
        vid = str(v["id"] or "")
        package, version = str(v["package"] or ""), str(v["version"] or "")
        raw = str(v["severity"] or "")
        fixed = str(v["fixed"] or "")
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="image",
            asset_key=image,
            rule_id=vid,
            title=f"{vid} in {package} {version}",
            severity=_severity(raw),
            severity_raw=raw,
            # an advisory (RHSA-…) names its CVEs in the text
            cves=split_cves(vid) or split_cves(v["description"]),
            description=str(v["description"] or ""),
            solution=upgrade_advice(package, fixed),
            location=f"{package}@{version}",
            evidence=f"{package} {version} ({v['namespace'] or '?'})",
            references=unique_refs([v["link"]]),
            tags=("vuln",),
            extra={k: val for k, val in (("namespace", v["namespace"]), ("fixed_by", fixed))
                   if val},  # fmt: skip
        )


_SCANNER_KEYS = {"id": "vulnerability", "package": "featurename", "version": "featureversion",
                 "severity": "severity", "fixed": "fixedby", "namespace": "namespace",
                 "description": "description", "link": "link"}  # fmt: skip
_KLAR_KEYS = {"id": "Name", "package": "FeatureName", "version": "FeatureVersion",
              "severity": "Severity", "fixed": "FixedBy", "namespace": "NamespaceName",
              "description": "Description", "link": "Link"}  # fmt: skip


def _severity(raw: str) -> Severity:
    return Severity.CRITICAL if raw.strip().lower() == "defcon1" else norm_severity(raw)


def _kvitems(stream: BinaryIO, source: str, prefix: str) -> Iterator[tuple[str, Any]]:
    """(key, value) of the object at `prefix`, one member at a time (bounded nesting)."""
    import ijson

    try:
        yield from ijson.kvitems(guard(skip_bom(stream), source), prefix, use_float=True)
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None
