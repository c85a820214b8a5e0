"""`cityguard scans import|formats|history` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def nessus(items: dict[str, list[int]]) -> str:
    """A small .nessus: {host ip: [plugin ids]} (severity 3, port 443)."""
    hosts = []
    for ip, plugins in items.items():
        reports = "".join(
            f'<ReportItem port="443" svc_name="www" protocol="tcp" severity="3" pluginID="{p}"'
            f' pluginName="Outdated component {p}" pluginFamily="General">'
            f"<cve>CVE-2024-{p:05d}</cve><description>d</description></ReportItem>"
            for p in plugins
        )
        hosts.append(f'<ReportHost name="{ip}"><HostProperties><tag name="host-ip">{ip}</tag>'
                     f"</HostProperties>{reports}</ReportHost>")
    return ('<?xml version="1.0" ?><NessusClientData_v2><Report name="r">' + "".join(hosts)
            + "</Report></NessusClientData_v2>")


def write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


def rows(result) -> dict[str, dict]:
    return {Path(r["file"]).name: r for r in json.loads(result.stdout)}


def test_import_prints_a_row_per_file(cli, tmp_path: Path) -> None:
    a = write(tmp_path, "week1.nessus", nessus({"10.0.0.1": [1, 2, 3], "10.0.0.2": [1]}))
    res = cli("scans", "import", a, "--system", "portal", "--lang", "en")
    assert res.exit_code == 0, res.output
    header = ["file", "format", "read", "new", "seen again", "reopened", "fixed"]
    for word in header:
        assert word in res.stdout
    line = next(x for x in res.stdout.splitlines() if "week1.nessus" in x)
    assert [c.strip() for c in line.strip("│┃ ").split("│")][1:] == ["nessus", "4", "4", "0", "0",
                                                                      "0"]
    assert "1 of 1 file(s) imported" in res.stderr and "'portal'" in res.stderr


def test_reimport_counts_seen_fixed_and_reopened(cli, tmp_path: Path) -> None:
    w1 = write(tmp_path, "w1.nessus", nessus({"10.0.0.1": [1, 2, 3], "10.0.0.2": [1]}))
    w2 = write(tmp_path, "w2.nessus", nessus({"10.0.0.1": [1, 4]}))
    w3 = write(tmp_path, "w3.nessus", nessus({"10.0.0.1": [1, 2, 4]}))
    res = cli("scans", "import", w1, w2, w3, "--json")
    assert res.exit_code == 0, res.output
    out = rows(res)
    assert {k: out["w1.nessus"][k] for k in ("read", "new", "seen", "fixed")} == {
        "read": 4, "new": 4, "seen": 0, "fixed": 0}
    # host .2 is outside w2's scope: only .1's plugins 2 and 3 are fixed
    assert {k: out["w2.nessus"][k] for k in ("new", "seen", "fixed")} == {
        "new": 1, "seen": 1, "fixed": 2}
    assert {k: out["w3.nessus"][k] for k in ("new", "seen", "reopened", "fixed")} == {
        "new": 0, "seen": 2, "reopened": 1, "fixed": 0}
    assert all(len(r["sha256"]) == 64 for r in out.values())
    hist = cli("scans", "history")
    assert hist.exit_code == 0
    assert all(f"w{i}.nessus" in hist.stdout for i in (1, 2, 3))


def test_systems_are_separate_scopes(cli, tmp_path: Path) -> None:
    full = write(tmp_path, "full.nessus", nessus({"10.0.0.1": [1, 2]}))
    part = write(tmp_path, "part.nessus", nessus({"10.0.0.1": [1]}))
    assert cli("scans", "import", full, "--system", "a").exit_code == 0
    assert cli("scans", "import", full, "--system", "b").exit_code == 0
    out = rows(cli("scans", "import", part, "--system", "a", "--json"))
    assert out["part.nessus"]["fixed"] == 1 and out["part.nessus"]["system"] == "a"
    listed = json.loads(cli("findings", "list", "--system", "b", "--format", "json").stdout)
    assert {f["status"] for f in listed} == {"open"}


def test_formats_lists_every_importer(cli) -> None:
    from cityguard import ingest

    res = cli("scans", "formats", "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert [d["name"] for d in data] == [c.name for c in ingest.formats()]
    assert {"nessus", "sarif"} <= {d["name"] for d in data}
    assert all(d["tool"] and d["description"] for d in data)
    table = cli("scans", "formats", "--lang", "en")
    assert "nessus" in table.stdout and "description" in table.stdout


def test_default_store_is_in_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path, "s.nessus", nessus({"10.0.0.1": [1]}))
    env = {k: v for k, v in os.environ.items() if k != "CITYGUARD_STORE"}
    proc = subprocess.run([sys.executable, "-m", "cityguard", "scans", "import", "s.nessus"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".cityguard" / "cityguard.db").is_file()
    other = tmp_path / "elsewhere.db"
    proc = subprocess.run([sys.executable, "-m", "cityguard", "scans", "import", "s.nessus",
                           "--store", str(other)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and other.is_file()


def test_a_broken_store_file_is_one_line(tmp_path: Path, cityguard_proc) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 200)
    write(tmp_path, "s.nessus", nessus({"10.0.0.1": [1]}))
    res = cityguard_proc("scans", "import", "s.nessus", "--store", str(bad), cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().startswith("error:") and "not a cityguard store" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_real_corpus_files_import(cli, corpus: Path) -> None:
    files = [corpus / "nmap" / "nmap_multiple_port.xml", corpus / "sarif" / "cxf-3.4.6.sarif",
             corpus / "nessus" / "nessus_was_no_vuln.csv"]
    if not all(f.is_file() for f in files):
        pytest.skip("corpus files missing")
    res = cli("scans", "import", *map(str, files), "--json")
    assert res.exit_code == 0, res.output
    out = rows(res)
    assert (out["nmap_multiple_port.xml"]["format"], out["nmap_multiple_port.xml"]["new"]) == (
        "nmap", 13)
    assert out["cxf-3.4.6.sarif"]["format"] == "sarif" and out["cxf-3.4.6.sarif"]["read"] == 22
    assert out["nessus_was_no_vuln.csv"]["read"] == 0
