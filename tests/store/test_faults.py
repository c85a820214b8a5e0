"""The store under faults (issue 14, issue 23): concurrent importers, a busy store, a full
disk, a killed import, a server that goes away mid-import, file modes. Real processes, a real
PostgreSQL server, a real (small) full file system."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cityguard import ingest
from cityguard.core.errors import DataError
from cityguard.store import open_store
from cityguard.store.backends.base import lock_id
from conftest import write_sarif
from pg_server import PGServer

TRIVY = "trivy/scheme_2_many_vulns.json"


def _cg(*args: str, env: dict[str, str] | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cityguard", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def _distinct(path: Path) -> int:
    _, findings = ingest.iter_file(path, None)
    return len({f.fingerprint for f in findings})


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """Exit 2 without a traceback; the reason (`scans import` puts a file's reason in its
    table on stdout, other commands on stderr), spaces collapsed."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, (proc.returncode, out)
    assert "Traceback" not in out and "internal error" not in out
    return " ".join(out.split())


def test_ten_concurrent_importers_into_postgresql(pg_server: PGServer, corpus: Path,
                                                  tmp_path: Path) -> None:
    """10 processes import at once: each finding is stored once, and exactly one import
    counts it as new; a second file of other findings goes to another system meanwhile."""
    url = pg_server.new_database()
    _cg("store", "migrate", "--store", url)
    scan = corpus / TRIVY
    other = write_sarif(tmp_path / "other.sarif", 300)
    jobs = [(scan, "城市大脑") if n % 2 == 0 else (other, "政务云") for n in range(10)]
    with ThreadPoolExecutor(10) as pool:
        procs = list(pool.map(lambda job: _cg("scans", "import", str(job[0]), "--system",
                                              job[1], "--store", url, "--json"), jobs))
    assert [p.returncode for p in procs] == [0] * 10, [p.stderr for p in procs]
    with open_store(url) as st:
        imports = st.imports()
        assert len(imports) == 10
        for system, path in (("城市大脑", scan), ("政务云", other)):
            expected = _distinct(path)
            rows = [i for i in imports if i["system"] == system]
            assert len(rows) == 5 and sum(i["new"] for i in rows) == expected
            assert all(i["new"] + i["seen"] == expected for i in rows)
            stored = list(st.list_findings(system=system))
            assert len(stored) == expected == len({f.fingerprint for f in stored})
        dup = st.db.scalar("SELECT count(*) FROM (SELECT system_id, fingerprint FROM findings"
                           " GROUP BY system_id, fingerprint HAVING count(*) > 1) d")
        assert dup == 0


