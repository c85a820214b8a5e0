"""The renderer registry: every module registered under its stem, lookups, format lists."""

from __future__ import annotations

import pkgutil
from io import BytesIO

import pytest

from cityguard import render
from cityguard.core.errors import RegistryError, UnknownName, UsageError
from cityguard.render import formats
from cityguard.render.base import RENDERERS


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(formats.__path__))


def test_every_renderer_module_registers_its_stem():
    assert _modules() == render.names()
    assert set(render.names()) == {"html", "xlsx", "md", "json", "sarif", "junit", "oscal",
                                   "csv_findings", "csv_items", "pdf"}
    for name in render.names():
        cls = RENDERERS.get(name)
        assert cls.__module__ == f"cityguard.render.formats.{name}"
        assert cls.name == name
        assert cls.filename and cls.extension and cls.description
        assert cls.filename.endswith(cls.extension.split(".")[-1])


def test_default_file_names_are_distinct():
    files = [RENDERERS.get(n).filename for n in render.names()]
    assert len(files) == len(set(files))
    assert {"assessment.html", "assessment.xlsx", "assessment.md", "assessment.json",
            "assessment.sarif", "assessment.junit.xml", "assessment.oscal.json",
            "findings.csv", "items.csv", "assessment.pdf"} == set(files)


def test_every_renderer_renders_the_sample(sample):
    for name in render.names():
        buf = BytesIO()
        render.get(name).render(sample, buf, lang="zh")
        data = buf.getvalue()
        assert len(data) > 500, name
        if not RENDERERS.get(name).binary:
            data.decode("utf-8")  # text formats are UTF-8


def test_unknown_format_names_the_known_ones():
    with pytest.raises(UnknownName) as exc:
        render.get("docx")
    assert "html" in str(exc.value) and "pdf" in str(exc.value) and "xlsx" in str(exc.value)
    with pytest.raises(UnknownName):
        render.expand_formats("html,docx")


def test_expand_formats_aliases_and_order():
    assert render.expand_formats("html, xlsx,html") == ["html", "xlsx"]
    assert render.expand_formats(["csv"]) == ["csv_findings", "csv_items"]
    assert render.expand_formats(["json,csv", "md"]) == ["json", "csv_findings", "csv_items",
                                                         "md"]
    assert render.expand_formats("all") == render.names()
    with pytest.raises(UsageError):
        render.expand_formats(" , ")


def test_registry_refuses_a_duplicate_name():
    class Another:
        name = "html"

    with pytest.raises(RegistryError, match="html"):
        RENDERERS.register(Another)


def test_unknown_language_is_a_usage_error(sample):
    with pytest.raises(UsageError, match="--lang"):
        render.render_bytes(sample, "html", lang="fr")


def test_output_paths(tmp_path):
    one = render.output_paths(["html"], tmp_path / "report.html")
    assert one == {"html": tmp_path / "report.html"}
    several = render.output_paths(["html", "csv_items"], tmp_path / "out")
    assert several == {"html": tmp_path / "out" / "assessment.html",
                       "csv_items": tmp_path / "out" / "items.csv"}
    assert render.output_paths(["html"], tmp_path) == {"html": tmp_path / "assessment.html"}


def test_attach_history_keeps_earlier_runs_of_the_system(sample):
    from dataclasses import replace

    bare = replace(sample, history=[])
    runs = [
        {"run_id": "old", "system": sample.system.name, "created": "2024-01-01T00:00:00+08:00",
         "compliance_rate": 40.0, "conclusion": "non_compliant"},
        {"run_id": "other-system", "system": "else", "created": "2024-02-01T00:00:00+08:00",
         "compliance_rate": 99.0, "conclusion": "compliant"},
        {"run_id": sample.run_id, "system": sample.system.name, "created": sample.created,
         "compliance_rate": 51.4, "conclusion": "non_compliant"},
        {"run_id": "later", "system": sample.system.name, "created": "2026-01-01T00:00:00+08:00",
         "compliance_rate": 80.0, "conclusion": "basically_compliant"},
    ]
    with_history = render.attach_history(bare, runs)
    assert [h["run_id"] for h in with_history.history] == ["old"]
    assert render.attach_history(sample, runs) is sample  # its own history wins
