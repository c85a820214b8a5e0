"""Configuration file styles for the `config_value` probe: one module per style.

Each style turns a file's text into entries (key, value, file, line). Includes are followed
through a callback so that parsing never touches a filesystem directly (targets do). Adding a
style is adding one module here; `json` and `yaml` are documents, read by docpath instead.
"""

from __future__ import annotations

from cityguard.core.registry import import_modules
from cityguard.engine.styles._common import STYLES, ConfigStyle, Entry, Opener, parse

__all__ = ["DOCUMENT_STYLES", "STYLES", "ConfigStyle", "Entry", "Opener", "names", "parse"]

#: styles read as documents (docpath), not as entries
DOCUMENT_STYLES = ("json", "yaml")

import_modules(__name__, __path__)  # each style module defines itself into STYLES


def names() -> list[str]:
    """Every style a check may name: the entry styles, then the document styles."""
    return [*STYLES.names(), *DOCUMENT_STYLES]