def test_two_concurrent_sqlite_imports_both_succeed(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "team.db"
    files = [corpus / TRIVY, write_sarif(tmp_path / "a.sarif", 2000)]
    with ThreadPoolExecutor(2) as pool:
        procs = list(pool.map(lambda f: _cg("scans", "import", str(f), "--store", str(store)),
                              files))
    assert [p.returncode for p in procs] == [0, 0], [p.stderr for p in procs]
    with open_store(store) as st:
        assert len(st.imports()) == 2
        assert len(list(st.list_findings())) == _distinct(files[0]) + 2000


def test_a_busy_sqlite_store_waits_then_gives_one_line(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "busy.db"
    assert _cg("scans", "import", str(corpus / TRIVY), "--store", str(store)).returncode == 0
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        started = time.monotonic()
        proc = _cg("scans", "import", str(write_sarif(tmp_path / "b.sarif", 50)), "--store",
                   str(store), env={"CITYGUARD_STORE_TIMEOUT": "1"})
        assert time.monotonic() - started < 30
        assert "the store is busy" in _one_line(proc)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with open_store(store) as st:  # what was stored before is intact, nothing of the new file
        assert [i["file"] for i in st.imports()] == [str(corpus / TRIVY)]


def test_a_busy_postgresql_system_waits_then_gives_one_line(pg_server: PGServer,
                                                            tmp_path: Path) -> None:
    import psycopg

    url = pg_server.new_database()
    scan = write_sarif(tmp_path / "c.sarif", 50)
    assert _cg("scans", "import", str(scan), "--store", url).returncode == 0
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [lock_id("system:default")])
        proc = _cg("scans", "import", str(scan), "--store", url,
                   env={"CITYGUARD_STORE_TIMEOUT": "1"})
        assert "the store is busy" in _one_line(proc)
        # another system is not held up by it
        other = _cg("scans", "import", str(scan), "--system", "other", "--store", url,
                    env={"CITYGUARD_STORE_TIMEOUT": "1"})
        assert other.returncode == 0, other.stderr
    with open_store(url) as st:
        assert len(st.imports()) == 2


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_a_full_disk_is_one_line_and_the_store_stays_intact(tmp_path: Path) -> None:
    mnt = tmp_path / "small"
    mnt.mkdir()
    # 4 MiB: a new store (16 KiB pages, one or more a table and an index) and its WAL fit,
    # 20,000 more findings do not
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        store = mnt / "cg.db"
        small = write_sarif(tmp_path / "small.sarif", 20)
        assert _cg("scans", "import", str(small), "--store", str(store)).returncode == 0
        big = write_sarif(tmp_path / "big.sarif", 20000, offset=100)
        proc = _cg("scans", "import", str(big), "--store", str(store))
        assert "disk holding the store is full" in _one_line(proc)
        with open_store(store) as st:
            assert [i["file"] for i in st.imports()] == [str(small)]
            assert len(list(st.list_findings())) == 20
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("backend_kind", ["sqlite", "postgresql"])
def test_a_killed_import_leaves_nothing_of_its_file(backend_kind: str, tmp_path: Path,
                                                    request) -> None:
    if backend_kind == "sqlite":
        url = str(tmp_path / "k.db")
    else:
        url = request.getfixturevalue("pg_server").new_database()
    keep = write_sarif(tmp_path / "keep.sarif", 10)
    assert _cg("scans", "import", str(keep), "--store", url).returncode == 0
    big = write_sarif(tmp_path / "big.sarif", 150_000, offset=50)
    proc = subprocess.Popen([sys.executable, "-m", "cityguard", "scans", "import", str(big),
                             "--store", url], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(2.5)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the server notices the lost client and rolls back
    with open_store(url) as st:
        assert [i["file"] for i in st.imports()] == [str(keep)]
        assert len(list(st.list_findings())) == 10
        assert st.db.scalar("SELECT count(*) FROM texts") is not None
    assert _cg("scans", "import", str(keep), "--store", url).returncode == 0


def test_a_server_that_goes_away_mid_import_rolls_the_file_back(pg_server: PGServer) -> None:
    from test_store import imp, vuln

    url = pg_server.new_database()
    with open_store(url) as st:
        imp(st, [vuln("a", "keep")], file="good.nessus")
        pid = st.db.scalar("SELECT pg_backend_pid()")

        def findings():
            for i in range(5000):
                if i == 3000:  # the server ends our session while the file is half read
                    pg_server.admin(f"SELECT pg_terminate_backend({int(pid)})")
                yield vuln("b", f"r{i}")

        with pytest.raises(DataError, match="went away|failed"):
            imp(st, findings(), file="cut.nessus")
    with open_store(url) as st:
        assert [i["file"] for i in st.imports()] == ["good.nessus"]
        assert [f.rule_id for f in st.list_findings()] == ["keep"]


def test_the_store_is_private_unless_configured(tmp_path: Path) -> None:
    store = tmp_path / "fresh" / "cg.db"
    open_store(store).close()
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    for p in store.parent.iterdir():  # the database and its -wal / -shm files
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    loose = tmp_path / "loose.db"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    open_store(loose).close()  # an existing store of ours is tightened
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    shared = tmp_path / "team" / "cg.db"
    os.environ["CITYGUARD_STORE_MODE"] = "0640"
    try:
        open_store(shared).close()
    finally:
        del os.environ["CITYGUARD_STORE_MODE"]
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert stat.S_IMODE(shared.parent.stat().st_mode) == 0o750
