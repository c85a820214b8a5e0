"""A realistic Assessment for the renderer tests, built by hand (no engine, no scoring).

Four assets of a level-3 city system, 40 check results of every status, findings of every
severity and status (some carry markup payloads and redacted secrets), items of every verdict,
control-point and class scores, high-risk issues, a risk register, waivers and a history of
earlier runs for the trend.
"""

from __future__ import annotations

from dataclasses import replace

from cityguard.engine.runner import manual_question
from cityguard.model import (
    Assessment,
    Asset,
    CheckResult,
    CheckStatus,
    Evidence,
    Finding,
    GroupScore,
    HighRisk,
    ItemResult,
    ObjectVerdict,
    Risk,
    Severity,
    Summary,
    SystemInfo,
)
from cityguard.policy.messages import text

#: markup that must stay text everywhere; each would change the title or add #pwned if it ran
PAYLOADS = (
    "<script>document.title='PWNED-SCRIPT';document.body.insertAdjacentHTML('beforeend',"
    "'<div id=pwned>x</div>')</script>",
    "<img src=x onerror=\"document.title='PWNED-IMG'\">",
    "<a id=pwned-link href=\"javascript:document.title='PWNED-A'\">click me</a>",
    "</textarea><svg onload=\"document.title='PWNED-SVG'\"><circle r=9></circle></svg>",
    "</style></pre><iframe id=pwned-frame srcdoc=\"<b>x</b>\"></iframe>",
    "=HYPERLINK(\"http://evil.example/\",\"x\") {{ 7*7 }} ${7*7}",
)
SECRET = "S3cr3t-Pa55w0rd-never-shown"
MASKED = "***"

ASSETS = [
    Asset("web01", "ssh://ops@10.0.0.11:22", "host", "门户网站服务器", True, 4, {"c": 4, "i": 4,
          "a": 3}, ("web",)),
    Asset("db01", "ssh://ops@10.0.1.21:22", "database", "业务数据库", False, 5),
    Asset("app01", "dir:/srv/snapshots/app01", "middleware", "应用中间件", False, 3),
    Asset("fw01", "local", "network", "边界防火墙", False, 3),
]

_CHECKS = [
    ("ssh.sshd.root_login_disabled", "SSH 服务禁止 root 直接登录", "SSH refuses root login",
     ("L3-CES1-05",), Severity.HIGH),
    ("linux.accounts.no_empty_password", "不存在空口令账户", "No account has an empty password",
     ("L3-CES1-01",), Severity.CRITICAL),
    ("linux.pam.password_complexity", "口令复杂度策略已配置", "Password complexity is enforced",
     ("L3-CES1-01",), Severity.MEDIUM),
    ("linux.pam.faillock", "登录失败锁定已启用", "Login failures lock the account",
     ("L3-CES1-02",), Severity.MEDIUM),
    ("ssh.sshd.mfa_required", "远程管理使用双因素鉴别", "Remote admin uses two factors",
     ("L3-CES1-04",), Severity.HIGH),
    ("linux.audit.auditd_running", "审计服务已启用", "The audit daemon runs",
     ("L3-CES1-12",), Severity.MEDIUM),
    ("linux.log.retention_180_days", "日志保存不少于六个月", "Logs are kept six months",
     ("L3-CES1-14",), Severity.HIGH),
    ("redis.server.requirepass_set", "Redis 已设置访问口令", "Redis requires a password",
     ("L3-CES1-01",), Severity.HIGH),
    ("nginx.tls.protocols_modern", "仅启用 TLS1.2 及以上", "Only TLS 1.2+ is enabled",
     ("L3-CNS1-03",), Severity.MEDIUM),
    ("linux.backup.job_present", "存在定期备份任务", "A periodic backup job exists",
     ("L3-CES1-29",), Severity.LOW),
]
_STATUS_CYCLE = [CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.PASS, CheckStatus.ERROR,
                 CheckStatus.MANUAL, CheckStatus.FAIL, CheckStatus.NOT_APPLICABLE]


