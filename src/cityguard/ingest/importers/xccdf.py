"""SCAP benchmark results: XCCDF 1.1/1.2 result files (`oscap xccdf eval --results`) and ARF
(`--results-arf`, an asset-report-collection holding the data stream and the TestResult).

Rule details (title, severity, description, fix text, idents, references) are read from the
Benchmark's `Rule`s, which precede the `TestResult` in both layouts. Everything else — OVAL
definitions and results, system characteristics, the rest of the data stream — is freed as
it streams past, so a 300 MB ARF needs only the rule table in memory.

Which results become findings (a finding is something to act on; cityguard never reads the
absence of findings as compliance):
- `fail` → a finding at the rule's severity (high/medium/low; "unknown" or none → low, since a
  failed benchmark rule is a gap whatever its weight, with severity_raw "fail unknown" and
  extra["severity_unknown"] so nobody reads "low" as the benchmark's rating), tags
  "compliance", "config".
- `error`, `unknown`, `notchecked` → an info finding tagged "not-checked" (location
  "not-checked", so it is tracked apart from a later real failure): the rule was not verified
  and needs a manual check; it must never count as passed.
- `pass`, `fixed`, `informational`, `notselected`, `notapplicable` → nothing. Not applicable
  (不适用) is a verdict, not a problem to track.
Identity: target (first non-loopback IPv4 address, else FQDN fact, else target name), rule id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from cityguard.ingest import expat
from cityguard.ingest.base import register
from cityguard.ingest.importers._xmlkit import clean
from cityguard.ingest.util import first_of_each, head_text, local, xml_root
from cityguard.ingest.values import split_cves
from cityguard.model import Finding, Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

FAILED = {"fail"}
NOT_CHECKED = {"error", "unknown", "notchecked"}
_SEVERITY = {"high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW,
             "info": Severity.INFO}  # fmt: skip
_KEEP = {"Rule", "rule-result"}  # subtrees read whole when they end


@dataclass
class _Rule:
    title: str
    severity: str
    description: str
    solution: str
    idents: tuple[tuple[str, str], ...]
    references: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass
class _Target:
    name: str = ""
    addresses: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    end_time: str | None = None

    def key(self) -> str:
        for addr in self.addresses:
            if "." in addr and not addr.startswith("127.") and addr.count(".") == 3:
                return addr
        fqdn = self.facts.get("urn:xccdf:fact:asset:identifier:fqdn", "")
        return fqdn or self.name or next((a for a in self.addresses if a), "")


def _text(elem: Element) -> str:
    """All text inside (XCCDF descriptions hold XHTML), whitespace collapsed."""
    return clean(" ".join(elem.itertext()))


def _rule(elem: Element) -> _Rule:
    parts: dict[str, list[Element]] = {}
    for child in elem:
        parts.setdefault(local(child.tag), []).append(child)
    first = {k: _text(v[0]) for k, v in parts.items()}
    refs = [(r.get("href", ""), _text(r)) for r in parts.get("reference", [])]
    return _Rule(
        title=first.get("title", ""),
        severity=elem.get("severity", ""),
        description="\n\n".join(
            x for x in (first.get("description"), first.get("rationale")) if x
        ),  # fmt: skip
        solution=first.get("fixtext", ""),
        idents=tuple((i.get("system", ""), _text(i)) for i in parts.get("ident", [])),
        # the reference text is the control id ("AU-2(d)", "L3-CES1-01"); the href names the
        # standard and is the same for hundreds of rules
        references=tuple(dict.fromkeys(text or href for href, text in refs if text or href)),
        sources=tuple(dict.fromkeys(href for href, _ in refs if href)),
    )


@register
class XccdfImporter:
    name: ClassVar[str] = "xccdf"
    tool: ClassVar[str] = "xccdf"
    description: ClassVar[str] = "SCAP XCCDF results and ARF (OpenSCAP and other SCAP scanners)"

    def sniff(self, head: bytes) -> int:
        root = xml_root(head)
        text = head_text(head)
        if root == "asset-report-collection":
            return 90 if "asset-reporting-format" in text else 40
        if root in ("Benchmark", "TestResult") and "checklists.nist.gov/xccdf" in text:
            return 90
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        return first_of_each(self._results(stream, source))

    def _results(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        rules: dict[str, _Rule] = {}
        target = _Target()
        for elem in _stream(stream, source):
            name = local(elem.tag)
            if name == "Rule":
                rules[elem.get("id", "")] = _rule(elem)
            elif name == "TestResult":
                target = _Target(end_time=elem.get("end-time") or elem.get("start-time"))
            elif name == "target":
                target.name = clean(elem.text)
            elif name == "target-address":
                target.addresses.append(clean(elem.text))
            elif name == "fact":
                target.facts[elem.get("name", "")] = clean(elem.text)
            elif name == "rule-result":
                finding = self._finding(elem, rules.get(elem.get("idref", "")), target)
                if finding is not None:
                    yield finding

    def _finding(self, res: Element, rule: _Rule | None, target: _Target) -> Finding | None:
        result = clean(next((c.text for c in res if local(c.tag) == "result"), ""))
        if result not in FAILED and result not in NOT_CHECKED:
            return None
        rule_id, key = res.get("idref", ""), target.key()
        if not rule_id or not key:
            return None
        level = (res.get("severity") or (rule.severity if rule else "") or "unknown").lower()
        failed = result in FAILED
        severity = _SEVERITY.get(level, Severity.LOW) if failed else Severity.INFO
        idents = list(rule.idents if rule else ())
        idents += [(i.get("system", ""), clean(i.text)) for i in res if local(i.tag) == "ident"]
        messages = [clean(m.text) for m in res.iter() if local(m.tag) == "message" and m.text]
        checks = [c.get("name") or c.get("href") or "" for c in res.iter()
                  if local(c.tag) == "check-content-ref"]  # fmt: skip
        title = rule.title if rule and rule.title else rule_id
        return Finding(
            tool=self.tool, format=self.name, asset_kind="host", asset_key=key, rule_id=rule_id,
            title=title if failed else f"[not checked: {result}] {title}", severity=severity,
            severity_raw=f"{result} {level}", cves=split_cves([v for s, v in idents
                                                               if "cve" in s.lower()]),
            description=rule.description if rule else "",
            solution=rule.solution if rule else "",
            location="" if failed else "not-checked",
            evidence="\n".join([f"result: {result}", *messages,
                                *(f"check: {c}" for c in checks if c)]),
            references=rule.references if rule else (),
            tags=("compliance", "config") if failed else ("compliance", "not-checked"),
            last_seen=target.end_time,
            extra={k: v for k, v in (
                ("idents", [v for _s, v in dict.fromkeys(idents) if v]),
                ("reference_sources", list(rule.sources) if rule else []),
                ("target", target.name),
                # the benchmark gives the rule no weight: say so rather than pass "low" off as
                # the benchmark's rating (the model has no unknown severity; low still counts)
                ("severity_unknown", failed and level not in _SEVERITY or None)) if v},
        )  # fmt: skip


def _stream(stream: BinaryIO, source: str) -> Iterator[Element]:
    """Completed elements worth reading; everything else is freed as soon as it ends.

    Rules and rule-results are yielded whole; TestResult is yielded at its start (for its
    times) and target / target-address / fact as they end. Memory stays bounded by one Rule
    plus the rule table the caller builds.
    """
    keep = 0  # > 0 while inside a Rule or a rule-result
    for event, elem, parent in expat.element_events(stream, source, None, None):
        name = local(elem.tag)
        if event == "start":
            if name in _KEEP:
                keep += 1
            elif name == "TestResult":
                yield elem
            continue
        if name in _KEEP:
            keep -= 1
            yield elem
        elif keep:
            continue  # part of a Rule / rule-result: read when that one ends
        elif name in ("target", "target-address", "fact"):
            yield elem
        elem.clear()
        if parent is not None:
            _detach(parent, elem)


def _detach(parent: Element, elem: Element) -> None:
    # events arrive a buffer late, so the parent may already hold later siblings
    if len(parent) and parent[-1] is elem:
        del parent[-1]
    else:
        with contextlib.suppress(ValueError):
            parent.remove(elem)
