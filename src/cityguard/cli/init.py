"""`cityguard init [PATH]`: write a commented system manifest (cityguard.yaml)."""

from __future__ import annotations

import typer


def init(
    path: str = typer.Argument("cityguard.yaml", help="File to write, or a directory for "
                               "DIR/cityguard.yaml."),
    name: str = typer.Option(None, "--name", help="System name (系统名称)."),
    level: int = typer.Option(None, "--level", help="Protection level 1-4 (skips grading)."),
    info: str = typer.Option(None, "--info", help="Harm to business information, "
                             "OBJECT:DEGREE (as in `cityguard grade`)."),
    service: str = typer.Option(None, "--service", help="Harm to the system service, "
                                "OBJECT:DEGREE."),
    stage: str = typer.Option("plan", "--stage", help="plan | build | deploy | operate"),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a commented cityguard.yaml; in a terminal, ask the grading questions."""
    from pathlib import Path

    from cityguard.cli import console
    from cityguard.core.errors import UsageError
    from cityguard.gate.run import parse_stage
    from cityguard.policy.grading import grade, parse_harm
    from cityguard.system.manifest import DEFAULT_NAME
    from cityguard.system.template import manifest_text

    target = Path(path)
    if target.is_dir():
        target = target / DEFAULT_NAME
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    parse_stage(stage)
    if level is not None and not 1 <= level <= 4:
        raise UsageError(f"--level must be 1-4 (got {level})")
    ask = console.interactive() and level is None
    if ask and not name:
        name = console.ask_text("系统名称 / system name", target.resolve().parent.name)
    grading = None
    if info or service or (ask and level is None):
        i = parse_harm(info, "--info") if info else _ask_harm("业务信息安全 / business information")
        s = parse_harm(service, "--service") if service else _ask_harm("系统服务安全 / service")
        g = grade(i, s)
        if g.level > 4:
            raise UsageError(f"grading gives level {g.level}; cityguard assesses levels 1-4")
        grading = {"info": f"{i[0]}:{i[1]}", "service": f"{s[0]}:{s[1]}"}
        console.info(f"定级 / grade {g.grade} → 第{g.level}级 / level {g.level}")
    text = manifest_text(name=name or "my-system", level=level, grading=grading, stage=stage)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    console.success(f"wrote {target}; next: add evidence and run `cityguard validate {target}`")


def _ask_harm(what: str) -> tuple[str, str]:
    from cityguard.cli import console
    from cityguard.policy.grading import DEGREES, OBJECTS

    obj = console.ask(f"{what}: 受侵害的客体 / object harmed", list(OBJECTS))
    degree = console.ask(f"{what}: 侵害程度 / degree of harm", list(DEGREES))
    return obj, degree


def register(app: typer.Typer) -> None:
    app.command("init")(init)
