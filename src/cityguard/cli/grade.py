"""`cityguard grade`: the protection level by GB/T 22240-2020 from the harm done."""

from __future__ import annotations

import typer

HARM_HELP = "OBJECT:DEGREE (citizens|social|national : general|serious|especially_serious)"


def grade_cmd(
    info: str = typer.Option(
        None, "--info", help=f"Harm to business information, {HARM_HELP}."
    ),
    service: str = typer.Option(
        None, "--service", help=f"Harm to the system service, {HARM_HELP}."
    ),
    fmt: str = typer.Option("table", "--format", help="table | json"),
) -> None:
    """Print S (business information), A (system service), the grade (S3A2) and the level.

    In a terminal without flags it asks the questions.
    """
    import json

    from cityguard.cli import console
    from cityguard.core.errors import UsageError
    from cityguard.policy.grading import grade, parse_harm

    if fmt not in ("table", "json"):
        raise UsageError(f"--format must be one of table, json (got {fmt!r})")
    if (info is None or service is None) and not console.interactive():
        missing = " and ".join(f for f, v in (("--info", info), ("--service", service)) if not v)
        raise UsageError(
            f"{missing} missing: give --info OBJECT:DEGREE --service OBJECT:DEGREE "
            "(run in a terminal to be asked)"
        )
    info_harm = parse_harm(info, "--info") if info else _ask("业务信息安全 / business information")
    svc_harm = parse_harm(service, "--service") if service else _ask("系统服务安全 / service")
    g = grade(info_harm, svc_harm)
    if fmt == "json":
        console.write_data(json.dumps(g.to_dict(), ensure_ascii=False, indent=2))
        return
    d = g.to_dict()
    rows = [
        ("业务信息安全等级 S / business information level",
         f"{g.s}  ({d['info']['object_zh']} · {d['info']['degree_zh']})"),
        ("系统服务安全等级 A / system service level",
         f"{g.a}  ({d['service']['object_zh']} · {d['service']['degree_zh']})"),
        ("定级结果 / grade", g.grade),
        ("安全保护等级 / protection level", f"第{_CN[g.level]}级 / level {g.level}"),
    ]
    console.table(["项目 / item", "结果 / result"], rows, title="GB/T 22240-2020")
    if g.needs_review:
        console.info("第二级及以上：需专家评审、主管部门审核，并向公安机关备案。 / Level 2 and "
                     "above: expert review, approval by the competent department, filing with "
                     "the public security organ.")


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


def _ask(what: str) -> tuple[str, str]:
    from cityguard.cli import console
    from cityguard.policy.grading import DEGREES, OBJECTS

    obj = console.ask(f"{what}: 受侵害的客体 / object harmed", list(OBJECTS))
    degree = console.ask(f"{what}: 侵害程度 / degree of harm", list(DEGREES))
    return obj, degree


def register(app: typer.Typer) -> None:
    app.command("grade")(grade_cmd)
