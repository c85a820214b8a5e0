"""Write a finished Assessment in the requested formats, atomically.

Renderers come from `cityguard.render.RENDERERS` when that registry exists; JSON is always
available (built in here), so `cityguard assess` works before any renderer is installed.
All files are rendered to temporary files first and renamed into place only when every
format succeeded: a failure never leaves a half-written report.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from cityguard.errors import UsageError
from cityguard.model import Assessment

DEFAULT_DIR = "cityguard-report"
BASENAME = "assessment"


class JsonRenderer:
    """The Assessment JSON document (schemas/assessment.schema.json)."""

    name = "json"
    extension = "json"

    def render(self, assessment: Assessment, out: BinaryIO, *, lang: str = "zh") -> None:
        from cityguard.model.serialize import assessment_to_dict

        text = json.dumps(assessment_to_dict(assessment), ensure_ascii=False, indent=2)
        out.write(text.encode("utf-8") + b"\n")


def _registry() -> Any:
    try:
        import cityguard.render as render
    except ImportError:
        return None
    return getattr(render, "RENDERERS", None)


def renderer(name: str) -> Any:
    reg = _registry()
    if reg is not None and name in reg:
        return reg.get(name)
    if name == "json":
        return JsonRenderer()
    known = sorted({"json", *(reg.names() if reg is not None else ())})
    raise UsageError(f"unknown format {name!r}; available: {', '.join(known)}")


def parse_formats(values: Sequence[str]) -> list[str]:
    """'json,html' and repeated flags → ['json', 'html'], each checked to exist."""
    out: list[str] = []
    for v in values:
        for f in str(v).split(","):
            f = f.strip().lower()
            if f and f not in out:
                renderer(f)
                out.append(f)
    return out or ["json"]


def plan_outputs(formats: Sequence[str], output: str | Path | None) -> list[tuple[str, Path]]:
    """(format, destination file) pairs following the --format / --output rules."""
    exts = {f: renderer(f).extension for f in formats}
    if output is None:
        return [(f, Path(DEFAULT_DIR) / f"{BASENAME}.{exts[f]}") for f in formats]
    out = Path(output)
    as_dir = out.is_dir() or str(output).endswith(("/", os.sep)) or len(formats) > 1
    if as_dir:
        if out.exists() and not out.is_dir():
            raise UsageError(f"--output {out} is a file; several formats need a directory")
        return [(f, out / f"{BASENAME}.{exts[f]}") for f in formats]
    return [(formats[0], out)]


def write_outputs(assessment: Assessment, formats: Sequence[str], output: str | Path | None,
                  *, lang: str = "zh") -> list[Path]:
    """Render every format, then move all files into place; returns the files written."""
    plan = plan_outputs(formats, output)
    staged: list[tuple[str, Path]] = []
    try:
        for fmt, dest in plan:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            staged.append((tmp, dest))
            with os.fdopen(fd, "wb") as fh:
                renderer(fmt).render(assessment, fh, lang=lang)
        for tmp, dest in staged:
            os.replace(tmp, dest)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or output}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [dest for _, dest in plan]
