"""Shared by the network-device tests: where the corpus and the fixtures are, and one way to
assess a configuration file with the real library (loader, probes, runner)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from cityguard.engine import Check, load_library, make_context, run_check
from cityguard.engine.netdev.select import checks_for
from cityguard.model import CheckResult
from cityguard.targets.netdev import NetdevTarget

HERE = Path(__file__).resolve().parent
#: shared/corpus/netconf beside the repository (real configurations; referenced, never copied)
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "netconf"
FIXTURES = HERE / "fixtures"
#: folder of the corpus → OS family
FOLDER_FAMILY = {"huawei_vrp": "huawei_vrp", "h3c_comware": "h3c_comware",
                 "cisco_ios": "cisco_ios", "cisco_asa": "cisco_asa",
                 "juniper_junos": "juniper_junos", "fortinet_fortios": "fortinet_fortios",
                 "paloalto_panos": "paloalto_panos"}
#: a parser-edge-case fragment with nothing that tells Huawei from H3C (its MANIFEST row says
#: H3C): read with --device-type, as an operator would
NEEDS_DEVICE_TYPE = {"h3c_comware/netutils_comware_special_syntax.cfg": "h3c_comware"}


def corpus_files() -> list[str]:
    """Every configuration of the corpus, relative to it, from its MANIFEST; none (their
    tests are skipped as having no parameters) in a checkout without ../shared."""
    if not (CORPUS / "MANIFEST.csv").is_file():
        return []
    with open(CORPUS / "MANIFEST.csv", encoding="utf-8") as fh:
        return [row["file"] for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def device_checks() -> tuple[Check, ...]:
    return tuple(c for c in load_library() if "netdev" in c.applies.platform)


def assess(path: Path | str, device_type: str | None = None) -> dict[str, CheckResult]:
    """check id → result for every check of the file's family (the run's own selection)."""
    target = NetdevTarget(f"netdev:{path}", device_type=device_type)
    target.connect()
    ctx = make_context(target, level=3)
    family = target.device().family
    return {c.id: run_check(c, ctx) for c in checks_for(device_checks(), target)
            if family in c.applies.os_family}


def assess_corpus(rel: str) -> dict[str, CheckResult]:
    return assess(CORPUS / rel, NEEDS_DEVICE_TYPE.get(rel))
