"""Write a finished Assessment in the requested formats, atomically.

Renderers come from the `cityguard.render` registry. All files are rendered to temporary
files first and renamed into place only when every format succeeded: a failure never leaves
a half-written report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard import render
from cityguard.core import atomicfiles
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
    atomicfiles.file_mode()  # a bad CITYGUARD_REPORT_MODE fails before anything runs
    target = Path(output) if output is not None else Path(DEFAULT_DIR)
    if target.exists() and not target.is_dir() and (len(formats) > 1 or output is None):
        raise UsageError(f"--output {target} is a file; several formats need a directory")
    if output is None:  # the default is always the directory
        return [(f, target / render.RENDERERS.get(f).filename) for f in formats]
    return list(render.output_paths(formats, target).items())


def write_outputs(assessment: Assessment, formats: Sequence[str], output: str | Path | None,
                  *, lang: str = "zh") -> list[Path]:
    """Render every format first, then move the files into place; returns the files written.

    Files are private (core.atomicfiles: 0600 in folders created 0700, CITYGUARD_REPORT_MODE
    to share them), and temporary files that a killed run left in those folders are removed.
    """
    plan = plan_outputs(formats, output)
    staged: list[atomicfiles.Staged] = []
    try:
        for folder in dict.fromkeys(dest.parent for _, dest in plan):
            atomicfiles.make_dirs(folder)
            atomicfiles.remove_stale_temps(folder, _our_names(plan))
        for fmt, dest in plan:
            staged.append(atomicfiles.Staged(dest))
            renderer(fmt).render(assessment, staged[-1].fh, lang=lang)
        for s in staged:
            s.commit()
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or output}: {exc.strerror or exc}") from None
    finally:
        for s in staged:
            s.discard()
    return [dest for _, dest in plan]


def _our_names(plan: Sequence[tuple[str, Path]]) -> set[str]:
    """File names whose temporary files are ours: every renderer's, and this run's."""
    names = {cls.filename for cls in render.RENDERERS}
    return names | {dest.name for _, dest in plan}
