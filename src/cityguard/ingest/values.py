"""Values shared by the importers: severity scales, numbers, CVE/CWE ids, secret redaction.

Kept apart from util (the streaming readers) so each stays small; importers take readers from
util and value clean-up from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cityguard.core.redact import MASK, redact_text
from cityguard.model import Severity, severity_from_cvss

_WORDS = {
    "critical": Severity.CRITICAL, "urgent": Severity.CRITICAL,
    "high": Severity.HIGH, "serious": Severity.HIGH, "error": Severity.HIGH,
    "medium": Severity.MEDIUM, "moderate": Severity.MEDIUM, "warning": Severity.MEDIUM,
    "low": Severity.LOW, "minimal": Severity.LOW, "note": Severity.LOW,
}  # fmt: skip
_SCALES = {
    "nessus": (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL),
    "zap": (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH),
    # Qualys 1 minimal … 5 urgent (scan-formats.md §1, DefectDojo's current mapping)
    "qualys": (Severity.INFO, Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
               Severity.CRITICAL),
}  # fmt: skip
#: the levels of linters and code scanners (hadolint, semgrep, tfsec's legacy field): an error
#: is high, a warning medium, an info low; each importer says what its other words mean
LINT_LEVELS = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "info": Severity.LOW}


def norm_severity(raw: object, scale: str = "word") -> Severity:
    """A scanner's severity on the common 5-level scale.

    scale "word": critical/high/medium|moderate/low, everything else (info, informational,
    negligible, unknown, untriaged, "-", none, "") → info. "cvss": a 0–10 score by the FIRST
    bands. "nessus" 0–4, "qualys" 1–5, "zap" 0–3: the numeric scales of scan-formats.md §1.
    """
    if raw is None:
        return Severity.INFO
    if scale == "cvss":
        return severity_from_cvss(to_float(raw))
    if scale in _SCALES:
        n = to_int(raw)
        table = _SCALES[scale]
        if n is None or n < 0:
            return Severity.INFO
        return table[min(n, len(table) - 1)]
    return _WORDS.get(str(raw).strip().lower(), Severity.INFO)


def severity_or_cvss(raw: str, score: float | None) -> Severity:
    """The scanner's own severity word; where it gives none, the FIRST band of its CVSS score."""
    return norm_severity(raw) if raw else severity_from_cvss(score)


def to_float(value: object) -> float | None:
    """A number from int/float/str ("7.5", " 9 "), else None (also for "", "-", "N/A")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def to_int(value: object) -> int | None:
    f = to_float(value)
    return int(f) if f is not None and f == f else None  # f == f: not NaN


_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.I)
_CWE = re.compile(r"(?:.*?cwe[-_/ :]*)?(\d+)", re.I | re.S)


def split_cves(text: object) -> tuple[str, ...]:
    """Every CVE id in a string or list, upper-cased, de-duplicated in order."""
    if text is None:
        return ()
    if isinstance(text, (list, tuple, set)):
        text = " ".join(str(t) for t in text if t)
    return tuple(dict.fromkeys(m.upper() for m in _CVE.findall(str(text))))


def split_cwes(values: object) -> tuple[str, ...]:
    """CWE ids as "CWE-79" from 79, "79", "CWE-79", "external/cwe/cwe-79"; -1/0/junk dropped."""
    if values is None:
        return ()
    items = values if isinstance(values, (list, tuple, set)) else re.split(r"[,;\s]+", str(values))
    out: dict[str, None] = {}
    for item in items:
        m = _CWE.fullmatch(str(item).strip())
        if m and int(m.group(1)) > 0:
            out[f"CWE-{int(m.group(1))}"] = None
    return tuple(out)


REDACTED = MASK  # "***"


def redact(text: str | None, secrets: Iterable[str | None] = ()) -> str:
    """`text` with each known secret value and common credential shapes replaced by "***".

    No prefix of a secret is kept: a prefix narrows a brute-force search and links leaks.
    """
    if not text:
        return ""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return redact_text(text)  # the one redaction (core.redact): shapes, keys, command lines


def norm_path(path: str | None, root: str = "") -> str:
    """A source path as every format of a tool must give it: forward slashes, no `./` and no
    duplicate `/`, relative to the scan root when the root is known and the path is under it.

    bandit JSON writes "./service.py", its SARIF "service.py"; Windows runs write "a\\b.py":
    all name one file, and the file is part of a finding's identity.
    """
    text = (path or "").strip().replace("\\", "/")
    if not text:
        return ""
    if root:
        base = norm_path(root).rstrip("/") + "/"
        if text.startswith(base):
            text = text[len(base):]
    text = re.sub(r"/{2,}", "/", text)
    text = re.sub(r"(^|/)(\./)+", r"\1", text)
    while text.startswith("./"):
        text = text[2:]
    return "." if text in ("", ".") else text.removesuffix("/.")


def first_line(text: str, limit: int = 200) -> str:
    """The first line of a tool's message, at most `limit` characters: a finding's title or
    raw severity from prose ("" for no text)."""
    lines = text.splitlines()
    return lines[0][:limit] if lines else ""


def suppressed_by(kind: str | None, justification: str | None = None,
                  status: str = "accepted") -> dict[str, str | None]:
    """The `suppression` of a finding's extra: what silenced it in the tool (a nosec comment,
    a mute list, a dismissal), the triage status it stands for, and the reason if given."""
    return {"kind": kind, "status": status, "justification": justification}


def file_location(path: str, line: object) -> str:
    """Where in a scanned tree a finding is: "path:line", or the path alone without a line."""
    return f"{path}:{line}" if line else path


def unique_refs(values: Iterable[object]) -> tuple[str, ...]:
    """A finding's references: each given value as text, in order, empty ones and repeats
    left out."""
    return tuple(dict.fromkeys(str(v) for v in values if v))


def upgrade_advice(package: str, fixed: str) -> str:
    """The remedy of a vulnerable package when the scanner names the fixed version(s):
    "Upgrade openssl to 3.0.8" ("" when no fixed version is known)."""
    return f"Upgrade {package} to {fixed}" if fixed else ""
