"""TruffleHog JSON: v3 (`trufflehog git|github|filesystem … --json`, one object per line with
SourceMetadata, DetectorName, Verified, Raw …) and the older v2 (`trufflehog --json`, one
object per line with reason, path, commitHash, stringsFound).

One finding per leak, not per commit: v3 by (repository, detector, file, line), v2 by
(reason, file) — v2 gives no line. The commits that carry it are listed in the evidence, the
earliest commit time is kept as extra["committed"].
Asset: the repository the source names (`.git` and a trailing "/" dropped, so a `git` and a
`github` scan of one repository agree), else "." — the scanned tree.
Severity: a secret TruffleHog verified as live against its service is critical; any other
leaked credential is high (v2 never verifies).
No secret reaches the store: Raw/RawV2/Redacted and v2's stringsFound, diff and printDiff are
never copied; the evidence names detector, file, line and commits only (core/redact.py is
applied to what is left). Author e-mails are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import has_keys, iso_utc
from cityguard.ingest.util import head_text, iter_json_lines
from cityguard.ingest.values import norm_path, redact, to_int
from cityguard.model import Finding, Severity

_SOLUTION = (
    "Revoke and rotate the secret first, then remove it from the code and the history "
    "(git filter-repo) and keep secrets in a vault."
)


@dataclass
class _Leak:
    """What is kept of one leak while the file is read: no secret, only where and when."""

    asset: str
    rule: str
    path: str
    line: int | None
    verified: bool = False
    commits: dict[str, str] = field(default_factory=dict)  # commit → time
    source: str = ""


@register
class Trufflehog:
    name = "trufflehog"
    tool = "trufflehog"
    description = "TruffleHog JSON (v3 and v2, one result per line); secrets are never stored"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("{"):
            return 0
        if has_keys(text, "SourceMetadata", "DetectorName"):
            return 95
        if has_keys(text, "reason", "stringsFound") and has_keys(text, "commitHash"):
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        leaks: dict[tuple[str, str, str, int | None], _Leak] = {}
        for number, item in enumerate(iter_json_lines(stream, source), 1):
            if not isinstance(item, dict):
                raise DataError(source, "not a TruffleHog result (not a JSON object)", line=number)
            if "DetectorName" in item or "SourceMetadata" in item:
                leak = _v3(item)
            elif "reason" in item and "path" in item:
                leak = _v2(item)
            else:
                raise DataError(
                    source, "not a TruffleHog result (no DetectorName or reason)", line=number
                )
            key = (leak.asset, leak.rule, leak.path, leak.line)
            kept = leaks.setdefault(key, leak)
            if kept is not leak:
                kept.verified = kept.verified or leak.verified
                kept.commits.update(leak.commits)
        self.scanned = {(self.tool, k[0]) for k in leaks} or {(self.tool, ".")}
        for leak in leaks.values():
            yield self._finding(leak)

    def _finding(self, leak: _Leak) -> Finding:
        where = f"{leak.path}:{leak.line}" if leak.line else leak.path
        commits = [f"{c[:12]} ({t})" if t else c[:12] for c, t in leak.commits.items() if c]
        state = "verified live" if leak.verified else "unverified"
        evidence = f"{leak.rule} secret ({state}) at {where or leak.asset}"
        if commits:
            evidence += "\ncommits: " + "; ".join(commits)
        times = sorted(t for t in (iso_utc(_iso(x)) for x in leak.commits.values()) if t)
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=leak.asset,
            rule_id=leak.rule,
            title=f"{leak.rule} secret in {leak.path or leak.asset}",
            severity=Severity.CRITICAL if leak.verified else Severity.HIGH,
            severity_raw="verified" if leak.verified else "unverified",
            description=f"A {leak.rule} credential is committed in {where or leak.asset}"
            + (" and TruffleHog verified it is live" if leak.verified else ""),
            solution=_SOLUTION,
            location=where,
            evidence=redact(evidence),
            tags=("secret",),
            extra={
                "line": leak.line,
                "verified": leak.verified,
                "commits": len(leak.commits),
                "committed": times[0] if times else None,
                "source_name": leak.source,
            },
        )


def _v3(item: dict[str, Any]) -> _Leak:
    data = (item.get("SourceMetadata") or {}).get("Data") or {}
    where = next((v for v in data.values() if isinstance(v, dict)), {}) if isinstance(
        data, dict
    ) else {}  # fmt: skip
    line = to_int(where.get("line"))
    leak = _Leak(
        asset=_repository(where.get("repository") or where.get("link") or ""),
        rule=str(item.get("DetectorName") or item.get("DetectorType") or "secret"),
        path=norm_path(str(where.get("file") or where.get("path") or "")),
        line=line if line and line > 0 else None,
        verified=item.get("Verified") is True,
        source=str(item.get("SourceName") or ""),
    )
    commit = str(where.get("commit") or "")
    if commit:
        leak.commits[commit] = str(where.get("timestamp") or "")
    return leak


def _v2(item: dict[str, Any]) -> _Leak:
    leak = _Leak(asset=".", rule=str(item.get("reason") or "secret"),
                 path=norm_path(str(item.get("path") or "")), line=None)  # fmt: skip
    commit = str(item.get("commitHash") or "")
    if commit:
        leak.commits[commit] = str(item.get("date") or "")
    return leak


def _repository(text: str) -> str:
    """https://github.com/o/r.git and https://github.com/o/r name one repository."""
    text = text.strip()
    if "/blob/" in text:  # a `link` to a file: the repository is before /blob/
        text = text.split("/blob/", 1)[0]
    text = text.rstrip("/").removesuffix(".git")
    return text or "."


def _iso(text: str) -> str:
    """'2022-06-16 10:17:40 -0700 -0700' (git, Go's time format) → ISO 8601 '…T…-07:00'."""
    parts = text.split()
    if len(parts) >= 3 and len(parts[2]) == 5 and parts[2][0] in "+-":
        return f"{parts[0]}T{parts[1]}{parts[2][:3]}:{parts[2][3:]}"
    return "T".join(parts[:2]) if len(parts) >= 2 else text
