"""`ssh://[user@]host[:port]` targets: parsed and checked strictly wherever they are read.

The host, user and port end up on the command line of the OpenSSH client, and a host such as
`-oProxyCommand=…` would be read by ssh as an option and run a local command. So every
source of a target (the `--target` flag, an Ansible inventory, a manifest's `assets`) checks
the parts here, before anything runs, and the SSH target ends ssh's options with `--` before
the destination as a second wall (docs/security.md, "Option injection").

The accepted forms are deliberately narrow (no shell or ssh_config metacharacters, nothing
that starts with `-`): ssh expands `%r`/`%h` of these values inside the operator's own
ProxyCommand or ControlPath, so a value with `;` or `$(` would be dangerous there too.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cityguard.core.errors import UsageError

#: a DNS name or an ~/.ssh/config alias: letters, digits, `-`, `_`, `.`; no leading `-` or `.`
_HOST = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?")
#: POSIX user names (and AD-style user@domain); no leading `-`, no shell metacharacters
_USER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")
_FORM = "ssh://[user@]host[:port]"


@dataclass(frozen=True)
class SSHAddress:
    user: str | None
    host: str  # an IPv6 address without its brackets
    port: int | None

    def spec(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        user = f"{self.user}@" if self.user else ""
        return f"ssh://{user}{host}{f':{self.port}' if self.port else ''}"


def host_problem(host: str) -> str | None:
    """Why `host` is not a host name or IP address cityguard will hand to ssh, or None.

    Problems never quote the value: a file passed as an inventory may be any file (a
    shadow file's first word is a user name and a hash).
    """
    if _HOST.fullmatch(host):
        return None
    try:
        ipaddress.ip_address(host.strip("[]") if host.startswith("[") else host)
        return None
    except ValueError:
        pass
    return ("the host is not a host name (letters, digits, '-', '_', '.'; not starting with "
            "'-') or an IP address")


def user_problem(user: str) -> str | None:
    if _USER.fullmatch(user):
        return None
    return ("the user is not a user name (letters, digits, '_', '.', '-', '@'; not starting "
            "with '-'; at most 64 characters)")


def port_problem(port: object) -> str | None:
    text = str(port).strip()
    if isinstance(port, bool) or not text.isdecimal() or not 1 <= int(text) <= 65535:
        return "the port is not a number from 1 to 65535"
    return None


def parse_ssh_address(spec: str) -> SSHAddress:
    """`ssh://user@host:port` → SSHAddress; UsageError naming the bad part otherwise."""
    problem = _problem_or_address(spec)
    if isinstance(problem, str):
        raise UsageError(f"target {spec!r}: {problem}")
    return problem


def ssh_spec_problem(spec: str) -> str | None:
    """Why `spec` is not a usable ssh:// target (for loaders that name file and line), or None."""
    found = _problem_or_address(spec)
    return found if isinstance(found, str) else None


def _problem_or_address(spec: str) -> SSHAddress | str:
    # urlsplit silently drops tabs and newlines: look at the raw text first
    if any(ch.isspace() or not ch.isprintable() for ch in spec):
        return f"contains spaces or control characters; the form is {_FORM}"
    parts = urlsplit(spec)
    if parts.scheme.lower() != "ssh" or not parts.netloc:
        return f"not of the form {_FORM}"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"has a path, query or fragment; the form is {_FORM}"
    if parts.password is not None:
        return "carries a password: use keys or an agent, never a password in a target"
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = unquote(userinfo) if userinfo else None
    if user is not None and (problem := user_problem(user)):
        return problem
    host, port_text = _split_host_port(hostport)
    if not host:
        return f"has no host; the form is {_FORM}"
    if problem := host_problem(host):
        return problem
    if port_text is not None and (problem := port_problem(port_text)):
        return problem
    return SSHAddress(user, host.strip("[]"), int(port_text) if port_text else None)


def _split_host_port(hostport: str) -> tuple[str, str | None]:
    if hostport.startswith("["):  # [IPv6]:port
        host, _, rest = hostport.partition("]")
        host += "]"
        if rest and not rest.startswith(":"):
            return hostport, None  # reported as a bad host
        return host, rest[1:] if rest else None
    if hostport.count(":") == 1:
        host, _, port = hostport.partition(":")
        return host, port
    return hostport, None  # no port, or a bare IPv6 address (checked as a host)
