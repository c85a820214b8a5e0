"""Checkov JSON (`checkov -o json`): one object per framework (`check_type`: terraform,
kubernetes, dockerfile, helm, secrets, …) in a list, or a single such object when one
framework ran, or a bare summary (`{"passed": 0, …, "resource_count": 0}`) when checkov found
nothing to check.

- failed checks are findings; passed checks are not; skipped checks (`#checkov:skip=`, the
  `checkov.io/skip` annotation) are kept with status "accepted" and the skip comment in
  extra["suppression"], as SARIF suppressions are: not open, still visible.
- identity and location as in checkov's SARIF (tool family `checkov`, asset "." = the scanned
  tree, `path:first line` of the resource), so the JSON and the SARIF of one run give the same
  findings. Checkov writes `file_path` relative to the scanned folder with a leading "/"
  ("/aws/db-app.tf" beside file_abs_path "/infra/terraform/aws/db-app.tf"): the "/" goes.
- severity: checkov's own `severity` where the platform filled it in; open-source runs leave
  it null, and then a failed check is medium by policy (severity_raw says so), as in SARIF.
- a bare summary (checkov found no file it could read) is a coverage gap, never an all-clear.

Streams failed/skipped checks one at a time (passed checks with their code blocks, often most
of the file, are never built).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.core.jsonio import guard
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_dict,
    as_list,
    has_keys,
    need_json,
    rewindable,
)
from cityguard.ingest.tooltags import rule_tags
from cityguard.ingest.util import first_of_each, head_text, json_error, skip_bom
from cityguard.ingest.values import (
    file_location,
    norm_path,
    norm_severity,
    redact,
    split_cves,
    split_cwes,
    suppressed_by,
    unique_refs,
)
from cityguard.model import Finding, Severity

_LISTS = {"failed_checks": "FAILED", "skipped_checks": "SKIPPED"}
_SUMMARY_KEYS = ("resource_count", "resourcecount")
_POLICY = "no severity given, medium by policy"


@register
class Checkov:
    name = "checkov"
    tool = "checkov"
    description = "Checkov JSON (every framework: terraform, kubernetes, dockerfile, helm, …)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text[:1] not in ("{", "["):
            return 0
        if has_keys(text, "check_type") and any_key(
            text, "failed_checks", "passed_checks", "skipped_checks", "checkov_version"
        ):
            return 95
        if text.startswith("{") and has_keys(text, "checkov_version") and any_key(
            text, *_SUMMARY_KEYS, "passed"
        ):
            return 85  # the bare summary of a run that found nothing to check
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "checkov")
        if first not in ("{", "["):
            return
        self.scanned = {(self.tool, ".")}
        state: dict[str, Any] = {}
        checks = _checks(stream, source, "item" if first == "[" else "", state)
        yield from first_of_each(self._finding(check, check_type, kind)
                                 for check_type, kind, check in checks)
        if first == "{" and not state["frameworks"] and not state.get("summary"):
            raise DataError(source, "not a checkov report (no check_type and no summary)")
        if not state["frameworks"] and state.get("summary"):
            summary = state["summary"]
            record(self, "nothing_scanned", source, detail=f"checkov "
                   f"{summary.get('checkov_version') or ''} found no resource to check".strip())

    def _finding(self, c: dict[str, Any], check_type: str, kind: str) -> Finding:
        check_id = str(c.get("check_id") or "")
        abs_path = str(c.get("file_abs_path") or "")
        raw_path = str(c.get("file_path") or c.get("repo_file_path") or "")
        if raw_path.startswith("/") and raw_path != abs_path:
            raw_path = raw_path[1:]  # relative to the scanned folder, written with a "/"
        path = norm_path(raw_path)
        lines = [x for x in as_list(c.get("file_line_range")) if isinstance(x, int)]
        line = lines[0] if lines and lines[0] > 0 else None
        resource = str(c.get("resource") or "")
        raw = str(c.get("severity") or "")
        severity = norm_severity(raw) if raw else Severity.MEDIUM
        result = as_dict(c.get("check_result"))
        code = "".join(str(x[1]) for x in as_list(c.get("code_block"))
                       if isinstance(x, list) and len(x) == 2)  # fmt: skip
        details = c.get("vulnerability_details") or {}
        hints = _hints(check_type, check_id, details)
        skipped = kind == "SKIPPED"
        extra: dict[str, Any] = {"line": line, "framework": check_type, "resource": resource,
                                 "check_class": c.get("check_class")}  # fmt: skip
        if lines and len(lines) > 1 and line:
            extra["end_line"] = lines[-1]
        if skipped:
            extra["suppression"] = suppressed_by(
                "checkov skip", str(result.get("suppress_comment") or "").strip())
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=".",
            rule_id=check_id,
            title=str(c.get("check_name") or check_id),
            severity=severity,
            severity_raw=raw or _POLICY,
            cves=split_cves([check_id, details.get("id") if isinstance(details, dict) else ""]),
            cwes=split_cwes(c.get("cwe") or c.get("cwes")),
            description=str(c.get("description") or c.get("check_name") or ""),
            solution=str(c.get("guideline") or ""),
            location=file_location(path, line),
            evidence=redact("\n".join(x for x in (file_location(path, line), resource,
                                                  code[:4000]) if x)),  # fmt: skip
            references=unique_refs([c.get("guideline")]),
            tags=rule_tags(self.tool, check_id, hints),
            status="accepted" if skipped else "open",
            extra=extra,
        )


def _hints(check_type: str, check_id: str, details: object) -> tuple[str, ...]:
    """What the framework says beyond "configuration": secrets, vulnerable packages."""
    kind = check_type.lower()
    if kind == "secrets" or "secret" in check_id.lower():
        return ("secret",)
    if kind.startswith("sca") or (isinstance(details, dict) and details.get("id")):
        return ("vuln", "dependency")
    return ()


def _checks(
    stream: BinaryIO, source: str, top: str, state: dict[str, Any]
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(check_type, FAILED|SKIPPED, check) for every failed or skipped check, streamed.

    `top` is "item" for the list form and "" for a single framework object. `state` learns
    how many frameworks were seen and the top-level summary of a bare-summary file.
    """
    import ijson
    from ijson.common import ObjectBuilder

    base = f"{top}." if top else ""
    wanted = {f"{base}results.{name}.item": kind for name, kind in _LISTS.items()}
    check_type, builder, building = "", None, ""
    state["frameworks"], summary = 0, {}
    stream.seek(0)
    try:
        for prefix, event, value in ijson.parse(guard(skip_bom(stream), source), use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == building and event == "end_map":
                    if isinstance(builder.value, dict):
                        yield check_type, wanted[building], builder.value
                    builder = None
                continue
            if prefix in wanted and event == "start_map":
                builder, building = ObjectBuilder(), prefix
                builder.event(event, value)
            elif prefix == f"{base}check_type" and event == "string":
                check_type = value
                state["frameworks"] += 1
            elif prefix and "." not in prefix and event in ("number", "string"):
                summary[prefix] = value  # the bare summary form: scalars at the top
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None
    if not state["frameworks"] and "checkov_version" in summary:
        state["summary"] = summary
