"""`netdev_ref`: names one part of a device configuration uses and another defines (ACLs).

    - probe: netdev_ref
      refs:                                     # where a name is used (group 1 is the name)
        - {path: ['^line vty'], match: '^access-class (\\S+) in'}
      defs:                                     # where a name is defined
        - {match: '^ip access-list (?:standard|extended) (\\S+)'}
      report: dangling                          # dangling: used, never defined
      expect: {count: {equals: 0}}              # unbound: defined, never used

`report: matched_by_all` yields the names every `refs` spot finds and no `defs` spot does: the
rules of a flat `set` configuration (Junos, PAN-OS) whose source, destination and service are
all `any` and that are not disabled, each a separate line of the same rule.

Each value is one offender ("1111: used at line 23, defined nowhere"), so the evidence and the
reason name exactly what is wrong. A management ACL that is referenced but missing lets every
source in on most platforms; one that is defined but bound nowhere protects nothing.
"""

from __future__ import annotations

from typing import Any

from cityguard.engine.patterns import Budget, compile_pattern
from cityguard.engine.probes.base import Observation, Value, regex_problem, register
from cityguard.engine.probes.netdev import DeviceProbe, finder, select_blocks

_REGEX = {"type": "string", "minLength": 1}
_SPOT = {
    "type": "object",
    "required": ["match"],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "array", "items": _REGEX, "minItems": 1},
        "where": {"type": "array", "items": _REGEX, "minItems": 1},
        "match": _REGEX,
        "deep": {"type": "boolean"},
    },
}


def names_at(root: Any, spots: list[dict[str, Any]]) -> dict[str, int]:
    """name (group 1 of `match`) → the first line it appears on, over every spot."""
    found: dict[str, int] = {}
    budget = Budget("the configuration")
    for spot in spots:
        find = finder(spot["match"], budget)
        for block in select_blocks(root, spot.get("path", []), spot.get("where", []), [],
                                   budget):
            nodes = block.walk() if spot.get("deep") else block.children
            for node in nodes:
                m = find(node.text)
                if m and m.lastindex:
                    found.setdefault(m.group(1).strip('"'), node.line)
    return found


@register
class NetdevRefProbe(DeviceProbe):
    name = "netdev_ref"
    params = {
        "refs": {"type": "array", "items": _SPOT, "minItems": 1},
        "defs": {"type": "array", "items": _SPOT, "minItems": 1},
        "report": {"enum": ["dangling", "unbound", "matched_by_all"]},
    }
    required = ("refs", "report")

    def subject(self, params: dict[str, Any]) -> str:
        return f"{params['report'].replace('_', ' ')} references"

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        out = []
        for key in ("refs", "defs"):
            for spot in params.get(key, []):
                for p in [*spot.get("path", []), *spot.get("where", []), spot.get("match", "")]:
                    if p and (problem := regex_problem(p)):
                        out.append((key, problem))
                if spot.get("match") and compile_pattern(spot["match"]).groups < 1:
                    out.append((key, f"{spot['match']!r} needs a group: the name"))
        return out

    def read(self, device: Any, params: dict[str, Any]) -> Observation:
        refs = names_at(device.root, params["refs"])
        defs = names_at(device.root, params.get("defs", []))
        if params["report"] == "matched_by_all":
            every = [names_at(device.root, [spot]) for spot in params["refs"]]
            bad = {n: line for n, line in every[0].items()
                   if all(n in found for found in every[1:]) and n not in defs}
            text = "{}: matches every pattern (line {})"
        elif params["report"] == "dangling":
            bad = {n: line for n, line in refs.items() if n not in defs}
            text = "{}: used at line {}, defined nowhere"
        else:
            bad = {n: line for n, line in defs.items() if n not in refs}
            text = "{}: defined at line {}, bound nowhere"
        values = [Value(text.format(n, line), device.path, line, n) for n, line in bad.items()]
        note = f"{len(refs)} reference(s), {len(defs)} definition(s)"
        return Observation.of(values, note=note)
