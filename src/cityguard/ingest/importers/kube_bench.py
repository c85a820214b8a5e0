"""kube-bench JSON (`kube-bench --json`): CIS Kubernetes Benchmark results, a list of controls
(one per node type: master, etcd, controlplane, node, policies) or `{"Controls": […],
"Totals": …}` (kube-bench ≥ 0.6).

- FAIL → a finding: medium when the benchmark item is scored, low when not (kube-bench gives
  no severity of its own); tags compliance + config, so the MLPS baseline rules map it by
  what it is about (file permissions, audit logs, TLS …).
- WARN → kube-bench did not verify the item (a manual check, or it could not tell): an info
  finding tagged "not-checked" with its own location, as XCCDF's notchecked rules are, so it
  is listed as not checked and never reads as compliant.
- PASS / INFO are not findings.

Asset: the JSON does not name the node it ran on. The asset is the file name's stem (as for
Wazuh's per-agent exports): save one file per node with a stable name, e.g.
`kube-bench-master-1.json`. Identity: benchmark item number (`1.1.1`) and node type.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    any_key,
    as_list,
    has_keys,
    need_json,
    peek,
    rewind,
    rewindable,
)
from cityguard.ingest.util import head_text, iter_json
from cityguard.model import Finding, Severity


@register
class KubeBench:
    name = "kube_bench"
    tool = "kube-bench"
    description = "kube-bench JSON (CIS Kubernetes Benchmark)"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if text[:1] not in ("[", "{"):
            return 0
        if has_keys(text, "node_type") and any_key(text, "tests", "test_number", "total_fail"):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = need_json(stream, source, "kube-bench")
        if first == "{" and not has_keys(peek(stream, 4096), "Controls"):
            raise DataError(source, "not a kube-bench report (no Controls)")
        prefix = "Controls.item" if first == "{" else "item"
        asset = PurePath(source).stem or "kube-bench"
        self.scanned = {(self.tool, asset)}
        for control in iter_json(rewind(stream), source, prefix):
            if not isinstance(control, dict):
                raise DataError(source, "not a kube-bench report (a control is not an object)")
            node = str(control.get("node_type") or "")
            for group in as_list(control.get("tests")):
                for result in as_list(group.get("results") if isinstance(group, dict) else None):
                    status = str(result.get("status") or "").upper() if isinstance(
                        result, dict) else ""  # fmt: skip
                    if status in ("FAIL", "WARN"):
                        yield self._finding(asset, control, node, group, result, status)

    def _finding(self, asset: str, control: dict[str, Any], node: str, group: dict[str, Any],
                 r: dict[str, Any], status: str) -> Finding:  # fmt: skip
        number = str(r.get("test_number") or "")
        desc = str(r.get("test_desc") or "")
        failed = status == "FAIL"
        if failed:
            severity = Severity.MEDIUM if r.get("scored") else Severity.LOW
        else:
            severity = Severity.INFO
        evidence = "\n".join(x for x in (
            f"audit: {r.get('audit')}" if r.get("audit") else "",
            f"expected: {r.get('expected_result')}" if r.get("expected_result") else "",
            f"actual: {r.get('actual_value')}" if r.get("actual_value") else "",
            str(r.get("reason") or ""),
        ) if x)  # fmt: skip
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="host",
            asset_key=asset,
            rule_id=number,
            title=f"{number} {desc}".strip(),
            severity=severity,
            severity_raw=f"{status} ({'scored' if r.get('scored') else 'not scored'})",
            description=f"CIS Kubernetes Benchmark {control.get('version') or ''} "
            f"{control.get('text') or ''} / {group.get('desc') or ''}: {desc}",
            solution=str(r.get("remediation") or ""),
            location=node if failed else f"{node} not-checked",
            evidence=evidence[:4000],
            tags=("compliance", "config") if failed else ("compliance", "not-checked"),
            extra={"benchmark": control.get("version"), "node_type": node,
                   "section": group.get("section"), "type": r.get("type") or None},
        )  # fmt: skip
