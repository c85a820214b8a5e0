"""The system manifest (cityguard.yaml): one system, its level, assets, scans, evidence, waivers.

A data loader: it reads and checks the file and gives plain dataclasses; it runs nothing.
Paths inside the manifest (dir: targets, scans, evidence, answers) are relative to the
manifest's own directory, so a manifest gives the same answer wherever it is checked out, and
they must stay inside it unless the operator allows otherwise (system.paths).

    load_manifest(path) -> Manifest          the first problem raises DataError (exit 2)
    validate_manifest(path) -> [DataError]   every problem, each with file, line and field

Both take `allow_outside_paths=True` for `--allow-outside-paths`.

The field names are a public contract (docs/manifest.md, schemas/manifest.schema.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cityguard.core.dates import parse_day
from cityguard.core.errors import DataError
from cityguard.model import Asset, SystemInfo
from cityguard.policy.grading import harm_level
from cityguard.system.devicetypes import family_of
from cityguard.system.paths import expand_scans, resolve_target
from cityguard.system.validate import line_at, read_manifest

DEFAULT_NAME = "cityguard.yaml"
STAGES = ("plan", "build", "deploy", "operate")

#: conclusion tokens, English and Chinese, → the English value; ranked 符合 > 基本符合 > 不符合
CONCLUSIONS = {
    "compliant": "compliant", "符合": "compliant",
    "basically_compliant": "basically_compliant", "基本符合": "basically_compliant",
    "non_compliant": "non_compliant", "不符合": "non_compliant",
}  # fmt: skip
CONCLUSION_RANK = {"non_compliant": 0, "basically_compliant": 1, "compliant": 2}
CONCLUSION_ZH = {"compliant": "符合", "basically_compliant": "基本符合", "non_compliant": "不符合"}


@dataclass(frozen=True)
class ManifestAsset:
    id: str
    target: str | None = None  # local | dir:PATH (as written) | ssh://…; None: no checks run
    type: str = "host"
    name: str = ""
    internet_facing: bool = False
    value: int | None = None
    cia: dict[str, int] | None = None
    tags: tuple[str, ...] = ()
    device_type: str | None = None  # a device's OS family (netdev:, ssh://); None: detect / flag

    def to_model(self, base_dir: Path) -> Asset:
        target = resolve_target(self.target, base_dir) if self.target else ""
        return Asset(id=self.id, target=target, type=self.type,
                     name=self.name or self.id, internet_facing=self.internet_facing,
                     value=self.value, cia=self.cia, tags=self.tags)


@dataclass(frozen=True)
class EvidenceRecord:
    """One document: what it is, where it is, when and by whom it was approved."""

    type: str
    path: str  # as written in the manifest
    file: Path  # resolved against the manifest's directory
    date: date | None
    approver: str = ""
    ref: str = ""  # reference number of the document (文号 / 证书编号)
    fields: dict[str, Any] = field(default_factory=dict)  # type-specific: conclusion, expires …
    index: int = 0  # position in `evidence:` (for messages)
    line: int | None = None

    def get(self, name: str, default: Any = None) -> Any:
        if name in ("type", "path", "approver", "ref"):
            return getattr(self, name)
        if name == "date":
            return self.date
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: a check, an item or one finding (by fingerprint), optionally on one asset.

    It always names who accepted it, why, until when, and the compensating measure.
    """

    reason: str
    approver: str
    expires: date
    check: str = ""
    item: str = ""
    finding: str = ""
    asset: str = ""
    compensating: str = ""
    id: str = ""
    line: int | None = None

    @property
    def subject(self) -> str:
        kind = "check" if self.check else "item" if self.item else "finding"
        text = f"{kind} {self.check or self.item or self.finding}"
        return f"{text} on {self.asset}" if self.asset else text

    def expired(self, today: date) -> bool:
        return self.expires < today

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "check", "item", "finding", "asset", "reason",
                                           "approver", "compensating")}
        d["expires"] = self.expires.isoformat()
        return {k: v for k, v in d.items() if v != ""}


@dataclass(frozen=True)
class GateSettings:
    fail_on: str | None = None
    min_conclusion: str | None = None  # English value (CONCLUSIONS)
    assessment_interval_months: int | None = None
    waiver_warn_days: int = 30


