"""Hostile and broken scan files, imported as a user would (a real `cityguard` process).

Each bad file gives one line naming it and the problem, leaves nothing in the store, and does
not stop the other files of the same command; the exit code is 2 and no traceback is shown.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

SECRET = "TOPSECRET-MARKER-7f3a9c"


def nessus(hosts: int = 1, items: int = 2, doctype: str = "", body: str = "d") -> str:
    out = [f'<?xml version="1.0" ?>\n{doctype}\n<NessusClientData_v2><Report name="t">']
    for h in range(hosts):
        ip = f"10.9.{h // 250}.{h % 250 + 1}"
        out.append(f'<ReportHost name="{ip}"><HostProperties><tag name="host-ip">{ip}</tag>'
                   "</HostProperties>")
        for i in range(items):
            out.append(
                f'<ReportItem port="{443 + i}" svc_name="www" protocol="tcp" severity="2"'
                f' pluginID="{20000 + i}" pluginName="Plugin {i}" pluginFamily="General">'
                f"<description>{body}</description><plugin_output>out {i}</plugin_output>"
                "</ReportItem>"
            )
        out.append("</ReportHost>")
    out.append("</Report></NessusClientData_v2>\n")
    return "".join(out)


def sarif(results: int) -> str:
    res = [{"ruleId": f"R{i % 7}", "level": "warning", "message": {"text": f"m{i}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"src/f{i}.py"},
                                                "region": {"startLine": i + 1}}}]}
           for i in range(results)]
    return json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}},
                                                     "results": res}]}, indent=1)


def stored(db: Path) -> tuple[list[str], list[str]]:
    conn = sqlite3.connect(db)
    files = [r[0] for r in conn.execute("SELECT file FROM imports ORDER BY id")]
    sources = sorted({r[0] for r in conn.execute(
        "SELECT i.file FROM findings f JOIN imports i ON i.id = f.last_import_id")})
    conn.close()
    return files, sources


def test_hostile_and_broken_files_fail_alone(tmp_path: Path, http_spy, cityguard_proc) -> None:
    url, hits = http_spy
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    fifo = tmp_path / "blocking.dtd"
    os.mkfifo(fifo)  # opening it for reading would block until timeout: proves no file access

    files = {
        "good.nessus": nessus(hosts=2),
        "xxe_file.nessus": nessus(
            doctype=f'<!DOCTYPE NessusClientData_v2 [<!ENTITY xxe SYSTEM "file://{secret_file}">]>',
            body="&xxe;"),
        "xxe_param.nessus": nessus(
            doctype=f'<!DOCTYPE NessusClientData_v2 [<!ENTITY % ext SYSTEM "{url}/param">'
                    " %ext;]>"),
        "laughs.nessus": nessus(
            doctype="<!DOCTYPE NessusClientData_v2 [<!ENTITY l0 \"lol\">"
                    + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">'
                              for i in range(1, 10)) + "]>",
            body="&l9;"),
        "truncated.nessus": nessus(hosts=30)[: len(nessus(hosts=30)) * 2 // 3],
        "truncated.sarif": sarif(50)[:2000],
        "garbage.bin": bytes((i * 37 + 11) % 256 for i in range(4096)).decode("latin-1"),
        # valid: an external DTD is neither fetched (HTTP spy) nor opened (FIFO)
        "dtd_http.nessus": nessus(doctype=f'<!DOCTYPE NessusClientData_v2 SYSTEM "{url}/x.dtd">'),
        "dtd_file.nessus": nessus(doctype=f'<!DOCTYPE NessusClientData_v2 SYSTEM "file://{fifo}">'),
        "zero.nessus": nessus(hosts=0),
        "empty.json": "",
    }
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("latin-1" if name.endswith(".bin") else "utf-8"))
    db = tmp_path / "cg.db"
    res = cityguard_proc("scans", "import", *files, "--store", str(db), "--json",
                        cwd=tmp_path, timeout=120)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    err_lines = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    expected = {
        "xxe_file.nessus": "declares entities",
        "xxe_param.nessus": "declares entities",
        "laughs.nessus": "declares entities",
        "truncated.nessus": "invalid XML",
        "truncated.sarif": "invalid JSON",
        "garbage.bin": "not a recognised scan format (binary content)",
    }
    assert len(err_lines) == len(expected), res.stderr
    for name, problem in expected.items():
        (line,) = [x for x in err_lines if f"error: {name}" in x]
        assert problem in line, line
    assert "error: truncated.nessus:" in res.stderr  # the line number is given
    assert "empty.json: empty report" in res.stderr

    out = {r["file"]: r for r in json.loads(res.stdout)}
    assert {f for f, r in out.items() if r["status"] == "failed"} == set(expected)
    assert out["good.nessus"]["new"] == 4
    assert out["dtd_http.nessus"]["read"] == 2 and out["dtd_file.nessus"]["read"] == 2
    assert out["zero.nessus"]["read"] == 0 and out["empty.json"]["format"] == "empty"

    # nothing was fetched, the local file never leaked, and failed files left nothing behind
    assert hits == []
    assert SECRET not in res.stdout + res.stderr
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("cg.db*"))
    imported, sources = stored(db)
    assert imported == ["good.nessus", "dtd_http.nessus", "dtd_file.nessus", "zero.nessus",
                        "empty.json"]
    # dtd_*.nessus report the same host and plugins as good.nessus: deduplicated, last wins
    assert sources == ["dtd_file.nessus", "good.nessus"]
    assert out["dtd_http.nessus"]["seen"] == 2 and out["dtd_file.nessus"]["seen"] == 2


def test_a_file_of_another_format_given_with_format(tmp_path: Path, cityguard_proc) -> None:
    (tmp_path / "lint.sarif").write_text(sarif(3))
    (tmp_path / "scan.nessus").write_text(nessus())
    db = tmp_path / "cg.db"
    res = cityguard_proc("scans", "import", "lint.sarif", "scan.nessus", "--format", "nessus",
                        "--store", str(db), cwd=tmp_path)
    assert res.returncode == 2
    assert "error: lint.sarif: is not a nessus file (it looks like sarif)" in res.stderr
    assert "Traceback" not in res.stderr
    assert stored(db)[0] == ["scan.nessus"]


def test_unknown_format_name_and_missing_file(tmp_path: Path, cityguard_proc) -> None:
    res = cityguard_proc("scans", "import", "nope.nessus", "--store", str(tmp_path / "cg.db"),
                        cwd=tmp_path)
    assert res.returncode == 2 and "error: nope.nessus: file not found" in res.stderr
    (tmp_path / "a.nessus").write_text(nessus())
    res = cityguard_proc("scans", "import", "a.nessus", "--format", "nesus",
                        "--store", str(tmp_path / "cg.db"), cwd=tmp_path)
    assert res.returncode == 2
    assert "unknown scan format 'nesus'; known:" in res.stderr and "nessus" in res.stderr
    assert "Traceback" not in res.stderr
