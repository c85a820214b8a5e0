"""ArcSight CEF: `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`.

Header fields escape `\\` and `|`; extension values escape `\\` and `=` and carry line breaks as
the two characters `\\n`, so no value can end the record or start a field of its own.
"""

from __future__ import annotations

import re

from cityguard import __version__
from cityguard.notify.siem.records import Record

SEVERITY = {"info": 1, "low": 3, "medium": 5, "high": 8, "critical": 10}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
MAX_VALUE = 1023


def header(value: object) -> str:
    text = _CONTROL.sub(" ", str(value)).replace("\r", " ").replace("\n", " ")
    return text.replace("\\", "\\\\").replace("|", "\\|")[:MAX_VALUE]


def ext(value: object) -> str:
    text = _CONTROL.sub(" ", str(value))[:MAX_VALUE]
    return (text.replace("\\", "\\\\").replace("=", "\\=").replace("\r\n", "\\n")
            .replace("\n", "\\n").replace("\r", "\\r"))


def _pairs(record: Record) -> list[tuple[str, object]]:
    d = record.data
    status = d.get("status") or d.get("verdict") or ""
    pairs: list[tuple[str, object]] = [
        ("rt", int(record.time * 1000)), ("externalId", record.uid),
        ("cs1Label", "system"), ("cs1", record.system),
        ("cs2Label", "status"), ("cs2", status),
    ]
    asset = d.get("asset") or d.get("asset_key")
    if asset:
        pairs.append(("dhost", asset))
    units = d.get("unit_ids") or ([d["unit_id"]] if d.get("unit_id") else [])
    if units:
        pairs += [("cs3Label", "mlps_units"), ("cs3", ",".join(map(str, units)))]
    if d.get("cves"):
        pairs += [("cs4Label", "cves"), ("cs4", ",".join(d["cves"][:20]))]
    if d.get("level"):
        pairs += [("cs5Label", "mlps_level"), ("cs5", d["level"])]
    if d.get("port"):
        pairs.append(("dpt", d["port"]))
    pairs.append(("msg", d.get("text") or d.get("title") or d.get("title_zh") or
                  d.get("summary_zh") or ""))
    return pairs


def to_cef(record: Record) -> str:
    d = record.data
    name = (d.get("title") or d.get("title_zh") or d.get("summary_zh") or d.get("check_id")
            or d.get("unit_id") or d.get("case_id") or record.kind)
    sig = (d.get("rule_id") or d.get("check_id") or d.get("unit_id") or d.get("case_id")
           or record.kind)
    severity = d.get("severity") or ("critical" if record.kind == "high_risk" else "info")
    head = "|".join(["CEF:0", "cityguard", "cityguard", header(__version__),
                     header(f"{record.kind}:{sig}"), header(name),
                     str(SEVERITY.get(str(severity), 0))])
    extension = " ".join(f"{k}={ext(v)}" for k, v in _pairs(record) if v not in (None, ""))
    return f"{head}|{extension}"
