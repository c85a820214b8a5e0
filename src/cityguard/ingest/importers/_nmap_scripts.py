"""Nmap NSE script results that state a problem (not an importer: discovery skips `_` modules).

Which scripts become findings of their own (everything else stays in the open port's evidence):
- vulnerability scripts (vulns library: `http-vuln-*`, `ssl-heartbleed`, `smb-vuln-*` …) whose
  table says `state` VULNERABLE (high) or LIKELY VULNERABLE (medium), with their CVE ids;
  rule id = script id, one finding per vulnerability title the script reports;
- `ssl-enum-ciphers` with a least strength below A (F/E → high, D/C → medium, B → low), with
  the protocol versions offered and nmap's warnings: rule "ssl-enum-ciphers", tag "tls";
- anonymous logins (`ftp-anon` "Anonymous FTP login allowed"): the title says "Anonymous …
  login allowed", which the MLPS rules map to identification and default accounts;
- default or empty credentials accepted (`http-default-accounts`, `*-empty-password`,
  `*-brute` "Valid credentials"): how many accounts, never which (no secret of an assessed
  host is quoted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cityguard.ingest.values import first_line, split_cves
from cityguard.model import Severity

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_GRADES = {"F": Severity.HIGH, "E": Severity.HIGH, "D": Severity.MEDIUM, "C": Severity.MEDIUM,
           "B": Severity.LOW}  # fmt: skip
_STATES = {"VULNERABLE": Severity.HIGH, "LIKELY VULNERABLE": Severity.MEDIUM}
_CREDENTIAL_SCRIPTS = re.compile(r"-brute$|-empty-password$|^http-default-accounts$")
_VALID = re.compile(r"valid credentials|empty password", re.I)


@dataclass(frozen=True)
class ScriptProblem:
    rule_id: str
    title: str
    severity: Severity
    evidence: str
    cves: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    key: str = ""  # tells apart several problems one script reports on one port


def problems(port: Element) -> Iterator[ScriptProblem]:
    """The problems the NSE scripts of one port state."""
    for script in port.findall("script"):
        sid = script.get("id", "")
        output = (script.get("output") or "").strip()
        if sid == "ssl-enum-ciphers":
            yield from _tls_grade(script)
        elif sid == "ftp-anon" and "anonymous ftp login allowed" in output.lower():
            yield ScriptProblem(sid, "Anonymous FTP login allowed", Severity.HIGH,
                                first_line(output))  # fmt: skip
        elif _CREDENTIAL_SCRIPTS.search(sid):
            yield from _credentials(sid, script, output)
        else:
            yield from _vulns(sid, script, output)


def _elems(table: Element) -> dict[str, str]:
    return {e.get("key", ""): (e.text or "").strip() for e in table.findall("elem")}


def _vulns(sid: str, script: Element, output: str) -> Iterator[ScriptProblem]:
    """vulns-library tables: {title, state, ids{…}, description …} per vulnerability."""
    found = False
    for table in script.iter("table"):
        elems = _elems(table)
        state = elems.get("state", "").upper()
        severity = next((sev for word, sev in _STATES.items() if state.startswith(word)), None)
        if severity is None or "NOT VULNERABLE" in state:
            continue
        found = True
        ids = [e.text or "" for t in table.findall("table") if t.get("key") == "ids"
               for e in t.findall("elem")]  # fmt: skip
        title = elems.get("title") or sid
        yield ScriptProblem(sid, f"{title} ({sid})", severity, f"State: {state}",
                            split_cves(ids), _tls(sid, ("vuln",)), title)  # fmt: skip
    if not found and re.search(r"State:\s*(LIKELY )?VULNERABLE", output):
        state = "LIKELY VULNERABLE" if "LIKELY VULNERABLE" in output else "VULNERABLE"
        yield ScriptProblem(sid, f"{sid}: {state.lower()}", _STATES[state], f"State: {state}",
                            split_cves(output), _tls(sid, ("vuln",)))  # fmt: skip


def _tls(sid: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    return (*tags, "tls") if sid.startswith(("ssl-", "tls-")) else tags


def _tls_grade(script: Element) -> Iterator[ScriptProblem]:
    grade = ""
    offered: list[str] = []
    warnings: list[str] = []
    for child in script:
        if child.tag == "elem" and child.get("key") == "least strength":
            grade = (child.text or "").strip().upper()
        elif child.tag == "table" and child.get("key", "").startswith(("TLS", "SSL")):
            offered.append(child.get("key", ""))
            for t in child.findall("table"):
                if t.get("key") == "warnings":
                    warnings += [(e.text or "").strip() for e in t.findall("elem")]
    severity = _GRADES.get(grade)
    if severity is None:  # A (or no grade): nothing below the bar
        return
    lines = [f"least strength {grade}", "offered: " + ", ".join(offered),
             *dict.fromkeys(w for w in warnings if w)]  # fmt: skip
    yield ScriptProblem("ssl-enum-ciphers", f"TLS configuration graded {grade} by nmap",
                        severity, "\n".join(lines), (), ("tls",))  # fmt: skip


def _credentials(sid: str, script: Element, output: str) -> Iterator[ScriptProblem]:
    accounts = [t for t in script.iter("table") if _elems(t).get("state", "").lower()
                .startswith("valid")] or [t for t in script.iter("table")
                if {"username", "password"} <= set(_elems(t))]  # fmt: skip
    if not accounts and not _VALID.search(output):
        return
    count = len(accounts) or 1
    yield ScriptProblem(sid, f"Default or weak credentials accepted ({sid})", Severity.HIGH,
                        f"{count} account(s) with default, empty or guessable credentials "
                        "(not quoted here)")  # fmt: skip
