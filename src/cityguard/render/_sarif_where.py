"""Where a SARIF result is: a physical location for every result, as GitHub code scanning asks.

GitHub refuses a whole upload when one result has only a logical location, and an absolute
path or an http:// address is not a file of the repository. So every location here is a
relative reference, and the roots it is relative to are declared once in the run's
`originalUriBaseIds` (each an absolute `file:` URI ending in "/"):

- a host check's file (`/etc/ssh/sshd_config`) → `etc/ssh/sshd_config` under the root of its
  asset (`file:///` for this host, the folder of a `dir:` or `netdev:` target, `file://HOST/`
  for an SSH host); a check that names a path or a sysctl key but no file → that path
  (`/proc/sys/…` for a key), a glob cut at its first wildcard;
- a check that read nothing → the manifest line that declares its asset, or, for an asset
  given on the command line, `etc/os-release`: the file cityguard identified the host by;
- a source-code finding (`path:line`) → the plain repository path and its line, no base;
- any other finding (a host, port or URL of a scanner) → the scan file it came from, the URL
  or host:port kept in the result's properties.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from cityguard.model import Asset, CheckResult, Finding

_FILE_LINE = re.compile(r"^(?P<path>[^\s:]+(?:/[^\s:]*)?):(?P<line>\d+)(?::\d+)?$")
_GLOB = re.compile(r"[*?\[]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SAFE = "/-._~!$&'()*+,;=@"  # a relative reference: no ':' (it would read as a scheme)
CODE_KINDS = ("file", "repository")


def relative(path: str) -> str:
    """A path as a relative URI reference: no scheme, no leading '/', './' or '..' steps."""
    text = path.strip().replace("\\", "/")
    if text.startswith("file:"):
        text = urlsplit(text).path
    parts = [p for p in text.split("/") if p not in ("", ".", "..")]
    return quote("/".join(parts), safe=_SAFE)


def file_root(path: str) -> str:
    """An absolute folder as a `file:` URI ending in '/'."""
    text = str(PurePosixPath("/", path.replace("\\", "/")))
    return "file://" + quote(text.rstrip("/") + "/", safe=_SAFE)


def asset_root(target: str) -> str:
    """The root its files are relative to: `local` → file:///, `dir:P` → P, `netdev:F` → F's
    folder, `ssh://user@host:port` → file://host/; "" when the target reads no files."""
    if target == "local":
        return "file:///"
    if target.startswith("dir:"):
        return file_root(target[4:])
    if target.startswith("netdev:"):
        path = PurePosixPath(target[7:])
        return file_root(str(path if not path.suffix else path.parent))
    if target.startswith("ssh://"):
        host = urlsplit(target).hostname or ""
        host = f"[{host}]" if ":" in host else host
        return f"file://{quote(host, safe='[]:.-')}/" if host else ""
    return ""


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text).upper()[:40] or "X"


def _region(line: int | None) -> dict[str, Any]:
    start = max(1, int(line or 1))
    return {"startLine": start, "endLine": start}


class Places:
    """Physical locations of one run; the uriBaseIds they use, declared as they are used."""

    def __init__(self, assets: list[Asset]) -> None:
        self.assets = {a.id: a for a in assets}
        self.bases: dict[str, dict[str, Any]] = {}
        self._by_uri: dict[str, str] = {}

    def base(self, uri: str, prefix: str) -> str:
        if uri not in self._by_uri:
            name = _name(prefix)
            n = 2
            while name in self.bases:
                name, n = f"{_name(prefix)}_{n}", n + 1
            self.bases[name] = {"uri": uri}
            self._by_uri[uri] = name
        return self._by_uri[uri]

    def _physical(self, uri: str, base: str | None, line: int | None) -> dict[str, Any]:
        art: dict[str, Any] = {"uri": uri or "."}
        if base:
            art["uriBaseId"] = base
        return {"physicalLocation": {"artifactLocation": art, "region": _region(line)}}

    def _host_file(self, asset_id: str, path: str, line: int | None) -> dict[str, Any]:
        asset = self.assets.get(asset_id)
        root = asset_root(asset.target) if asset else ""
        if not root and path.startswith("/"):
            root = "file:///"  # an absolute path of a host whose address is not known
        base = self.base(root, f"ROOT_{asset_id}") if root else None
        return self._physical(relative(path), base, line)

    def _declared(self, asset_id: str) -> dict[str, Any] | None:
        asset = self.assets.get(asset_id)
        if asset is None or not asset.declared_in:
            return None
        path, _, line = asset.declared_in.rpartition(":")
        if not path or not line.isdigit():
            return None
        where = PurePosixPath(path)
        base = self.base(file_root(str(where.parent)), "MANIFEST_DIR")
        return self._physical(relative(where.name), base, int(line))

    def check(self, r: CheckResult) -> dict[str, Any]:
        for e in r.evidence:
            if e.file:
                return self._host_file(r.asset, e.file, e.line)
        for e in r.evidence:
            path = _subject_path(e.probe, str(e.subject or ""))
            if path:
                return self._host_file(r.asset, path, None)
        declared = self._declared(r.asset)
        if declared:
            return declared
        return self._host_file(r.asset, "/etc/os-release", None)

    def finding(self, f: Finding) -> dict[str, Any]:
        m = _FILE_LINE.match(f.location or "")
        if f.asset_kind in CODE_KINDS and m and not _SCHEME.match(f.location):
            return self._physical(relative(m["path"]), None, int(m["line"]))
        if f.asset_kind in CODE_KINDS and f.location and not _SCHEME.match(f.location):
            return self._physical(relative(f.location), None, None)
        if f.source_file:
            where = PurePosixPath(f.source_file)
            base = self.base(file_root(str(where.parent)), f"SCANS_{where.parent.name}")
            return self._physical(relative(where.name), base, None)
        declared = self._declared(f.asset_key)
        if declared:
            return declared
        return self._physical(relative(f"{f.tool}-findings"), None, None)


def _subject_path(probe: str, subject: str) -> str:
    """The file or folder a probe looked at when it names one but no file was read."""
    if probe == "sysctl" and re.fullmatch(r"[a-z0-9_.\-]+", subject):
        return "/proc/sys/" + subject.replace(".", "/")
    head = subject.split(" ", 1)[0]
    if not head.startswith("/"):
        return ""
    cut = _GLOB.search(head)
    return head[: head.rfind("/", 0, cut.start()) + 1] if cut else head


def finding_where(f: Finding) -> dict[str, Any]:
    """What a scanner said the finding is at (a URL, host:port), for the result's properties."""
    out: dict[str, Any] = {}
    if f.asset_kind == "url" or _SCHEME.match(f.asset_key or "") and "://" in f.asset_key:
        out["url"] = f.asset_key + (f.location if f.location.startswith("/") else "")
    elif f.port:
        out["endpoint"] = f"{f.asset_key}:{f.port}/{f.protocol or 'tcp'}"
    if f.location and f.asset_kind not in CODE_KINDS:
        out["scanner_location"] = f.location
    return out
