"""A small on-disk cache for parsed, validated data files (catalog, check library).

Parsing and schema-validating ~1,000 catalog items costs ~0.5 s; a full host assessment should
take about a second, so the validated result is pickled under the user's cache directory, keyed
by the cityguard version and every source file's path, size and mtime. Any change to a file, or
a new cityguard, misses the cache. Set CITYGUARD_NO_CACHE=1 to bypass it; a cache that cannot
be read or written is silently ignored (it is only ever an optimisation).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from cityguard import __version__

T = TypeVar("T")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cityguard"


def _key(kind: str, files: Sequence[Path]) -> str:
    h = hashlib.sha256(f"{kind}\0{__version__}".encode())
    for f in files:
        st = f.stat()
        h.update(f"\0{f.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def cached(kind: str, files: Sequence[Path], build: Callable[[], T]) -> T:
    """`build()` once per distinct set of source files; later calls read the pickle."""
    if os.environ.get("CITYGUARD_NO_CACHE"):
        return build()
    try:
        path = cache_dir() / f"{kind}-{_key(kind, files)}.pickle"
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file, keyed by content stats
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PickleError, NameError):
        pass
    return value