@dataclass(frozen=True)
class Manifest:
    path: Path
    name: str
    level: int
    s_level: int
    a_level: int
    stage: str
    owner: str = ""
    department: str = ""
    extensions: tuple[str, ...] = ()
    grading: dict[str, str] | None = None  # {"info": "social:serious", "service": …}
    assets: tuple[ManifestAsset, ...] = ()
    scans: tuple[str, ...] = ()  # patterns as written
    evidence: tuple[EvidenceRecord, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    answers: Path | None = None
    mitigations: tuple[dict[str, Any], ...] = ()
    gate: GateSettings = field(default_factory=GateSettings)
    allow_outside_paths: bool = False  # the operator's --allow-outside-paths

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent

    @property
    def grade(self) -> str:
        return f"S{self.s_level}A{self.a_level}"

    def scan_files(self) -> list[Path]:
        """Every file the scan patterns match (sorted, each once)."""
        return expand_scans(self.scans, self.base_dir, confine=not self.allow_outside_paths)

    def targets(self) -> list[str]:
        """The assets' targets, dir: paths made absolute; this host when no asset is declared.

        Assets without a target (an image, a web application) are judged from scanner
        findings and evidence only.
        """
        if not self.assets:
            return ["local"]
        return [resolve_target(a.target, self.base_dir) for a in self.assets if a.target]

    def model_assets(self) -> list[Asset]:
        return [a.to_model(self.base_dir) for a in self.assets]

    def system_info(self) -> SystemInfo:
        return SystemInfo(name=self.name, level=self.level, grade=self.grade,
                          extensions=self.extensions, stage=self.stage, owner=self.owner,
                          department=self.department)

    def evidence_records(self) -> list[dict[str, Any]]:
        """Evidence as scoring reads it (type, path, date, approver, ref, unit_ids, asset)."""
        out = []
        for e in self.evidence:
            rec: dict[str, Any] = {"type": e.type, "path": str(e.file), "approver": e.approver,
                                   "date": e.date.isoformat() if e.date else None}
            # scoring reads unit ids from `unit_ids` (and `ref`): our `ref` is a document
            # number, so it stays under its own key
            rec["unit_ids"] = list(e.fields.get("unit_ids", ()))
            rec["reference"] = e.ref
            if e.fields.get("asset"):
                rec["asset"] = e.fields["asset"]
            out.append(rec)
        return out


def load_manifest(path: str | Path, *, allow_outside_paths: bool = False) -> Manifest:
    """Read, check and return the manifest; the first problem raises DataError."""

    p = Path(path)
    # missing evidence files are the gate's to judge; the answers file is read by its loader
    data, errors, _missing_files = read_manifest(p, deep=False,
                                                 allow_outside_paths=allow_outside_paths)
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more: run `cityguard validate {p}`)" if len(errors) > 1 \
            else ""
        raise DataError(first.path, first.problem + more, line=first.line, field=first.field)
    return replace(_build(p, data), allow_outside_paths=allow_outside_paths)


def validate_manifest(path: str | Path, *, allow_outside_paths: bool = False) -> list[DataError]:
    """Every problem of the manifest (schema and meaning), ordered by line."""

    _, errors, soft = read_manifest(Path(path), allow_outside_paths=allow_outside_paths)
    return sorted(errors + soft, key=lambda e: (e.line or 0, e.field or ""))


def _levels(data: dict[str, Any]) -> tuple[int, int, int]:
    s = a = None
    if data.get("grade"):
        s, a = int(data["grade"][1]), int(data["grade"][3])
    elif data.get("grading"):
        s, a = harm_level(data["grading"]["info"]), harm_level(data["grading"]["service"])
    level = int(data["level"]) if data.get("level") else max(s or 3, a or 3)
    return level, s or level, a or level


def _build(path: Path, data: dict[str, Any]) -> Manifest:

    base = path.resolve().parent
    level, s, a = _levels(data)
    assets = tuple(
        ManifestAsset(id=x["id"], target=x.get("target"), type=x.get("type", "host"),
                      name=x.get("name", ""), internet_facing=bool(x.get("internet_facing")),
                      value=x.get("value"), cia=x.get("cia"), tags=tuple(x.get("tags", ())),
                      device_type=family_of(x["device_type"]) if x.get("device_type") else None)
        for x in data.get("assets") or ()
    )
    core = {"type", "path", "date", "approver", "ref"}
    evidence = tuple(
        EvidenceRecord(type=e["type"], path=e["path"], file=(base / e["path"]).resolve(),
                       date=parse_day(e["date"]), approver=e.get("approver", ""),
                       ref=e.get("ref", ""), index=n, line=line_at(path, ["evidence", n]),
                       fields={k: (parse_day(v) if k in ("expires", "last_drill") else v)
                               for k, v in e.items() if k not in core})
        for n, e in enumerate(data.get("evidence") or ())
    )
    waivers = tuple(
        Waiver(reason=w["reason"], approver=w["approver"], expires=parse_day(w["expires"])
               or date.min, check=w.get("check", ""), item=w.get("item", ""),
               finding=w.get("finding", ""), asset=w.get("asset", ""),
               compensating=w.get("compensating", ""), id=w.get("id", f"W{n + 1}"),
               line=line_at(path, ["waivers", n]))
        for n, w in enumerate(data.get("waivers") or ())
    )
    g = data.get("gate") or {}
    gate = GateSettings(
        fail_on=g.get("fail_on"),
        min_conclusion=CONCLUSIONS.get(g["min_conclusion"]) if g.get("min_conclusion") else None,
        assessment_interval_months=g.get("assessment_interval_months"),
        waiver_warn_days=g.get("waiver_warn_days", 30),
    )
    return Manifest(
        path=path, name=data["name"], level=level, s_level=s, a_level=a, stage=data["stage"],
        owner=data.get("owner", ""), department=data.get("department", ""),
        extensions=tuple(data.get("extensions") or ()), grading=data.get("grading"),
        assets=assets, scans=tuple(data.get("scans") or ()), evidence=evidence,
        waivers=waivers, answers=(base / data["answers"]).resolve() if data.get("answers")
        else None, mitigations=tuple(dict(m) for m in data.get("mitigations") or ()), gate=gate,
    )
