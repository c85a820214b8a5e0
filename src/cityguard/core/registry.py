"""One registry shape for every extension point (probe, target, importer, renderer).

Keyed by the extension's `name`; refuses a missing or duplicate name at import time so a
packaging mistake fails loudly, naming both classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

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
