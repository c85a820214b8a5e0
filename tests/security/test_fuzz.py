"""Fuzzing: every importer and loader, over mutated real samples, ends in a result or one
expected error, never a crash.

Hypothesis mutates real files (the shared scanner corpus for the importers; the example
manifest, answers, inventories and a check file of the library for the YAML loaders): bytes
flipped, cut, repeated, inserted, the file truncated. In process, an importer or loader may
return or raise a CityguardError (what the CLI shows as one line, exit 2); anything else is
what the CLI would report as exit 3 "internal error", and fails the test. A few mutated files
also go through the real CLI, which must exit 0, 1 or 2 without a traceback.

Bounded for CI (CITYGUARD_FUZZ_EXAMPLES, default 1200 scan files + 400 YAML files: about a
minute on a busy 2-core machine); locally, e.g. CITYGUARD_FUZZ_EXAMPLES=20000 for a long run.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bounded import error_lines, run_bounded
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityguard import ingest
from cityguard.core.errors import CityguardError

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpus" / "scans"
EXAMPLES = int(os.environ.get("CITYGUARD_FUZZ_EXAMPLES", "1200"))
MAX_SAMPLE = 512 * 1024  # bigger corpus files cost seconds per example: fuzzed elsewhere
#: the same examples on every run unless CITYGUARD_FUZZ_RANDOM=1 (then new ones each time)
BASE = settings(deadline=None, database=None,
                derandomize=os.environ.get("CITYGUARD_FUZZ_RANDOM") != "1",
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

INI = b"""[web]
web1 ansible_host=10.0.0.11 ansible_user=ops
web2 ansible_host=10.0.0.12 ansible_port=2222
[db]
db1 ansible_host=10.0.1.5
[prod:children]
web
db
"""
YAML_INVENTORY = b"""all:
  children:
    web:
      hosts:
        web1: {ansible_host: 10.0.0.11, ansible_user: ops}
        web2:
          ansible_host: 10.0.0.12
          ansible_port: 2222
    db:
      hosts:
        db1: {ansible_host: 10.0.1.5}
