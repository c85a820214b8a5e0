"""Reading one SARIF result: its message, primary location, identity suffix and suppression
(see sarif.py for the choices behind each). Kept apart so sarif.py stays the streaming walk."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import unquote, urlparse

from cityguard.ingest.importers._jsonio import as_dict, as_list, text_of
from cityguard.ingest.values import suppressed_by

MAX_TEXT = 4000  # characters of a message, description or evidence that are kept


def result_message(r: dict[str, Any], rule: dict[str, Any]) -> str:
    msg = as_dict(r.get("message"))
    text = str(msg.get("text") or "")
    if not text and msg.get("id"):
        strings = rule.get("messageStrings") or {}
        text = text_of(strings.get(msg["id"]))
    args = as_list(msg.get("arguments"))
    if args and "{" in text:
        text = re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))])
                      if int(m.group(1)) < len(args) else m.group(0), text)  # fmt: skip
    return text.strip()[:MAX_TEXT]


def primary_location(r: dict[str, Any]) -> tuple[str, int | None, str]:
    """(uri, startLine, snippet) of the primary location; logical name if no physical one."""
    for loc in as_list(r.get("locations")):
        if not isinstance(loc, dict):
            continue
        phys = loc.get("physicalLocation") or {}
        art = phys.get("artifactLocation") or {}
        region = phys.get("region") or {}
        uri = art.get("uri") or (f"artifacts[{art['index']}]" if "index" in art else "")
        if uri:
            snippet = text_of(region.get("snippet"))
            line = region.get("startLine")
            return clean_uri(str(uri)), line if isinstance(line, int) else None, snippet
        for logical in as_list(loc.get("logicalLocations")):
            if isinstance(logical, dict) and (logical.get("fullyQualifiedName") or
                                              logical.get("name")):  # fmt: skip
                return str(logical.get("fullyQualifiedName") or logical["name"]), None, ""
    web = as_dict(r.get("webRequest"))
    return str(web.get("target") or ""), None, ""


def clean_uri(uri: str) -> str:
    """file:///C:/x.c → C:/x.c; file:////src/a → /src/a; relative URIs unquoted as they are."""
    if "%" not in uri and ":" not in uri:
        return uri
    if uri.lower().startswith("file:"):
        path = unquote(urlparse(uri).path)
        path = "/" + path.lstrip("/")
        if re.match(r"/[A-Za-z]:/", path):
            path = path[1:]
        return path
    return unquote(uri)


_PLACEHOLDER = re.compile(r"\s|^(?:|none|null|n/a|unknown|todo|-+|0+)$", re.I)


class ProducerIdentity:
    """The producer's own fingerprint of a result, where it really tells results apart.

    SARIF producers may give `fingerprints` / `partialFingerprints` that survive lines
    moving (CodeQL's primaryLocationLineHash). Not every value is an identity: Semgrep
    without a login writes `"matchBasedId/v1": "requires login"` on every result, and a
    value can repeat within one file. A placeholder (blank, words with spaces, "none",
    zeros) is ignored, and a value already used for another result of the same file is
    ignored for the later one, so distinct results never merge; they then fall back to the
    line. 8 bytes are kept per result that has a fingerprint.
    """

    def __init__(self) -> None:
        self._used: set[int] = set()

    def suffix(self, r: dict[str, Any], uri: str) -> str:
        """'#<hash of the fingerprint>' for the identity, or '' (the line decides)."""
        for key in ("fingerprints", "partialFingerprints"):
            fps = r.get(key)
            if not isinstance(fps, dict):
                continue
            names = sorted(n for n, v in fps.items()
                           if isinstance(v, str) and not _PLACEHOLDER.search(v))  # fmt: skip
            if not names:
                continue
            name = "primaryLocationLineHash" if "primaryLocationLineHash" in names else names[0]
            digest = hashlib.sha256(f"{name}={fps[name]}".encode()).hexdigest()[:16]
            used = int(hashlib.blake2b(f"{uri}#{digest}".encode(), digest_size=8).hexdigest(), 16)
            if used in self._used:
                return ""
            self._used.add(used)
            return f"#{digest}"
        return ""


def suppression(r: dict[str, Any]) -> dict[str, Any] | None:
    """SARIF §3.27.23: suppressed when a suppression is accepted (or has no status) and none
    is under review or rejected."""
    if not r.get("suppressions"):
        return None
    sups = [s for s in as_list(r.get("suppressions")) if isinstance(s, dict)]
    statuses = [s.get("status") for s in sups]
    if not sups or any(s in ("underReview", "rejected") for s in statuses):
        return None
    if not any(s in (None, "accepted") for s in statuses):
        return None
    first = sups[0]
    return suppressed_by(first.get("kind"), first.get("justification"),
                         first.get("status") or "accepted")
