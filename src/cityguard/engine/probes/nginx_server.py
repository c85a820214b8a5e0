"""`nginx_server`: the value of a directive in force in each nginx `server` block.

nginx inherits a directive from the enclosing `http` block unless the server sets its own, so
an `ssl_protocols TLSv1 TLSv1.1 …` left in Debian's nginx.conf means nothing for a site whose
server block sets `ssl_protocols TLSv1.2 TLSv1.3`. This probe follows `include` the way nginx
does (textually, relative to /etc/nginx) and yields, per server block, its own value, else the
http block's, else `default`; `ssl_only` keeps the servers that listen with TLS.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from cityguard.engine.probes.base import (
    PATH,
    BaseProbe,
    Observation,
    ProbeContext,
    Value,
    glob_paths,
    register,
)
from cityguard.engine.styles.nginx import nginx_tokens
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

MAX_DEPTH = 16
Token = tuple[str, str, int]  # token, file, line


@dataclass
class Block:
    name: str
    directives: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # last wins
    listens: list[str] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    file: str = ""
    line: int = 0


def _tokens(ctx: ProbeContext, path: str, depth: int = 0) -> list[Token]:
    """The file's tokens with every `include` replaced by the included files' tokens."""
    text = ctx.read_text(path) or ""
    out: list[Token] = []
    raw = nginx_tokens(text)
    i = 0
    while i < len(raw):
        tok, no = raw[i]
        if tok == "include" and depth < MAX_DEPTH and (not out or out[-1][0] in "{};"):
            j = i + 1
            pats = []
            while j < len(raw) and raw[j][0] != ";":
                pats.append(raw[j][0])
                j += 1
            for pat in pats:
                full = pat if pat.startswith("/") else posixpath.join("/etc/nginx", pat)
                for inc in glob_paths(ctx, full):
                    out.extend(_tokens(ctx, inc, depth + 1))
            i = j + 1
            continue
        out.append((tok, path, no))
        i += 1
    return out


def _tree(tokens: list[Token]) -> Block:
    root = Block("main")
    stack = [root]
    words: list[Token] = []
    for tok, path, no in tokens:
        if tok == "{":
            name = words[0][0].lower() if words else ""
            child = Block(name, file=path, line=words[0][2] if words else no)
            stack[-1].children.append(child)
            stack.append(child)
            words = []
        elif tok == "}":
            if len(stack) > 1:
                stack.pop()
            words = []
        elif tok == ";":
            if words:
                name = words[0][0].lower()
                value = " ".join(w for w, _, _ in words[1:])
                if name == "listen":
                    stack[-1].listens.append(value)
                stack[-1].directives[name] = (value, words[0][1], words[0][2])
            words = []
        else:
            words.append((tok, path, no))
    return root


def _servers(block: Block, inherited: dict[str, tuple[str, str, int]]) -> list[tuple[Block, dict]]:
    scope = {**inherited, **block.directives}
    out = []
    for child in block.children:
        if child.name == "server":
            out.append((child, {**scope, **child.directives}))
        elif child.name in ("http", "main"):
            out.extend(_servers(child, scope))
    return out


def _ssl(server: Block) -> bool:
    on = server.directives.get("ssl", ("", "", 0))[0].lower() == "on"
    return on or any("ssl" in listen.split() for listen in server.listens)


@register
class NginxServerProbe(BaseProbe):
    name = "nginx_server"
    params = {
        "path": PATH,
        "key": {"type": "string", "pattern": "^[a-z_0-9]+$"},
        "default": {"type": "string"},
        "ssl_only": {"type": "boolean"},
    }
    required = ("path", "key")

    def subject(self, params: dict[str, Any]) -> str:
        which = "tls" if params.get("ssl_only") else "all"
        return say(f"engine.probe.nginx_subject_{which}", key=params["key"], path=params["path"])

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        key = params["key"]
        values = []
        for path in glob_paths(ctx, params["path"]):
            root = ctx.cached(("nginx-tree", path), lambda p=path: _tree(_tokens(ctx, p)))
            for server, scope in _servers(root, {}):
                if params.get("ssl_only") and not _ssl(server):
                    continue
                names = server.directives.get("server_name", ("", "", 0))[0] or "_"
                subject = f"server {names} ({server.file}:{server.line})"
                if key in scope:
                    value, file, line = scope[key]
                    values.append(Value(value, file=file, line=line, subject=subject))
                elif "default" in params:
                    values.append(Value(params["default"], file=server.file, line=server.line,
                                        subject=subject))
        note = "" if values else say("engine.probe.no_server_block")
        return Observation.of(values, note=note)
