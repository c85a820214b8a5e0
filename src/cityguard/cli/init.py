"""`cityguard init [PATH]`: write a commented system manifest (cityguard.yaml)."""

import typer

from cityguard.cli._options import Stage, choice


def init(
    path: str = typer.Argument("cityguard.yaml", metavar="[PATH]", help="File to write, or a "
                               "directory for DIR/cityguard.yaml."),
    name: str = typer.Option(None, "--name", metavar="NAME", help="System name (系统名称)."),
    level: int = typer.Option(None, "--level", metavar="1-4", help="Protection level (skips "
                              "grading)."),
    info: str = typer.Option(None, "--info", metavar="OBJECT:DEGREE", help="Harm to business "
                             "information (as in `cityguard grade`)."),
    service: str = typer.Option(None, "--service", metavar="OBJECT:DEGREE", help="Harm to the "
                                "system service."),
    stage: Stage = typer.Option(Stage.PLAN, "--stage", parser=choice(Stage, "--stage"),
                                metavar="plan|build|deploy|operate", help="Lifecycle stage.",
                                show_default=True),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented cityguard.yaml; in a terminal, ask the grading questions."""
    from pathlib import Path

    from cityguard.cli import console
    from cityguard.cli._common import ask_harm, bilingual
    from cityguard.core.atomicfiles import write_atomic
    from cityguard.core.errors import UsageError
    from cityguard.policy.grading import grade, parse_harm
    from cityguard.policy.messages import t
    from cityguard.system.manifest import DEFAULT_NAME
    from cityguard.system.template import manifest_text

    target = Path(path)
    if target.is_dir():
        target = target / DEFAULT_NAME
    if target.exists() and not force:
        raise UsageError(t("cli.init_exists", "en", path=target))
    if level is not None and not 1 <= level <= 4:
        raise UsageError(t("cli.init_level_range", "en", got=level))
    ask = console.interactive() and level is None
    if ask and not name:
        name = console.ask_text(bilingual("cli.init_system_name"), target.resolve().parent.name)
    grading = None
    if info or service or (ask and level is None):
        i = parse_harm(info, "--info") if info else ask_harm("info")
        s = parse_harm(service, "--service") if service else ask_harm("service")
        g = grade(i, s)
        if g.level > 4:
            raise UsageError(t("cli.init_level_5", "en", level=g.level))
        grading = {"info": f"{i[0]}:{i[1]}", "service": f"{s[0]}:{s[1]}"}
        console.info(f"{bilingual('cli.grade_grade')}: {g.grade} → "
                     f"{bilingual(f'cli.level_name.{g.level}')}")
    text = manifest_text(name=name or "my-system", level=level, grading=grading,
                         stage=stage.value)
    write_atomic(target, text.encode("utf-8"))
    console.success(t("cli.init_wrote", "en", path=target))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
