"""Coverage gaps are kept with the import in the store (schema 6) and `scans history` shows
them: a scan that audited nothing must not read as a clean scan weeks later (issue 21)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cityguard.store import open_store
from pg_server import pg_available, start_postgres

TESTS = Path(__file__).resolve().parents[1]

SKIPPED = TESTS / "assets" / "ingest" / "pip_audit" / "all-skipped.json"
CLEAN = TESTS / "assets" / "ingest" / "pip_audit" / "aliases.json"


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if not pg_available():
        pytest.skip("PostgreSQL server not installed: apt-get install postgresql")
    server = start_postgres()
    try:
        yield server.new_database()
    finally:
        server.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "cg.db")
    return request.getfixturevalue("pg_url")


def test_gaps_are_stored_and_shown_by_history(store: str, cityguard_proc: Callable) -> None:
    imported = cityguard_proc("scans", "import", str(SKIPPED), str(CLEAN), "--store", store,
                             "--system", "portal", "--lang", "en")
    assert imported.returncode == 0, imported.stderr
    with open_store(store) as st:
        rows = {Path(r["file"]).name: r for r in st.imports("portal")}
    (gap,) = rows["all-skipped.json"]["gaps"]
    assert gap["kind"] == "nothing_audited" and gap["tool"] == "pip-audit"
    assert gap["file"] == str(SKIPPED)
    assert rows["aliases.json"]["gaps"] == []  # a scan that audited something has none

    history = cityguard_proc("scans", "history", "--store", store, "--lang", "en",
                            env={"COLUMNS": "120"})
    assert history.returncode == 0, history.stderr
    lines = [x for x in (history.stdout + history.stderr).splitlines() if "unchecked" in x]
    assert len(lines) == 1, history.stdout + history.stderr
    import_id = rows["all-skipped.json"]["id"]
    assert f"import #{import_id} left a scope unchecked" in lines[0]
    assert "audited nothing" in lines[0] and "all-skipped.json" in lines[0]
