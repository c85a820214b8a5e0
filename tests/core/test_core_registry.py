"""core.registry: discovery by folder (import_modules) and registering what a module defines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cityguard.core.errors import RegistryError
from cityguard.core.registry import Registry, import_modules


class Base:
    name = ""


def _package(root: Path, name: str, files: dict[str, str]) -> str:
    pkg = root / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for stem, text in files.items():
        (pkg / f"{stem}.py").write_text(text)
    return name


def test_import_modules_in_name_order_without_helpers_or_skipped(tmp_path: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    stems = ("zeta", "alpha", "_helper", "base", "mid")
    pkg = _package(tmp_path, "cg_ext_order", dict.fromkeys(stems, "VALUE = 1\n"))
    modules = import_modules(pkg, __import__(pkg).__path__, skip={"base"})
    assert [m.__name__ for m in modules] == [f"{pkg}.alpha", f"{pkg}.mid", f"{pkg}.zeta"]
    # the folder's helpers and the skipped module are never imported
    assert f"{pkg}._helper" not in sys.modules and f"{pkg}.base" not in sys.modules


def test_register_defined_takes_only_named_classes_the_module_defines(tmp_path: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    base = f"from {__name__} import Base\n"
    pkg = _package(tmp_path, "cg_ext_defined", {
        "one": base + "class One(Base):\n    name = 'one'\nclass Nameless(Base):\n    pass\n"
               "class Other:\n    name = 'other'\n",
        "two": base + f"from {'cg_ext_defined'}.one import One\n"
               "class Two(Base):\n    name = 'two'\n",
    })
    registry: Registry[type[Base]] = Registry("test extension")
    for module in import_modules(pkg, __import__(pkg).__path__):
        registry.register_defined(module, Base)
    # One is imported by `two` too, but registered once, by the module that defines it
    assert registry.names() == ["one", "two"]
    with pytest.raises(RegistryError, match="claimed by"):
        registry.register_defined(sys.modules[f"{pkg}.one"], Base)