def _results() -> list[CheckResult]:
    out = []
    n = 0
    for asset in ASSETS:
        for cid, zh, en, units, sev in _CHECKS:
            status = _STATUS_CYCLE[n % len(_STATUS_CYCLE)]
            n += 1
            # the engine's own words are Texts (said in the report's language), as in a run
            ev = (Evidence("config_value", "/etc/ssh/sshd_config", "yes",
                           text("engine.expect.compare", symbol="==", value="no"), False,
                           "/etc/ssh/sshd_config", 32, "PermitRootLogin yes"),)
            if cid.startswith("redis"):
                ev = (Evidence("file_content", "/etc/redis/redis.conf", f"requirepass {MASKED}",
                               text("engine.expect.exists"), True, "/etc/redis/redis.conf", 12),)
            reason = {"error": text("engine.probe.command_timeout", command="sshd -T",
                                    seconds="30"),
                      "manual": manual_question("请提供双因素设备台账",
                                                "Provide the register of two-factor devices"),
                      "not_applicable": text("engine.applies.absent", what="redis")
                      }.get(status.value, "")
            waived = status is CheckStatus.FAIL and cid.startswith("linux.backup")
            out.append(CheckResult(
                cid, asset.id, status, sev, units, zh, en, ev if status is not
                CheckStatus.NOT_APPLICABLE else (), reason, f"整改：{zh}", f"Fix: {en}",
                12.5, waived, {"id": "W-1", "until": "2025-12-31"} if waived else None))
    return out


def _findings() -> list[Finding]:
    sevs = list(Severity)
    out = []
    statuses = ["open", "open", "reopened", "accepted", "false_positive", "fixed"]
    for i in range(30):
        sev = sevs[i % 5]
        host = ["10.0.0.11", "10.0.1.21", "https://portal.city.example"][i % 3]
        title = f"OpenSSH 漏洞 CVE-2024-{6387 + i}" if i % 4 else f"Reflected XSS {PAYLOADS[i % 6]}"
        out.append(Finding(
            tool=["nessus", "openvas", "zap"][i % 3], format=["nessus", "openvas", "zap"][i % 3],
            asset_kind="url" if host.startswith("https") else "host", asset_key=host,
            rule_id=str(10000 + i), title=title, severity=sev, severity_raw=sev.value,
            port=[22, 3306, 443][i % 3], protocol="tcp",
            cvss_score=[9.8, 7.5, 5.3, 3.1, 0.0][i % 5],
            cves=(f"CVE-2024-{6387 + i}",) if i % 4 else (),
            cwes=("CWE-79",) if i % 4 == 0 else (),
            description=PAYLOADS[(i + 1) % 6],
            solution=PAYLOADS[i % 6],
            location=f"/login?q={i}" if host.startswith("https") else f"{[22, 3306][i % 2]}/tcp",
            evidence=f"GET /search?q=<script>alert({i})</script> HTTP/1.1\npassword={MASKED}\n"
                     + PAYLOADS[(i + 2) % 6],
            references=("https://nvd.nist.gov/vuln/detail/CVE-2024-6387",),
            tags=("web",) if i % 4 == 0 else (), first_seen="2025-01-10T08:00:00+08:00",
            last_seen="2025-05-01T08:00:00+08:00", unit_ids=("L3-CES1-17",), status=statuses[i % 6],
            id=i + 1, source_file="scans/portal.nessus",
            extra={"raw": f"password={SECRET}"},  # importer-private data: never rendered
        ))
    return out


def _items() -> list[ItemResult]:
    rows = [
        ("L3-CES1-01", "8.1.4.1 a)", "CES", "身份鉴别", "Identification and authentication", "key",
         "non_compliant", 0.0),
        ("L3-CES1-02", "8.1.4.1 b)", "CES", "身份鉴别", "Identification and authentication", "key",
         "partial", 0.5),
        ("L3-CES1-04", "8.1.4.1 d)", "CES", "身份鉴别", "Identification and authentication", "key",
         "not_assessed", None),
        ("L3-CES1-12", "8.1.4.3 a)", "CES", "安全审计", "Security audit", "key", "compliant", 1.0),
        ("L3-CES1-14", "8.1.4.3 c)", "CES", "安全审计", "Security audit", "key", "partial", 0.75),
        ("L3-CNS1-03", "8.1.2.2 b)", "CNS", "通信传输", "Communication transmission", "key",
         "compliant", 1.0),
        ("L3-PES1-01", "8.1.1.1 a)", "PES", "物理位置选择", "Physical location selection",
         "general", "compliant", 1.0),
        ("L3-PES1-09", "8.1.1.5 a)", "PES", "防火", "Fire protection", "important",
         "not_applicable", None),
        ("L3-PSS1-01", "8.1.6.1 a)", "PSS", "安全策略", "Security policy", "general",
         "not_assessed", None),
    ]
    out = []
    for uid, clause, cls, cp_zh, cp_en, imp, verdict, score in rows:
        before = "non_compliant" if verdict == "partial" else verdict
        objs = [ObjectVerdict("web01", verdict, before, "checks", "1 check failed",
                              ["ssh.sshd.root_login_disabled"],
                              reason_zh="1 项检查未通过 " + PAYLOADS[0]),
                ObjectVerdict("db01", verdict, verdict, "answer", "assessor answer",
                              answer={"note": "已核查"}, reason_zh="人工判定")]
        if verdict == "partial":
            objs[0].correction = "M2 关键操作二次鉴别：不符合 → 部分符合"
        out.append(ItemResult(uid, clause, cls, cp_zh, cp_en, imp, verdict, score, objs,
                              gaps=["system"] if verdict == "not_assessed" else []))
    return out


