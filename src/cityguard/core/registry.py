"""One registry shape for every extension point (probe, target, importer, renderer).

Keyed by the extension's `name`; refuses a missing or duplicate name at import time so a
packaging mistake fails loudly, naming both classes. `import_modules` is the discovery by
folder that makes adding an extension adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection, Iterable, Iterator
from types import ModuleType
from typing import Any, Generic, TypeVar

from cityguard.core.errors import RegistryError, UnknownName

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, obj: T) -> T:
        key = getattr(obj, "name", "")
        if not isinstance(key, str) or not key:
            raise RegistryError(f"{self.kind} {obj!r} has no name")
        if key in self._items:
            raise RegistryError(
                f"{self.kind} name {key!r} claimed by {obj!r} and {self._items[key]!r}"
            )
        self._items[key] = obj
        return obj

    def register_defined(self, module: ModuleType, base: type[Any]) -> None:
        """Every named subclass of `base` that `module` defines itself (a class it only
        imports belongs to the module that defines it)."""
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, base) \
                    and getattr(value, "name", "") and value.__module__ == module.__name__:
                self.register(value)  # type: ignore[arg-type]

    def decorator(self) -> Callable[[T], T]:
        return self.register

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self.kind, name, list(self._items)) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


def import_modules(package: str, path: Iterable[str], *,
                   skip: Collection[str] = ()) -> list[ModuleType]:
    """Every module of a package's folder, imported in name order (each registers what it
    defines, or is handed to `register_defined`). Modules whose name starts with "_" are the
    folder's helpers, and `skip` names others that are no extension (the protocol's module)."""
    return [importlib.import_module(f"{package}.{mod.name}")
            for mod in sorted(pkgutil.iter_modules(path), key=lambda m: m.name)
            if not mod.name.startswith("_") and mod.name not in skip]
