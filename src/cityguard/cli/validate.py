"""`cityguard validate [cityguard.yaml]`: every problem of a system manifest, with file and line."""

from __future__ import annotations

import typer


def validate(
    path: str = typer.Argument("cityguard.yaml", help="System manifest to check."),
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
) -> None:
    """Check a system manifest: schema, dates, files, waivers, levels. Exit 2 on any problem."""
    from cityguard.cli import console
    from cityguard.system.manifest import load_manifest, validate_manifest

    problems = validate_manifest(path, allow_outside_paths=allow_outside_paths)
    for p in problems:
        console.error(p.one_line())
    if problems:
        console.info(f"{path}: {len(problems)} problem(s)")
        raise typer.Exit(2)
    m = load_manifest(path, allow_outside_paths=allow_outside_paths)
    console.success(
        f"{path}: valid — {m.name}, level {m.level} ({m.grade}), stage {m.stage}; "
        f"{len(m.assets)} asset(s), {len(m.scan_files())} scan file(s), "
        f"{len(m.evidence)} evidence record(s), {len(m.waivers)} waiver(s); 0 problems"
    )


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
