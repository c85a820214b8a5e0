"""Gitleaks JSON: v8 (RuleID, File, StartLine, Secret, Match …), v7 (rule, file, lineNumber,
offender, line …) and the older v6 shape (no line number). `null` is v7's "nothing found".

One finding per (rule, file, line): the same secret seen in several commits is one leak, the
commits are listed in the evidence. Severity: high (gitleaks has none; a leaked credential is
at least that). No secret value is stored: Secret/offender occurrences in Match/line become
"***" (no prefix is kept); author e-mails are dropped.
Asset: the repository when the report names one (v7 `repo`/`repoURL`), else "." — the scanned
tree (use one --system per repository).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import any_key, as_list, has_keys, iso_utc
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import file_location, redact
from cityguard.model import Finding, Severity


@register
class Gitleaks:
    name = "gitleaks"
    tool = "gitleaks"
    description = "Gitleaks JSON (v6, v7, v8); secrets are never stored"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if not text.startswith("["):
            return 0
        if has_keys(text, "RuleID") and any_key(text, "StartLine", "Secret", "Match"):
            return 90
        if has_keys(text, "offender", "rule") and any_key(text, "commit", "file"):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)  # reports are small: a list of leaks
        if data is None:
            return
        if not isinstance(data, list):
            raise DataError(source, "not a gitleaks report (expected a JSON array of leaks)")
        groups: dict[tuple[str, str, str, Any], list[dict[str, Any]]] = {}
        for leak in data:
            if not isinstance(leak, dict):
                continue
            rule = str(leak.get("RuleID") or leak.get("rule") or "")
            path = str(leak.get("File") or leak.get("file") or "")
            line = leak.get("StartLine", leak.get("lineNumber"))
            repo = str(leak.get("repoURL") or leak.get("repo") or "").strip()
            asset = repo if repo not in ("", ".") else "."
            groups.setdefault((asset, rule, path, line), []).append(leak)
        self.scanned = {(self.tool, key[0]) for key in groups} or {(self.tool, ".")}
        for (asset, rule, path, line), leaks in groups.items():
            yield self._finding(asset, rule, path, line, leaks)

    def _finding(
        self, asset: str, rule: str, path: str, line: Any, leaks: list[dict[str, Any]]
    ) -> Finding:
        first = leaks[0]
        secrets = [str(x.get(k) or "") for x in leaks for k in ("Secret", "offender")]
        match = str(first.get("Match") or first.get("line") or "").strip()
        commits = []
        for leak in leaks:
            commit = str(leak.get("Commit") or leak.get("commit") or "")[:12]
            who = str(leak.get("Author") or leak.get("author") or "")
            when = str(leak.get("Date") or leak.get("date") or "")
            if commit:
                commits.append(f"{commit} ({', '.join(x for x in (who, when) if x)})")
        evidence = redact(match, secrets)
        if commits:
            evidence += "\ncommits: " + "; ".join(commits)
        tags = first.get("Tags") if isinstance(first.get("Tags"), list) else str(
            first.get("tags") or "").split(",")  # fmt: skip
        dates = [iso_utc(x.get("Date") or x.get("date")) for x in leaks]
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind="repository",
            asset_key=asset,
            rule_id=rule,
            title=str(first.get("Description") or rule or "secret") + f" in {path}",
            severity=Severity.HIGH,
            severity_raw="",
            description=f"A secret matching rule {rule!r} is committed in {path}"
            + (f" at line {line}" if line else ""),
            solution="Revoke and rotate the secret first, then remove it from the code and "
            "the history (git filter-repo) and keep secrets in a vault.",
            location=file_location(path, line),
            evidence=evidence,
            tags=("secret",),
            # the commit date is when the secret entered the history, not when it was found
            extra={
                "committed": min((d for d in dates if d), default=None),
                "commits": len(leaks),
                "gitleaks_tags": [t.strip() for t in as_list(tags) if str(t).strip()],
            },  # fmt: skip
        )
