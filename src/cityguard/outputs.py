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


def _render() -> Any:
    """The render package when it provides its registry, else None (built-in JSON only)."""
    try:
        import cityguard.render as render
    except ImportError:
        return None
    return render if hasattr(render, "RENDERERS") else None


def renderer(name: str) -> Any:
    """A renderer instance by format name."""
    render = _render()
    if render is not None and name in render.RENDERERS:
        found = render.RENDERERS.get(name)
        return found() if isinstance(found, type) else found
    if name == "json":
        return JsonRenderer()
    known = sorted({"json", *(render.RENDERERS.names() if render is not None else ())})
    raise UsageError(f"unknown format {name!r}; available: {', '.join(known)}")


def parse_formats(values: Sequence[str]) -> list[str]:
    """'json,html' and repeated flags → ['json', 'html'], each checked to exist."""
    values = [v for v in values if str(v).strip()] or ["json"]
    render = _render()
    if render is not None and hasattr(render, "expand_formats"):
        return list(render.expand_formats(values))
    out: list[str] = []
    for v in values:
        for f in str(v).split(","):
            f = f.strip().lower()
            if f and f not in out:
                renderer(f)
                out.append(f)
    return out


def plan_outputs(formats: Sequence[str], output: str | Path | None) -> list[tuple[str, Path]]:
    """(format, destination file): `--output FILE` for one format, else a directory."""
    target = Path(output) if output is not None else Path(DEFAULT_DIR)
    if target.exists() and not target.is_dir() and (len(formats) > 1 or output is None):
        raise UsageError(f"--output {target} is a file; several formats need a directory")
    render = _render()
    if render is not None and hasattr(render, "output_paths"):
        if output is None:  # the default is always the directory
            return [(f, target / render.RENDERERS.get(f).filename) for f in formats]
        return list(render.output_paths(formats, target).items())
    if output is not None and len(formats) == 1 and not target.is_dir() \
            and not str(output).endswith(("/", os.sep)):
        return [(formats[0], target)]
    return [(f, target / f"{BASENAME}.{renderer(f).extension}") for f in formats]


def write_outputs(assessment: Assessment, formats: Sequence[str], output: str | Path | None,
                  *, lang: str = "zh") -> list[Path]:
    """Render every format first, then move the files into place; returns the files written."""
    plan = plan_outputs(formats, output)
    staged: list[tuple[str, Path]] = []
    try:
        for fmt, dest in plan:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            staged.append((tmp, dest))
            with os.fdopen(fd, "wb") as fh:
                renderer(fmt).render(assessment, fh, lang=lang)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report gets the usual mode
        for tmp, dest in staged:
            os.replace(tmp, dest)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or output}: {exc.strerror or exc}") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [dest for _, dest in plan]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
