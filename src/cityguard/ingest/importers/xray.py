"""chaitin xray (长亭 xray) web scanner output: `--json-output`, `--webhook-output` and
`--html-output`.

Shapes read (all of them give the same findings for the same vulnerability):
- json-output: a JSON array of vulnerability objects. xray ≥ 1.4 writes `{"create_time" (ms
  since the epoch), "detail": {"addr", "payload", "snapshot": [[request, response], …] or
  null, "extra": {"param", "title", …}}, "plugin": "xss/reflected/default", "target": {"url",
  "params": [{"position", "path": […]}]}}`; older releases `{"detail": {"host", "port", "url",
  "param": {"key", "position", "value"}, "payload", "request", "response"}, "plugin": "xss",
  "vuln_class": "", "target": {…}}`. A service (non-web) vulnerability has `"target": {"host",
  "port"}`.
- webhook: `{"type": "web_vuln" | "host_vuln" | "web_statistic" | …, "data": {…}}`, one
  message, a JSON array of them, or one per line. Only the vulnerability messages are
  findings; statistics and subdomains are not.
- html-output: the report page, to which xray appends one line per record,
  `<script class='web-vulns'>webVulns.push({…})</script>` (`service-vulns` / `serviceVulns`,
  `subdomain` / `subdomains`). Only those lines are read: the JSON between `push(` and `)` is
  parsed by the bounded JSON reader (core.jsonio), nothing is ever evaluated. Lines inside an
  HTML comment (`<!--<script …>…</script>-->`, the development records of xray's template)
  are not rendered by a browser and are not findings. The report template ends in `</html>`
  before the records: a copy without it is cut off. A prolog with a DTD internal subset or
  entity declarations is refused (xray writes none; nothing here would expand them anyway).

Identity: tool "xray", asset = scheme://host[:port] of `target.url` (asset kind "url"; a
service vulnerability: asset kind "host", the host, location `host:port`), rule = the plugin
(`xss/reflected/default`, `poc-yaml-…`; an older report's `plugin/vuln_class`, e.g.
`cmd-injection/code-injection`, `dirscan/directory`, since those releases split the id in two),
location = the URL path plus the parameters (`/sqli/example1.php [query:name]`; no parameter:
the path). The query string of the URL (payload values) is never part of the identity, nor
the numbers of an OGNL expression xray puts in a path (Struts S2-057: `/${…}/actionChain1.action`).

Severity: xray states none, so it is set by the plugin family, by policy (severity_raw stays
empty: the file states no severity):

| plugin family | severity | CWE | tags |
|---|---|---|---|
| sqldet, cmd-injection, path-traversal | high | 89, 78, 22 | web |
| xxe, ssrf, upload | high | 611, 918, 434 | web |
| struts, thinkphp, phantasm, `poc-*` (known-vulnerability PoCs) | high | – | web, vuln |
| shiro, fastjson, xstream (known deserialization flaws) | high | 502 | web, vuln |
| brute-force (a weak or default password that logs in) | high | 521 | web |
| xss, redirect, crlf-injection, jsonp | medium | 79, 601, 93, 200 | web |
| dirscan (exposed backup, configuration, debug file, directory listing) | low | 538 | web, config |
| baseline (headers, cookies, TLS settings) | low | – | web, config (+ tls) |
| any other plugin | medium | – | web |

A service vulnerability has the tags of its family without `web`; a plugin id that names a
CVE adds it and the tag `vuln`. The table lives here rather than in ingest/tooltags.py while
this is the only xray importer (it reads every xray shape).

Evidence: the payload, the parameter and its value, and the first line of the first request
(each bounded), redacted; never responses. Values of password-like fields and the payload of
brute-force results are masked. first_seen = last_seen = `create_time` in UTC.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cityguard.core import jsonio, limits
from cityguard.core.errors import DataError
from cityguard.ingest.base import register
from cityguard.ingest.importers._jsonio import (
    as_dict,
    as_list,
    has_keys,
    peek,
    rewind,
    rewindable,
)
from cityguard.ingest.util import BOM, head_text, iter_json, json_error, skip_bom
from cityguard.ingest.values import redact, split_cves, to_int
from cityguard.model import Finding, Severity

H, M, L = Severity.HIGH, Severity.MEDIUM, Severity.LOW
# family → (severity, readable name, CWEs, tags besides "web")
_FAMILIES: dict[str, tuple[Severity, str, tuple[str, ...], tuple[str, ...]]] = {
    "sqldet": (H, "SQL injection", ("CWE-89",), ()),
    "cmd-injection": (H, "Command or code injection", ("CWE-78",), ()),
    "path-traversal": (H, "Path traversal", ("CWE-22",), ()),
    "xxe": (H, "XML external entity injection", ("CWE-611",), ()),
    "ssrf": (H, "Server-side request forgery", ("CWE-918",), ()),
    "upload": (H, "Unrestricted file upload", ("CWE-434",), ()),
    "struts": (H, "Apache Struts2 remote code execution", (), ("vuln",)),
    "thinkphp": (H, "ThinkPHP remote code execution", (), ("vuln",)),
    "shiro": (H, "Apache Shiro deserialization", ("CWE-502",), ("vuln",)),
    "fastjson": (H, "Fastjson deserialization", ("CWE-502",), ("vuln",)),
    "xstream": (H, "XStream deserialization", ("CWE-502",), ("vuln",)),
    "phantasm": (H, "Known vulnerability PoC", (), ("vuln",)),
    "poc": (H, "Known vulnerability PoC", (), ("vuln",)),
    "brute-force": (H, "Weak password", ("CWE-521",), ()),
    "xss": (M, "Cross-site scripting", ("CWE-79",), ()),
    "redirect": (M, "Open redirect", ("CWE-601",), ()),
    "crlf-injection": (M, "CRLF injection", ("CWE-93",), ()),
    "jsonp": (M, "JSONP sensitive data exposure", ("CWE-200",), ()),
    "dirscan": (L, "Sensitive file or directory exposed", ("CWE-538",), ("config",)),
    "baseline": (L, "Baseline check", (), ("config",)),
}  # fmt: skip
_OTHER = (M, "xray finding", (), ())

# webhook message types that carry a vulnerability (the others: web_statistic, subdomain …)
_VULN_TYPES = {"web_vuln", "host_vuln", "service_vuln", "vuln"}
_WEBHOOK = re.compile(r'"type"\s*:\s*"(?:web_vuln|host_vuln|service_vuln|web_statistic)"')
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|credential|cookie|session", re.I)
# the start of a record: a millisecond create_time, then its detail object
_RECORD = re.compile(r'"create_time"\s*:\s*1\d{12}\s*,\s*"detail"\s*:\s*\{')
# an OGNL expression in a path (Struts S2-057 puts it there): its numbers change every scan
_OGNL = re.compile(r"\$(?:\{|%7B)[^/]*?(?:\}|%7D)", re.I)
_TLS = re.compile(r"\b(ssl|tls|cert)", re.I)

# HTML report: the records xray appends after the template's </html>, one a line
_PUSH = (
    ("<script class='web-vulns'>webVulns.push(", "web"),
    ('<script class="web-vulns">webVulns.push(', "web"),
    ("<script class='service-vulns'>serviceVulns.push(", "service"),
    ('<script class="service-vulns">serviceVulns.push(', "service"),
)
_HTML_MARKERS = ("webVulns.push(", "var webVulns")
_DTD_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[|<!ENTITY", re.I)

_PAYLOAD_MAX = 500
_VALUE_MAX = 200
_REQUEST_MAX = 300


@register
class Xray:
    name = "xray"
    tool = "xray"
    description = "chaitin xray: --json-output, --webhook-output (JSON, JSON lines), --html-output"

    def sniff(self, head: bytes) -> int:
        text = head_text(head)
        first = text[:1]
        if first == "<":
            if "webVulns.push(" in text or ("var webVulns" in text and "XRay Report" in text):
                return 95
            return 0
        if first not in ("{", "["):
            return 0
        if _WEBHOOK.search(text) and re.search(r'"data"\s*:', text):
            return 95
        plugin = re.search(r'"plugin"\s*:\s*"', text)
        if plugin and has_keys(text, "create_time", "detail"):
            return 95
        # xray writes keys in order (create_time, detail, plugin, target; a webhook message's
        # type after its data): a big response in the first detail pushes the rest past the head
        return 80 if _RECORD.search(text) else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        stream = rewindable(stream)
        first = peek(stream, 4096)[:1]
        if not first:
            return
        if first == "<":
            yield from self._html(rewind(stream), source)
            return
        if first == "[":
            items: Iterator[Any] = iter_json(rewind(stream), source, "item")
        elif first == "{":  # one message (pretty-printed or not) or one per line
            items = _json_values(rewind(stream), source)
        else:
            raise DataError(source, "not an xray report (neither JSON nor the HTML report)")
        for item in items:
            vuln, kind = _unwrap(item, source)
            if vuln is not None:
                yield self._finding(vuln, kind)

    # --- HTML report -------------------------------------------------------------------------

    def _html(self, stream: BinaryIO, source: str) -> Iterator[Finding]:
        number, declared, closed, prolog = 0, False, False, True
        while raw := stream.readline(limits.MAX_WHOLE_JSON + 1):
            number += 1
            if len(raw) > limits.MAX_WHOLE_JSON:
                raise DataError(source, f"line over {limits.MAX_WHOLE_JSON // limits.MiB} MiB",
                                line=number)  # fmt: skip
            line = raw.removeprefix(BOM) if number == 1 else raw
            text = line.decode("utf-8", errors="replace").strip()
            if prolog:
                if _DTD_SUBSET.search(text.split("<html", 1)[0]):
                    raise DataError(
                        source,
                        "refused: a DTD internal subset or entity "
                        "declaration (an xray report has none)",
                        line=number,
                    )
                prolog = "<html" not in text.lower() and number < 50
            for prefix, kind in _PUSH:
                if text.startswith(prefix):
                    if not closed:
                        raise DataError(
                            source,
                            "not an xray HTML report (a record before the end of the template)",
                            line=number,
                        )
                    yield self._finding(_pushed(text, len(prefix), source, number), kind)
                    break
            else:
                declared = declared or any(m in text for m in _HTML_MARKERS)
                closed = closed or "</html>" in text.lower()
        if not declared:
            raise DataError(source, "not an xray HTML report (no webVulns)")
        if not closed:
            raise DataError(source, "truncated: the xray HTML report ends before </html>")

    # --- one vulnerability -------------------------------------------------------------------

    def _finding(self, v: dict[str, Any], kind: str = "") -> Finding:
        detail = as_dict(v.get("detail"))
        extra = as_dict(detail.get("extra"))
        target = as_dict(v.get("target"))
        plugin = str(v.get("plugin") or "").strip()
        vuln_class = str(v.get("vuln_class") or "").strip()
        rule_id = f"{plugin}/{vuln_class}" if vuln_class and "/" not in plugin else plugin
        family = plugin.split("/", 1)[0].lower()
        if family.startswith("poc-"):
            family = "poc"
        severity, label, cwes, family_tags = _FAMILIES.get(family, _OTHER)

        url = str(target.get("url") or detail.get("url") or "").strip()
        if not url and "://" in str(detail.get("addr") or ""):
            url = str(detail.get("addr")).strip()
        parts = urlsplit(url) if "://" in url else None
        if parts is not None and parts.hostname:
            port = None
            with contextlib.suppress(ValueError):
                port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower())
            asset_kind, asset_key = "url", f"{parts.scheme.lower()}://{parts.netloc.lower()}"
            params = _params(target, detail, extra)
            path = _OGNL.sub("${…}", parts.path or "/")
            location = path + (f" [{params}]" if params else "")
            tags = ["web", *family_tags]
        else:  # a service vulnerability: {"host", "port"} or detail.addr "host:port"
            asset_key, port = _host_port(target, detail)
            asset_kind = "host"
            location = f"{asset_key}:{port}" if port else asset_key
            tags = list(family_tags)
        cves = split_cves(plugin)
        if cves:
            tags.append("vuln")
        if family == "baseline" and _TLS.search(plugin):
            tags.append("tls")

        title = f"{label} ({rule_id})"
        extra_title = str(extra.get("title") or "").strip()
        if extra_title:
            title += f": {extra_title}"
        seen = _ms_utc(v.get("create_time"))
        return Finding(
            tool=self.tool,
            format=self.name,
            asset_kind=asset_kind,
            asset_key=asset_key,
            port=port,
            protocol="tcp" if port else None,
            rule_id=rule_id,
            title=title,
            severity=severity,
            severity_raw="",
            cves=cves,
            cwes=cwes,
            location=location,
            evidence=_evidence(detail, extra, family),
            references=tuple(str(x) for x in as_list(extra.get("links")) if x),
            tags=tuple(dict.fromkeys(tags)),
            first_seen=seen,
            last_seen=seen,
            extra={
                "addr": str(detail.get("addr") or url or location),
                "record": kind or ("web" if asset_kind == "url" else "service"),
                "detection": str(extra.get("type") or ""),
            },  # fmt: skip
        )


# --- helpers -----------------------------------------------------------------------------------


def _json_values(stream: BinaryIO, source: str) -> Iterator[Any]:
    """Every top-level value: one object (pretty-printed or not) or one per line."""
    import ijson

    try:
        yield from ijson.items(jsonio.guard(skip_bom(stream), source), "",
                               multiple_values=True, use_float=True)  # fmt: skip
    except ijson.JSONError as exc:
        raise json_error(source, exc) from None
    except UnicodeDecodeError as exc:
        raise DataError(source, f"not UTF-8 text (byte {exc.start})") from None


def _unwrap(item: Any, source: str) -> tuple[dict[str, Any] | None, str]:
    """(vulnerability, record kind) of a json-output object or a webhook message; (None, "")
    for a message that is no vulnerability (statistics, subdomains)."""
    if not isinstance(item, dict):
        raise DataError(source, "not an xray report (an entry is not an object)")
    if "plugin" in item:
        return item, ""
    kind = item.get("type")
    if isinstance(kind, str) and "data" in item:
        if kind not in _VULN_TYPES:
            return None, ""
        data = item["data"]
        if not isinstance(data, dict) or not str(data.get("plugin") or "").strip():
            raise DataError(source, f"an xray {kind} message without a plugin")
        return data, kind
    raise DataError(source, "not an xray report (an entry has neither plugin nor type/data)")


def _pushed(text: str, start: int, source: str, line: int) -> dict[str, Any]:
    """The object of one `…push({…})</script>` line, parsed as JSON (never evaluated)."""
    end = text.rfind("</script>")
    body = text[start:end].rstrip() if end > start else ""
    body = body.removesuffix(";").rstrip()
    if end <= start or not body.endswith(")"):
        raise DataError(source, "truncated xray record (no closing )</script>)", line=line)
    value = jsonio.loads(body[:-1], source, line=line)
    if not isinstance(value, dict) or not str(value.get("plugin") or "").strip():
        raise DataError(source, "an xray record without a plugin", line=line)
    return value


def _params(target: dict[str, Any], detail: dict[str, Any], extra: dict[str, Any]) -> str:
    """`position:name` of every parameter the target names (else of detail's `param`)."""
    names = []
    for p in as_list(target.get("params")):
        p = as_dict(p)
        path = ".".join(str(x) for x in as_list(p.get("path")) if x is not None)
        if path:
            position = str(p.get("position") or "").strip()
            names.append(f"{position}:{path}" if position else path)
    if names:
        return ", ".join(dict.fromkeys(names))
    param = as_dict(extra.get("param")) or as_dict(detail.get("param"))
    key = str(param.get("key") or "").strip()
    position = str(param.get("position") or "").strip()
    return (f"{position}:{key}" if position else key) if key else ""


def _host_port(target: dict[str, Any], detail: dict[str, Any]) -> tuple[str, int | None]:
    host = str(target.get("host") or detail.get("host") or "").strip()
    port = to_int(target.get("port") if target.get("port") is not None else detail.get("port"))
    addr = str(detail.get("addr") or "").strip()
    if not host and addr:
        name, sep, maybe = addr.rpartition(":")
        if sep and maybe.isdigit():
            host, port = name, port or int(maybe)
        else:
            host = addr
    return (host.strip("[]").lower() or "unknown"), port


def _evidence(detail: dict[str, Any], extra: dict[str, Any], family: str) -> str:
    """Payload, parameter and the first request line, bounded and redacted."""
    secrets = _secret_values(detail) + _secret_values(extra)
    param = as_dict(extra.get("param")) or as_dict(detail.get("param"))
    lines = []
    payload = str(detail.get("payload") or "")
    if payload and family != "brute-force":
        lines.append("payload: " + _cut(payload, _PAYLOAD_MAX))
    if param.get("key"):
        value = "" if family == "brute-force" else _cut(str(param.get("value") or ""), _VALUE_MAX)
        where = str(param.get("position") or "").strip()
        lines.append(f"parameter: {where + ' ' if where else ''}{param['key']}"
                     + (f" = {value}" if value else ""))  # fmt: skip
    request = _first_request(detail)
    if request:
        lines.append("request: " + _cut(request.split("\n", 1)[0].rstrip("\r"), _REQUEST_MAX))
    return redact("\n".join(lines), secrets)


def _first_request(detail: dict[str, Any]) -> str:
    for pair in as_list(detail.get("snapshot")):
        first = as_list(pair)[:1]
        if first and isinstance(first[0], str) and first[0].strip():
            return first[0].lstrip()
    for key in ("request", "request1", "request2", "request3"):
        value = detail.get(key)
        if isinstance(value, str) and value.strip():
            return value.lstrip()
    return ""


def _secret_values(fields: dict[str, Any]) -> list[str]:
    """Values of password/token-like fields (brute-force results name the password)."""
    return [
        str(v)
        for k, v in fields.items()
        if isinstance(v, (str, int)) and str(v).strip() and _SECRET_KEY.search(str(k))
    ]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _ms_utc(value: object) -> str | None:
    """xray's create_time (milliseconds since the epoch) as UTC ISO 8601."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    with contextlib.suppress(OverflowError, OSError, ValueError):
        moment = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
        if moment.year >= 1990:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return None
