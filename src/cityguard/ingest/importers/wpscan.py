"""WPScan JSON (`wpscan --url URL -f json -o FILE`): one WordPress site per file.

Findings:
- every known vulnerability of the core version, the main theme, other themes and plugins:
  rule = its WPVulnDB id (else its first CVE, else its title), location `core`,
  `theme:<slug>`, `plugin:<slug>`; severity by its CVSS score where WPScan's API gave one,
  else **medium by policy** (a published, unfixed vulnerability of a running component);
- an outdated core (`status` insecure/outdated) or an outdated theme or plugin: low, rule
  `outdated`, the versions in the evidence;
- `interesting_findings` (rule = their `type`, location = their URL): info, except an
  upload or other directory listing (low), an exposed debug log or full path disclosure
  (medium) and anything that exposes backups;
- `config_backups` and `db_exports`: high, tagged as leaked secrets (they hold the database
  password);
- credentials found by `--passwords`: critical (default credentials); the password is never
  stored.
Asset: the site (`target_url` without its trailing "/"). A `scan_aborted` report (site down,
not WordPress, API limit) is a coverage gap, never an all-clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.gaps import record
from cityguard.ingest.importers._jsonio import as_dict, as_list, has_keys
from cityguard.ingest.importers._xmlkit import epoch_iso, merge_same
from cityguard.ingest.util import decode_json, head_text
from cityguard.ingest.values import split_cves, to_float
from cityguard.model import Finding, Severity, severity_from_cvss

_POLICY = "no severity given, medium by policy"
_INTERESTING = {"upload_directory_listing": Severity.LOW, "directory_listing": Severity.LOW,
                "debug_log": Severity.MEDIUM, "full_path_disclosure": Severity.MEDIUM,
                "backup_db": Severity.HIGH, "duplicator_installer_log": Severity.MEDIUM,
                "tmm_db_migrate": Severity.HIGH}  # fmt: skip


@register
class Wpscan:
    name = "wpscan"
    tool = "wpscan"
    description = "WPScan JSON (-f json): WordPress core, theme and plugin vulnerabilities"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        if (
            text.startswith("{")
            and has_keys(text, "banner", "target_url")
            and ("WPScan" in text or has_keys(text, "interesting_findings"))
        ):
            return 95
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        data = decode_json(stream, source)
        if not isinstance(data, dict) or "target_url" not in data:
            raise DataError(source, "not a WPScan report (no target_url)")
        site = str(data.get("target_url") or "").strip().rstrip("/") or "unknown"
        self.scanned = {(self.tool, site)}
        if data.get("scan_aborted"):
            record(self, "scan_failed", source, detail=str(data["scan_aborted"])[:300])
            return
        self.site, self.when = site, epoch_iso(data.get("start_time"))
        found: list[Finding] = []
        for where, component in _components(data):
            found += [self._vuln(where, v) for v in as_list(component.get("vulnerabilities"))
                      if isinstance(v, dict)]  # fmt: skip
            outdated = _outdated(where, component)
            if outdated:
                found.append(self._make("outdated", f"{where} is out of date", Severity.LOW,
                                        "", where, outdated, ("vuln",)))  # fmt: skip
        for item in as_list(data.get("interesting_findings")):
            if isinstance(item, dict):
                kind = str(item.get("type") or "interesting")
                found.append(self._make(kind, str(item.get("to_s") or kind),
                                        _INTERESTING.get(kind, Severity.INFO), "",
                                        str(item.get("url") or kind), "", ("web",)))  # fmt: skip
        for key in ("config_backups", "db_exports"):
            entries = as_dict(data.get(key))
            for url in entries:
                found.append(self._make(key, f"Exposed {key.replace('_', ' ')}: {url}",
                                        Severity.HIGH, "", url, "", ("web", "secret")))  # fmt: skip
        attack = (
            as_dict(data.get("password_attack"))
        )
        for user in attack:
            found.append(self._make("weak-password", f"Weak password of WordPress user {user}",
                                    Severity.CRITICAL, "", f"user:{user}",
                                    "WPScan logged in with a password from its list",
                                    ("web", "secret")))  # fmt: skip
        yield from merge_same(found)

    def _make(self, rule: str, title: str, severity: Severity, raw: str, location: str,
              evidence: str, tags: tuple[str, ...], **more: Any) -> Finding:  # fmt: skip
        return Finding(tool=self.tool, format=self.name, asset_kind="url", asset_key=self.site,
                       rule_id=rule, title=title, severity=severity, severity_raw=raw,
                       location=location, evidence=evidence, tags=tags, first_seen=self.when,
                       last_seen=self.when,
                       **more)  # fmt: skip

    def _vuln(self, where: str, v: dict[str, Any]) -> Finding:
        refs = as_dict(v.get("references"))
        cves = split_cves([f"CVE-{c}" if str(c)[:1].isdigit() else c for c in
                           as_list(refs.get("cve"))])  # fmt: skip
        wpvulndb = [str(x) for x in as_list(refs.get("wpvulndb")) if x]
        title = str(v.get("title") or "")
        cvss = as_dict(v.get("cvss"))
        score = to_float(cvss.get("score"))
        fixed = str(v.get("fixed_in") or "")
        return self._make(
            wpvulndb[0] if wpvulndb else (cves[0] if cves else title),
            title, severity_from_cvss(score) if score is not None else Severity.MEDIUM,
            f"cvss {score}" if score is not None else _POLICY, where,
            f"{where}: {title}" + (f" (fixed in {fixed})" if fixed else ""), ("vuln", "web"),
            cves=cves, cvss_score=score, cvss_vector=str(cvss.get("vector") or "") or None,
            solution=f"Update {where} to {fixed} or later." if fixed else "",
            references=tuple(str(u) for u in as_list(refs.get("url")) if u)
            + tuple(f"https://wpscan.com/vulnerability/{w}" for w in wpvulndb),
        )  # fmt: skip


def _components(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data.get("version"), dict):
        yield "core", data["version"]
    main = data.get("main_theme") if isinstance(data.get("main_theme"), dict) else None
    if main:
        yield f"theme:{main.get('slug') or '?'}", main
    for kind, key in (("theme", "themes"), ("plugin", "plugins")):
        block = as_dict(data.get(key))
        for slug, component in block.items():
            if isinstance(component, dict) and not (main and kind == "theme"
                                                    and slug == main.get("slug")):  # fmt: skip
                yield f"{kind}:{slug}", component


def _outdated(where: str, c: dict[str, Any]) -> str:
    """'5.2.2 (latest 5.8)' when WPScan says the component is out of date, else ''."""
    version = as_dict(c.get("version"))
    number = str(c.get("number") or version.get("number") or "?")
    if where == "core":
        status = str(c.get("status") or "")
        return f"{number} ({status})" if status in ("insecure", "outdated") else ""
    if c.get("outdated") is True:
        return f"{number} (latest {c.get('latest_version') or '?'})"
    return ""
