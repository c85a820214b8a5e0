"""What `cityguard assess` prints when the run is done: what a security officer acts on.

In order: hosts that could not be assessed (first, as errors), the results by class and
control point, the conclusion and compliance rate with its formula, the open high-risk issues
by name, the worst failed checks with asset and remedy (`--top N`), what was not checked and
how to close each gap, and where the reports went. Numbers come from assess/views.py; words
from reports/i18n/messages.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.assess import views
from cityguard.cli import console
from cityguard.cli._layout import Col
from cityguard.cli._text import short_path
from cityguard.model import CheckStatus
from cityguard.policy.catalog import load_catalog
from cityguard.policy.messages import enum, pick, say, t
from cityguard.system.manifest import DEFAULT_NAME

#: assets named in a row of the failed checks before "and N more"
ASSETS_SHOWN = 2


def default_manifest(path: str | None, lang: str) -> str | None:
    """--manifest, else ./cityguard.yaml when there is one (said, so nobody is surprised)."""
    if path is None and Path(DEFAULT_NAME).is_file():
        console.info(t("cli.using_manifest", lang, path=DEFAULT_NAME))
        return DEFAULT_NAME
    return path


def exit_code(a: Any, down: Sequence[Any], fail_on: str | None) -> int:
    """2 when a target could not be assessed, 1 when --fail-on is reached, else 0."""
    if down:
        console.error(t("cli.targets_not_assessed", "en", n=len(down)))
        return 2
    if fail_on:
        failed = views.failed_at_or_above(a, fail_on)
        findings = views.open_findings_at_or_above(a, fail_on)
        if failed or findings:
            console.error(t("cli.fail_on_reached", "en", checks=len(failed),
                            findings=len(findings), severity=fail_on))
            return 1
    return 0


def unreachable_first(a: Any) -> list[tuple[str, str]]:
    """The assets nothing could be checked on, each as an error line before anything else."""
    down = views.unreachable(a)
    for _asset, why in down:
        console.error(why)
    return down


def show(a: Any, *, policies: Sequence[str], lang: str, top: int,
         written: Sequence[Path], stored: bool) -> None:
    _by_control_point(a, policies, lang)
    _conclusion(a, lang)
    _high_risks(a, lang)
    _failed(a, lang, top)
    _not_checked(a, lang)
    for w in a.summary.warnings if a.summary is not None else ():
        console.warning(say(w, lang))
    for path in written:
        console.success(t("cli.wrote", lang, path=short_path(path)))
    if stored:
        console.info(t("cli.next_report", lang))


def _by_control_point(a: Any, policies: Sequence[str], lang: str) -> None:
    statuses = list(CheckStatus)
    rows = views.control_point_summary(a, load_catalog(policies), lang)
    label = {s: t(f"cli.status_col.{s.value}", lang) for s in statuses}
    cols = [Col(t("cli.col_class", lang)), Col(t("cli.col_class_name", lang), drop=1),
            Col(t("cli.col_control_point", lang)),
            *(Col(label[s], justify="right") for s in statuses)]
    console.table(cols, [(r.class_code, r.class_name, r.control_point,
                          *(r.counts.get(s.value, 0) for s in statuses)) for r in rows],
                  summary=True)
    totals = {s: sum(1 for r in a.results if r.status == s) for s in statuses}
    parts = t("cli.list_sep", lang).join(
        t("cli.count_of", lang, n=totals[s], what=label[s]) for s in statuses)
    console.line(t("cli.results_line", lang, n=len(a.results), assets=len(a.assets),
                   parts=parts))


def _conclusion(a: Any, lang: str) -> None:
    s = a.summary
    if s is None:
        return
    console.line("")
    console.heading(t("cli.conclusion_line", lang, conclusion=enum("conclusion", s.conclusion,
                                                                   lang),
                      rate=f"{s.compliance_rate:.1f}"))
    formula = pick(s.rate_formula or s.score_formula, s.rate_formula_en or s.score_formula_en,
                   lang)
    console.line(formula, indent=2)
    if s.major_hidden_risk:
        reason = pick(s.major_hidden_risk_reason, s.major_hidden_risk_reason_en, lang)
        console.line(reason or t("cli.major_hidden_risk", lang), "bold red", indent=2)


def _high_risks(a: Any, lang: str) -> None:
    found = views.open_high_risks(a)
    console.line("")
    if not found:
        console.line(t("cli.no_high_risks", lang))
        return
    console.heading(t("cli.high_risks", lang, n=len(found)))
    by_case: dict[str, list[Any]] = {}
    for h in found:  # a fleet repeats one case on many hosts: one line per case
        by_case.setdefault(h.case_id, []).append(h)
    for case, issues in by_case.items():
        title = pick(issues[0].title_zh, issues[0].title_en, lang)
        assets = _assets(list(dict.fromkeys(h.asset for h in issues)), lang)
        console.line(t("cli.high_risk_line", lang, case=case, title=title, asset=assets),
                     "red", indent=2, hang=2)


def _failed(a: Any, lang: str, top: int) -> None:
    rows, total = views.top_failed(a, top)
    console.line("")
    if not total:
        console.line(t("cli.no_failed_checks", lang))
        return
    console.heading(t("cli.failed_checks", lang, n=total, shown=len(rows)))
    if not rows:
        return
    cols = [Col(t("cli.col_severity", lang)), Col(t("cli.col_check", lang), heading=True),
            Col(t("cli.col_asset", lang)),
            Col(t("cli.col_remedy", lang), lines=2, clip=True, min_width=20)]
    console.table(cols, [(enum("severity", f.severity.value, lang),
                          f"{pick(f.title_zh, f.title_en, lang)}\n{f.check_id}",
                          _assets(f.assets, lang),
                          pick(f.remediation_zh, f.remediation_en, lang).split("\n")[0])
                         for f in rows], summary=True)
    if total > len(rows):
        console.line(t("cli.more_failed", lang, rest=total - len(rows)), "dim")


def _assets(assets: list[str], lang: str) -> str:
    shown = ", ".join(assets[:ASSETS_SHOWN])
    if len(assets) > ASSETS_SHOWN:
        shown += t("cli.and_more", lang, n=len(assets) - ASSETS_SHOWN)
    return shown


def _not_checked(a: Any, lang: str) -> None:
    gaps = views.not_checked(a)
    console.line("")
    if not gaps.any():
        console.line(t("cli.all_checked", lang))
        return
    console.heading(t("cli.not_checked", lang))
    for key, n in (("items_not_assessed", gaps.items_not_assessed),
                   ("items_with_gaps", gaps.items_with_gaps), ("manual", gaps.manual),
                   ("errors", gaps.errors), ("not_applicable", gaps.not_applicable),
                   ("unreachable", len(gaps.unreachable))):
        if n:
            console.line(t(f"cli.gap_{key}", lang, n=n), indent=2, hang=2)
    if gaps.unreachable:
        console.line(t("cli.gap_unreachable_assets", lang,
                       assets=", ".join(asset for asset, _ in gaps.unreachable)),
                     indent=4, hang=2)
    if console.settings.verbose and a.summary is not None:
        for sentence in a.summary.not_checked:
            console.detail(say(sentence, lang))
