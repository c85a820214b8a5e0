"""A large .nessus read by two processes (ingest.split + store.parallel) stores exactly what a
one-process read stores: the same rows in the same order with the same ids, the same counts,
the same errors (message and line), on both backends; and every way the split can go wrong
(a lookalike tag at the split point, a DTD, a malformed or hostile second part, a failed or
killed child) falls back to the one-process read.

The split threshold is lowered so the real corpus samples (a few hundred KB) and small
generated files split at many points."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cityguard import ingest
from cityguard.core.errors import DataError
from cityguard.ingest import split
from cityguard.store import open_store, parallel

#: the import's clock (a host without a timestamp is seen "now"): the same for both reads
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)
SAMPLES = ["nessus/nessus_many_vuln.xml", "nessus/nessus_with_cvssv3.nessus"]
#: every column of a stored finding but the status time (the import's clock)
COLUMNS = ("id, fingerprint, fp64, tool, format, asset_kind, asset_key, port, protocol, rule_id,"
           " title, severity, severity_raw, cvss_score, cvss_vector, cves, cwes, description,"
           " description_key, solution, solution_key, location, evidence, refs, tags,"
           " first_seen, last_seen, status, first_import_id, last_import_id")


@pytest.fixture
def split_any_size(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every file splits (also on a machine of one CPU); the list records, per import,
    whether the child's part was used."""
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(split, "_cpus", lambda: 2)
    used: list[bool] = []
    succeeded = parallel._succeeded

    def spy(child: int) -> bool:
        ok = succeeded(child)
        used.append(ok)
        return ok

    monkeypatch.setattr(parallel, "_succeeded", spy)
    return used


def _import(path: Path, url: str, *, two: bool) -> tuple[dict, list, list]:
    importer, findings = ingest.iter_file(path)
    parts = ingest.split_file(importer, path) if two else None
    if two:
        assert parts is not None, "the file did not split"
    with open_store(url) as st:
        res = st.import_findings(findings, file="scan.nessus", format=importer.name,
                                 tool=importer.tool, parts=parts, now=NOW)
        rows = [tuple(r) for r in st.db.all(f"SELECT {COLUMNS} FROM findings ORDER BY id")]
        texts = sorted(tuple(r) for r in st.db.all("SELECT key, body FROM texts"))
    counts = {k: v for k, v in res.to_dict().items() if k not in ("import_id", "file")}
    return counts, rows, texts


def _same_as_one_process(path: Path, tmp_path: Path, url_for, *, same_ids: bool = True
                         ) -> None:
    """Counts, rows (in id order) and texts equal. Without `same_ids` the ids may differ
    (not their order): a PostgreSQL sequence does not roll back with a savepoint, so what
    the child's rows had taken before a failure stays a gap, as after any rolled-back insert."""
    one = _import(path, url_for("one"), two=False)
    two = _import(path, url_for("two"), two=True)
    assert two[0] == one[0]
    names = [c.strip() for c in COLUMNS.split(",")]
    skip = 0 if same_ids else 1
    for a, b in zip(one[1], two[1], strict=True):  # the first differing row, by column
        assert a[skip:] == b[skip:], [(n, x, y) for n, x, y in zip(names, a, b, strict=True)
                                      if x != y]
    assert [r[skip:] for r in two[1]] == [r[skip:] for r in one[1]]
    assert two[2] == one[2]
    assert one[0]["read"] == len(one[1]) + one[0]["duplicates"]


