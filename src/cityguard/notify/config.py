"""The notify configuration: a `notify:` block in cityguard.yaml, or a SOC-wide notify file of
the same shape (schemas/notify.schema.json). Where it is read from:

    --config PATH   else $CITYGUARD_NOTIFY   else ./cityguard.yaml when it has a notify block

A block inside a system's manifest speaks for that system only (its targets hear only its
events); a SOC-wide file routes by `systems`, `departments`, `levels`, `events` and
`min_severity` per target.

Secrets are never written in the file: each is named by an environment variable (`token_env`)
or a file (`token_file`). A literal secret, or a URL that carries a robot's token, is refused
with the file and the line (exit 2) before anything else is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cityguard.core.errors import DataError, UsageError
from cityguard.core.yamlio import line_of, load_schema, load_yaml, read_yaml_text, schema_errors
from cityguard.notify.channels import CHANNELS
from cityguard.notify.events import EVENT_KINDS, Event
from cityguard.notify.target import DEFAULT_RETRY, Target

ENV_CONFIG = "CITYGUARD_NOTIFY"
#: keys that would hold a secret in clear → the option that names where the secret is instead
LITERAL_SECRETS = {"token": "token", "secret": "secret", "password": "password",
                   "passwd": "password", "key": "token", "api_key": "token", "apikey": "token",
                   "access_token": "token", "webhook": "url", "sign": "secret"}
#: query parameters and path shapes that make a URL a credential
_URL_SECRET_PARAMS = {"access_token", "key", "token", "sign", "secret", "api_key", "apikey"}
_HOOK_PATH = re.compile(r"/(?:bot/v2/hook|robot/send|cgi-bin/webhook/send|services/hooks)/?\S*",
                        re.IGNORECASE)


@dataclass(frozen=True)
class NotifyConfig:
    source: str
    targets: tuple[Target, ...]
    lang: str = "zh"
    due_days: int = 30
    expiry_days: int = 14
    top: int = 10
    scope_system: str | None = None

    def target(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        known = ", ".join(t.name for t in self.targets) or "none"
        raise UsageError(f"no notify target {name!r} in {self.source} (known: {known})")

    def routes(self, event: Event) -> list[str]:
        return [t.name for t in self.targets if t.wants(event)]


def find_config(explicit: str | Path | None) -> Path:
    """The configuration file a command reads (see the module docstring)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CONFIG, "").strip()
    if env:
        return Path(env)
    here = Path("cityguard.yaml")
    if here.is_file():
        return here
    raise UsageError("no notify configuration: give --config FILE, set CITYGUARD_NOTIFY, or "
                     "add a notify: block to ./cityguard.yaml (docs/notify.md)")


def load_config(path: str | Path) -> NotifyConfig:
    """Read and check a notify file or a manifest's notify block; the first problem raises."""
    p = Path(path)
    text = read_yaml_text(p)
    data = load_yaml(p, text, dates=False)
    if not isinstance(data, dict) or "notify" not in data:
        raise DataError(p, "no notify: block (docs/notify.md shows one)", line=1)
    problems = config_problems(p, text, data)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(first.path, first.problem + more, line=first.line, field=first.field)
    block = data["notify"]
    # a system's manifest (it has a level, a grade or grading inputs) speaks for that system
    is_manifest = any(k in data for k in ("level", "grade", "grading"))
    scope = str(data["name"]) if is_manifest and data.get("name") else None
    lang = block.get("lang", "zh")
    retry = {**DEFAULT_RETRY, **(block.get("retry") or {})}
    targets = tuple(
        Target(name=t["name"], type=t["type"], options=dict(t), source=str(p),
               line=line_of(p, ["notify", "targets", n], text), scope_system=scope,
               lang=t.get("lang", lang), retry={**retry, **(t.get("retry") or {})})
        for n, t in enumerate(block.get("targets") or ())
    )
    return NotifyConfig(source=str(p), targets=targets, lang=lang,
                        due_days=int(block.get("due_days", 30)),
                        expiry_days=int(block.get("expiry_days", 14)),
                        top=int(block.get("top", 10)), scope_system=scope)


def config_problems(path: Path, text: str, data: dict[str, Any]) -> list[DataError]:
    """Every problem of the notify block: literal secrets first, then schema, then meaning."""
    block = data.get("notify")
    out = literal_secrets(path, text, block)
    out += schema_errors({"notify": block}, load_schema("notify.schema.json"), path, text)
    if out:
        return out
    seen: dict[str, int] = {}
    for n, t in enumerate(block.get("targets") or ()):
        where = ["notify", "targets", n]
        if t["name"] in seen:
            out.append(DataError(path, f"target name {t['name']!r} is used twice (first at "
                                       f"notify.targets.{seen[t['name']]})",
                                 line=line_of(path, where, text), field=".".join(map(str, where))))
        seen.setdefault(t["name"], n)
        for key, problem in CHANNELS.get(t["type"]).config_problems(t):
            loc = [*where, key] if key in t else where
            out.append(DataError(path, f"target {t['name']!r} ({t['type']}): {problem}",
                                 line=line_of(path, loc, text), field=".".join(map(str, loc))))
    return out


def literal_secrets(path: Path, text: str, block: Any) -> list[DataError]:
    """A secret written in clear in the file, or a URL that carries one."""
    out: list[DataError] = []
    targets = block.get("targets") if isinstance(block, dict) else None
    for n, t in enumerate(targets if isinstance(targets, list) else ()):
        if not isinstance(t, dict):
            continue
        for key in t:
            if isinstance(key, str) and key.lower() in LITERAL_SECRETS:
                where = ["notify", "targets", n, key]
                name = LITERAL_SECRETS[key.lower()]
                out.append(DataError(
                    path, f"a secret is never written in the configuration: replace {key}: … "
                          f"by {name}_env: VARIABLE (or {name}_file: PATH) and keep the value "
                          "there", line=line_of(path, where, text),
                    field=".".join(map(str, where))))
        for key in ("url", "base_url"):
            url = t.get(key)
            if not (isinstance(url, str) and url_holds_secret(url)):
                continue
            where = ["notify", "targets", n, key]
            out.append(DataError(
                path, "this URL carries a credential (a robot token, a key or a password): "
                      "give the URL with url_env: VARIABLE or url_file: PATH, or the token "
                      "with token_env", line=line_of(path, where, text),
                field=".".join(map(str, where))))
    return out


def url_holds_secret(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.password or (parts.username and "@" in parts.netloc):
        return True
    if any(k.lower() in _URL_SECRET_PARAMS for k, _ in parse_qsl(parts.query)):
        return True
    return bool(_HOOK_PATH.search(parts.path) and len(parts.path.rstrip("/").split("/")[-1]) > 8)


def check_kinds(kinds: Sequence[str]) -> None:
    for kind in kinds:
        if kind not in EVENT_KINDS:
            raise UsageError(f"unknown event {kind!r}; known: {', '.join(EVENT_KINDS)}")


__all__ = ["ENV_CONFIG", "NotifyConfig", "Target", "find_config", "load_config"]
