"""`config_value`: the effective value of a key in a configuration file of a known style."""

from __future__ import annotations

from typing import Any

from cityguard.core import jsonio
from cityguard.core.errors import DataError
from cityguard.engine import docpath, styles
from cityguard.engine.probes.base import (
    PATH,
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    glob_paths,
    path_problem,
    register,
)
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target


def _opener(ctx: ProbeContext):  # type: ignore[no-untyped-def]
    def open_files(pattern: str) -> list[tuple[str, str]]:
        out = []
        for p in glob_paths(ctx, pattern):
            text = ctx.read_text(p)
            if text is not None:
                out.append((p, text))
        return out

    return open_files


def parsed_entries(ctx: ProbeContext, path: str, style: str) -> list[styles.Entry]:
    def compute() -> list[styles.Entry]:
        text = ctx.read_text(path)
        if text is None:
            return []
        return styles.parse(style, text, path, _opener(ctx))

    return ctx.cached(("entries", style, path), compute)


def parsed_documents(ctx: ProbeContext, path: str, style: str) -> list[Any]:
    def compute() -> list[Any]:
        text = ctx.read_text(path)
        if text is None:
            return []
        try:
            if style == "json":  # nesting bounded before parsing: a host file is untrusted
                return [jsonio.loads(text, path)]
            return docpath.load_yaml_documents(text)
        except DataError as exc:
            raise ProbeError(str(exc)) from None
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise ProbeError(say("engine.probe.bad_json", path=path, error=str(exc))) from None
        except Exception as exc:  # yaml.YAMLError without importing yaml at module level
            raise ProbeError(say("engine.probe.bad_yaml", path=path, error=str(exc))) from None

    return ctx.cached(("docs", style, path), compute)


def split_pam_key(key: str) -> tuple[str | None, str, str | None]:
    """'auth/pam_faillock.so:deny' → ('auth', 'pam_faillock.so', 'deny')."""
    ptype, _, rest = key.rpartition("/")
    module, _, option = rest.partition(":")
    return (ptype or None), module.lower(), (option or None)


def _pam_values(entries: list[styles.Entry], key: str) -> list[Value]:
    ptype, module, option = split_pam_key(key)
    out = []
    for e in entries:
        tokens = e.value if isinstance(e.value, list) else [e.value]
        if e.key != module or (ptype and tokens[0] != ptype):
            continue
        if option is None:
            out.append(Value(tokens[1:], file=e.file, line=e.line))
            continue
        for tok in tokens[2:]:
            name, eq, val = tok.partition("=")
            if name == option:
                out.append(Value(val if eq else "", file=e.file, line=e.line))
    return out


@register
class ConfigValueProbe(BaseProbe):
    name = "config_value"
    params = {
        "path": PATH,
        "style": {"enum": styles.names()},
        "key": {"type": "string", "minLength": 1},
        "default": {"type": ["string", "number", "boolean"]},
        "all_occurrences": {"type": "boolean"},
    }
    required = ("path", "style", "key")

    def subject(self, params: dict[str, Any]) -> str:
        return f"{params['path']} {params['key']}"

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        if params.get("style") in styles.DOCUMENT_STYLES:
            problem = path_problem(params.get("key", ""))
            return [("key", problem)] if problem else []
        return []

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        style, key = params["style"], params["key"]
        paths = glob_paths(ctx, params["path"])
        values: list[Value] = []
        if style in styles.DOCUMENT_STYLES:
            steps = docpath.parse_path(key)
            for p in paths:
                for doc in parsed_documents(ctx, p, style):
                    for v, line in docpath.resolve(doc, steps):
                        if v is not docpath.MISSING:
                            values.append(Value(v, file=p, line=line))
        else:
            entries = [e for p in paths for e in parsed_entries(ctx, p, style)]
            if style == "pam":
                values = _pam_values(entries, key)
            else:
                wanted = styles.STYLES.get(style).normalise_key(key)
                values = [Value(e.value, file=e.file, line=e.line)
                          for e in entries if e.key == wanted]
        effective = "all" if style in styles.DOCUMENT_STYLES else styles.STYLES.get(style).effective
        if values and not params.get("all_occurrences") and effective != "all":
            values = [values[0] if effective == "first" else values[-1]]
        note = "" if paths else say("engine.probe.no_file", path=params["path"])
        if not values and "default" in params:
            why = "engine.probe.default_file_absent" if not paths else "engine.probe.default_key"
            return Observation.of([Value(params["default"], subject="default")], note=say(why))
        return Observation.of(values, note=note or ("" if values else
                                                    say("engine.probe.key_not_set", key=key)))
