"""Progress of an assessment: the pipeline's callbacks (plan, result, host) onto the console's
progress reporter (a bar on a terminal, periodic lines in CI logs, nothing with --quiet)."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from cityguard.cli import console
from cityguard.policy.messages import t


class AssessProgress:
    """`with AssessProgress(lang) as p: run_assessment(req, on_plan=p.plan, on_result=p.result)`
    and `req.on_host = p.host` for the per-host lines of a fleet."""

    def __init__(self, lang: str) -> None:
        self._label = t("cli.progress_assessing", lang)
        self._stack = ExitStack()
        self._reporter: Any = None

    def __enter__(self) -> AssessProgress:
        self._reporter = self._stack.enter_context(console.progress(self._label))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def plan(self, total: int) -> None:
        self._reporter.total(total)

    def result(self, _result: object) -> None:
        self._reporter.advance()

    def host(self, asset_id: str, event: str) -> None:
        self._reporter.part(asset_id, event)


class CountProgress:
    """Progress over a known number of steps (files to import), each with a name."""

    def __init__(self, label: str, total: int) -> None:
        self._label, self._total = label, total
        self._stack = ExitStack()
        self._reporter: Any = None

    def __enter__(self) -> CountProgress:
        self._reporter = self._stack.enter_context(console.progress(self._label))
        self._reporter.total(self._total)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def step(self, name: str) -> None:
        """One step done (a file imported or refused)."""
        self._reporter.advance()
        console.detail(name)
