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
}

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
