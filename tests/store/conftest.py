"""Both store backends for every store test that matters: `store_url` is a fresh SQLite file
or a fresh database on a real PostgreSQL server started once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pg_server import PGServer, pg_available, start_postgres

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server():
    if not pg_available():
        pytest.skip("PostgreSQL server not installed: apt-get install postgresql")
    server = start_postgres()
    yield server
    server.destroy()


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path: Path) -> str:
    """Where a test's store lives: a SQLite path or a postgresql:// URL of an empty database."""
    if request.param == "sqlite":
        return str(tmp_path / "cg.db")
    server: PGServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def backend(store_url: str) -> str:
    return "postgresql" if store_url.startswith("postgresql://") else "sqlite"


def write_sarif(path: Path, results: int, *, rules: int = 50, offset: int = 0) -> Path:
    """A SARIF 2.1.0 log of `results` distinct results (ids offset.. offset+results)."""
    import json

    runs = [{
        "tool": {"driver": {"name": "storelint", "rules": [
            {"id": f"R{r:03d}", "properties": {"security-severity": str(r % 10 + 0.5)}}
            for r in range(rules)]}},
        "results": [
            {"ruleId": f"R{n % rules:03d}", "level": "warning",
             "message": {"text": f"issue {n}"},
             "locations": [{"physicalLocation": {
                 "artifactLocation": {"uri": f"src/m{n % 997}/f{n}.py"},
                 "region": {"startLine": n % 300 + 1}}}]}
            for n in range(offset, offset + results)
        ],
    }]
    path.write_text(json.dumps({"version": "2.1.0", "runs": runs}), encoding="utf-8")
    return path
