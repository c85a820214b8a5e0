"""`cityguard assess`: run the check library on hosts and write the Assessment."""

from __future__ import annotations

import typer

HELP_TARGET = ("local (default), dir:PATH, netdev:PATH (device configuration backups: a file "
               "or a directory) or ssh://user@host[:port]; repeat for several assets.")


def assess(
    level: int = typer.Option(None, "--level", help="System level 1-4 (default 3)."),
    grade: str = typer.Option(None, "--grade", help="S/A grade such as S3A2."),
    ext: list[str] = typer.Option([], "--ext", help="Extensions: cloud,mobile,iot,ics,bigdata."),
    target: list[str] = typer.Option([], "--target", help=HELP_TARGET),
    checks: list[str] = typer.Option([], "--checks", help="Extra check library directory."),
    policies: list[str] = typer.Option([], "--policies", help="Extra policy directory."),
    only: list[str] = typer.Option([], "--only", help="Only these check ids or unit ids."),
    skip: list[str] = typer.Option([], "--skip", help="Skip these check ids or unit ids."),
    fmt: list[str] = typer.Option([], "--format", help="Output formats, comma-separated "
                                  "(default json)."),
    output: str = typer.Option(None, "--output", help="FILE for one format, DIR for several "
                               "(default ./cityguard-report/)."),
    jobs: int = typer.Option(4, "--jobs", help="Checks run concurrently."),
    fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 when a check of this severity "
                                "or above fails (critical, high, medium, low, info)."),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    scan: list[str] = typer.Option([], "--scan", help="Scanner output file to import."),
    answers: str = typer.Option(None, "--answers", help="Answers file for manual items."),
    system: str = typer.Option(None, "--system", help="System manifest (default: "
                               "./cityguard.yaml when present)."),
    allow_outside_paths: bool = typer.Option(False, "--allow-outside-paths", help="Let the "
                                             "manifest name files outside its own folder."),
    inventory: str = typer.Option(None, "--inventory", help="Ansible inventory (INI or YAML): "
                                  "its hosts are assessed over SSH."),
    limit: str = typer.Option(None, "--limit", help="Inventory group(s) or host(s)."),
    device_type: str = typer.Option(None, "--device-type", help="Network device OS: "
                                    "huawei_vrp, h3c_comware, cisco_ios, cisco_asa, "
                                    "juniper_junos, fortinet_fortios, paloalto_panos (for "
                                    "netdev: files, detected when absent; required for a "
                                    "device over ssh://)."),
    ssh_config: str = typer.Option(None, "--ssh-config", help="ssh -F file (default: "
                                   "~/.ssh/config)."),
    ssh_identity: str = typer.Option(None, "--ssh-identity", help="Private key for SSH."),
    known_hosts: str = typer.Option(None, "--known-hosts", help="known_hosts file to verify "
                                    "host keys against."),
    accept_new_host_keys: bool = typer.Option(False, "--accept-new-host-keys", help="Trust and "
                                              "record host keys not yet in known_hosts."),
    sudo: bool = typer.Option(False, "--sudo", help="Read files and run commands through "
                              "sudo -n on SSH hosts."),
    connect_timeout: float = typer.Option(10.0, "--connect-timeout", help="Seconds to reach an "
                                          "SSH host."),
    probe_timeout: float = typer.Option(10.0, "--probe-timeout", help="Default seconds per "
                                        "probe."),
    store: str = typer.Option(None, "--store", help="Store path (default "
                              "./.cityguard/cityguard.db or CITYGUARD_STORE)."),
    no_store: bool = typer.Option(False, "--no-store", help="Keep no history and track no "
                                  "findings for this run."),
    name: str = typer.Option(None, "--name", help="System name in the store and reports."),
    today: str = typer.Option(None, "--today", hidden=True, help="Judge dates as of this day "
                              "(YYYY-MM-DD); for reproducible examples."),
) -> None:
    """Assess hosts against the MLPS 2.0 items of a level (default: this host, level 3)."""
    from pathlib import Path

    from cityguard.assess.outputs import parse_formats, plan_outputs, write_outputs
    from cityguard.assess.run import AssessRequest, run_assessment
    from cityguard.assess.views import (
        check_severity,
        failed_at_or_above,
        open_findings_at_or_above,
    )
    from cityguard.cli import console
    from cityguard.core.errors import UsageError

    if lang not in ("zh", "en"):
        raise UsageError(f"--lang must be zh or en (got {lang!r})")
    formats = parse_formats(fmt)
    plan_outputs(formats, output)  # a bad --output fails before the run, not after
    if fail_on:
        check_severity(fail_on)  # validated before the run, applied after it
    if device_type:
        from cityguard.targets.netdev_detect import device_type as known_device_type

        device_type = known_device_type(device_type)
    if system is None and Path("cityguard.yaml").is_file():
        system = "cityguard.yaml"
        console.info("使用系统清单 cityguard.yaml" if lang == "zh" else
                     "using the system manifest cityguard.yaml")
    from cityguard.cli._common import day_option
    from cityguard.targets.ssh import SSHOptions

    ssh = SSHOptions(
        accept_new_host_keys=accept_new_host_keys, known_hosts=known_hosts,
        config_file=ssh_config, identity_file=ssh_identity, connect_timeout=connect_timeout,
        sudo=sudo,
    )
    req = AssessRequest(
        level=level, grade=grade, extensions=ext, targets=target,
        checks_dirs=checks, policies_dirs=policies, only=only, skip=skip, jobs=jobs, lang=lang,
        scans=scan, answers=answers, system=system, probe_timeout=probe_timeout,
        inventory=inventory, limit=limit, ssh=ssh, store=store, use_store=not no_store,
        system_name=name, today=day_option(today, "--today"), device_type=device_type,
        allow_outside_paths=allow_outside_paths,
    )
    with console.progress() as bar:
        label = "测评中" if lang == "zh" else "assessing"
        task = bar.add_task(label, total=None) if bar is not None else None
        hosts: dict[str, object] = {}

        def on_plan(total: int) -> None:
            if bar is not None and task is not None:
                bar.update(task, total=total)

        def on_result(result: object) -> None:
            if bar is not None and task is not None:
                bar.advance(task)
                host_task = hosts.get(getattr(result, "asset", ""))
                if host_task is not None:
                    bar.advance(host_task)

        def on_host(asset_id: str, event: str) -> None:
            if bar is None:
                return
            if event == "start":
                hosts[asset_id] = bar.add_task(f"  {asset_id}", total=None)
            elif event == "done" and asset_id in hosts:
                bar.remove_task(hosts.pop(asset_id))

        req.on_host = on_host
        assessment = run_assessment(req, on_plan=on_plan, on_result=on_result)
    written = write_outputs(assessment, formats, output, lang=lang)
    _summary(assessment, policies, lang)
    for path in written:
        console.success(("已写入 " if lang == "zh" else "wrote ") + str(path))
    if req.rejected:  # bad input files: the others were assessed, the run still exits 2
        for line in req.rejected:
            console.error(line)
        raise typer.Exit(2)
    if fail_on:
        failed = failed_at_or_above(assessment, fail_on)
        findings = open_findings_at_or_above(assessment, fail_on)
        if failed or findings:
            console.error(f"{len(failed)} failed check(s) and {len(findings)} open finding(s) "
                          f"at or above {fail_on}")
            raise typer.Exit(1)