def _sqlite(tmp_path: Path):
    return lambda name: str(tmp_path / f"{name}-{time.monotonic_ns()}.db")


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_real_nessus_split_before_its_host_stores_what_one_process_stores(
        corpus: Path, tmp_path: Path, split_any_size: list[bool], sample: str) -> None:
    """Each sample has one host, after its policy: the child reads the host."""
    _same_as_one_process(corpus / sample, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [True], "the child's part was not used"


def _many_hosts(sample: Path, out: Path, hosts: int) -> Path:
    """The sample's real host repeated under other names and addresses (every fourth one
    under the address of the one before: one address under two names)."""
    text = sample.read_text(encoding="utf-8")
    start, end = text.index("<ReportHost "), text.rindex("</ReportHost>") + len("</ReportHost>")
    block = text[start:end]
    name = block.split('"', 2)[1]
    ip = block.split('<tag name="host-ip">', 1)[1].split("<", 1)[0]
    copies = [block.replace(name, f"host{n}.example").replace(ip, f"10.9.0.{n - n % 4 // 3}")
              for n in range(hosts)]
    out.write_text(text[:start] + "\n".join(copies) + text[end:], encoding="utf-8")
    return out


@pytest.mark.parametrize("share", [0.1, 0.35, 0.62, 0.9])
@pytest.mark.parametrize("sample", SAMPLES)
def test_real_hosts_split_anywhere_store_what_one_process_stores(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        split_any_size: list[bool], sample: str, share: float) -> None:
    monkeypatch.setattr(split, "CHILD_SHARE", share)
    scan = _many_hosts(corpus / sample, tmp_path / "many.nessus", 8)
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [True], "the child's part was not used"


def test_the_split_import_is_the_same_on_postgresql(corpus: Path, tmp_path: Path,
                                                     split_any_size: list[bool],
                                                     pg_server) -> None:
    _same_as_one_process(corpus / SAMPLES[1], tmp_path, lambda _: pg_server.new_database())
    assert split_any_size == [True]


def _host(name: str, ip: str, plugins: range, *, pad: str = "") -> str:
    items = "".join(
        f'\n    <ReportItem port="{443 + p % 3}" svc_name="www" protocol="tcp" severity="{p % 5}"'
        f' pluginID="{10000 + p}" pluginName="Plugin {p}" pluginFamily="General">\n'
        f"      <risk_factor>High</risk_factor>\n"
        f"      <description>Text of plugin {p} on {name}{pad}</description>\n"
        f"      <plugin_output>output {p} of {name}</plugin_output>\n"
        f"    </ReportItem>"
        for p in plugins)
    return (f'  <ReportHost name="{name}">\n    <HostProperties>\n'
            f'      <tag name="host-ip">{ip}</tag>\n'
            f'      <tag name="HOST_END_TIMESTAMP">1700000000</tag>\n'
            f"    </HostProperties>{items}\n  </ReportHost>\n")


def _nessus(path: Path, hosts: list[str], *, prolog: str = "", tail: str | None = None) -> Path:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<NessusClientData_v2>\n' \
           '<Policy><policyName>p</policyName></Policy>\n<Report name="r">\n'
    end = "</Report>\n</NessusClientData_v2>\n" if tail is None else tail
    path.write_text(head + "".join(hosts) + end, encoding="utf-8")
    return path


def test_one_address_under_two_names_one_in_each_part_is_kept_once(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    hosts = [_host(f"h{n}", f"10.0.0.{n}", range(6)) for n in range(20)]
    hosts.append(_host("again-by-name", "10.0.0.3", range(4, 9)))  # 4 and 5 given before
    scan = _nessus(tmp_path / "twice.nessus", hosts)
    monkeypatch.setattr(split, "CHILD_SHARE", 0.3)  # the repeat is in the child's part
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [True]


@pytest.mark.parametrize("lookalike", [
    "<!-- <ReportHost name=\"x\"> -->\n",
    "<![CDATA[ <ReportHost name=\"x\"> ]]>",
])
def test_a_lookalike_tag_at_the_split_point_is_no_split(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch,
        lookalike: str) -> None:
    hosts = [_host(f"h{n}", f"10.0.1.{n}", range(5)) for n in range(30)]
    # the lookalike sits inside a plugin output, from a third of the file to its end: the
    # first `<ReportHost` after the guessed point is in it
    hosts[10] = hosts[10].replace("output 0 of h10", "out " + lookalike * 200)
    scan = _nessus(tmp_path / "look.nessus", hosts)
    first = scan.read_bytes().index(b"out ")
    monkeypatch.setattr(split, "CHILD_SHARE", 1 - (first + 50) / scan.stat().st_size)
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [], "a lookalike was taken for a split point"


def test_a_dtd_in_the_prolog_is_no_split(tmp_path: Path, split_any_size: list[bool]) -> None:
    hosts = [_host(f"h{n}", f"10.0.2.{n}", range(5)) for n in range(20)]
    scan = _nessus(tmp_path / "dtd.nessus", hosts,
                   prolog='<!DOCTYPE NessusClientData_v2 [\n'
                          '<!ATTLIST ReportItem severity CDATA "4">\n]>\n')
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == []


@pytest.mark.parametrize("damage", ["truncated", "undefined_entity", "wrong_closing_tags"])
def test_a_bad_second_part_fails_as_a_one_process_read_does(
        tmp_path: Path, split_any_size: list[bool], damage: str) -> None:
    hosts = [_host(f"h{n}", f"10.0.3.{n}", range(5)) for n in range(20)]
    tail = None
    if damage == "truncated":
        tail = "</Report>\n"
    elif damage == "undefined_entity":
        hosts[-2] = hosts[-2].replace("output 1 of", "output &xxe; of")
    else:
        tail = "</Policy>\n</NessusClientData_v2>\n"
    scan = _nessus(tmp_path / f"{damage}.nessus", hosts, tail=tail)
    errors = []
    for two in (False, True):
        with pytest.raises(DataError) as caught:
            _import(scan, str(tmp_path / f"{two}.db"), two=two)
        errors.append(str(caught.value))
        with open_store(str(tmp_path / f"{two}.db")) as st:
            assert st.imports() == [] and st.db.scalar("SELECT count(*) FROM findings") == 0
    assert errors[1] == errors[0]
    assert f"{scan}:" in errors[0]  # with the line
    assert split_any_size == [False], "the child's broken part was used"


@pytest.mark.parametrize("damage", ["entity_declared", "billion_laughs", "mismatched_tag"])
def test_a_bad_or_hostile_first_part_fails_as_a_one_process_read_does(
        tmp_path: Path, split_any_size: list[bool], damage: str) -> None:
    """This process's part is read by the same hardened parser: an entity declaration is
    refused before anything is expanded, a broken tag is one line, and the child is stopped."""
    hosts = [_host(f"h{n}", f"10.0.11.{n}", range(5)) for n in range(20)]
    prolog = ""
    if damage == "entity_declared":
        prolog = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        hosts[1] = hosts[1].replace("output 1 of", "output &xxe; of")
    elif damage == "billion_laughs":
        prolog = ('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                            for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]>\n")
        hosts[1] = hosts[1].replace("output 1 of", "output &i; of")
    else:
        hosts[1] = hosts[1].replace("</plugin_output>", "</plugin_outptu>", 1)
    scan = _nessus(tmp_path / f"{damage}.nessus", hosts, prolog=prolog)
    errors = []
    for two in (False, True):
        with pytest.raises(DataError) as caught:
            _import(scan, str(tmp_path / f"{two}.db"), two=two)
        errors.append(str(caught.value))
        with open_store(str(tmp_path / f"{two}.db")) as st:
            assert st.imports() == [] and st.db.scalar("SELECT count(*) FROM findings") == 0
    assert errors[1] == errors[0]
    assert "passwd" not in errors[0] and "aaaa" not in errors[0]
    assert split_any_size == [], "the child's part was waited for"


def test_a_failed_child_is_replaced_by_this_process(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    scan = _nessus(tmp_path / "c.nessus",
                   [_host(f"h{n}", f"10.0.4.{n}", range(5)) for n in range(20)])
    parent = os.getpid()
    batches = parallel.staged_batches

    def fail_in_child(*args, **kwargs):
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return batches(*args, **kwargs)

    monkeypatch.setattr(parallel, "staged_batches", fail_in_child)
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [False]


@pytest.mark.parametrize("bound", [0, 1 << 40])
def test_a_long_second_part_takes_the_sqlite_lock_only_at_the_end(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch,
        bound: int) -> None:
    """SQLite's lock is the whole store's: a first import takes it early only when the
    child's part is short (store.EARLY_LOCK_BYTES); either way the result is the same."""
    import cityguard.store as store_module
    from cityguard.store import imports

    early: list[int] = []
    first_part = imports.EarlyInsert.first_part

    def spy(self, end: int) -> None:
        early.append(end)
        first_part(self, end)

    monkeypatch.setattr(imports.EarlyInsert, "first_part", spy)
    monkeypatch.setattr(store_module, "EARLY_LOCK_BYTES", bound)
    scan = _nessus(tmp_path / "lock.nessus",
                   [_host(f"h{n}", f"10.0.10.{n}", range(5)) for n in range(20)])
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == [True]
    assert bool(early) is (bound > 0)


def test_no_process_to_spare_reads_both_parts_here(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    scan = _nessus(tmp_path / "nofork.nessus",
                   [_host(f"h{n}", f"10.0.8.{n}", range(5)) for n in range(20)])

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == []


def test_a_spool_that_cannot_be_read_back_is_a_failed_child(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    from cityguard.store import imports

    scan = _nessus(tmp_path / "spool.nessus",
                   [_host(f"h{n}", f"10.0.9.{n}", range(8)) for n in range(30)])
    monkeypatch.setattr(imports, "BATCH", 7)
    loads = {"n": 0}
    real = parallel._PlainValues.load

    def third_is_garbage(self):
        loads["n"] += 1
        if loads["n"] == 3:
            raise parallel.pickle.UnpicklingError("garbage")
        return real(self)

    monkeypatch.setattr(parallel._PlainValues, "load", third_is_garbage)
    _same_as_one_process(scan, tmp_path, _sqlite(tmp_path))
    assert split_any_size == []  # the child's exit was not even asked: it was stopped


@pytest.mark.parametrize("backend_kind", ["sqlite", "postgresql"])
def test_a_child_that_fails_midway_takes_back_what_went_in_early(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch,
        request, backend_kind: str) -> None:
    """A system's first import inserts the child's rows as they come (after a savepoint);
    a child that dies after some batches has them rolled back, and this process's reading
    of the rest takes their place."""
    from cityguard.store import imports

    scan = _nessus(tmp_path / "mid.nessus",
                   [_host(f"h{n}", f"10.0.6.{n}", range(8)) for n in range(30)])
    monkeypatch.setattr(imports, "BATCH", 7)  # many small batches
    parent = os.getpid()
    batches = parallel.staged_batches

    def die_after_three(*args, **kwargs):
        for n, batch in enumerate(batches(*args, **kwargs)):
            if os.getpid() != parent and n == 3:
                os._exit(9)  # as if killed
            yield batch

    monkeypatch.setattr(parallel, "staged_batches", die_after_three)
    url_for = _sqlite(tmp_path) if backend_kind == "sqlite" else \
        (lambda _: request.getfixturevalue("pg_server").new_database())
    _same_as_one_process(scan, tmp_path, url_for, same_ids=backend_kind == "sqlite")
    assert split_any_size == [False]


@pytest.mark.parametrize("backend_kind", ["sqlite", "postgresql"])
def test_a_split_import_into_a_system_with_findings_is_the_same(
        tmp_path: Path, split_any_size: list[bool], monkeypatch: pytest.MonkeyPatch,
        request, backend_kind: str) -> None:
    """The second scan of a system: seen, reopened, fixed and new, as a one-process read."""
    from cityguard.store import imports

    monkeypatch.setattr(imports, "BATCH", 11)
    first = _nessus(tmp_path / "first.nessus",
                    [_host(f"h{n}", f"10.0.7.{n}", range(0, 6)) for n in range(12)])
    second = _nessus(tmp_path / "second.nessus",
                     [_host(f"h{n}", f"10.0.7.{n}", range(3, 9)) for n in range(2, 16)])
    urls = []
    for _ in range(2):
        if backend_kind == "sqlite":
            urls.append(str(tmp_path / f"s{time.monotonic_ns()}.db"))
        else:
            urls.append(request.getfixturevalue("pg_server").new_database())
    results = []
    for url, two in zip(urls, (False, True), strict=True):
        _import(first, url, two=two)
        results.append(_import(second, url, two=two))
    assert results[1] == results[0]
    counts = results[0][0]
    assert counts["new"] and counts["seen"] and counts["fixed"], counts
    assert split_any_size == [True, True]


def test_the_split_plan_refuses_what_it_cannot_split(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(split, "_cpus", lambda: 2)
    importer = ingest.get_importer("nessus")
    small = _nessus(tmp_path / "one.nessus", [_host("h", "10.0.5.1", range(3))])
    monkeypatch.setattr(split, "CHILD_SHARE", 0.01)  # no host starts in the last 1 %
    assert ingest.split_file(importer, small) is None
    utf16 = tmp_path / "u16.nessus"
    utf16.write_bytes(small.read_text().replace('"UTF-8"', '"UTF-16"').encode("utf-16"))
    assert ingest.split_file(importer, utf16) is None
    assert ingest.split_file(ingest.get_importer("sarif"), small) is None  # not splittable
    monkeypatch.setattr(split, "SPLIT_FROM", 1 << 30)
    assert ingest.split_file(importer, small) is None  # small files are read in one
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(split, "CHILD_SHARE", 0.9)
    assert ingest.split_file(importer, small) is not None
    monkeypatch.setattr(split, "_cpus", lambda: 1)
    assert ingest.split_file(importer, small) is None  # one CPU: nothing to gain


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_killed_split_import_takes_its_child_along_and_leaves_nothing(
        tmp_path: Path) -> None:
    """SIGKILL to the importer mid-way: its child dies with it (PR_SET_PDEATHSIG), the store
    holds nothing of the file, and no spool is left in the temporary folder."""
    if split._cpus() < 2:
        pytest.skip("one CPU: a real import reads in one process")
    hosts = [_host(f"h{n}", f"10.{n // 250}.{n % 250}.1", range(40), pad=" x" * 60)
             for n in range(3000)]  # ~45 MB, over SPLIT_FROM
    scan = _nessus(tmp_path / "big.nessus", hosts)
    assert scan.stat().st_size > split.SPLIT_FROM
    spool_dir = tmp_path / "tmp"
    spool_dir.mkdir()
    url = str(tmp_path / "k.db")
    env = {**os.environ, "TMPDIR": str(spool_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "cityguard", "scans", "import", str(scan),
                             "--store", url], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 20
    children: list[int] = []
    while not children and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        children = _children(proc.pid)
    assert children, "the import never forked its reader"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{c}").exists() and _state(c) != "Z" for c in children) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [c for c in children if Path(f"/proc/{c}").exists() and _state(c) != "Z"]
    assert list(spool_dir.iterdir()) == []
    with open_store(url) as st:
        assert st.imports() == []
        assert st.db.scalar("SELECT count(*) FROM findings") == 0


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
