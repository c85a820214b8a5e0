"""Scoring configuration and scoring data (threat catalog, high-risk rules), loaded and checked.

`policies/scoring/default.yaml` is read from every policy search directory in order (built-in,
CITYGUARD_POLICIES, --policies) and merged key by key, so a site file holds only what it
changes. A config dict handed in by a caller is merged over the built-in one the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cityguard.core.datacache import cached
from cityguard.core.errors import DataError
from cityguard.core.resources import builtin_dir, search_dirs
from cityguard.core.yamlio import line_of, load_schema, load_yaml, read_yaml_text, validate

CONFIG_FILE = "scoring/default.yaml"
THREATS_FILE = "risk/threats.yaml"
RULES_FILE = "mlps2/high_risk_rules.yaml"


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` merged into a copy of `base`: mappings merge, everything else is replaced."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _policy_paths(rel: str, extra_dirs: Sequence[str | Path]) -> list[Path]:
    return [d / rel for d in search_dirs("policies", extra_dirs) if (d / rel).is_file()]


def _read(path: Path) -> tuple[Any, str]:
    text = read_yaml_text(path)  # the size bound before the file is read
    return load_yaml(path, text), text


def load_config(extra_dirs: Sequence[str | Path] = ()) -> dict[str, Any]:
    """The scoring configuration: built-in defaults with every site file merged over them."""
    paths = _policy_paths(CONFIG_FILE, extra_dirs)
    if not paths:
        raise DataError(CONFIG_FILE, "the built-in scoring configuration is missing")
    # parsing and schema-checking cost ~0.1 s per run: the checked result is cached on disk
    return cached("scoring-config", paths, lambda: _load_config(paths))


def _load_config(paths: list[Path]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in paths:
        data, text = _read(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise DataError(path, "expected a mapping of configuration keys", line=1)
        merged = deep_merge(merged, data)
        # a site file is checked once merged, so its errors name its own lines
        _check_config(merged, path, text)
    return merged


def resolve_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """A caller's (possibly partial) config merged over the built-in defaults, then checked."""
    base = _builtin_config()
    if not config:
        return base
    merged = deep_merge(base, config)
    _check_config(merged, "<scoring config>", "")
    return merged


_BUILTIN: dict[str, Any] | None = None


def _builtin_config() -> dict[str, Any]:
    global _BUILTIN
    if _BUILTIN is None:
        path = builtin_dir("policies") / CONFIG_FILE
        _BUILTIN = cached("scoring-config", [path], lambda: _load_config([path]))
    return copy.deepcopy(_BUILTIN)


def _check_config(cfg: dict[str, Any], path: str | Path, text: str | None) -> None:
    probe = copy.deepcopy(cfg)
    risk = probe.get("risk")
    if isinstance(risk, dict) and isinstance(risk.get("priority_by_level"), dict):
        # YAML gives integer keys; JSON Schema only knows string keys
        risk["priority_by_level"] = {str(k): v for k, v in risk["priority_by_level"].items()}
    validate(probe, load_schema("scoring.schema.json"), path, text)
    _check_risk_tables(cfg["risk"], path)
    c = cfg["conclusion_2025"]
    if c["basic_from"] > c["compliant_above"]:
        raise DataError(path, "basic_from must not exceed compliant_above", field="conclusion_2025")


def _check_risk_tables(risk: dict[str, Any], path: str | Path) -> None:
    """Matrices must grow with both factors and boundaries must cover every value."""
    for name in ("likelihood_matrix", "loss_matrix", "risk_matrix"):
        m = risk[name]
        for r in range(5):
            for c in range(5):
                if (r and m[r][c] < m[r - 1][c]) or (c and m[r][c] < m[r][c - 1]):
                    raise DataError(
                        path, f"row {r + 1}, column {c + 1} is smaller than a cell before it "
                        "(a risk matrix must not decrease)", field=f"risk.{name}",
                    )
    top = {"matrix": max(max(row) for row in risk["risk_matrix"]), "multiplication": 25}
    for method, bounds in risk["boundaries"].items():
        if any(bounds[i + 1] <= bounds[i] for i in range(len(bounds) - 1)):
            raise DataError(
                path, "boundaries must strictly increase", field=f"risk.boundaries.{method}"
            )
        if bounds[-1] < top[method]:
            raise DataError(
                path, f"the last boundary {bounds[-1]} leaves risk values up to {top[method]} "
                "without a level", field=f"risk.boundaries.{method}",
            )


def load_threats(extra_dirs: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
    """The threat catalog (the last search directory holding risk/threats.yaml wins)."""
    paths = _policy_paths(THREATS_FILE, extra_dirs)
    if not paths:
        raise DataError(THREATS_FILE, "the threat catalog is missing")
    return cached("scoring-threats", paths[-1:], lambda: _load_threats(paths[-1:]))


def _load_threats(paths: list[Path]) -> list[dict[str, Any]]:
    data, text = _read(paths[-1])
    validate(data, load_schema("threats.schema.json"), paths[-1], text)
    ids = [t["id"] for t in data["threats"]]
    for i, tid in enumerate(ids):
        if tid in ids[:i]:
            raise DataError(paths[-1], f"duplicate threat id {tid}",
                            line=line_of(paths[-1], ["threats", i, "id"], text),
                            field=f"threats.{i}.id")
    return data["threats"]


def load_rules(extra_dirs: Sequence[str | Path] = ()) -> list[dict[str, Any]]:
    """The machine rules for high-risk cases (last search directory holding the file wins)."""
    paths = _policy_paths(RULES_FILE, extra_dirs)
    if not paths:
        raise DataError(RULES_FILE, "the high-risk rules are missing")
    return cached("scoring-rules", paths[-1:], lambda: _load_rules(paths[-1]))


def _load_rules(path: Path) -> list[dict[str, Any]]:
    data, text = _read(path)
    validate(data, load_schema("high_risk_rules.schema.json"), path, text)
    return data["rules"]
