"""The SOC's spreadsheet ledger (台账) of systems: read from .xlsx / .csv, written back.

Headers are matched by name, Chinese or English (HEADERS: 系统名称 / name, 等级 / level, …), in
any order; other columns are ignored. `name` and `level` are required. Values are read the way
people type them: 第三级 / 三级 / 3, 运行 / operate, 云计算、物联网 / cloud,iot, 2024/3/1 or a
date cell. Any bad cell stops the import with one line naming the file, the row and the column,
before anything is written. A CSV in UTF-8 (with or without BOM) or GB18030 (what Chinese Excel
saves) is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cityguard.core.csvsafe import formula_like
from cityguard.core.decompress import TooLarge, zip_within
from cityguard.core.errors import DataError
from cityguard.core.limits import MiB, check_size
from cityguard.model.register import SystemRecord

MAX_LEDGER_BYTES = 16 * MiB
MAX_ROWS = 100_000
#: field → header names accepted (compared without spaces, case-insensitively)
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("系统名称", "信息系统名称", "定级对象名称", "定级对象", "名称", "系统", "name",
             "system", "systemname"),
    "department": ("单位", "责任单位", "运营使用单位", "责任部门", "部门", "主管部门",
                   "department", "organisation", "organization", "unit"),
    "district": ("区县", "所属区县", "区域", "行政区", "district", "area"),
    "owner": ("责任人", "系统负责人", "负责人", "owner"),
    "contact": ("安全联系人", "联系人", "安全负责人", "securitycontact", "contact"),
    "level": ("安全保护等级", "保护等级", "等级", "级别", "level", "protectionlevel"),
    "grade": ("定级", "sa等级", "s/a等级", "grade", "sagrade"),
    "extensions": ("扩展要求", "扩展", "extensions", "extension"),
    "filing_number": ("备案编号", "备案号", "备案证明编号", "filingnumber", "filingno"),
    "filing_date": ("备案日期", "备案时间", "filingdate"),
    "stage": ("阶段", "生命周期阶段", "所处阶段", "stage"),
    "tags": ("标签", "tags"),
    "manifest": ("清单", "清单文件", "manifest"),
    "interval_months": ("测评周期（月）", "测评周期(月)", "测评周期", "interval", "intervalmonths",
                        "assessmentinterval(months)", "assessmentinterval"),
}
REQUIRED = ("name", "level")
_LEVELS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_STAGES = {"plan": "plan", "规划": "plan", "同步规划": "plan", "build": "build", "建设": "build",
           "同步建设": "build", "deploy": "deploy", "上线": "deploy", "同步使用": "deploy",
           "operate": "operate", "运行": "operate", "运维": "operate", "运营": "operate"}
_EXTENSIONS = {"cloud": "cloud", "云计算": "cloud", "云": "cloud", "mobile": "mobile",
               "移动互联": "mobile", "iot": "iot", "物联网": "iot", "ics": "ics",
               "工业控制": "ics", "工控": "ics", "工业控制系统": "ics", "bigdata": "bigdata",
               "大数据": "bigdata"}
_SPLIT = re.compile(r"[,，、;；/\s]+")


@dataclass
class Ledger:
    records: list[SystemRecord]
    columns: tuple[str, ...]  # the fields the ledger has a column for
    ignored: tuple[str, ...]  # headers that matched no field


def _norm(header: Any) -> str:
    return re.sub(r"\s+", "", str(header or "")).lower()


_LOOKUP = {_norm(h): f for f, names in HEADERS.items() for h in names}


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def read_ledger(path: str | Path) -> Ledger:
    p = Path(path)
    if not p.is_file():
        raise DataError(p, "file not found")
    check_size(p, MAX_LEDGER_BYTES, "ledger")
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(p)
    elif suffix == ".csv":
        rows = _csv_rows(p)
    else:
        raise DataError(p, "a ledger is an .xlsx or a .csv file")
    return _parse(p, rows)


def _xlsx_rows(p: Path) -> list[tuple[int, list[Any]]]:
    from zipfile import BadZipFile

    import openpyxl  # reads XML through defusedxml when installed (it is a dependency)

    try:
        zip_within(p)  # an .xlsx is a ZIP: a bomb is refused before anything is extracted
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except TooLarge as exc:
        raise DataError(p, str(exc)) from None
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(p, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        out = []
        for n, row in enumerate(ws.iter_rows(values_only=True), 1):
            if n > MAX_ROWS + 1:
                raise DataError(p, f"more than {MAX_ROWS} rows")
            out.append((n, list(row)))
        return out
    finally:
        wb.close()


def _csv_rows(p: Path) -> list[tuple[int, list[Any]]]:
    import csv
    import io

    raw = p.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DataError(p, "not UTF-8 or GB18030 text")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataError(p, f"not a CSV file ({exc})") from None
    if len(rows) > MAX_ROWS + 1:
        raise DataError(p, f"more than {MAX_ROWS} rows")
    return list(enumerate(rows, 1))


def _parse(p: Path, rows: list[tuple[int, list[Any]]]) -> Ledger:
    rows = [(n, r) for n, r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise DataError(p, "the ledger is empty")
    head_n, header = rows[0]
    fields: dict[int, str] = {}
    ignored = []
    for i, h in enumerate(header):
        field = _LOOKUP.get(_norm(h))
        if field is None:
            if h not in (None, ""):
                ignored.append(str(h))
            continue
        if field in fields.values():
            raise DataError(p, f"row {head_n}, column {_col(i)}: a second column for {field} "
                               f"({h!r})")
        fields[i] = field
    for need in REQUIRED:
        if need not in fields.values():
            names = " / ".join(HEADERS[need][:2] + HEADERS[need][-2:])
            raise DataError(p, f"row {head_n}: no column for {need} (a header such as {names})")
    records: list[SystemRecord] = []
    seen: dict[str, int] = {}
    for n, row in rows[1:]:
        values: dict[str, Any] = {}
        for i, field in fields.items():
            cell = row[i] if i < len(row) else None
            where = f"row {n}, column {header[i]} ({_col(i)})"
            try:
                values[field] = _value(field, cell)
            except ValueError as exc:
                raise DataError(p, f"{where}: {exc}") from None
        name = values.get("name") or ""
        if not name:
            raise DataError(p, f"row {n}: the system name is empty")
        if name in seen:
            raise DataError(p, f"row {n}: system {name!r} is already on row {seen[name]}")
        seen[name] = n
        if values.get("level") is None:
            raise DataError(p, f"row {n}: the level of {name!r} is empty")
        records.append(SystemRecord(**values))
    return Ledger(records, tuple(fields.values()), tuple(ignored))


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = " ".join(str(cell).split())
    # our own exports prefix formula-like text with an apostrophe (core/csvsafe): undo it
    return text[1:] if text[:1] == "'" and formula_like(text[1:]) else text


def _value(field: str, cell: Any) -> Any:
    text = _text(cell)
    if field == "level":
        return _level(text) if text else None
    if field == "interval_months":
        if not text:
            return None
        if not text.isdigit() or not 1 <= int(text) <= 60:
            raise ValueError(f"{text!r} is not a number of months (1-60)")
        return int(text)
    if field == "filing_date":
        return _date(cell, text)
    if field == "stage":
        if not text:
            return ""
        stage = _STAGES.get(text.lower()) or _STAGES.get(text.removesuffix("阶段"))
        if stage is None:
            raise ValueError(f"{text!r} is not a stage (规划/建设/上线/运行 or plan/build/"
                             "deploy/operate)")
        return stage
    if field == "extensions":
        out = []
        for part in filter(None, _SPLIT.split(text)):
            ext = _EXTENSIONS.get(part.lower()) or _EXTENSIONS.get(part.removesuffix("扩展要求"))
            if ext is None:
                raise ValueError(f"{part!r} is not an extension ({', '.join(_EXTENSIONS)})")
            out.append(ext)
        return tuple(dict.fromkeys(out))
    if field == "tags":
        return tuple(dict.fromkeys(filter(None, _SPLIT.split(text))))
    if field == "grade":
        return text.upper()
    return text


def _level(text: str) -> int:
    core = text.strip().removeprefix("第").removesuffix("级").strip()
    core = core.upper().removeprefix("L").removeprefix("S")
    level = _LEVELS.get(core)
    if level is None:
        raise ValueError(f"{text!r} is not a level (1-4, 第三级, 三级)")
    return level


def _date(cell: Any, text: str) -> str | None:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        if m is None:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


#: the columns `systems export` writes, in order (and what import reads back)
EXPORT_FIELDS = ("name", "department", "district", "owner", "contact", "level", "grade",
                 "extensions", "filing_number", "filing_date", "stage", "tags",
                 "interval_months", "manifest")  # fmt: skip


def export_row(rec: SystemRecord) -> list[Any]:
    out: list[Any] = []
    for f in EXPORT_FIELDS:
        value = getattr(rec, f)
        out.append("、".join(value) if isinstance(value, tuple) else value)
    return out
