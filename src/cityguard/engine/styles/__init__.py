"""Configuration file styles for the `config_value` probe: one module per style.

Each style turns a file's text into entries (key, value, file, line). Includes are followed
through a callback so that parsing never touches a filesystem directly (targets do). Adding a
style is adding one module here; `json` and `yaml` are documents, read by docpath instead.
"""

from __future__ import annotations

import importlib
import pkgutil

from cityguard.engine.styles._common import STYLES, ConfigStyle, Entry, Opener, parse

__all__ = ["DOCUMENT_STYLES", "STYLES", "ConfigStyle", "Entry", "Opener", "names", "parse"]

#: styles read as documents (docpath), not as entries
DOCUMENT_STYLES = ("json", "yaml")


def _discover() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


_discover()


def names() -> list[str]:
    """Every style a check may name: the entry styles, then the document styles."""
    return [*STYLES.names(), *DOCUMENT_STYLES]
