"""The notify hook as the commands that write the store see it (`assess`, `scans import`,
`gate --store`): the configuration checked before the work, and after the commit one line on
stderr for what was delivered or what waits (cityguard.notify.hook does the work)."""

from __future__ import annotations

import shlex

from cityguard.cli import console
from cityguard.core.errors import CityguardError
from cityguard.notify import hook
from cityguard.notify.config import NotifyConfig
from cityguard.policy.messages import t


def prepare(choice: bool | None, manifest: str | None, *, stored: bool = True
            ) -> NotifyConfig | None:
    return hook.prepare(choice, manifest, stored=stored)


def tell(config: NotifyConfig | None, store: str | None, system: str, lang: str) -> None:
    """Deliver the system's new events; never changes the command's exit code."""
    if config is None:
        return
    try:
        told = hook.tell(config, store, system)
    except CityguardError as exc:  # the facts are committed: `notify scan` will find them
        console.warning(t("notify.hook.error", lang, error=exc.one_line()))
        return
    if told.sent:
        console.info(t("notify.hook.sent", lang, sent=told.sent,
                       targets=", ".join(told.targets)))
    if told.undelivered:
        command = "cityguard notify status" + (f" --store {shlex.quote(store)}" if store else "")
        console.warning(t("notify.hook.undelivered", lang, n=told.undelivered,
                          waiting=told.waiting, failed=told.failed, command=command))
