"""Strict published schemas: every JSON output of the real runs validates, and the schemas
refuse what the model does not have (unknown keys, missing members)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from outputs_runs import EXAMPLE_DIR

from output_schemas import check_file, problems


@pytest.mark.parametrize("which", ["example_outputs", "host_outputs"])
def test_the_runs_assessment_json_validates(request, which):
    out = request.getfixturevalue(which)
    assert check_file(out / "assessment.json") == []


def _doc(out) -> dict:
    return json.loads((out / "assessment.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("where", ["", "summary", "results/0", "findings/0", "items/0",
                                   "items/0/objects/0", "assets/0", "selection", "scans/0"])
def test_unknown_keys_are_refused_everywhere_the_model_is_closed(example_outputs, where):
    doc = _doc(example_outputs)
    node = doc
    for step in filter(None, where.split("/")):
        node = node[int(step)] if step.isdigit() else node[step]
    node["surprise"] = 1
    found = problems(doc, "assessment.schema.json")
    assert found and (where == "summary" or any("surprise" in p for p in found))


@pytest.mark.parametrize("member", ["summary", "findings", "high_risks", "waivers"])
def test_missing_members_are_refused(example_outputs, member):
    doc = _doc(example_outputs)
    del doc[member]
    assert any(member in p for p in problems(doc, "assessment.schema.json"))


def test_the_gate_json_validates_against_its_schema(tmp_path):
    env = {**os.environ, "CITYGUARD_TODAY": "2025-09-01"}
    out = tmp_path / "gate.json"
    p = subprocess.run([sys.executable, "-m", "cityguard", "gate", "--stage", "deploy",
                        "--format", "json", "--output", str(out)], cwd=EXAMPLE_DIR, env=env,
                       capture_output=True, text=True, timeout=600, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    assert check_file(out) == []
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["passed"] is True and doc["rules"]
    doc["rules"][0]["state"] = "ok"
    doc["extra"] = True
    assert len(problems(doc, "gate.schema.json")) == 2
