"""Reports: one renderer per format behind one protocol (render/base.py), found by name.

Every module of `render/formats/` is a renderer module that registers itself; adding a format
is adding one file there. Helpers shared by the formats live beside this file. Renderer
modules import their heavy libraries (jinja2, openpyxl) inside `render`, so loading the
registry stays cheap.

    RENDERERS                      the registry (name → renderer class)
    get(name) -> Renderer          an instance, or UnknownName (exit 2) listing the known names
    expand_formats("html,csv")     ["html", "csv_findings", "csv_items"] (aliases: csv, all)
    render_bytes(a, name, lang)    the document as bytes
    output_paths(formats, output)  where each format goes (used by cityguard.assess.outputs)

Writing files (atomically, every format rendered before any is moved into place) is
cityguard.outputs.write_outputs, shared by `assess` and `report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

from cityguard.core.errors import UnknownName, UsageError
from cityguard.core.registry import import_modules
from cityguard.model import Assessment
from cityguard.render import formats
from cityguard.render.base import LANGS, RENDERERS, Renderer, register

__all__ = [
    "ALIASES",
    "LANGS",
    "RENDERERS",
    "Renderer",
    "attach_history",
    "expand_formats",
    "get",
    "names",
    "output_paths",
    "register",
    "render_bytes",
]

#: format names that stand for several renderers
ALIASES: dict[str, tuple[str, ...]] = {"csv": ("csv_findings", "csv_items")}

import_modules(formats.__name__, formats.__path__)  # each format module registers itself


def get(name: str) -> Renderer:
    return RENDERERS.get(name)()


def names() -> list[str]:
    return RENDERERS.names()


def expand_formats(spec: str | Iterable[str]) -> list[str]:
    """'html,xlsx' or ['html', 'csv'] → renderer names, in order, without repeats.

    `csv` means both CSV files, `all` every format. An unknown name is UnknownName (exit 2).
    """
    parts = spec.split(",") if isinstance(spec, str) else [p for s in spec for p in s.split(",")]
    out: list[str] = []
    for raw in parts:
        name = raw.strip().lower()
        if not name:
            continue
        if name != "all" and name not in ALIASES and name not in RENDERERS:
            # the error lists what --format accepts, aliases (csv, all) included
            raise UnknownName("report format", name, [*names(), *ALIASES, "all"])
        expanded = names() if name == "all" else ALIASES.get(name, (name,))
        for n in expanded:
            RENDERERS.get(n)
            if n not in out:
                out.append(n)
    if not out:
        raise UsageError(f"no report format given; known: {', '.join(names())}")
    return out


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UsageError(f"--lang must be one of {', '.join(LANGS)} (got {lang!r})")


def render_bytes(assessment: Assessment, name: str, *, lang: str = "zh") -> bytes:
    _check_lang(lang)
    buf = BytesIO()
    get(name).render(assessment, buf, lang=lang)
    return buf.getvalue()


def output_paths(formats: Sequence[str], output: str | Path) -> dict[str, Path]:
    """Where each format goes.

    `output` is a directory (created when missing) holding each format under its default file
    name (assessment.html, assessment.xlsx, findings.csv …) — except when exactly one format
    is asked for and `output` is not an existing directory but has a file suffix: then it is
    the file itself (`--format html --output report.html`).
    """
    out = Path(output)
    if len(formats) == 1 and not out.is_dir() and out.suffix:
        return {formats[0]: out}
    return {name: out / RENDERERS.get(name).filename for name in formats}


def attach_history(assessment: Assessment, runs: Sequence[dict[str, Any]]) -> Assessment:
    """The Assessment with earlier stored runs as its history, when it carries none itself.

    `runs` are store summaries (run_id, created, conclusion, score, compliance_rate); only
    runs of the same system created before this one are kept, oldest first.
    """
    if assessment.history:
        return assessment
    earlier = [
        dict(r) for r in runs
        if r.get("run_id") != assessment.run_id
        and str(r.get("created", "")) < assessment.created
        and r.get("system", assessment.system.name) == assessment.system.name
    ]  # fmt: skip
    earlier.sort(key=lambda r: str(r.get("created", "")))
    return replace(assessment, history=earlier) if earlier else assessment
