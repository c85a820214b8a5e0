"""What a tool's own rule ids mean, in one place for every format of that tool.

Bandit writes JSON and SARIF; Semgrep and Checkov write JSON and SARIF. A finding must map to
the same MLPS items whichever format the user brings, so the knowledge a format does not carry
(bandit's B105 is a hard-coded password even in reports older than its `issue_cwe`) lives
here, keyed by tool family and rule id, and both importers ask `rule_tags`. What a CWE means is
not here: policies/mlps2/finding_rules.yaml maps CWEs for every format alike.

`family_of_producer` names the tool family of a SARIF producer. A producer that cityguard
also reads natively shares that importer's family, so the JSON and the SARIF of one run have
the same fingerprints (and one format's import can mark the other's findings fixed, as it
should: it is the same tool looking at the same code). Any other producer is
"sarif:<first word of its name>".
"""

from __future__ import annotations

from collections.abc import Iterable

# tool family → rule id → importer hints (see finding_rules.yaml for the tags)
_RULE_TAGS: dict[str, dict[str, tuple[str, ...]]] = {
    "bandit": {
        **dict.fromkeys(("B105", "B106", "B107"), ("secret",)),  # hard-coded passwords
        # certificate checks off, old TLS versions, pycrypto
        **dict.fromkeys(("B323", "B413", "B501", "B502", "B503", "B504"), ("tls",)),
        # bind all interfaces, flask debug, ssh host keys not verified
        **dict.fromkeys(("B104", "B201", "B507"), ("config",)),
    },
    "gosec": {
        "G101": ("secret",),  # hard-coded credentials
        "G402": ("tls",),  # TLS InsecureSkipVerify, old TLS versions, weak suites
    },
}

# tool family → rule id → the CWE the tool documents for it, for reports (older gosec) whose
# issues carry no `cwe`: a weak hash stays a weak hash whichever version wrote the file
_RULE_CWES: dict[str, dict[str, str]] = {
    "gosec": {
        "G101": "CWE-798", "G102": "CWE-200", "G103": "CWE-242", "G104": "CWE-703",
        "G106": "CWE-322", "G107": "CWE-88", "G108": "CWE-200", "G109": "CWE-190",
        "G110": "CWE-409", "G111": "CWE-22", "G112": "CWE-400", "G114": "CWE-676",
        "G115": "CWE-190", "G201": "CWE-89", "G202": "CWE-89", "G203": "CWE-79",
        "G204": "CWE-78", "G301": "CWE-276", "G302": "CWE-276", "G303": "CWE-377",
        "G304": "CWE-22", "G305": "CWE-22", "G306": "CWE-276", "G307": "CWE-703",
        "G401": "CWE-328", "G402": "CWE-295", "G403": "CWE-310", "G404": "CWE-338",
        "G405": "CWE-328", "G406": "CWE-328", "G501": "CWE-327", "G502": "CWE-327",
        "G503": "CWE-327", "G504": "CWE-327", "G505": "CWE-327", "G506": "CWE-328",
        "G507": "CWE-328", "G601": "CWE-118", "G602": "CWE-118",
    },
}  # fmt: skip

# SARIF tool.driver.name (first word, lower case) → the family of cityguard's native importer.
# Only producers whose native importer gives the same rule ids and `path:line` locations.
_NATIVE_FAMILY = {"bandit": "bandit", "semgrep": "semgrep", "checkov": "checkov"}

# families whose every finding is about code/IaC configuration or secrets, whatever the format
_FAMILY_TAGS: dict[str, tuple[str, ...]] = {"checkov": ("config",)}


def family_of_producer(driver_name: str) -> str:
    """The tool family of a SARIF producer ("Bandit" → "bandit", "CodeQL" → "sarif:codeql")."""
    word = driver_name.split()[0].lower() if driver_name.strip() else "unknown"
    return _NATIVE_FAMILY.get(word, f"sarif:{word}")


def rule_tags(family: str, rule_id: str, base: Iterable[str] = ()) -> tuple[str, ...]:
    """`base` plus what the tool's rule id and family say, de-duplicated in order."""
    extra = _RULE_TAGS.get(family, {}).get(rule_id, ())
    return tuple(dict.fromkeys((*base, *extra, *_FAMILY_TAGS.get(family, ()))))


def rule_cwes(family: str, rule_id: str) -> tuple[str, ...]:
    """The CWE a tool documents for its rule id (empty when the table has none)."""
    cwe = _RULE_CWES.get(family, {}).get(rule_id)
    return (cwe,) if cwe else ()
