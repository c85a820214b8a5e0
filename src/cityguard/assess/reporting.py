"""Render a stored run again, or compare two runs (orchestration for `cityguard report`).

A run is named by its id, by `latest` (of `--system`, when given), or by the path of an
Assessment JSON file (`cityguard assess --format json`). Stored runs get the store's earlier
runs of the same system as their history (the trend); a file keeps the history it holds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.assess.outputs import parse_formats, plan_outputs, write_outputs
from cityguard.core import atomicfiles, jsonio, limits
from cityguard.core.errors import DataError
from cityguard.model import Assessment
from cityguard.model.serialize import assessment_from_dict
from cityguard.render import attach_history
from cityguard.render.diff import compare
from cityguard.store import default_path, open_store


def _looks_like_file(ref: str) -> bool:
    return ref.endswith(".json") or os.sep in ref or Path(ref).is_file()


def load_file(path: str | Path) -> Assessment:
    """An Assessment JSON document from a file; DataError naming the file when it is not one."""
    p = Path(path)
    if not p.exists():
        raise DataError(p, "no such file")
    # size, nesting depth and name length bounded before anything is built (core/jsonio)
    return _from_dict(jsonio.load_file(p, limits.MAX_WHOLE_JSON), p)


def _from_dict(doc: Any, where: Path | str) -> Assessment:
    if not isinstance(doc, dict) or "run_id" not in doc or "created" not in doc:
        raise DataError(where, "not an Assessment document (no run_id / created)")
    try:
        return assessment_from_dict(doc)
    except (KeyError, TypeError, ValueError) as exc:
        # the kind of failure only: the message would quote a key or value of the file
        raise DataError(where, f"not a valid Assessment document (a field is missing or "
                               f"malformed: {type(exc).__name__})") from None


def load_run(ref: str = "latest", *, system: str | None = None, store: str | None = None,
             history: bool = True) -> Assessment:
    """A stored run (id or `latest`) or an Assessment JSON file, with its trend history."""
    if _looks_like_file(ref):
        a = load_file(ref)
        store_path = Path(store) if store else default_path()
        if not history or not store_path.is_file():  # never create a store just to read one
            return a
        with open_store(store_path) as st:
            return attach_history(a, st.list_runs(system=a.system.name))
    with open_store(store) as st:
        doc = st.load_run(ref, system=system)
        a = _from_dict(doc, f"{st.path} (run {ref})")
        return attach_history(a, st.list_runs(system=a.system.name)) if history else a


def render_run(ref: str, formats: Sequence[str], output: str | None, *, lang: str = "zh",
               system: str | None = None, store: str | None = None) -> list[Path]:
    """Render one run in every format asked for; the files written (atomically)."""
    names = parse_formats(formats)
    plan_outputs(names, output)  # a bad --output fails before anything is read
    return write_outputs(load_run(ref, system=system, store=store), names, output, lang=lang)


def diff_runs(ref_a: str, ref_b: str, *, lang: str = "zh", system: str | None = None,
              store: str | None = None) -> Any:
    """The Diff (cityguard.render.diff) between two runs, `ref_a` before `ref_b`."""
    a = load_run(ref_a, system=system, store=store, history=False)
    b = load_run(ref_b, system=system, store=store, history=False)
    return compare(a, b, lang)


def write_file(path: str | Path, data: bytes) -> Path:
    """Write next to the target, then rename over it: nobody sees half a file (core.atomicfiles:
    private mode, stale temporary files of killed runs removed)."""
    return atomicfiles.write_atomic(path, data)
