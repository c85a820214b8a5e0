"""Options several commands share, declared once: their flag, metavar, help and parser.

Choices are Enums; a value outside them is one line and exit 2 ("--lang must be one of zh, en
(got 'fr')"), raised while the command line is parsed, before anything runs. Typer reads the
`Annotated` types: a command writes `lang: LangOpt = Lang.ZH`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:  # imported where a value is refused: `--help` does not pay for it
    from cityguard.core.errors import UsageError

E = TypeVar("E", bound=Enum)


class Lang(str, Enum):
    ZH = "zh"
    EN = "en"


class Severity(str, Enum):
    """--fail-on: the values of cityguard.model.Severity (a test keeps them equal)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Stage(str, Enum):
    """--stage: the lifecycle stages of system.manifest.STAGES (a test keeps them equal)."""

    PLAN = "plan"
    BUILD = "build"
    DEPLOY = "deploy"
    OPERATE = "operate"


class Conclusion(str, Enum):
    """--min-conclusion: also accepted as the Chinese label (符合, 基本符合, 不符合)."""

    COMPLIANT = "compliant"
    BASICALLY_COMPLIANT = "basically_compliant"
    NON_COMPLIANT = "non_compliant"


class ListFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class ShowFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


class GateFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"


class DiffFormat(str, Enum):
    TABLE = "table"
    HTML = "html"
    MD = "md"
    JSON = "json"


def bad_choice(flag: str, allowed: list[str], got: object) -> UsageError:
    """`--lang must be zh or en (got 'fr')`; `--stage must be one of plan, build, … (got …)`."""
    from cityguard.core.errors import UsageError
    from cityguard.policy.messages import t

    if len(allowed) == 2:
        return UsageError(t("cli.bad_choice_of_two", "en", flag=flag, first=allowed[0],
                            second=allowed[1], got=repr(str(got))))
    return UsageError(t("cli.bad_choice", "en", flag=flag, choices=", ".join(allowed),
                        got=repr(str(got))))


def _labels(enum: type[Enum], value: Enum) -> set[str]:
    """Names a user may type for a member: its value, and for conclusions the zh label."""
    names = {str(value.value).lower()}
    if enum is Conclusion:
        from cityguard.policy.messages import enum as label

        names.add(label("conclusion", value.value, "zh"))
    return names


def choice(enum: type[E], flag: str) -> Callable[[object], E]:
    """A parser for one Enum member; case and '-' for '_' do not matter."""

    def parse(value: object) -> E:
        if isinstance(value, enum):
            return value
        text = str(value).strip()
        key = text.lower().replace("-", "_")
        for member in enum:
            if key in _labels(enum, member) or text in _labels(enum, member):
                return member
        raise bad_choice(flag, [str(m.value) for m in enum], text)

    parse.__name__ = f"parse_{flag.strip('-').replace('-', '_')}"
    return parse


def choices(enum: type[E], flag: str) -> Callable[[list[str]], list[E]]:
    """Repeated or comma-separated members (`--format json,sarif`), in order, no repeats."""
    one = choice(enum, flag)

    def parse_all(values: list[str]) -> list[E]:
        out: list[E] = []
        for raw in values or []:
            for part in str(getattr(raw, "value", raw)).split(","):
                if part.strip() and one(part) not in out:
                    out.append(one(part))
        return out

    return parse_all


def seconds(flag: str) -> Callable[[object], float]:
    """A positive, finite number of seconds (0, negatives, nan and inf are refused)."""

    def parse(value: object) -> float:
        try:
            number = float(str(value))
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number <= 0:
            from cityguard.core.errors import UsageError
            from cityguard.policy.messages import t

            raise UsageError(t("cli.bad_seconds", "en", flag=flag, got=repr(str(value))))
        return number

    return parse


def count(flag: str, least: int = 0) -> Callable[[object], int]:
    def parse(value: object) -> int:
        try:
            number = int(str(value))
        except ValueError:
            number = least - 1
        if number < least:
            from cityguard.core.errors import UsageError
            from cityguard.policy.messages import t

            raise UsageError(t("cli.bad_count", "en", flag=flag, least=least,
                               got=repr(str(value))))
        return number

    return parse


def _choice_option(enum: type[Enum], flag: str, help_text: str, **kw: object) -> typer.Option:
    return typer.Option(flag, parser=choice(enum, flag), metavar="|".join(m.value for m in enum),
                        help=help_text, **kw)  # type: ignore[arg-type]


