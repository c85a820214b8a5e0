"""The commented cityguard.yaml that `cityguard init` writes (it validates as written)."""

from __future__ import annotations

_TEMPLATE = """\
# cityguard system manifest — every field: docs/manifest.md; check it with `cityguard validate`.
# Paths (dir: targets, scans, evidence, answers) are relative to this file's directory.
version: 1
# 系统名称、责任人、责任部门 / system name, person and department responsible
name: {name}
owner: {owner}
department: {department}

# Level (安全保护等级) by GB/T 22240-2020: give `level` (and `grade` S?A?), or the grading
# inputs below and let cityguard compute S, A and level = max(S, A) (`cityguard grade`).
{level_block}
# extension requirements: cloud, mobile, iot, ics, bigdata
extensions: []
# lifecycle stage: plan | build | deploy | operate (同步规划 / 同步建设 / 同步使用 / 运行)
stage: {stage}

assets:                           # 测评对象
  - id: {asset_id}
    type: host                    # host, database, middleware, application, network, …
    # local | dir:PATH | ssh://user@host:22 (no target: judged from scans and evidence only)
    target: {target}
    internet_facing: false
    value: 3                      # asset value 1–5 (or cia: {{c: 3, i: 3, a: 3}})

scans: []                         # scanner result files, paths or globs: [scans/*.json]

# Evidence records: the deliverables each stage's gate asks for. Each names the document
# (path, which must exist), its date (YYYY-MM-DD), approver and reference number (ref).
evidence: []
#  - {{type: grading_report, path: docs/grading-report.pdf, date: 2025-01-10, approver: 王主任,
#     ref: 定级-2025-01}}
#  - {{type: expert_review, path: docs/expert-review.pdf, date: 2025-01-20, approver: 专家组}}
#  - {{type: filing_certificate, path: docs/filing.pdf, date: 2025-02-15, ref: BA-001,
#     number: "31010099999-00001"}}
#  - {{type: security_design, path: docs/design.pdf, date: 2025-02-01, approver: 王主任,
#     cryptography: true}}
#  - {{type: security_test, path: docs/pentest.pdf, date: 2025-06-01, approver: 李工,
#     cryptography: true, open_high_risks: 0}}

# Waivers accept a risk until a day. Each names one check, item or finding (fingerprint), and
# must carry reason, approver, expires (YYYY-MM-DD) and the compensating measure.
waivers: []
#  - {{check: linux.ssh.root_login_disabled, asset: {asset_id}, reason: 迁移窗口内保留,
#     approver: 王主任, expires: 2025-12-31, compensating: 仅堡垒机可达}}

# answers: answers.yaml           # a person's verdicts on items no machine can test
# mitigations: []                 # high-risk mitigations and compensating measures (修正)

gate:
  fail_on: high                   # block on unwaived problems of this severity or above
  min_conclusion: 基本符合          # 符合 > 基本符合 > 不符合
  # assessment_interval_months: 12   # operate: level assessment interval (L4 may need 6)
"""


def manifest_text(*, name: str = "my-system", owner: str = "", department: str = "",
                  level: int | None = None, grading: dict[str, str] | None = None,
                  stage: str = "plan", asset_id: str = "host01", target: str = "local") -> str:
    if grading:
        level_block = ("# 业务信息安全 / 系统服务安全: OBJECT:DEGREE (citizens|social|national : "
                       "general|serious|especially_serious)\n"
                       f"grading:\n  info: {grading['info']}\n  service: {grading['service']}")
    else:
        level_block = (f"level: {level or 3}\n"
                       "# grading: {info: social:serious, service: social:general}  "
                       "# OBJECT:DEGREE")
    return _TEMPLATE.format(name=_quote(name), owner=_quote(owner),
                            department=_quote(department), level_block=level_block,
                            stage=stage, asset_id=asset_id, target=target)


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False) if text else '""'
