"""`cityguard grade`: the protection level by GB/T 22240-2020 from the harm done."""

import typer

from cityguard.cli._options import ShowFormat, ShowFormatOpt

HARM_HELP = "OBJECT:DEGREE (citizens|social|national : general|serious|especially_serious)"


def grade_cmd(
    info: str = typer.Option(
        None, "--info", metavar="OBJECT:DEGREE", help=f"Harm to business information, {HARM_HELP}."
    ),
    service: str = typer.Option(
        None, "--service", metavar="OBJECT:DEGREE", help=f"Harm to the system service, {HARM_HELP}."
    ),
    fmt: ShowFormatOpt = ShowFormat.TABLE,
) -> None:
    """Print S (business information), A (system service), the grade (S3A2) and the level.

    In a terminal without flags it asks the questions; the answer is in Chinese and English.
    """
    import json

    from cityguard.cli import console
    from cityguard.cli._common import ask_harm, bilingual
    from cityguard.core.errors import UsageError
    from cityguard.policy.grading import grade, parse_harm
    from cityguard.policy.messages import t

    if (info is None or service is None) and not console.interactive():
        missing = " and ".join(f for f, v in (("--info", info), ("--service", service)) if not v)
        raise UsageError(t("cli.grade_missing", "en", missing=missing))
    info_harm = parse_harm(info, "--info") if info else ask_harm("info")
    svc_harm = parse_harm(service, "--service") if service else ask_harm("service")
    g = grade(info_harm, svc_harm)
    if fmt == ShowFormat.JSON:
        console.write_data(json.dumps(g.to_dict(), ensure_ascii=False, indent=2))
        return
    d = g.to_dict()
    console.fields([
        (bilingual("cli.grade_s"), f"{g.s}  ({d['info']['object_zh']} · {d['info']['degree_zh']})"),
        (bilingual("cli.grade_a"),
         f"{g.a}  ({d['service']['object_zh']} · {d['service']['degree_zh']})"),
        (bilingual("cli.grade_grade"), g.grade),
        (bilingual("cli.grade_level"), bilingual(f"cli.level_name.{g.level}")),
    ], title="GB/T 22240-2020")
    if g.needs_review:
        console.info(bilingual("cli.grade_review"))


def register(app: typer.Typer) -> None:
    app.command("grade")(grade_cmd)
