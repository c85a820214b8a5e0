"""The register of systems on both backends: add/edit/remove/show, sync from manifests (the
manifest stays the source of truth), the spreadsheet ledger in and out, bad ledgers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cityguard.store import open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "smart-city-portal"


def test_add_edit_show_remove(cli, store_url: str) -> None:
    res = cli("systems", "add", "城市大脑", "--department", "市大数据局", "--district", "滨江区",
              "--level", "3", "--grade", "S3A2", "--ext", "cloud,iot", "--stage", "operate",
              "--filing-number", "33010099999-00001", "--filing-date", "2024-03-01",
              "--store", store_url)
    assert res.exit_code == 0, res.output
    again = cli("systems", "add", "城市大脑", "--level", "3", "--store", store_url)
    assert again.exit_code == 2 and "already in the register" in again.output
    assert cli("systems", "edit", "城市大脑", "--owner", "张伟", "--tags", "核心,对外",
               "--store", store_url).exit_code == 0
    shown = cli("systems", "show", "城市大脑", "--format", "json", "--store", store_url)
    data = json.loads(shown.stdout)
    assert (data["department"], data["district"], data["level"], data["grade"]) == \
        ("市大数据局", "滨江区", 3, "S3A2")
    assert data["extensions"] == ["cloud", "iot"] and data["tags"] == ["核心", "对外"]
    assert data["owner"] == "张伟" and data["filing_date"] == "2024-03-01"
    assert data["posture"]["never_assessed"] is True and data["posture"]["overdue"] is True
    for bad, message in ((["--level", "5"], "level"), (["--grade", "S4A2"], "means level 4"),
                         (["--ext", "blockchain"], "unknown extension"),
                         (["--stage", "retired"], "stage"),
                         (["--filing-date", "2024-13-01"], "not a date")):
        res = cli("systems", "edit", "城市大脑", *bad, "--store", store_url)
        assert res.exit_code == 2 and message in res.output, (bad, res.output)
    assert cli("systems", "remove", "城市大脑", "--store", store_url).exit_code == 0
    gone = cli("systems", "show", "城市大脑", "--store", store_url)
    assert gone.exit_code == 2 and "no system" in gone.output


def test_remove_refuses_a_system_with_history_unless_purged(cli, store_url: str,
                                                             corpus: Path) -> None:
    cli("systems", "add", "政务云", "--level", "4", "--store", store_url)
    scan = corpus / "trivy" / "scheme_2_many_vulns.json"
    assert cli("scans", "import", str(scan), "--system", "政务云",
               "--store", store_url).exit_code == 0
    res = cli("systems", "remove", "政务云", "--store", store_url)
    assert res.exit_code == 2 and "--purge" in res.output
    assert cli("systems", "remove", "政务云", "--purge", "--store", store_url).exit_code == 0
    with open_store(store_url) as st:
        assert st.systems() == [] and list(st.list_findings()) == [] and st.imports() == []


def test_sync_takes_the_manifest_as_the_source_of_truth(cli, store_url: str,
                                                        tmp_path: Path) -> None:
    tree = tmp_path / "repos"
    shutil.copytree(EXAMPLE, tree / "portal", symlinks=True)
    (tree / ".git" / "x").mkdir(parents=True)  # hidden folders are not searched
    shutil.copy(EXAMPLE / "cityguard.yaml", tree / ".git" / "x" / "cityguard.yaml")
    cli("systems", "add", "智慧城市门户", "--level", "2", "--district", "黄浦区",
        "--store", store_url)
    res = cli("systems", "sync", str(tree), "--store", store_url)
    assert res.exit_code == 0, res.output
    with open_store(store_url) as st:
        rec = st.system("智慧城市门户")
        assert (rec.level, rec.grade, rec.stage, rec.department, rec.owner) == \
            (3, "S3A3", "deploy", "市大数据局", "李明")
        assert rec.district == "黄浦区"  # what only the register knows stays
        assert (rec.filing_number, rec.filing_date) == ("31010099001-25001", "2025-02-15")
        assert (rec.report_date, rec.report_conclusion) == ("2025-08-25", "basically_compliant")
        assert rec.manifest == str((tree / "portal" / "cityguard.yaml").resolve())
        from cityguard.system.manifest import load_manifest

        waivers = load_manifest(EXAMPLE / "cityguard.yaml").waivers
        assert st.db.scalar("SELECT count(*) FROM waivers WHERE system = ?", [rec.name]) \
            == len(waivers) > 0
    held = cli("systems", "edit", "智慧城市门户", "--level", "4", "--store", store_url)
    assert held.exit_code == 2 and "from its manifest" in held.output
    assert cli("systems", "edit", "智慧城市门户", "--contact", "安全员 王五",
               "--store", store_url).exit_code == 0


def test_a_bad_manifest_stops_the_sync_before_anything_is_written(cli, store_url: str,
                                                                   tmp_path: Path) -> None:
    good = tmp_path / "a"
    shutil.copytree(EXAMPLE, good, symlinks=True)
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "cityguard.yaml").write_text("name: 坏清单\nlevel: 7\nstage: operate\n", "utf-8")
    res = cli("systems", "sync", str(tmp_path), "--store", store_url)
    assert res.exit_code == 2 and "cityguard.yaml" in res.output
    with open_store(store_url) as st:
        assert st.register_list() == []


LEDGER_HEADER = ["序号", "系统名称", "运营使用单位", "区县", "安全保护等级", "定级", "扩展要求",
                 "备案编号", "备案日期", "阶段", "安全联系人", "备注"]
LEDGER_ROWS = [
    [1, "城市大脑", "市大数据局", "滨江区", "第三级", "S3A2", "云计算、物联网",
     "33010099999-00001", "2024/3/1", "运行", "王五", "核心系统"],
    [2, "市民服务App", "市政务服务中心", "上城区", "二级", "", "移动互联", "", "", "上线", "", ""],
    [3, "-热线平台", "测试单位", "", 3, "", "", "", "", "", "", ""],
]


def _xlsx(path: Path, header: list, rows: list) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_ledger_import_with_chinese_headers_and_round_trip(cli, store_url: str,
                                                           tmp_path: Path) -> None:
    from datetime import datetime

    rows = [list(r) for r in LEDGER_ROWS]
    rows[0][8] = datetime(2024, 3, 1)  # a real date cell
    res = cli("systems", "import", str(_xlsx(tmp_path / "台账.xlsx", LEDGER_HEADER, rows)),
              "--store", store_url)
    assert res.exit_code == 0, res.output
    assert "序号" in res.output and "备注" in res.output  # ignored columns are named
    with open_store(store_url) as st:
        recs = {r.name: r for r in st.register_list()}
    brain = recs["城市大脑"]
    assert (brain.level, brain.grade, brain.extensions, brain.filing_date, brain.stage,
            brain.contact) == (3, "S3A2", ("cloud", "iot"), "2024-03-01", "operate", "王五")
    assert recs["市民服务App"].level == 2 and recs["市民服务App"].stage == "deploy"
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"export.{suffix}"
        assert cli("systems", "export", str(out), "--store", store_url).exit_code == 0
        assert oct(out.stat().st_mode & 0o777) == "0o600"
        other = store_url + "_copy" if store_url.endswith(".db") else None
        if other:
            assert cli("systems", "import", str(out), "--store", other).exit_code == 0
            with open_store(other) as st2:
                again = {r.name: r for r in st2.register_list()}
            for name, rec in recs.items():
                a = again[name]
                assert (a.level, a.grade, a.extensions, a.filing_date, a.stage, a.department,
                        a.district, a.contact) == (rec.level, rec.grade, rec.extensions,
                                                   rec.filing_date, rec.stage, rec.department,
                                                   rec.district, rec.contact), (suffix, name)
            Path(other).unlink()
    text = (tmp_path / "export.csv").read_text("utf-8-sig")
    assert "'-热线平台" in text  # formula-like cells neutralised


def test_english_csv_ledger_in_gb18030(cli, store_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "ledger.csv"
    csv.write_bytes("Name,Department,Level,Stage,Filing date\n"
                    "门户,大数据局,4,operate,2023-12-31\n".encode("gb18030"))
    assert cli("systems", "import", str(csv), "--store", store_url).exit_code == 0
    with open_store(store_url) as st:
        (rec,) = st.register_list()
    assert (rec.name, rec.level, rec.filing_date) == ("门户", 4, "2023-12-31")


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (["系统名称", "单位"], ["城市大脑", "x"], "no column for level"),
        (["系统名称", "等级", "备案日期"], ["城市大脑", "3", "2024-02-30"],
         "row 3, column 备案日期 (C): '2024-02-30' is not a date"),
        (["系统名称", "等级"], ["城市大脑", "五级"],
         "row 3, column 等级 (B): '五级' is not a level"),
        (["系统名称", "等级", "阶段"], ["城市大脑", "3", "退役"], "column 阶段 (C)"),
        (["系统名称", "等级", "level"], ["x", "3", "3"], "a second column for level"),
    ],
)
def test_a_bad_ledger_is_one_line_and_writes_nothing(cli, store_url: str, tmp_path: Path,
                                                     header, row, message) -> None:
    good = ["政务云", "4"] + [""] * (len(header) - 2)
    path = _xlsx(tmp_path / "bad.xlsx", header, [good, row])
    res = cli("systems", "import", str(path), "--store", store_url)
    assert res.exit_code == 2, res.output
    assert message in res.output and "bad.xlsx" in res.output
    with open_store(store_url) as st:
        assert st.register_list() == []


def test_a_ledger_does_not_override_what_a_manifest_holds(cli, store_url: str,
                                                          tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "portal", symlinks=True)
    assert cli("systems", "sync", str(tmp_path / "portal"), "--store", store_url).exit_code == 0
    path = _xlsx(tmp_path / "l.xlsx", ["系统名称", "等级", "区县"],
                 [["智慧城市门户", "2", "黄浦区"]])
    assert cli("systems", "import", str(path), "--store", store_url).exit_code == 0
    with open_store(store_url) as st:
        rec = st.system("智慧城市门户")
    assert (rec.level, rec.district) == (3, "黄浦区")


def test_hostile_ledgers_are_refused_in_bounded_time(cli, tmp_path: Path) -> None:
    import time
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    not_zip = tmp_path / "fake.xlsx"
    not_zip.write_bytes(b"root:$6$secret-hash:19000:0:99999:7:::\n")
    started = time.monotonic()
    for path, message in ((bomb, "expands to more than"), (not_zip, "not a readable .xlsx")):
        res = cli("systems", "import", str(path))
        assert res.exit_code == 2 and message in res.output, res.output
        assert "secret-hash" not in res.output
    assert time.monotonic() - started < 20
    odd = tmp_path / "ledger.txt"
    odd.write_text("x")
    res = cli("systems", "import", str(odd))
    assert res.exit_code == 2 and ".xlsx or a .csv" in res.output