def _summary() -> Summary:
    return Summary(
        compliance_rate=51.4, conclusion="non_compliant", conclusion_zh="不符合", score=51.4,
        score_formula="符合率 = (3 + 1.25) / 8 × 100 = 53.1 ≈ 51.4%",
        major_hidden_risk=True, counts={"compliant": 3, "partial": 2, "non_compliant": 1,
                                        "not_applicable": 1, "not_assessed": 2},
        check_counts={"pass": 12, "fail": 11, "error": 6, "manual": 6, "not_applicable": 5},
        finding_counts={"critical": 2, "high": 3, "medium": 2, "low": 2, "info": 1},
        not_checked=[text("scoring.not_checked.objects", count=1,
                          ids="L3-CES1-04 (web01, db01)"),
                     text("scoring.not_checked.not_assessed", count=1, ids="L3-PSS1-01")],
        score_formula_en="rate = (3 + 1.25) / 8 × 100 = 51.4%",
        rate_formula="符合率 = (符合项数 + 部分符合得分) / 适用项数 × 100"
                     " = (3 + 1.25) / 8 × 100 ≈ 51.4%",
        rate_formula_en="rate = (compliant + partial scores) / applicable × 100 ≈ 51.4%",
        conclusion_en="Non-compliant", conclusion_reason="符合率 51.4% < 60%",
        conclusion_reason_en="rate 51.4% < 60%",
        major_hidden_risk_reason="存在 2 项未整改的高风险问题",
        major_hidden_risk_reason_en="2 open high-risk issues", high_risk_counts={"open": 2,
                                                                                 "mitigated": 1},
        risk_counts={"5": 1, "4": 2, "3": 2, "2": 1, "1": 1}, applicable_items=8,
        warnings=[text("scoring.warning.answers_not_selected", count=1, ids="L3-XYZ1-01")],
    )


def _groups() -> tuple[list[GroupScore], list[GroupScore]]:
    cps = [
        GroupScore("CES1/身份鉴别", "身份鉴别", "Identification and authentication", 2.5, 3,
                   {"non_compliant": 1, "partial": 1, "not_assessed": 1}, "(0 + 1.5 + 0) / 9 × 10"),
        GroupScore("CES1/安全审计", "安全审计", "Security audit", 8.75, 2,
                   {"compliant": 1, "partial": 1}, "(3 + 2.25) / 6 × 10"),
        GroupScore("CNS1/通信传输", "通信传输", "Communication transmission", 10.0, 1,
                   {"compliant": 1}, "3 / 3 × 10"),
        GroupScore("PES1/物理位置选择", "物理位置选择", "Physical location selection", 10.0, 1,
                   {"compliant": 1}, "1 / 1 × 10"),
        GroupScore("PES1/防火", "防火", "Fire protection", None, 1, {"not_applicable": 1},
                   "Σw = 0: every item not applicable"),
        GroupScore("PSS1/安全策略", "安全策略", "Security policy", 0.0, 1, {"not_assessed": 1},
                   "0 / 1 × 10"),
    ]
    classes = [
        GroupScore("PES", "安全物理环境", "Physical environment", 100.0, 2,
                   {"compliant": 1, "not_applicable": 1}, "1 / 1 × 100"),
        GroupScore("CNS", "安全通信网络", "Communication network", 100.0, 1, {"compliant": 1},
                   "3 / 3 × 100"),
        GroupScore("CES", "安全计算环境", "Computing environment", 50.0, 5,
                   {"compliant": 1, "partial": 2, "non_compliant": 1, "not_assessed": 1},
                   "Σ(w·s) / Σw × 100 = 7.5 / 15 × 100 = 50"),
        GroupScore("PSS", "安全管理制度", "Security policies", 0.0, 1, {"not_assessed": 1},
                   "0 / 1 × 100"),
        GroupScore("ABS", "安全区域边界", "Area boundary", None, 0, {}, "no items"),
    ]
    return cps, classes


