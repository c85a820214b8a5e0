"""`netdev`: lines of a network device's configuration, found by their place in the tree.

    - probe: netdev
      path: ['^line vty']             # the blocks to look in, one regex per level (none: top level)
      where: ['^login local']         # keep only blocks having a child line matching each of these
      unless: ['^shutdown']           # … and none matching any of these
      match: '^transport input (.+)$' # the lines wanted among each block's children
      capture: 1                      # yield this group instead of the line
      per_block: true                 # one value per block; a block without the line → default
      absent: vty_transport           # no line: the family's default (engine/netdev/defaults.py)
      expect: {equals: ssh}

Without `match` the blocks themselves are the values (their header line). `deep: true`
searches every descendant, not only direct children. `occurrence: last` keeps the last match
of a block (a later line overrides an earlier one, as on the device; the evidence still says
how many there were). `secret` names a group that holds a credential: it is replaced by its
shape (`<hash:vrp>`, `<cleartext>` …, core/redact.secret_shape) before anything sees it, and
every line is passed through the device redaction, so no credential reaches evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cityguard.core.redact import redact_device_line, secret_shape
from cityguard.engine.netdev.defaults import NoDefault, default_for, question
from cityguard.engine.netdev.literal import required_literal
from cityguard.engine.patterns import Budget, compile_pattern
from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    regex_problem,
    register,
)
from cityguard.policy.messages import messages, t
from cityguard.targets.base import Target

_REGEX = {"type": "string", "minLength": 1}
_REGEX_LIST = {"type": "array", "items": _REGEX, "minItems": 1}
_GROUP = {"type": ["integer", "string"]}


def device_of(target: Target) -> Any:
    """The parsed configuration of a device target, or None for any other target."""
    get = getattr(target, "device", None)
    return get() if callable(get) else None


class DeviceProbe(BaseProbe):
    """A probe of a network device's parsed configuration; on any other target it is not
    applicable. Subclasses say what they read in `read`."""

    inline = True  # reads the parsed configuration in memory (runner: no thread)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        device = device_of(target)
        if device is None:
            return Observation.na("not a network device")
        return self.read(device, params)

    def read(self, device: Any, params: dict[str, Any]) -> Observation:
        raise NotImplementedError


def finder(pattern: str, budget: Budget) -> Callable[[str], Any]:
    """pattern.search bounded by `budget`, after a literal every match needs (netdev/literal):
    most lines of a configuration are ruled out without the regex engine."""
    rx, literal = compile_pattern(pattern), required_literal(pattern)

    def find(text: str) -> Any:
        if literal and literal not in text:
            return None
        return budget.search(rx, text)

    return find


def select_blocks(root: Any, path: list[str], where: list[str], unless: list[str],
                  budget: Budget | None = None) -> list[Any]:
    budget = budget or Budget("the configuration")
    blocks = [root]
    for pattern in path:
        find = finder(pattern, budget)
        blocks = [c for b in blocks for c in b.children if find(c.text)]
    if where or unless:
        wants = [finder(p, budget) for p in where]
        nots = [finder(p, budget) for p in unless]
        blocks = [b for b in blocks
                  if all(any(w(c.text) for c in b.children) for w in wants)
                  and not any(n(c.text) for c in b.children for n in nots)]
    return blocks


def _both(key: str, **fields: object) -> str:
    """A question for a person, Chinese / English (result reasons carry both)."""
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def _known_keys() -> set[str]:
    return set(messages())


def _span(m: re.Match[str], params: dict[str, Any], key: str) -> tuple[int, int] | None:
    """The span of the group `params[key]` names; None when absent or it did not take part."""
    if key not in params:
        return None
    try:
        start, end = m.span(params[key])
    except IndexError:
        raise ProbeError(f"no group {params[key]!r} in {params['match']!r}") from None
    return (start, end) if start >= 0 else None


@register
class NetdevProbe(DeviceProbe):
    name = "netdev"
    params = {
        "path": _REGEX_LIST,
        "where": _REGEX_LIST,
        "unless": _REGEX_LIST,
        "match": _REGEX,
        "capture": _GROUP,
        "secret": _GROUP,
        "deep": {"type": "boolean"},
        "per_block": {"type": "boolean"},
        "occurrence": {"enum": ["all", "first", "last"]},
        "default": {"type": ["string", "number", "boolean"]},
        "absent": {"type": "string", "minLength": 1},
        "missing_block": {"const": "manual"},
        "manual_if": _REGEX,
        "absent_ask": {"type": "string", "pattern": "^[a-z_]+$"},
        "ask": {"type": "string", "pattern": "^[a-z_]+$"},
    }
    required = ()

    def subject(self, params: dict[str, Any]) -> str:
        parts = [*params.get("path", []), params.get("match", "")]
        return " > ".join(p for p in parts if p) or "configuration"

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        out = []
        for key in ("path", "where", "unless"):
            for p in params.get(key, []):
                if problem := regex_problem(p):
                    out.append((key, problem))
        if "match" in params and (problem := regex_problem(params["match"])):
            out.append(("match", problem))
        if "default" in params and "absent" in params:
            out.append(("absent", "give either `default` or `absent`, not both"))
        if "manual_if" in params and "ask" not in params:
            out.append(("manual_if", "`manual_if` needs `ask`: the question for a person"))
        if "manual_if" in params and (problem := regex_problem(params["manual_if"])):
            out.append(("manual_if", problem))
        for key in ("ask", "absent_ask"):
            if key in params and f"netdev.ask.{params[key]}" not in _known_keys():
                out.append((key, f"no message netdev.ask.{params[key]} in messages.yaml"))
        return out

    def read(self, device: Any, params: dict[str, Any]) -> Observation:
        blocks = select_blocks(device.root, params.get("path", []), params.get("where", []),
                               params.get("unless", []))
        if not blocks and params.get("missing_block") == "manual":
            where = " > ".join(params["path"])
            return Observation.ask(_both("netdev.ask.no_block", path=where))
        per_block = params.get("per_block", False)
        values: list[Value] = []
        notes: list[str] = []
        missing = 0
        for block in blocks:
            found = self._matches(device, block, params, notes)
            if per_block and not found:
                missing += 1
                found = self._absent(device, params, block)
                if found is None:
                    return self._manual(device, params)
            values.extend(found)
        if not values and not per_block:
            fallback = self._absent(device, params, None)
            if fallback is None:
                return self._manual(device, params)
            if fallback:
                note = f"no line: {device.family} default applies"
                return Observation.of(fallback, note=note)
        if not values and "absent_ask" in params:
            return Observation.ask(_both(f"netdev.ask.{params['absent_ask']}"))
        if "manual_if" in params:
            rx = compile_pattern(params["manual_if"])
            hit = next((v for v in values if rx.search(str(v.value))), None)
            if hit is not None:
                where = f" (line {hit.line})" if hit.line else ""
                # the question may quote the value it is about (a version, an account name)
                asked = _both(f"netdev.ask.{params['ask']}", value=str(hit.value))
                return Observation.ask(asked + where)
        note = "; ".join(notes)
        if per_block and missing:
            note = "; ".join(x for x in (note, f"{missing} block(s) without the line: "
                                         f"{device.family} default applies") if x)
        if not values:
            note = note or ("no such block" if params.get("path") and not blocks else "no line")
        return Observation.of(values, note=note)

    def _matches(self, device: Any, block: Any, params: dict[str, Any],
                 notes: list[str]) -> list[Value]:
        subject = block.text or None
        if "match" not in params:
            return [Value(redact_device_line(block.text), device.path, block.line)] \
                if block.text else []
        find = finder(params["match"], Budget(device.path))
        nodes = block.walk() if params.get("deep") else block.children
        out = []
        for node in nodes:
            m = find(node.text)
            if m is None:
                continue
            out.append(Value(self._value(m, node.text, params), device.path, node.line, subject))
        occurrence = params.get("occurrence", "all")
        if occurrence != "all" and len(out) > 1:
            kept = out[-1] if occurrence == "last" else out[0]
            # both are reported (a hand-edited backup holds contradicting lines), one decides
            seen = ", ".join(str(v.line) for v in out)
            said = f"the {occurrence} of {len(out)} lines ({seen}) is in force"
            notes.append(said)
            out = [Value(kept.value, kept.file, kept.line,
                         f"{subject}: {said}" if subject else said)]
        return out

    def _value(self, m: re.Match[str], line: str, params: dict[str, Any]) -> str:
        secret = _span(m, params, "secret")
        if "capture" in params:
            start, end = _span(m, params, "capture") or (0, 0)
            if secret and secret[0] < end and start < secret[1]:  # the credential is inside
                return (line[start:secret[0]] + secret_shape(line[secret[0]:secret[1]])
                        + line[secret[1]:end])
            return line[start:end]
        if secret:
            line = line[:secret[0]] + secret_shape(line[secret[0]:secret[1]]) + line[secret[1]:]
        return redact_device_line(line)

    def _absent(self, device: Any, params: dict[str, Any], block: Any) -> list[Value] | None:
        """The value(s) an absent line stands for: [] none, None: a person must tell."""
        subject = block.text if block is not None and block.text else "default"
        if "default" in params:
            return [Value(params["default"], subject=subject)]
        if "absent" in params:
            try:
                d = default_for(device.family, device.release, params["absent"])
            except NoDefault as exc:
                raise ProbeError(str(exc)) from None
            if d.value is None:
                return None
            return [Value(d.value, subject=subject)]
        return []

    def _manual(self, device: Any, params: dict[str, Any]) -> Observation:
        d = default_for(device.family, device.release, params["absent"])
        return Observation.ask(question(device.family, params["absent"], d.command))
