"""A content-addressed cache of check files that passed the schema.

Schema validation is the costliest part of loading the library (about half a second), and the
library rarely changes between runs. The key covers the file text and the composed schema, so
an edited file or a new probe parameter misses; invalid files are never cached. The cache lives
in $CITYGUARD_CACHE/checks, else $XDG_CACHE_HOME/cityguard/checks (~/.cache/…);
CITYGUARD_CACHE=off disables it. A read-only home just means no cache.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cityguard.engine.schema import check_schema

_CACHE_VERSION = "1"


def _cache_dir() -> Path | None:
    import os

    raw = os.environ.get("CITYGUARD_CACHE", "")
    if raw.lower() in ("off", "0", "no"):
        return None
    if raw:
        return Path(raw) / "checks"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cityguard" / "checks"


@lru_cache(maxsize=1)
def _schema_digest() -> str:
    import hashlib
    import json

    text = json.dumps(check_schema(), sort_keys=True)
    return hashlib.sha256(f"{_CACHE_VERSION}\0{text}".encode()).hexdigest()


def cache_key(text: str) -> str:
    import hashlib

    return hashlib.sha256(f"{_schema_digest()}\0{text}".encode()).hexdigest()


def cache_get(key: str) -> Any:
    import json

    d = _cache_dir()
    if d is None:
        return None
    try:
        return json.loads((d / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cache_put(key: str, data: Any) -> None:
    import json
    import os
    import tempfile

    d = _cache_dir()
    if d is None:
        return
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):  # YAML types JSON cannot hold (dates): just don't cache
        return
    try:
        sub = d / key[:2]
        sub.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=sub, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, sub / f"{key}.json")
    except OSError:
        return  # a read-only home: run without the cache


