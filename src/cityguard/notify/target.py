"""One configured notification target: its options, its secrets (read when used, from the
environment or a file, never from the configuration itself), and its routing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError
from cityguard.notify.events import Event

_MAX_SECRET_FILE = 64 * 1024
#: retries inside one run: full-jitter backoff from base to cap, at most `tries` attempts and
#: `max_seconds` of waiting; after `give_up_after` attempts in all a delivery is failed
DEFAULT_RETRY = {"tries": 5, "base_seconds": 1.0, "cap_seconds": 60.0, "max_seconds": 300.0,
                 "give_up_after": 50}


@dataclass(frozen=True)
class Target:
    """One configured destination. `options` are the YAML keys as written (secrets by name)."""

    name: str
    type: str
    options: dict[str, Any]
    source: str  # the file it came from (messages name it)
    line: int | None = None
    scope_system: str | None = None  # a manifest's block: only its own system
    lang: str = "zh"
    retry: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_RETRY))

    def opt(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def file(self, key: str) -> str | None:
        """A path option, relative to the configuration file's folder (as a manifest's paths
        are), or None when not given."""
        value = self.opt(key)
        if not value:
            return None
        path = Path(str(value)).expanduser()
        return str(path if path.is_absolute() else Path(self.source).resolve().parent / path)

    def problem(self, text: str, key: str | None = None) -> DataError:
        """A configuration error of this target, naming the file, line and what to fix."""
        return DataError(self.source, f"target {self.name!r}: {text}", line=self.line,
                         field=f"notify.targets.{key}" if key else None)

    def secret(self, name: str, *, required: bool = True) -> str | None:
        """The secret `name` from the variable `<name>_env` or the file `<name>_file`."""
        env, path = self.opt(f"{name}_env"), self.opt(f"{name}_file")
        if env:
            value = os.environ.get(env, "").strip()
            if not value:
                raise self.problem(f"environment variable {env} ({name}_env) is not set or "
                                   "empty; export it before running cityguard", f"{name}_env")
            return value
        if path:
            return _read_secret_file(self, name, Path(self.file(f"{name}_file") or path))
        if required:
            raise self.problem(f"no {name}: give {name}_env: VARIABLE or {name}_file: PATH",
                               name)
        return None

    def wants(self, event: Event) -> bool:
        """Does this target's routing select the event?"""
        kinds = self.opt("events")
        if kinds and event.kind not in kinds:
            return False
        if self.scope_system is not None and event.system != self.scope_system:
            return False
        systems = self.opt("systems")
        if systems and event.system not in systems:
            return False
        departments = self.opt("departments")
        if departments and event.department not in departments:
            return False
        levels = self.opt("levels")
        if levels and event.level not in levels:
            return False
        return event.reaches(self.opt("min_severity", "info"))


def _read_secret_file(target: Target, name: str, path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_SECRET_FILE:
            raise target.problem(f"{name}_file {path} is larger than a secret can be",
                                 f"{name}_file")
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise target.problem(f"cannot read {name}_file {path} ({exc.strerror})",
                             f"{name}_file") from None
    if not value:
        raise target.problem(f"{name}_file {path} is empty", f"{name}_file")
    return value