LangOpt = Annotated[Lang, _choice_option(
    Lang, "--lang", "Language of tables, summaries and reports.", show_default=True)]
FailOnOpt = Annotated[Severity | None, _choice_option(
    Severity, "--fail-on", "Exit 1 when an unwaived failed check or an open finding is at or "
    "above this severity.")]
StageOpt = Annotated[Stage | None, _choice_option(
    Stage, "--stage", "Lifecycle stage (default: the manifest's stage).")]
MinConclusionOpt = Annotated[Conclusion | None, typer.Option(
    "--min-conclusion", parser=choice(Conclusion, "--min-conclusion"),
    metavar="符合|基本符合|不符合", help="Lowest acceptable conclusion (default 基本符合; the "
    "English names compliant, basically_compliant, non_compliant work too).")]
ListFormatOpt = Annotated[ListFormat, _choice_option(ListFormat, "--format", "Output format.",
                                                     show_default=True)]
ShowFormatOpt = Annotated[ShowFormat, _choice_option(ShowFormat, "--format", "Output format.",
                                                     show_default=True)]
DiffFormatOpt = Annotated[DiffFormat, _choice_option(DiffFormat, "--format", "Output format.",
                                                     show_default=True)]
GateFormatsOpt = Annotated[list[str], typer.Option(
    "--format", metavar="table|json|junit|sarif", help="Comma-separated or repeated (default "
    "table).")]
ReportFormatsOpt = Annotated[list[str], typer.Option(
    "--format", metavar="FORMATS", help="Report formats, comma-separated: html, xlsx, md, "
    "json, sarif, junit, oscal, csv (= csv_findings + csv_items), or all.")]
ManifestOpt = Annotated[str | None, typer.Option(
    "--manifest", metavar="PATH", help="System manifest (default: ./cityguard.yaml).")]
#: the old name of --manifest in gate and assess: still read, with a warning
LegacySystemOpt = Annotated[str | None, typer.Option("--system", hidden=True)]
ProbeTimeoutOpt = Annotated[float, typer.Option(
    "--probe-timeout", parser=seconds("--probe-timeout"), metavar="SECONDS",
    help="Default seconds per probe.", show_default=True)]
ConnectTimeoutOpt = Annotated[float, typer.Option(
    "--connect-timeout", parser=seconds("--connect-timeout"), metavar="SECONDS",
    help="Seconds to reach an SSH host.", show_default=True)]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", metavar="N", parser=count("--jobs", 1), show_default=False,
    help="Checks at a time on one host (default 4); hosts at a time in a fleet (default 8 per "
         "CPU core: docs/performance.md).")]
TopOpt = Annotated[int, typer.Option("--top", metavar="N", parser=count("--top"),
                                     help="Failed checks shown after assess (0: none).",
                                     show_default=True)]
#: --lang of a command that says only its own messages (no report): the word, zh or en
MessageLangOpt = Annotated[str, typer.Option("--lang", help="zh | en")]
StoreOpt = Annotated[str | None, typer.Option(
    "--store", metavar="PATH|URL", help="Store: a file path (SQLite) or "
    "postgresql://user@host:port/db (default: $CITYGUARD_STORE, else .cityguard/cityguard.db "
    "here).")]
NotifyOpt = Annotated[bool | None, typer.Option(
    "--notify/--no-notify", show_default=False, help="Tell the duty channels this system's "
    "new events now (default: when a notify configuration applies; docs/notify.md).")]
PoliciesOpt = Annotated[list[str], typer.Option(
    "--policies", metavar="DIR", help="Extra policy directory (repeatable; also "
    "CITYGUARD_POLICIES).")]
ChecksOpt = Annotated[list[str], typer.Option(
    "--checks", metavar="DIR", help="Extra check library directory (repeatable; also "
    "CITYGUARD_CHECKS).")]


def manifest_path(manifest: str | None, legacy: str | None) -> str | None:
    """--manifest, or the old --system with a warning that names the new flag."""
    if legacy is None:
        return manifest
    from cityguard.cli import console
    from cityguard.policy.messages import t

    console.warning(t("cli.system_is_manifest", "en"))
    if manifest is not None and manifest != legacy:
        from cityguard.core.errors import UsageError

        raise UsageError(t("cli.manifest_twice", "en", manifest=manifest, system=legacy))
    return legacy
