"""Write a finished Assessment in the requested formats, atomically.

Renderers come from the `cityguard.render` registry. All files are rendered to temporary
files first and renamed into place only when every format succeeded: a failure never leaves
a half-written report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard import render
from cityguard.core.errors import UsageError
from cityguard.model import Assessment

DEFAULT_DIR = "cityguard-report"


def renderer(name: str) -> Any:
    """A renderer instance by format name (UnknownName, exit 2, lists the known ones)."""
    return render.get(name)


def parse_formats(values: Sequence[str]) -> list[str]:
    """'json,html' and repeated flags → ['json', 'html'], each checked to exist."""
    return list(render.expand_formats([v for v in values if str(v).strip()] or ["json"]))


def plan_outputs(formats: Sequence[str], output: str | Path | None) -> list[tuple[str, Path]]:
    """(format, destination file): `--output FILE` for one format, else a directory."""
    target = Path(output) if output is not None else Path(DEFAULT_DIR)
    if target.exists() and not target.is_dir() and (len(formats) > 1 or output is None):
        raise UsageError(f"--output {target} is a file; several formats need a directory")
    if output is None:  # the default is always the directory
        return [(f, target / render.RENDERERS.get(f).filename) for f in formats]
    return list(render.output_paths(formats, target).items())


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
