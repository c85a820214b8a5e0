"""Expected errors. Each reaches the user as one line and exit code 2 (see cli.main).

A crash (any other exception) is a bug: it is never reported as exit 1, which means
"a gate or threshold failed".
"""

from __future__ import annotations

import errno
from pathlib import Path


class CityguardError(Exception):
    """Base of every expected error: bad usage, bad input, unreachable target."""

    exit_code = 2

    def one_line(self) -> str:
        return " ".join(str(self).split())


class UsageError(CityguardError):
    """A flag or argument that makes no sense."""


class DataError(CityguardError):
    """A file (catalog, check, manifest, scan, answers) that cannot be used.

    The message names the file and, when known, the line and the field.
    """

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.problem}"
        return f"{where}: {self.problem}"


class TargetError(CityguardError):
    """A target (host, directory, SSH peer) that cannot be reached or read."""


class UnknownName(CityguardError):
    """A registry lookup (format, probe, renderer, …) for a name nobody registered."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(self.known)}")


class FileTooLarge(OSError):
    """A file of an assessed host larger than a check may read (limits.MAX_TARGET_FILE).

    An OSError, so every probe turns it into an `error` result with this reason: judging the
    first 16 MiB would let 20 MB of comments hide the line that fails the check.
    """

    def __init__(self, path: str, limit: int, size: int | None = None) -> None:
        mib = 1024 * 1024
        cap = f"{limit // mib} MiB" if limit >= mib else f"{limit} bytes"
        found = f"{size / mib:.1f} MiB, " if size is not None else ""
        super().__init__(errno.EFBIG, f"file too large ({found}over the {cap} a check reads; "
                                      "not judged on a part)", path)


class RegistryError(Exception):
    """A programming error: an extension without a name, or two with the same name."""
