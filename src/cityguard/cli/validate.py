"""`cityguard validate [cityguard.yaml]`: every problem of a system manifest, with file and line."""

import typer


def validate(
    path: str = typer.Argument("cityguard.yaml", metavar="[MANIFEST]", help="System manifest "
                               "to check."),
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
) -> None:
    """Check a system manifest: schema, dates, files, waivers, levels. Exit 2 on any problem."""
    from cityguard.cli import console
    from cityguard.policy.messages import t
    from cityguard.system.manifest import load_manifest, validate_manifest

    problems = validate_manifest(path, allow_outside_paths=allow_outside_paths)
    for p in problems:
        console.error(p.one_line())
    if len(problems) > 1:  # one problem is its own line: nothing to count
        console.info(t("cli.validate_problems", "en", path=path, n=len(problems)))
    if problems:
        raise typer.Exit(2)
    m = load_manifest(path, allow_outside_paths=allow_outside_paths)
    console.success(t("cli.validate_ok", "en", path=path, name=m.name, level=m.level,
                      grade=m.grade, stage=m.stage, assets=len(m.assets),
                      scans=len(m.scan_files()), evidence=len(m.evidence),
                      waivers=len(m.waivers)))


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
