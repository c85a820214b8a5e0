"""Store backends, one module each (discovered in this folder), keyed by the location's kind.

    connect(location) -> Db        the open connection (SQLite file or PostgreSQL server)
"""

from __future__ import annotations

import importlib
import pkgutil

from cityguard.core.registry import Registry
from cityguard.store.backends.base import Bulk, Db
from cityguard.store.location import StoreLocation

__all__ = ["BACKENDS", "Bulk", "Db", "connect"]

BACKENDS: Registry[type[Db]] = Registry("store backend")


def _discover() -> None:
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Db) and value.name \
                    and value.__module__ == module.__name__:
                BACKENDS.register(value)


_discover()


def connect(location: StoreLocation) -> Db:
    return BACKENDS.get(location.kind)(location)
