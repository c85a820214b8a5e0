"""The one data cache (cityguard.core.datacache) as the engine, catalog and checkmaps use it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from engine_helpers import check_yaml

from cityguard.core import datacache
from cityguard.engine import load_file
from cityguard.engine.loader import _FileLoader


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CITYGUARD_CACHE", str(d))
    monkeypatch.delenv("CITYGUARD_NO_CACHE", raising=False)
    return d


def test_tests_never_use_the_real_home_cache() -> None:
    d = datacache.cache_dir()
    assert d is not None
    assert not d.resolve().is_relative_to((Path.home() / ".cache").resolve())


def test_switches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITYGUARD_NO_CACHE", raising=False)
    monkeypatch.delenv("CITYGUARD_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datacache.cache_dir() == tmp_path / "xdg" / "cityguard"
    monkeypatch.setenv("CITYGUARD_CACHE", str(tmp_path / "mine"))
    assert datacache.cache_dir() == tmp_path / "mine"
    for off in ("off", "OFF", "0", "no"):
        monkeypatch.setenv("CITYGUARD_CACHE", off)
        assert datacache.cache_dir() is None
    monkeypatch.setenv("CITYGUARD_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("CITYGUARD_NO_CACHE", "1")  # the older switch still works
    assert datacache.cache_dir() is None
    monkeypatch.setenv("CITYGUARD_NO_CACHE", "0")
    assert datacache.cache_dir() == tmp_path / "mine"


def test_cached_is_keyed_by_content(cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "data.yaml"
    src.write_text("a: 1\n")
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"a": len(builds)}

    assert datacache.cached("demo", [src], build) == {"a": 1}
    assert datacache.cached("demo", [src], build) == {"a": 1} and len(builds) == 1
    os.utime(src, (1, 1))  # a new mtime with the same text still hits
    assert datacache.cached("demo", [src], build) == {"a": 1} and len(builds) == 1
    src.write_text("a: 2\n")
    assert datacache.cached("demo", [src], build) == {"a": 2} and len(builds) == 2
    assert datacache.cached("demo", [src], build, salt="v2") == {"a": 3}
    assert len(list((cache / "demo").glob("*.pickle"))) == 3


def test_a_failing_build_stores_nothing(cache: Path, tmp_path: Path) -> None:
    src = tmp_path / "bad.yaml"
    src.write_text("x")

    def broken() -> None:
        raise ValueError("invalid")

    with pytest.raises(ValueError):
        datacache.cached("demo", [src], broken)
    assert not list(cache.rglob("*.pickle"))


def test_entries_others_could_have_written_are_never_unpickled(cache: Path) -> None:
    key = datacache.digest("x")
    datacache.store("demo", key, {"fine": True})
    assert datacache.load("demo", key) == {"fine": True}
    entry = next((cache / "demo").glob("*.pickle"))
    assert entry.stat().st_mode & 0o022 == 0
    entry.chmod(0o666)
    assert datacache.load("demo", key) is datacache.MISS
    entry.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(entry, 65534, 65534)
        assert datacache.load("demo", key) is datacache.MISS
    entry.write_bytes(b"truncated")
    assert datacache.load("demo", key) is datacache.MISS


def test_old_entries_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datacache, "_KEEP", 4)
    keys = [datacache.digest(str(i)) for i in range(6)]
    for i, key in enumerate(keys):
        datacache.store("demo", key, i)
        entry = cache / "demo" / f"{key[:40]}.pickle"
        if entry.exists():
            os.utime(entry, (1000 + i, 1000 + i))  # a clear age order
    left = list((cache / "demo").glob("*.pickle"))
    assert 1 <= len(left) <= 4
    assert datacache.load("demo", keys[-1]) == 5 and datacache.load("demo", keys[0]) is \
        datacache.MISS


def test_an_unwritable_cache_is_just_no_cache(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CITYGUARD_CACHE", str(blocker / "sub"))
    datacache.store("demo", "k" * 64, 1)
    assert datacache.load("demo", "k" * 64) is datacache.MISS
    src = tmp_path / "s"
    src.write_text("1")
    assert datacache.cached("demo", [src], lambda: 42) == 42


def test_check_files_come_back_from_the_cache_and_edits_miss(cache: Path, tmp_path: Path,
                                                             monkeypatch) -> None:
    calls: list[Path] = []
    real = _FileLoader._parse_and_validate

    def counting(self: _FileLoader):  # the real parser, counted
        calls.append(self.path)
        return real(self)

    monkeypatch.setattr(_FileLoader, "_parse_and_validate", counting)
    good = check_yaml([{"probe": "file_content", "path": "/x", "pattern": "^a",
                        "expect": {"regex": "b+", "case_sensitive": False}}])
    f = tmp_path / "c" / "g.yaml"
    f.parent.mkdir()
    f.write_text(yaml.safe_dump({"checks": [good]}))
    first, errs1 = load_file(f)
    assert not errs1 and len(calls) == 1 and list((cache / "checks").glob("*.pickle"))
    second, errs2 = load_file(f)
    assert not errs2 and len(calls) == 1  # parsed and validated once
    assert second == first and second[0].root is not None
    rule = second[0].root.children[0]
    assert rule.expect.regex.search("xBBx")  # compiled lazily, case flag kept

    f.write_text(f.read_text().replace("severity: medium", "severity: urgent"))
    _, errs3 = load_file(f)
    assert errs3 and "urgent" in errs3[0].problem and len(calls) == 2
    _, errs4 = load_file(f)  # an invalid file is never cached: reported again
    assert errs4 and len(calls) == 3
    bad_regex = check_yaml([{"probe": "file_content", "path": "/x", "pattern": "([",
                             "expect": {"exists": True}}])
    f.write_text(yaml.safe_dump({"checks": [bad_regex]}))
    assert load_file(f)[1] and load_file(f)[1] and len(calls) == 5


def test_checkmap_and_catalog_use_the_same_cache(cache: Path) -> None:
    from cityguard.policy import checkmap
    from cityguard.policy.catalog import _load_catalog, load_catalog

    checkmap._parse.cache_clear()
    _load_catalog.cache_clear()
    catalog = load_catalog()
    assert checkmap.load_checkmap(3, (), catalog)
    assert list((cache / "checkmap").glob("*.pickle"))
    assert list((cache / "catalog").glob("*.pickle"))
    checkmap._parse.cache_clear()
    _load_catalog.cache_clear()
    assert load_catalog().by_id().keys() == catalog.by_id().keys()
