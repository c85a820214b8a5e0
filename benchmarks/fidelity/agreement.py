"""How often cityguard's item verdicts agree with an assessor's answer key, root by root.

For each root: `cityguard assess --target dir:ROOT --level 3 --format json` as a user runs
it, then every L3-CES1 item of the root's key (keys/<root>.yaml) is compared with the item
verdict in the JSON. Prints the agreement per root and every disagreement with its cause: the
object's reason, the decisive checks that failed (with what they saw) and the open questions.
Also flagged: a keyed item left 未测评 (a decidable item the tool did not decide), and any item
shown 符合 that no decisive check passed for (something unchecked shown as compliant).

    python benchmarks/fidelity/agreement.py [ROOT …] [--no-build] [--min 90]

Roots are built (or taken from the cache) by build_roots.py; `--root-dir NAME=PATH` assesses
any tree against a key instead (the CI test does this with tests/assets/fidelity/).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEYS = HERE / "keys"


@dataclass
class Outcome:
    root: str
    agreed: list[str] = field(default_factory=list)
    disagreed: list[tuple[str, str, str, str]] = field(default_factory=list)  # unit, key, got, why
    undecided: list[str] = field(default_factory=list)  # keyed items left not_assessed
    unchecked_compliant: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.agreed) + len(self.disagreed)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.agreed) / self.total if self.total else 0.0


def load_key(name: str, keys_dir: Path = KEYS) -> dict[str, dict[str, str]]:
    import yaml

    data = yaml.safe_load((keys_dir / f"{name}.yaml").read_text(encoding="utf-8"))
    return data["items"]


def assess(root: Path, out_dir: Path) -> dict[str, Any]:
    """The Assessment JSON of `cityguard assess --target dir:ROOT` at level 3."""
    out = out_dir / "assessment.json"
    proc = subprocess.run(
        [sys.executable, "-m", "cityguard", "assess", "--target", f"dir:{root}", "--level", "3",
         "--no-store", "--format", "json", "--output", str(out)],
        capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"assess {root} exited {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(out.read_text(encoding="utf-8"))


def _cause(item: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    parts = []
    for ov in item.get("objects", []):
        parts.append(ov.get("reason", ""))
        for cid in ov.get("decided_by", []):
            r = results.get(cid, {})
            if r.get("status") == "fail":
                parts.append(f"{cid} fails: {r.get('reason', '')[:160]}")
        for cid in ov.get("unverified", []):
            parts.append(f"{cid} errors: {results.get(cid, {}).get('reason', '')[:120]}")
        parts += [f"question {q['check_id']}" for q in ov.get("open_questions", [])]
    return " | ".join(p for p in parts if p)


def compare(name: str, doc: dict[str, Any], key: dict[str, dict[str, str]]) -> Outcome:
    items = {i["unit_id"]: i for i in doc["items"]}
    results = {r["check_id"]: r for r in doc["results"]}
    out = Outcome(name)
    for unit, want in sorted(key.items()):
        item = items.get(unit)
        got = item["verdict"] if item else "missing"
        if got == want["verdict"]:
            out.agreed.append(unit)
        else:
            out.disagreed.append((unit, want["verdict"], got, _cause(item or {}, results)))
        if got == "not_assessed":
            out.undecided.append(unit)
    for unit, item in items.items():
        if item["verdict"] == "compliant" and not any(
                o.get("source") != "checks" or o.get("decided_by") for o in item["objects"]):
            out.unchecked_compliant.append(unit)
    return out


def report(o: Outcome) -> str:
    lines = [f"{o.root}: {len(o.agreed)}/{o.total} items agree ({o.percent:.0f} %), "
             f"assessed in {o.seconds:.2f} s"]
    for unit, want, got, why in o.disagreed:
        lines.append(f"  {unit}: key {want}, cityguard {got} — {why}")
    if o.undecided:
        lines.append(f"  decidable items left not_assessed: {', '.join(o.undecided)}")
    if o.unchecked_compliant:
        lines.append(f"  compliant without decisive evidence: {', '.join(o.unchecked_compliant)}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("roots", nargs="*", help="root names (default: every key)")
    ap.add_argument("--no-build", action="store_true", help="use cached roots as they are")
    ap.add_argument("--root-dir", action="append", default=[], metavar="NAME=PATH",
                    help="assess PATH against keys/NAME.yaml (no build)")
    ap.add_argument("--min", type=float, default=90.0, help="exit 1 below this agreement")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import build_roots

    targets: list[tuple[str, Path]] = []
    for spec in args.root_dir:
        name, _, path = spec.partition("=")
        targets.append((name, Path(path)))
    names = args.roots or ([] if targets else sorted(p.stem for p in KEYS.glob("*.yaml")))
    for name in names:
        root = build_roots.cache_dir() / name
        if not args.no_build:
            root = build_roots.build(name)
        targets.append((name, root))
    worst = 100.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, root in targets:
            started = time.monotonic()
            doc = assess(root, Path(tmp))
            outcome = compare(name, doc, load_key(name))
            outcome.seconds = time.monotonic() - started
            print(report(outcome))
            worst = min(worst, outcome.percent)
    return 0 if worst >= args.min else 1


if __name__ == "__main__":
    raise SystemExit(main())