def _risks() -> list[Risk]:
    levels = [(5, "很高", "Very high", 24, 1), (4, "高", "High", 20, 1), (4, "高", "High", 19, 1),
              (3, "中", "Medium", 15, 2), (3, "中", "Medium", 13, 2), (2, "低", "Low", 9, 3),
              (1, "很低", "Very low", 4, 4)]
    out = []
    for i, (lvl, zh, en, value, prio) in enumerate(levels):
        out.append(Risk(
            f"R-{i:04x}ab", ASSETS[i % 4].id, "T-EXPLOIT", "利用漏洞攻击",
            "Exploit of a vulnerability",
            "ssh.sshd.root_login_disabled" if i % 2 else "f" * 64,
            "SSH 允许 root 登录" if i % 2 else "OpenSSH regreSSHion " + PAYLOADS[1],
            ASSETS[i % 4].value or 3, 4, 4, 4, 4, value, lvl, zh, prio, ["L3-CES1-05"],
            "在 sshd_config 设置 PermitRootLogin no" if i % 3 else "升级 OpenSSH 至 9.8p1",
            "Set PermitRootLogin no" if i % 3 else "Upgrade OpenSSH to 9.8p1", en,
            "check" if i % 2 else "finding", "matrix"))
    return out


def _high_risks() -> list[HighRisk]:
    return [
        HighRisk("6.4.1.1", ["L3-CES1-01"], "web01", "存在空口令或弱口令账户",
                 "Empty or weak passwords", ["linux.accounts.no_empty_password: fail",
                                             "redis requirepass " + MASKED, PAYLOADS[3]]),
        HighRisk("6.4.3.2", ["L3-CES1-17"], "web01", "互联网可利用的高危漏洞",
                 "Exploitable vulnerability on the internet", ["CVE-2024-6387 (9.8) on 22/tcp"],
                 scope="L3+", mitigable=False),
        HighRisk("6.5.1.2", ["L3-CES1-14"], "db01", "日志保存不足六个月", "Logs kept < 6 months",
                 ["linux.log.retention_180_days: fail"], True, "M1 日志外送至 SIEM", "mitigated"),
    ]


def build_sample(*, history: bool = True) -> Assessment:
    cps, classes = _groups()
    return Assessment(
        run_id="20250510T093000-city-portal",
        created="2025-05-10T09:30:00+08:00",
        tool_version="0.1.0",
        system=SystemInfo("市政务门户系统", 3, "S3A2", ("cloud",), "operate", "张工",
                          "市大数据中心"),
        assets=list(ASSETS),
        selection={"level": 3, "grade": "S3A2", "extensions": ["cloud"],
                   "items": [i.unit_id for i in _items()]},
        results=_results(),
        findings=_findings(),
        items=_items(),
        control_points=cps,
        classes=classes,
        summary=_summary(),
        high_risks=_high_risks(),
        risks=_risks(),
        waivers=[{"id": "W-1", "check": "linux.backup.job_present", "asset": "web01",
                  "reason": "备份系统迁移中", "approved_by": "李处长", "until": "2025-12-31"},
                 {"id": "W-0", "check": "nginx.tls.protocols_modern", "asset": "app01",
                  "reason": "旧客户端兼容 " + PAYLOADS[2], "approved_by": "王工",
                  "until": "2025-01-31"}],
        scans=[{"file": "scans/portal.nessus", "format": "nessus", "tool": "nessus",
                "findings": 10},
               {"file": "scans/zap.json", "format": "zap_json", "tool": "zap", "findings": 10}],
        history=[
            {"run_id": "20241110-city-portal", "created": "2024-11-10T09:00:00+08:00",
             "conclusion": "non_compliant", "score": 42.0, "compliance_rate": 42.0},
            {"run_id": "20250210-city-portal", "created": "2025-02-10T09:00:00+08:00",
             "conclusion": "non_compliant", "score": 47.5, "compliance_rate": 47.5},
        ] if history else [],
    )


def unscored(a: Assessment) -> Assessment:
    """The same run before scoring: results and findings only."""
    return replace(a, items=[], control_points=[], classes=[], summary=None, high_risks=[],
                   risks=[], history=[])
