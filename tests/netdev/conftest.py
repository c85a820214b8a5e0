"""In a checkout without ../shared (the corpus is referenced, never copied), the tests that read
a corpus configuration are skipped, saying why; the ones on our own fixtures still run.

A test reads the corpus when its function, one of its parameters or fixtures, or a helper or
constant of its module that one of them names refers to netdev_helpers.CORPUS (or to the
helpers that read it)."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest
from netdev_helpers import CORPUS

_READERS = {"CORPUS", "assess_corpus", "corpus_files"}


def _names(code: types.CodeType) -> set[str]:
    """Global names a function uses, its comprehensions' and inner functions' included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _reads_corpus(value: Any, module: types.ModuleType, depth: int = 0) -> bool:
    if isinstance(value, (Path, str)):
        return str(CORPUS) in str(value)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return any(_reads_corpus(v, module, depth) for v in value)
    value = getattr(value, "__wrapped__", value)  # an lru_cache'd helper
    code = getattr(value, "__code__", None)
    if code is None or depth > 2:
        return False
    names = _names(code)
    if names & _READERS:
        return True
    return any(_reads_corpus(getattr(module, n), module, depth + 1)
               for n in names if hasattr(module, n) and getattr(module, n) is not value)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if (CORPUS / "MANIFEST.csv").is_file():
        return
    skip = pytest.mark.skip(reason=f"network-device corpus not found at {CORPUS} "
                                   "(../shared is absent)")
    here = Path(__file__).resolve().parent
    for item in items:
        function = getattr(item, "function", None)
        if function is None or Path(item.path).resolve().parent != here:
            continue
        module = item.module  # type: ignore[attr-defined]
        params = getattr(getattr(item, "callspec", None), "params", {})
        fixtures = [defs[-1].func for defs in item._fixtureinfo.name2fixturedefs.values()]  # type: ignore[attr-defined]
        if any(_reads_corpus(v, module) for v in (function, list(params.values()), fixtures)):
            item.add_marker(skip)
