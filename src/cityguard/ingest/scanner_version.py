"""The scanner's own version, where the file states it (the report's scan table shows it).

An importer whose format records the version of the tool that wrote it either notes it while
parsing (`found_version`: SARIF's tool.driver of the first run) or declares where it is, as a
bytes pattern whose first group is the version (`version_pattern`); `version_in` names the
end of the file that holds it: "head" (nmap's `<nmaprun version=…>`, ZAP's report element,
GVM's `<gmp><version>`, Trivy's `Trivy.Version`) or "tail" (grype writes its `descriptor`
last). Only the first or last VERSION_WINDOW bytes are read, whatever the file's size; a file
that does not say gives "" (the report says 未记录, never a guess).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

VERSION_WINDOW = 64 * 1024
MAX_VERSION = 40  # characters: a version, not a paragraph
_CLEAN = re.compile(r"[^\w.+:~()\- ]")


def scanner_version(importer: Any, path: str | Path) -> str:
    """The version the file states for its scanner, or "" (call it after parsing)."""
    found = getattr(importer, "found_version", "")
    if found:
        return _clean(str(found))
    pattern: bytes | None = getattr(importer, "version_pattern", None)
    if not pattern:
        return ""
    where = getattr(importer, "version_in", "head")
    try:
        with Path(path).open("rb") as fh:
            if where == "tail":
                size = fh.seek(0, 2)
                fh.seek(max(0, size - VERSION_WINDOW))
            window = fh.read(VERSION_WINDOW)
    except OSError:
        return ""
    m = re.search(pattern, window, re.S)
    if m is None:
        return ""
    return _clean(m.group(1).decode("utf-8", "replace"))


def _clean(text: str) -> str:
    return _CLEAN.sub("", text.strip())[:MAX_VERSION]
