"""`cityguard assess`: run the check library on hosts and write the Assessment."""

import typer

from cityguard.cli._options import (
    ChecksOpt,
    ConnectTimeoutOpt,
    FailOnOpt,
    JobsOpt,
    Lang,
    LangOpt,
    LegacySystemOpt,
    ManifestOpt,
    NotifyOpt,
    PoliciesOpt,
    ProbeTimeoutOpt,
    ReportFormatsOpt,
    StoreOpt,
    TopOpt,
)

HELP_TARGET = ("local (default), dir:PATH, netdev:PATH (device configuration backups: a file "
               "or a directory) or ssh://user@host[:port]; repeat for several assets.")
UNIT_OR_CHECK = "CHECK|UNIT"


def assess(
    level: int = typer.Option(None, "--level", metavar="1-4", help="System level (default 3)."),
    grade: str = typer.Option(None, "--grade", metavar="SnAn", help="S/A grade such as S3A2."),
    ext: list[str] = typer.Option([], "--ext", metavar="EXT", help="Extensions: "
                                  "cloud,mobile,iot,ics,bigdata."),
    target: list[str] = typer.Option([], "--target", metavar="TARGET", help=HELP_TARGET),
    checks: ChecksOpt = [],  # noqa: B006 - typer reads the default; never mutated
    policies: PoliciesOpt = [],  # noqa: B006
    only: list[str] = typer.Option([], "--only", metavar=UNIT_OR_CHECK, help="Only these "
                                   "check ids or unit ids."),
    skip: list[str] = typer.Option([], "--skip", metavar=UNIT_OR_CHECK, help="Skip these "
                                   "check ids or unit ids."),
    fmt: ReportFormatsOpt = [],  # noqa: B006
    output: str = typer.Option(None, "--output", metavar="PATH", help="FILE for one format, "
                               "DIR for several (default ./cityguard-report/)."),
    jobs: JobsOpt = None,
    fail_on: FailOnOpt = None,
    lang: LangOpt = Lang.ZH,
    top: TopOpt = 10,
    scan: list[str] = typer.Option([], "--scan", metavar="FILE", help="Scanner output file "
                                   "to import (repeatable)."),
    answers: str = typer.Option(None, "--answers", metavar="FILE", help="Answers file for "
                                "manual items."),
    manifest: ManifestOpt = None,
    system: LegacySystemOpt = None,
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
    inventory: str = typer.Option(None, "--inventory", metavar="FILE", help="Ansible "
                                  "inventory (INI or YAML): its hosts are assessed over SSH."),
    limit: str = typer.Option(None, "--limit", metavar="GROUP", help="Inventory group(s) or "
                              "host(s)."),
    device_type: str = typer.Option(None, "--device-type", metavar="OS", help="Network device "
                                    "OS: huawei_vrp, h3c_comware, cisco_ios, cisco_asa, "
                                    "juniper_junos, fortinet_fortios, paloalto_panos (for "
                                    "netdev: files, detected when absent; required for a "
                                    "device over ssh://)."),
    ssh_config: str = typer.Option(None, "--ssh-config", metavar="FILE", help="ssh -F file "
                                   "(default: ~/.ssh/config)."),
    ssh_identity: str = typer.Option(None, "--ssh-identity", metavar="FILE", help="Private "
                                     "key for SSH."),
    known_hosts: str = typer.Option(None, "--known-hosts", metavar="FILE", help="known_hosts "
                                    "file to verify host keys against."),
    accept_new_host_keys: bool = typer.Option(False, "--accept-new-host-keys", help="Trust and "
                                              "record host keys not yet in known_hosts."),
    sudo: bool = typer.Option(False, "--sudo", help="Read files and run commands through "
                              "sudo -n on SSH hosts."),
    connect_timeout: ConnectTimeoutOpt = 10.0,
    probe_timeout: ProbeTimeoutOpt = 10.0,
    store: StoreOpt = None,
    no_store: bool = typer.Option(False, "--no-store", help="Keep no history and track no "
                                  "findings for this run."),
    name: str = typer.Option(None, "--name", metavar="NAME", help="System name in the store "
                             "and reports."),
    today: str = typer.Option(None, "--today", metavar="YYYY-MM-DD", help="Judge dates "
                              "(waiver and acceptance expiry, evidence age) as of this day; "
                              "also CITYGUARD_TODAY."),
    findings_since: str = typer.Option(None, "--findings-since", metavar="YYYY-MM-DD",
                                       help="Leave out the system's stored findings last "
                                       "seen before this day (stale scans)."),
    asset: str = typer.Option(None, "--asset", metavar="ASSET", help="The asset that "
                              "source-code scanners' findings belong to (default: the "
                              "manifest's application asset, else the system)."),
    notify: NotifyOpt = None,
) -> None:
    """Assess hosts against the MLPS 2.0 items of a level (default: this host, level 3).

    Exit 0 when done, 1 when --fail-on is reached, 2 on bad input or when a target could not
    be assessed (its line comes first; the reports mark its checks as errors).
    """
    from cityguard.assess.outputs import parse_formats, plan_outputs, write_outputs
    from cityguard.assess.run import AssessRequest, run_assessment
    from cityguard.cli import _assess_view as view
    from cityguard.cli import _notify_hook as notify_hook
    from cityguard.cli._common import day_option
    from cityguard.cli._options import manifest_path
    from cityguard.cli._progress import AssessProgress
    from cityguard.targets.ssh import SSHOptions

    formats = parse_formats(fmt)
    plan_outputs(formats, output)  # a bad --output fails before the run, not after
    manifest = view.default_manifest(manifest_path(manifest, system), lang)
    notifying = notify_hook.prepare(notify, manifest, stored=not no_store)  # bad: exit 2
    req = AssessRequest(
        level=level, grade=grade, extensions=ext, targets=target, checks_dirs=checks,
        policies_dirs=policies, only=only, skip=skip, jobs=jobs, lang=lang.value, scans=scan,
        answers=answers, system=manifest,
        probe_timeout=probe_timeout, inventory=inventory, limit=limit, store=store,
        use_store=not no_store, system_name=name, today=day_option(today, "--today"),
        allow_outside_paths=allow_outside_paths, device_type=_device_type(device_type),
        fail_on=fail_on.value if fail_on else None, asset=asset,
        findings_since=day_option(findings_since, "--findings-since"),
        ssh=SSHOptions(accept_new_host_keys=accept_new_host_keys, known_hosts=known_hosts,
                       config_file=ssh_config, identity_file=ssh_identity,
                       connect_timeout=connect_timeout, sudo=sudo),
    )
    with AssessProgress(lang.value) as progress:
        req.on_host = progress.host
        assessment = run_assessment(req, on_plan=progress.plan, on_result=progress.result)
    written = write_outputs(assessment, formats, output, lang=lang.value)
    down = view.unreachable_first(assessment)
    view.show(assessment, policies=policies, lang=lang.value, top=top, written=written,
              stored=not no_store)
    notify_hook.tell(notifying, store, assessment.system.name, lang.value)
    raise typer.Exit(view.exit_code(assessment, down, fail_on.value if fail_on else None))


def _device_type(value: str | None) -> str | None:
    if not value:
        return None
    from cityguard.targets.netdev_detect import device_type as known_device_type

    return known_device_type(value)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
