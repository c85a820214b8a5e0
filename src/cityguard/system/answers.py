"""Load answers.yaml: a person's verdicts on the items no machine can test.

```yaml
assessor: 张工            # optional defaults for every answer
date: 2025-05-10
answers:
  L3-PSS1-01:            # one answer for the whole system …
    verdict: compliant    # compliant | partial | non_compliant | not_applicable | not_assessed
    note: 安全策略文件已发布     # (or 符合 / 部分符合 / 不符合 / 不适用 / 未测评)
    evidence: docs/policy.pdf
  L3-CES1-01:            # … or one per assessed object
    - {asset: web01, verdict: partial, note: 无双因素}
    - {asset: db01, verdict: compliant, high_risks: ["6.4.1.3"]}
mitigations:             # optional: compensating measures and high-risk mitigations
  - {id: M1, case: "6.4.1.1", asset: web01, measure_zh: 仅允许堡垒机访问}
  - {id: M2, unit_ids: [L3-CES1-04], raise_to: partial, measure_zh: 关键操作二次鉴别}
```
Validated by schemas/answers.schema.json; every error names file, line and field (DataError,
exit 2).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cityguard.core.errors import DataError
from cityguard.core.yamlio import line_of, load_schema, load_yaml, read_yaml_text, validate

VERDICT_ALIASES = {
    "符合": "compliant",
    "部分符合": "partial",
    "不符合": "non_compliant",
    "不适用": "not_applicable",
    "未测评": "not_assessed",
}


@dataclass
class AnswersFile:
    path: str
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # unit id → answers
    mitigations: list[dict[str, Any]] = field(default_factory=list)


def _plain_dates(value: Any) -> Any:
    """YAML turns 2025-05-10 into a date; answers keep it as ISO text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


def load_answers(
    path: str | Path, known_unit_ids: Collection[str] | None = None
) -> AnswersFile:
    """Read and check an answers file; `known_unit_ids` (the catalog's) refuses typos."""
    p = Path(path)
    text = read_yaml_text(p)
    data = _plain_dates(load_yaml(p, text))
    if not isinstance(data, dict):
        raise DataError(p, "expected a mapping with an `answers:` key", line=1)
    # keys are checked first so a typo in a unit id names that key's line, not `answers:`
    raw_answers = data.get("answers")
    if isinstance(raw_answers, dict):
        import re

        pattern = re.compile(load_schema("answers.schema.json")["properties"]["answers"]
                             ["propertyNames"]["pattern"])
        for uid in raw_answers:
            problem = None
            if not isinstance(uid, str) or not pattern.match(uid):
                problem = f"{uid!r} is not a unit id like L3-CES1-01"
            elif known_unit_ids is not None and uid not in known_unit_ids:
                problem = f"unknown unit id {uid} (not in the catalog)"
            if problem:  # the line is looked up only then: line_of re-parses the whole file
                raise DataError(p, problem, line=line_of(p, ["answers", str(uid)], text),
                                field=f"answers.{uid}")
    validate(data, load_schema("answers.schema.json"), p, text)

    defaults = {k: data[k] for k in ("assessor", "date") if data.get(k)}
    out = AnswersFile(path=str(p))
    for uid, value in (data.get("answers") or {}).items():
        entries = value if isinstance(value, list) else [value]
        seen_assets: set[str] = set()
        for idx, ans in enumerate(entries):
            asset = ans.get("asset", "")
            if asset in seen_assets:
                # only a list can hold two answers for one asset
                raise DataError(
                    p, f"two answers for {uid} on the same asset {asset or '(whole system)'!r}",
                    line=line_of(p, ["answers", uid, idx, "asset"], text), field=f"answers.{uid}",
                )
            seen_assets.add(asset)
            entry = {**defaults, **ans}
            entry["verdict"] = VERDICT_ALIASES.get(entry["verdict"], entry["verdict"])
            if isinstance(entry.get("evidence"), str):
                entry["evidence"] = [entry["evidence"]]
            out.answers.setdefault(uid, []).append(entry)
    out.mitigations = [dict(m) for m in data.get("mitigations") or []]
    return out
