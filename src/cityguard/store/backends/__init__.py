"""Store backends, one module each (discovered in this folder), keyed by the location's kind.

    connect(location) -> Db        the open connection (SQLite file or PostgreSQL server)
"""

from __future__ import annotations

from cityguard.core.registry import Registry, import_modules
from cityguard.store.backends.base import Bulk, Db
from cityguard.store.location import StoreLocation

__all__ = ["BACKENDS", "Bulk", "Db", "connect"]

BACKENDS: Registry[type[Db]] = Registry("store backend")

for _module in import_modules(__name__, __path__, skip={"base"}):
    BACKENDS.register_defined(_module, Db)


def connect(location: StoreLocation) -> Db:
    return BACKENDS.get(location.kind)(location)