def _summary(assessment, policies: list[str], lang: str) -> None:  # type: ignore[no-untyped-def]
    from cityguard.assess.views import control_point_summary
    from cityguard.cli import console
    from cityguard.model import CheckStatus
    from cityguard.policy.catalog import load_catalog

    statuses = [s.value for s in CheckStatus]
    rows = control_point_summary(assessment, load_catalog(policies), lang)
    zh = lang == "zh"
    cols = (["类别", "控制点"] + [CheckStatus(s).zh for s in statuses]) if zh else \
        (["class", "control point"] + statuses)
    console.table(cols, [(f"{r.class_code} {r.class_name}", r.control_point,
                          *(r.counts.get(s, 0) for s in statuses)) for r in rows])
    totals = {s: sum(1 for r in assessment.results if r.status.value == s) for s in statuses}
    n_assets = len(assessment.assets)
    if zh:
        parts = "，".join(f"{CheckStatus(s).zh} {totals[s]}" for s in statuses)
        console.info(f"{len(assessment.results)} 项检查结果（{n_assets} 个测评对象）：{parts}")
    else:
        parts = ", ".join(f"{totals[s]} {s}" for s in statuses)
        console.info(f"{len(assessment.results)} results on {n_assets} asset(s): {parts}")
    s = assessment.summary
    if s is not None:
        open_risks = sum(1 for h in assessment.high_risks if h.status == "open")
        if zh:
            console.info(f"结论：{s.conclusion_zh}；符合率 {s.compliance_rate:.1f}%"
                         f"（{s.score_formula}）；高风险问题 {open_risks} 项")
        else:
            console.info(f"conclusion: {s.conclusion_en or s.conclusion}; compliance rate "
                         f"{s.compliance_rate:.1f}% ({s.score_formula_en or s.score_formula}); "
                         f"open high-risk issues: {open_risks}")
        for line in s.not_checked:
            console.warning(line)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
