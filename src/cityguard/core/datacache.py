"""The one on-disk cache for parsed, validated data (catalog, checkmaps, check library).

Parsing and schema-validating the catalog (~1,000 items), the checkmaps and the check library
costs about half a second; a host assessment should take about a second. So the validated
result is pickled, keyed by a sha256 over the *content* of its source files (and their
paths), the caller's salt, and a stamp of the code the values depend on (version, and size
and mtime of the model, engine, loaders and schemas): an edited file, or edited or upgraded
code, misses. Only results that passed validation are stored (a `build` that raises stores
nothing).

Where: $CITYGUARD_CACHE (a directory), else $XDG_CACHE_HOME/cityguard, else
~/.cache/cityguard. `CITYGUARD_CACHE=off` disables it (`CITYGUARD_NO_CACHE=1`, the older
switch, still does). The cache is only an optimisation: one that cannot be read or written
is ignored, and a file not owned by this user or writable by others is never unpickled
(unpickling runs code).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from cityguard import __version__

T = TypeVar("T")

MISS: Any = object()  # load() on a miss
_OFF = ("off", "0", "no", "false")
_KEEP = 256  # entries per kind before the oldest are pruned


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is switched off."""
    raw = os.environ.get("CITYGUARD_CACHE", "").strip()
    if raw.lower() in _OFF:
        return None
    legacy = os.environ.get("CITYGUARD_NO_CACHE", "").strip()
    if legacy and legacy.lower() not in ("0", "no", "false"):
        return None
    if raw:
        return Path(raw).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cityguard"


# what the cached values depend on besides their sources: the classes they are made of
# (model, engine), the code that builds and validates them, and the JSON schemas
_STAMPED = ("model", "engine", "schemas", "core", "policy", "scoring")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """cityguard's version and the size and mtime of the modules cached values depend on."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for top in _STAMPED:
        here = root / top
        for f in sorted(here.rglob("*")) if here.is_dir() else [here]:
            if f.suffix in (".py", ".json") and "__pycache__" not in f.parts:
                try:
                    st = f.stat()
                except OSError:
                    continue
                h.update(f"\0{f}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A cache key over `parts` (texts, paths, salts) and the code stamp."""
    h = hashlib.sha256(code_stamp().encode())
    for p in parts:
        data = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _entry(kind: str, key: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / kind / f"{key[:40]}.pickle"


def load(kind: str, key: str) -> Any:
    """The value stored under (kind, key), or MISS."""
    path = _entry(kind, key)
    if path is None:
        return MISS
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return MISS  # someone else could have written it: never unpickle
            return pickle.load(fh)  # noqa: S301 - our own file, checked above
    except Exception:  # a missing, truncated or stale pickle is just a miss
        return MISS


def store(kind: str, key: str, value: Any) -> None:
    """Remember value under (kind, key); silently nothing when that is impossible."""
    import tempfile

    path = _entry(kind, key)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(path.parent)
    except Exception:  # a read-only home, a full disk, a value pickle refuses: no cache
        return


def _prune(d: Path) -> None:
    """Keep the newest entries of a kind: each edit of a source leaves one stale entry."""
    entries = list(d.glob("*.pickle"))
    if len(entries) <= _KEEP:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for p in entries[: len(entries) - _KEEP // 2]:
        p.unlink(missing_ok=True)


def files_key(kind: str, files: Sequence[Path], salt: str = "") -> str:
    """A key over the paths and contents of `files` (raises OSError when one is unreadable)."""
    parts: list[str | bytes] = [kind, salt]
    for f in files:
        parts += [str(f), f.read_bytes()]
    return digest(*parts)


def cached(kind: str, files: Sequence[Path], build: Callable[[], T], salt: str = "") -> T:
    """`build()` once per distinct content of `files`; later calls (and runs) unpickle it."""
    if cache_dir() is None:
        return build()
    try:
        key = files_key(kind, files, salt)
    except OSError:
        return build()  # let build() report the unreadable file
    value = load(kind, key)
    if value is MISS:
        value = build()
        store(kind, key, value)
    return value  # type: ignore[no-any-return]
