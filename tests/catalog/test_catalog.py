"""The MLPS 2.0 catalog as data: counts, ids, summaries, S/A selection, high-risk links."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cityguard.core.errors import DataError, UsageError
from cityguard.policy.catalog import (
    load_catalog,
    make_selection,
    parse_grade,
    search_items,
    select_items,
)

# mlps-facts.md §1.2: items per class for levels 1-4 (general requirements)
GENERAL_COUNTS = {
    "PES": (7, 15, 22, 24),
    "CNS": (2, 4, 8, 11),
    "ABS": (5, 11, 20, 21),
    "CES": (11, 23, 34, 36),
    "SMC": (0, 4, 12, 13),
    "PSS": (1, 6, 7, 7),
    "ORS": (3, 9, 14, 15),
    "HRS": (4, 7, 12, 14),
    "CMS": (9, 25, 34, 35),
    "MMS": (13, 31, 48, 52),
}
GENERAL_TOTALS = (55, 135, 211, 228)
CONTROL_POINTS = (42, 68, 71, 71)
# §1.3 extensions, items per level; IoT has one GB/T 28448-only unit at L3 and L4 (NOTES §6)
EXTENSION_UNITS = {
    "cloud": (11, 29, 46, 49),
    "mobile": (5, 14, 19, 21),
    "iot": (4, 7, 21, 22),
    "ics": (9, 15, 21, 22),
    "bigdata": (3, 12, 24, 25),
}
UNIT_ID = re.compile(r"^L([1-4])-(PES|CNS|ABS|CES|SMC|PSS|ORS|HRS|CMS|MMS)([1-5])-(\d{2})$")
PART_DIGIT = {"general": "1", "cloud": "2", "mobile": "3", "iot": "4", "ics": "5"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_general_items_per_class(catalog, level):
    items = [i for i in catalog.items if i.level == level and i.part == "general"]
    assert len(items) == GENERAL_TOTALS[level - 1]
    by_class = Counter(i.class_code for i in items)
    for code, counts in GENERAL_COUNTS.items():
        assert by_class.get(code, 0) == counts[level - 1], code
    control_points = {(i.class_code, i.control_point_zh) for i in items}
    assert len(control_points) == CONTROL_POINTS[level - 1]


@pytest.mark.parametrize("part", sorted(EXTENSION_UNITS))
def test_extension_units_per_level(catalog, part):
    for level in (1, 2, 3, 4):
        n = sum(1 for i in catalog.items if i.level == level and i.part == part)
        assert n == EXTENSION_UNITS[part][level - 1], (part, level)


def test_iot_level3_has_20_items_and_21_units(catalog):
    units = [i for i in catalog.items if i.level == 3 and i.part == "iot"]
    unit_only = [i for i in units if "28448" in i.note and not i.item_letter]
    assert len(units) == 21
    assert [i.unit_id for i in unit_only] == ["L3-CES4-04"]


def test_level3_extension_items_per_class(catalog):
    expected = {
        "cloud": {"PES": 1, "CNS": 5, "ABS": 8, "CES": 19, "SMC": 4, "CMS": 8, "MMS": 1},
        "mobile": {"PES": 1, "ABS": 8, "CES": 5, "CMS": 4, "MMS": 1},
        "iot": {"PES": 4, "ABS": 3, "CES": 11, "MMS": 3},  # 10 items + the 28448-only unit
        "ics": {"PES": 2, "CNS": 4, "ABS": 8, "CES": 5, "CMS": 2},
    }
    for part, counts in expected.items():
        got = Counter(i.class_code for i in catalog.items if i.level == 3 and i.part == part)
        assert dict(got) == counts, part


def test_ids_unique_and_well_formed(catalog):
    ids = [i.unit_id for i in catalog.items]
    assert len(ids) == len(set(ids))
    for it in catalog.items:
        if it.part == "bigdata":
            assert re.fullmatch(rf"BDS-L{it.level}-\d{{2}}", it.unit_id)
            assert it.optional
            continue
        m = UNIT_ID.match(it.unit_id)
        assert m, it.unit_id
        assert int(m.group(1)) == it.level
        assert m.group(2) == it.class_code
        assert m.group(3) == PART_DIGIT[it.part]
        # clause chapter = level + 5 (6 = L1 … 9 = L4); extension part = second number
        chapter, part_no = it.clause.split(".")[:2]
        assert int(chapter) == it.level + 5, it.unit_id
        assert part_no == PART_DIGIT[it.part], it.unit_id


def test_gap_in_28448_numbering_is_kept_not_renumbered(catalog):
    ids = {i.unit_id for i in catalog.items}
    assert "L3-CES1-16" not in ids
    assert {"L3-CES1-15", "L3-CES1-17", "L3-CES1-35"} <= ids


def test_every_item_has_both_summaries_and_metadata(catalog):
    for it in catalog.items:
        assert it.summary_en.strip() and it.summary_zh.strip(), it.unit_id
        assert CJK.search(it.summary_zh), it.unit_id
        assert it.class_zh and it.class_en and it.control_point_en, it.unit_id
        assert it.importance in ("general", "important", "key"), it.unit_id
        assert it.assessed_by and set(it.assessed_by) <= {
            "automated_check", "scanner", "evidence", "interview"}, it.unit_id
        assert it.sa_tag in "SAG"


def test_summaries_are_not_shared_between_different_requirements(catalog):
    """Summaries are written per item; the same text twice in one class of a level is a slip."""
    texts = Counter((i.level, i.part, i.class_code, i.summary_en) for i in catalog.items)
    assert [key for key, n in texts.items() if n > 1] == []


def test_sa_tags_follow_annex_a(catalog):
    tags = {(i.class_code, i.control_point_zh): i.sa_tag for i in catalog.items
            if i.part == "general"}
    assert tags[("PES", "电力供应")] == "A"
    assert tags[("CES", "数据备份恢复")] == "A"
    assert tags[("CES", "身份鉴别")] == "S"
    assert tags[("CES", "安全审计")] == "G"
    assert all(i.sa_tag == "G" for i in catalog.items if i.part != "general")


def test_level_selection_counts(catalog):
    for level, total in zip((1, 2, 3, 4), GENERAL_TOTALS, strict=True):
        assert len(select_items(catalog, make_selection(level=level))) == total
    sel = make_selection(level=3, extensions=["cloud,mobile", "iot", "ics"])
    assert len(select_items(catalog, sel)) == 211 + 46 + 19 + 21 + 21
    assert all(not i.optional for i in select_items(catalog, sel))
    with_bigdata = select_items(catalog, make_selection(level=3, extensions=["bigdata"]))
    assert len(with_bigdata) == 211 + 24


def test_grade_selection_s3a2(catalog):
    """S3A2: S-tagged control points at level 3, A-tagged at level 2, G-tagged at level 3."""
    items = select_items(catalog, make_selection(grade="S3A2"))
    levels = {(i.sa_tag, i.level) for i in items}
    assert levels == {("S", 3), ("A", 2), ("G", 3)}
    l2_a = [i for i in catalog.items if i.level == 2 and i.part == "general" and i.sa_tag == "A"]
    l3_a = [i for i in catalog.items if i.level == 3 and i.part == "general" and i.sa_tag == "A"]
    assert len(items) == 211 - len(l3_a) + len(l2_a)
    assert {i.unit_id for i in l2_a} <= {i.unit_id for i in items}


def test_grade_selection_s2a3_takes_level3_availability(catalog):
    items = select_items(catalog, make_selection(grade="S2A3"))
    assert {i.level for i in items if i.sa_tag == "S"} == {2}
    assert {i.level for i in items if i.sa_tag == "A"} == {3}
    assert {i.level for i in items if i.sa_tag == "G"} == {3}


def test_bad_selection_is_a_usage_error():
    with pytest.raises(UsageError):
        make_selection(level=5)
    with pytest.raises(UsageError):
        make_selection(grade="S3")
    with pytest.raises(UsageError):
        make_selection(level=2, grade="S3A2")
    with pytest.raises(UsageError):
        make_selection(extensions=["blockchain"])
    assert parse_grade("s4a1") == (4, 1)


def test_high_risk_cases_are_linked(catalog):
    cases = catalog.high_risk_cases
    assert len(cases) == 81
    assert Counter(c.part for c in cases) == {
        "general": 42, "cloud": 16, "mobile": 10, "iot": 4, "ics": 9}
    assert sum(1 for c in cases if not c.mitigable) == 34
    ids = catalog.by_id()
    for c in cases:
        for uid in c.unit_ids:
            assert uid in ids, (c.case_id, uid)
    weak_pw = next(c for c in cases if c.case_id == "6.4.1.1")
    assert "L3-CES1-01" in weak_pw.unit_ids


def test_items_linked_to_high_risk_cases_are_key(catalog):
    linked = {u for c in catalog.high_risk_cases for u in c.unit_ids}
    for it in catalog.items:
        if it.unit_id in linked:
            assert it.importance == "key", it.unit_id


def test_search_finds_items_by_either_language(catalog):
    items = select_items(catalog, make_selection(level=3))
    assert {i.control_point_zh for i in search_items(items, "身份鉴别")} == {"身份鉴别"}
    assert "L3-CES1-01" in {i.unit_id for i in search_items(items, "L3-CES1")}


def _site_copy(tmp_path: Path, repo_root: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(repo_root / "policies" / "mlps2" / "items", site / "mlps2" / "items")
    return site


def test_site_overlay_replaces_a_file(tmp_path, repo_root):
    site = _site_copy(tmp_path, repo_root)
    f = site / "mlps2" / "items" / "l3_general.yaml"
    f.write_text(f.read_text("utf-8").replace("机房所在建筑", "本市机房所在建筑", 1), "utf-8")
    cat = load_catalog([site])
    assert cat.by_id()["L3-PES1-01"].summary_zh.startswith("本市机房")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("unit_id: L3-CES1-01", "unit_id: L3-CES1-1", "unit_id"),
        ("sa: S\n", "sa: X\n", "sa"),
        ("control_point: 身份鉴别", "control_point: 身份认证", "control_point"),
        ("unit_id: L3-CES1-02", "unit_id: L3-CES1-01", "unit_id"),
    ],
)
def test_broken_site_file_names_file_line_and_field(tmp_path, repo_root, old, new, field):
    site = _site_copy(tmp_path, repo_root)
    f = site / "mlps2" / "items" / "l3_general.yaml"
    text = f.read_text("utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(DataError) as exc:
        load_catalog([site])
    assert exc.value.path == str(f)
    assert exc.value.line is not None and exc.value.line > 3
    assert field in (exc.value.field or "")


def test_yaml_syntax_error_names_the_line(tmp_path, repo_root):
    site = _site_copy(tmp_path, repo_root)
    f = site / "mlps2" / "items" / "l2_general.yaml"
    lines = f.read_text("utf-8").splitlines()
    lines[10] = "  clause: [unclosed"
    f.write_text("\n".join(lines), "utf-8")
    with pytest.raises(DataError) as exc:
        load_catalog([site])
    assert exc.value.path == str(f) and exc.value.line is not None
