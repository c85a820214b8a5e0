"""The findings filters of the dashboard (query string ↔ store filter), shared by the city's
findings page, a system's page and the JSON API.

Severity, state, tool, CVE, department and system are filters of the store's keyset pages
(store/findings_page.py). An MLPS unit (L3-CES1-01 …) is not a column of a finding: it follows
from the mapping rules and the system's level (ingest/mapping.py), so that filter is applied
to the rows as they are read, at most SCAN_LIMIT rows for one page; a page that stops there
says so and its "next" link goes on from where it stopped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from cityguard.core.errors import UsageError
from cityguard.ingest.mapping import load_rules, unit_ids_for
from cityguard.model import Finding
from cityguard.store.findings_page import RANKED, Cursor, FindingFilter, Page
from cityguard.store.findings_page import page as store_page
from cityguard.web.context import Context

FIELDS = ("severity", "status", "tool", "cve", "unit", "department", "system", "size")
_UNIT = re.compile(r"^L[1-4]-[A-Z]{3}\d-\d{2}$")
_CVE = re.compile(r"^CVE-\d{4}-\d{4,7}$", re.I)
SCAN_LIMIT = 5_000
PAGE_SIZE = 50


def filters(ctx: Context, *, system: str | None = None) -> tuple[FindingFilter, Cursor]:
    q = ctx.query
    severity = q.get("severity", "")
    if severity and severity not in RANKED:
        raise UsageError(f"unknown severity {severity[:20]!r}")
    status = q.get("status", "")
    cve = q.get("cve", "").strip()
    if cve and not _CVE.match(cve):
        raise UsageError(f"{cve[:30]!r} is not a CVE id (CVE-2024-12345)")
    unit = q.get("unit", "").strip().upper()
    if unit and not _UNIT.match(unit):
        raise UsageError(f"{unit[:30]!r} is not an MLPS unit id (L3-CES1-01)")
    statuses: tuple[str, ...] = ()
    if status == "active":
        statuses = ("open", "reopened")
    elif status:
        statuses = (status,)
    name = system if system is not None else q.get("system", "").strip()
    flt = FindingFilter(systems=(name,) if name else (), department=q.get("department", ""),
                        severities=(severity,) if severity else (), statuses=statuses,
                        tools=(q["tool"],) if q.get("tool") else (), cve=cve)
    return flt, Cursor.parse(q.get("after"))


def _size(ctx: Context) -> int:
    raw = ctx.query.get("size", "")
    return min(int(raw), 200) if raw.isdigit() and int(raw) > 0 else PAGE_SIZE


def page(ctx: Context, flt: FindingFilter, cursor: Cursor) -> Page:
    unit = ctx.query.get("unit", "").strip().upper()
    keep = None
    if unit:
        # a unit belongs to one level: the store keeps to systems of that level (and asks
        # the mapping once per distinct scanner rule, not once per row)
        level = int(unit[1])
        flt = replace(flt, level=level)
        rules = load_rules()

        def keep(f: Finding, system_level: int | None) -> bool:
            return unit in unit_ids_for(f, level, rules)

    return store_page(ctx.store.db, flt, cursor, _size(ctx), keep=keep, scan_limit=SCAN_LIMIT)


def form_values(ctx: Context) -> dict[str, str]:
    return {k: ctx.query.get(k, "") for k in FIELDS}


def next_url(ctx: Context, found: Page) -> str:
    if found.next is None:
        return ""
    params = {k: v for k, v in ctx.query.items() if k in (*FIELDS, "name") and v}
    params["after"] = found.next.token()
    return ctx.request.url.path + "?" + urlencode(params)


def finding_dict(f: Finding, found: Page | None = None) -> dict[str, Any]:
    """What the API gives for a finding of a list (no long texts, no quoted evidence)."""
    fid = int(f.id or 0)
    return {
        "id": fid, "system": f.extra.get("system"), "severity": f.severity.value,
        "title": f.title, "tool": f.tool, "asset": f.asset_key, "port": f.port,
        "rule_id": f.rule_id, "cves": list(f.cves), "status": f.status,
        "status_until": f.extra.get("status_until"), "first_seen": f.first_seen,
        "last_seen": f.last_seen, "fingerprint": f.fingerprint,
        "department": found.departments.get(fid) if found else None,
    }  # fmt: skip
