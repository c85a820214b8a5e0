"""The notify configuration: secrets only by name, a literal secret refused with file and line
(exit 2), schema problems with their line, a manifest's block scoped to its system."""

from __future__ import annotations

from pathlib import Path

import pytest
from notify_loopback import store_fixture, store_path_fixture  # noqa: F401 - fixtures

from cityguard.core.errors import DataError
from cityguard.notify.config import load_config
from cityguard.notify.events import Event


def write(tmp_path: Path, text: str, name: str = "notify.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("line", [
    "      token: 0123456789abcdef",
    "      secret: SECabcdef",
    "      password: hunter2hunter2",
    "      url: https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef",
    "      url: https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef",
    "      url: https://user:pw@siem.example/_bulk",
])
def test_a_literal_secret_is_refused_with_file_and_line(tmp_path, cli, line) -> None:
    path = write(tmp_path, "notify:\n  targets:\n    - name: duty\n      type: webhook\n"
                           "      url_env: CG_URL\n" + line + "\n")
    result = cli("notify", "check", "--config", str(path))
    assert result.exit_code == 2
    first = result.output.strip().splitlines()[0]
    assert f"{path}:6" in first and "notify.targets.0." in first
    secret = line.split(":", 1)[1].strip()
    assert secret not in result.output  # the message names the place, never the value
    assert "_env" in first


def test_schema_problems_name_the_line(tmp_path, cli) -> None:
    path = write(tmp_path, "notify:\n  targets:\n    - name: duty\n      type: pager\n")
    result = cli("notify", "check", "--config", str(path))
    assert result.exit_code == 2 and f"{path}:4" in result.output and "pager" in result.output
    path = write(tmp_path, "notify:\n  targets:\n    - name: a\n      type: email\n"
                           "      host: smtp.example\n")
    result = cli("notify", "check", "--config", str(path))
    assert result.exit_code == 2 and "needs from:" in result.output


def test_missing_secret_variable_says_what_to_fix(tmp_path, monkeypatch, st) -> None:
    from cityguard.notify.deliver import Deliverer, enqueue

    monkeypatch.delenv("CG_NOPE", raising=False)
    path = write(tmp_path, "notify:\n  targets:\n    - name: duty\n      type: dingtalk\n"
                           "      token_env: CG_NOPE\n")
    cfg = load_config(path)
    enqueue(st, cfg, [Event("cg-1", "gate.blocked", "s", "high", 1.0, {"stage": "deploy"})])
    report = Deliverer(st, cfg).run()[0]
    assert report.waiting == 1 and report.sent == 0  # kept: it goes once the variable is set
    assert "CG_NOPE" in report.problems[0] and f"{path}:3" in report.problems[0]


def test_a_manifest_block_speaks_for_its_system_only(tmp_path, cli) -> None:
    path = write(tmp_path, "name: 城市大脑\nlevel: 3\nstage: operate\nnotify:\n  targets:\n"
                           "    - name: duty\n      type: file\n      path: out.ndjson\n",
                 "cityguard.yaml")
    cfg = load_config(path)
    mine = Event("cg-1", "gate.blocked", "城市大脑", "high", 1.0)
    other = Event("cg-2", "gate.blocked", "政务云", "high", 1.0)
    assert cfg.routes(mine) == ["duty"] and cfg.routes(other) == []
    assert cli("validate", str(path)).exit_code == 0
    bad = write(tmp_path, path.read_text(encoding="utf-8").replace("type: file",
                                                                   "type: fax"),
                "cityguard.yaml")
    result = cli("validate", str(bad))
    assert result.exit_code != 0 and ":7" in result.output and "fax" in result.output


def test_routing_by_event_severity_level_department_and_system(tmp_path) -> None:
    path = write(tmp_path, """notify:
  targets:
    - {name: all, type: file, path: a.ndjson}
    - {name: high, type: file, path: b.ndjson, min_severity: high, events: [finding.new]}
    - {name: l4, type: file, path: c.ndjson, levels: [4]}
    - {name: dept, type: file, path: d.ndjson, departments: [市大数据局], systems: [城市大脑]}
""")
    cfg = load_config(path)
    medium = Event("cg-1", "finding.new", "城市大脑", "medium", 1.0, level=3,
                   department="市大数据局", counts={"medium": 5})
    critical = Event("cg-2", "finding.new", "政务云", "critical", 1.0, level=4,
                     department="数据资源局", counts={"critical": 1, "low": 9})
    assert cfg.routes(medium) == ["all", "dept"]
    assert cfg.routes(critical) == ["all", "high", "l4"]
    with pytest.raises(DataError):
        load_config(write(tmp_path, "notify:\n  targets:\n    - {name: a, type: file, "
                                    "path: x}\n    - {name: a, type: file, path: y}\n"))