"""


def _corpus() -> list[Path]:
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.is_file():
        return []
    rows = csv.DictReader(manifest.open(encoding="utf-8"))
    paths = [CORPUS / r["file"] for r in rows]
    return [p for p in paths if p.is_file() and p.stat().st_size <= MAX_SAMPLE]


SAMPLES = _corpus()

# --- mutations ------------------------------------------------------------------------------

_AT = st.floats(0, 1)
_OPS = st.one_of(
    st.tuples(st.just("flip"), _AT, st.integers(0, 255)),
    st.tuples(st.just("cut"), _AT, st.integers(1, 4096)),
    st.tuples(st.just("repeat"), _AT, st.integers(1, 64), st.integers(2, 50)),
    st.tuples(st.just("insert"), _AT, st.sampled_from(
        [b"<", b">", b"{", b"}", b"[", b"]", b'"', b"\\", b",", b":", b"\n", b"\x00", b"&#0;",
         b"\xff\xfe", b"\xe4\xb8\xad", b"null", b"-1", b"1e999", b"*a", b"&a", b"!!python/name:x",
         b"- ", b"? ", b"%", b"\t", b"<!DOCTYPE x>", b"]]>", b"\r"])),
    st.tuples(st.just("truncate"), _AT),
)
MUTATIONS = st.lists(_OPS, min_size=1, max_size=6)


def mutate(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    buf = bytearray(data)
    for op, at, *args in ops:
        i = int(at * len(buf))
        if op == "flip" and buf:
            buf[min(i, len(buf) - 1)] = args[0]
        elif op == "cut":
            del buf[i:i + args[0]]
        elif op == "repeat":
            buf[i:i] = bytes(buf[i:i + args[0]]) * args[1]
        elif op == "insert":
            buf[i:i] = args[0]
        elif op == "truncate":
            del buf[i:]
    return bytes(buf)


def _survives(fn: Callable[[], object]) -> None:
    """fn() returns or raises one expected error; anything else is a crash (exit 3)."""
    try:
        fn()
    except CityguardError as exc:
        assert exc.one_line() and "\n" not in exc.one_line()


# --- importers ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.skipif(not SAMPLES, reason=f"scanner corpus not found at {CORPUS}")
@settings(BASE, max_examples=EXAMPLES)
@given(index=st.integers(0, max(len(SAMPLES) - 1, 0)), ops=MUTATIONS, forced=st.booleans())
def test_every_importer_survives_mutated_real_samples(workdir: Path, index: int,
                                                      ops: list[tuple[Any, ...]],
                                                      forced: bool) -> None:
    sample = SAMPLES[index]
    path = workdir / f"mutated{''.join(sample.suffixes)}"
    path.write_bytes(mutate(sample.read_bytes(), ops))
    # auto-detection, or the sample's own format forced so the parser itself gets the bytes
    fmt = _format_of(sample) if forced else None
    _survives(lambda: ingest.read_file(path, fmt))


_FORMATS: dict[Path, str | None] = {}


def _format_of(sample: Path) -> str | None:
    if sample not in _FORMATS:
        try:
            _FORMATS[sample] = ingest.detect(sample).name
        except CityguardError:
            _FORMATS[sample] = None
    return _FORMATS[sample]


# --- YAML loaders ---------------------------------------------------------------------------

def _load_manifest(path: Path) -> object:
    from cityguard.system.manifest import validate_manifest

    return validate_manifest(path)


def _load_answers(path: Path) -> object:
    from cityguard.system.answers import load_answers

    return load_answers(path)


def _load_inventory(path: Path) -> object:
    from cityguard.system.inventory import load_inventory

    return load_inventory(path)


def _load_checks(path: Path) -> object:
    from cityguard.engine.loader import validate_paths

    return validate_paths([path])


LOADERS: list[tuple[str, bytes, Callable[[Path], object]]] = [
    ("cityguard.yaml", (REPO / "examples/smart-city-portal/cityguard.yaml").read_bytes(),
     _load_manifest),
    ("answers.yaml", (REPO / "examples/smart-city-portal/answers.yaml").read_bytes(),
     _load_answers),
    ("hosts.ini", INI, _load_inventory),
    ("hosts.yml", YAML_INVENTORY, _load_inventory),
    ("sudo.yaml", (REPO / "checks/linux/sudo.yaml").read_bytes(), _load_checks),
]


@settings(BASE, max_examples=max(EXAMPLES // 3, 50))
@given(which=st.integers(0, len(LOADERS) - 1), ops=MUTATIONS)
def test_every_yaml_loader_survives_mutated_files(workdir: Path, which: int,
                                                  ops: list[tuple[Any, ...]]) -> None:
    name, seed, load = LOADERS[which]
    folder = workdir / "yaml"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(mutate(seed, ops))
    _survives(lambda: load(path))


# --- the real CLI ---------------------------------------------------------------------------

def _random_ops(rng: random.Random) -> list[tuple[Any, ...]]:
    kinds = [("flip", rng.random(), rng.randrange(256)), ("cut", rng.random(), 64),
             ("repeat", rng.random(), 16, 20), ("insert", rng.random(), b"{["),
             ("truncate", 0.5 + rng.random() / 2)]
    return rng.sample(kinds, 2)


@pytest.mark.skipif(not SAMPLES, reason=f"scanner corpus not found at {CORPUS}")
def test_the_cli_exits_0_1_or_2_on_mutated_files(tmp_path: Path) -> None:
    rng = random.Random(23)
    files = []
    for n, sample in enumerate(rng.sample(SAMPLES, min(24, len(SAMPLES)))):
        path = tmp_path / f"{n:02d}{''.join(sample.suffixes)}"
        path.write_bytes(mutate(sample.read_bytes(), _random_ops(rng)))
        files.append(str(path))
    for chunk in (files[:12], files[12:]):
        p = run_bounded("scans", "import", *chunk, "--store", str(tmp_path / "s.db"), "--json",
                        timeout=180)
        assert p.returncode in (0, 1, 2), p.stderr[-3000:]
        assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    manifest = tmp_path / "cityguard.yaml"
    manifest.write_bytes(mutate(LOADERS[0][1], [("repeat", 0.3, 40, 30), ("flip", 0.6, 0x3A)]))
    p = run_bounded("validate", str(manifest), timeout=120)
    assert p.returncode in (0, 1, 2), p.stderr
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    assert p.returncode == 0 or error_lines(p)
