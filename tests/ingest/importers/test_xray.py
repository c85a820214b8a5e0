"""chaitin xray: what is particular to its shapes (json-output, webhook messages, the HTML
report's push lines, records before and after xray 1.4). Counts, first findings, detection,
cut copies and the store round trip are in tests/assets/ingest/xray/samples.yaml."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from importer_helpers import asset, every_text, one, parse, parse_bytes, parse_unseekable

from cityguard.core.errors import DataError
from cityguard.ingest import detect, read_file
from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "xray"
HTML = "xray/chaitin+xray_document__assets_report_example.html"
HTML_JSON = "xray/chaitin+xray_document__assets_report_example.webVulns_extracted.json"
NEW_JSON = "xray/chaitin+xray__report_public_index.webVulns_extracted.json"
TEMPLATE = "xray/chaitin+xray__report_public_index.html"
WEBHOOK = "xray/HXSecurity+DongTai__test_web_vuln_extracted.json"
STATISTIC = "xray/HXSecurity+DongTai__test_web_statistic_extracted.json"


def _facts(f) -> tuple:  # type: ignore[no-untyped-def]
    return (f.fingerprint, f.rule_id, f.location, f.severity, f.cwes, f.tags, f.title,
            f.evidence, f.first_seen, f.port)  # fmt: skip


def _records(rel: str) -> list[dict]:
    return json.loads(asset(rel).read_text(encoding="utf-8"))


def test_html_report_gives_the_json_records_and_the_service_vulnerability() -> None:
    html = parse(FMT, asset(HTML))
    array = parse(FMT, asset(HTML_JSON))
    assert [_facts(f) for f in html[:24]] == [_facts(f) for f in array]
    service = html[24]
    assert (service.asset_kind, service.asset_key, service.port) == ("host", "10.3.0.203", 8009)
    assert service.rule_id == "poc-go-tomcat-cve-2020-1938"
    assert service.location == "10.3.0.203:8009"
    assert service.cves == ("CVE-2020-1938",) and service.tags == ("vuln",)
    assert service.severity is Severity.HIGH and service.severity_raw == ""
    assert unit_ids_for(service, 3)  # a known vulnerability: the vulnerability items


def test_old_records_keep_vuln_class_and_distinct_results() -> None:
    findings = parse(FMT, asset(HTML_JSON))
    # one URL and parameter, two plugins: two findings
    code = [f for f in findings if f.location == "/codeexec/example1.php [query:name]"]
    assert sorted(f.rule_id for f in code) == ["cmd-injection/code-injection", "xss"]
    assert one(findings, rule_id="cmd-injection", location="/commandexec/example1.php [query:ip]")
    dirs = sorted(f.rule_id for f in findings if f.rule_id.startswith("dirscan"))
    assert dirs == ["dirscan/config", "dirscan/debug", "dirscan/directory"]
    thinkphp = one(findings, rule_id="thinkphp/invokefunction-rce")
    assert thinkphp.location == "/index.php" and thinkphp.tags == ("web", "vuln")
    assert (thinkphp.asset_key, thinkphp.port) == ("http://thinkphp5-rce.vulnet:8080", 8080)
    # time from create_time (ms since the epoch), UTC
    assert findings[0].first_seen == findings[0].last_seen == "2020-04-08T05:18:07Z"
    sqli = one(findings, rule_id="sqldet", location="/sqli/example1.php [query:name]")
    assert sqli.cwes == ("CWE-89",) and sqli.severity is Severity.HIGH
    assert "L3-CES1-20" in unit_ids_for(sqli, 3)  # a web flaw / injection


def test_new_record_fields() -> None:
    xss, sqli = parse(FMT, asset(NEW_JSON))
    assert xss.title == "Cross-site scripting (xss/reflected/default)"
    assert xss.cwes == ("CWE-79",) and xss.tags == ("web",) and xss.severity is Severity.MEDIUM
    assert sqli.title == ("SQL injection (sqldet/blind-based/default): "
                          "Generic Boolean based case ['string']")  # fmt: skip
    assert sqli.extra["detection"] == "boolean_based"
    # evidence: payload, parameter, the first request line; never a response
    assert xss.evidence.splitlines() == [
        "payload: <sCrIpT>alert(1)</sCrIpT>",
        "parameter: query name = wranntsvmtwncuaywhbt",
        "request: GET /xss/example1.php?name=%3CScRiPt%3Etkstecbbex%3C%2FsCrIpT%3E HTTP/1.1",
    ]
    for f in (xss, sqli):
        assert "HTTP/1.1 200" not in f.evidence and "Server:" not in f.evidence


def test_one_vulnerability_is_one_identity_in_every_shape(tmp_path: Path) -> None:
    """json-output array, webhook message, webhook array, JSON lines, HTML line: the same."""
    records = _records(NEW_JSON)
    expected = [_facts(f) for f in parse(FMT, asset(NEW_JSON))]
    messages = [{"type": "web_vuln", "data": r} for r in records]
    statistic = json.loads(asset(STATISTIC).read_text(encoding="utf-8"))
    shapes = {
        "array.json": json.dumps(records),
        "messages.json": json.dumps([messages[0], statistic, messages[1]], indent=2),
        "lines.jsonl": "\n".join(json.dumps(m) for m in [statistic, *messages]) + "\n",
        "records.jsonl": "\n".join(json.dumps(r) for r in records),
        "report.html": "<!DOCTYPE html><html><head><title>XRay Report</title><script>"
                       "var webVulns = [];</script></head><body></body></html>\n"
                       + "".join(f"<script class='web-vulns'>webVulns.push({json.dumps(r)})"
                                 "</script>\n" for r in records),
    }  # fmt: skip
    for name, text in shapes.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert detect(path).name == FMT, name
        assert [_facts(f) for f in parse(FMT, path)] == expected, name
        assert [_facts(f) for f in parse_unseekable(FMT, path)] == expected, name
    # one message alone, pretty-printed over many lines
    [f] = parse(FMT, asset(WEBHOOK))
    assert f.extra["record"] == "web_vuln" and f.location == "/userinfo.php [body:pass]"
    assert read_file(asset(STATISTIC), FMT).findings == []


def test_two_parameters_of_one_url_stay_two_findings(tmp_path: Path) -> None:
    record = _records(NEW_JSON)[0]
    other = copy.deepcopy(record)
    other["target"]["params"] = [{"position": "query", "path": ["id"]}]
    other["detail"]["extra"]["param"] = {"key": "id", "position": "query", "value": "x"}
    nested = copy.deepcopy(record)
    nested["target"]["params"] = [{"position": "body", "path": ["user", "name"]}]
    findings = parse_bytes(FMT, json.dumps([record, other, nested]).encode(), tmp_path)
    assert [f.location for f in findings] == [
        "/xss/example1.php [query:name]", "/xss/example1.php [query:id]",
        "/xss/example1.php [body:user.name]"]  # fmt: skip
    assert len({f.fingerprint for f in findings}) == 3


def test_service_vulnerability_from_addr(tmp_path: Path) -> None:
    message = {"type": "host_vuln", "data": {
        "create_time": 1604578381249, "plugin": "poc-go-redis-unauth",
        "detail": {"addr": "10.0.0.5:6379", "payload": "", "snapshot": None, "extra": {}},
        "target": {}}}  # fmt: skip
    [f] = parse_bytes(FMT, json.dumps(message).encode(), tmp_path)
    assert (f.asset_kind, f.asset_key, f.port, f.location) == ("host", "10.0.0.5", 6379,
                                                               "10.0.0.5:6379")  # fmt: skip
    assert f.tags == ("vuln",) and f.severity is Severity.HIGH


@pytest.mark.parametrize(("plugin", "severity", "tags"), [
    ("sqldet/blind-based/default", Severity.HIGH, ("web",)),
    ("cmd-injection/default", Severity.HIGH, ("web",)),
    ("path-traversal/default", Severity.HIGH, ("web",)),
    ("poc-yaml-thinkphp5-controller-rce", Severity.HIGH, ("web", "vuln")),
    ("phantasm/poc-yaml-weblogic-cve-2019-2725", Severity.HIGH, ("web", "vuln")),
    ("brute-force/form/default", Severity.HIGH, ("web",)),
    ("xss/reflected/default", Severity.MEDIUM, ("web",)),
    ("jsonp/default", Severity.MEDIUM, ("web",)),
    ("dirscan/backup/default", Severity.LOW, ("web", "config")),
    ("baseline/ssl/default", Severity.LOW, ("web", "config", "tls")),
    ("something-new/default", Severity.MEDIUM, ("web",)),
])  # fmt: skip
def test_severity_by_plugin_family(plugin: str, severity: Severity, tags: tuple,
                                   tmp_path: Path) -> None:  # fmt: skip
    record = {"create_time": 1604404309087, "plugin": plugin,
              "detail": {"addr": "https://a.example/x", "payload": "", "snapshot": None},
              "target": {"url": "https://a.example/x"}}  # fmt: skip
    [f] = parse_bytes(FMT, json.dumps([record]).encode(), tmp_path)
    assert f.severity is severity and f.severity_raw == ""
    assert f.tags[: len(tags)] == tags
    assert (f.asset_key, f.port) == ("https://a.example", 443)
    if "cve" in plugin:
        assert f.cves == ("CVE-2019-2725",) and "vuln" in f.tags
    assert unit_ids_for(f, 3)


def test_secrets_and_big_requests_stay_out(tmp_path: Path) -> None:
    password = "Adm1n-Secret-4711"
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNlY3JldA"
    brute = {"create_time": 1604404309087, "plugin": "brute-force/form/default",
             "detail": {"addr": "http://a.example/login", "payload": f"admin:{password}",
                        "snapshot": [[f"POST /login HTTP/1.1\r\nHost: a.example\r\n\r\n"
                                      f"user=admin&pass={password}", "HTTP/1.1 302 Found"]],
                        "extra": {"username": "admin", "password": password,
                                  "param": {"key": "pass", "position": "body",
                                            "value": password}}},
             "target": {"url": "http://a.example/login",
                        "params": [{"position": "body", "path": ["pass"]}]}}  # fmt: skip
    long = {"create_time": 1604404309087, "plugin": "xss/reflected/default",
            "detail": {"addr": "http://a.example/q", "payload": "<x>" * 5000,
                       "snapshot": [["GET /q?access_token=" + token + "&q=" + "A" * 9000
                                     + " HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n",
                                     "HTTP/1.1 200 OK\r\n\r\n" + "B" * 100000]]},
            "target": {"url": "http://a.example/q"}}  # fmt: skip
    findings = parse_bytes(FMT, json.dumps([brute, long]).encode(), tmp_path)
    text = every_text(findings)
    assert password not in text and token not in text and "Bearer" not in text
    assert "B" * 100 not in text  # no response
    assert all(len(f.evidence) < 1200 for f in findings)
    assert findings[0].title.startswith("Weak password")
    assert findings[0].evidence == "parameter: body pass\nrequest: POST /login HTTP/1.1"


def test_commented_records_are_not_findings(tmp_path: Path) -> None:
    assert parse(FMT, asset(TEMPLATE)) == []
    assert detect(asset(TEMPLATE)).name == FMT


def _html(tmp_path: Path, records: str, before: str = "") -> Path:
    path = tmp_path / "report.html"
    path.write_text(f"{before}<!DOCTYPE html><html><head><title>XRay Report</title><script>"
                    "var webVulns = [];</script></head><body></body></html>\n" + records,
                    encoding="utf-8")  # fmt: skip
    return path


@pytest.mark.parametrize(("records", "before", "problem"), [
    ("<script class='web-vulns'>webVulns.push(alert(document.cookie))</script>\n", "",
     "invalid JSON"),  # script, not data: parsed as JSON, never run
    ("<script class='web-vulns'>webVulns.push({\"plugin\": \"xss\", \"target\"", "",
     "truncated"),
    ("<script class='web-vulns'>webVulns.push({\"target\": {}})</script>\n", "", "plugin"),
    ("", '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
     "refused"),
])  # fmt: skip
def test_bad_html_reports(records: str, before: str, problem: str, tmp_path: Path) -> None:
    path = _html(tmp_path, records, before)
    with pytest.raises(DataError) as err:
        read_file(path, FMT)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_a_record_inside_the_template_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.html"
    record = json.dumps(_records(NEW_JSON)[0])
    path.write_text("<html><script>var webVulns = [];</script>\n"
                    f"<script class='web-vulns'>webVulns.push({record})</script>\n</html>\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(DataError, match="before the end of the template"):
        read_file(path, FMT)


def test_other_json_is_not_xray(tmp_path: Path) -> None:
    nuclei = {"template-id": "x", "info": {"name": "X", "severity": "high"},
              "matched-at": "https://a.example/"}  # fmt: skip
    for data in ([nuclei], nuclei, {"type": "web_vuln", "data": {"target": {}}}, [1, 2]):
        path = tmp_path / "other.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(DataError) as err:
            read_file(path, FMT)
        assert str(path) in str(err.value)


def test_detected_when_the_first_response_fills_the_head(tmp_path: Path) -> None:
    """xray writes create_time and detail first, plugin/target (and a message's type) after:
    a first response over 64 KiB leaves only the start of the record in the sniffed head."""
    record = _records(NEW_JSON)[0]
    record["detail"]["snapshot"][0][1] += "<p>" * 40000
    for name, data in (("output.json", [record]),
                       ("message.json", {"data": record, "type": "web_vuln"})):  # fmt: skip
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        assert detect(path).name == FMT, name
        [f] = parse(FMT, path)
        assert f.rule_id == "xss/reflected/default" and len(f.evidence) < 1200


def test_struts_ognl_numbers_stay_out_of_the_identity(tmp_path: Path) -> None:
    [struts] = [r for r in _records(HTML_JSON) if r["plugin"] == "struts"]
    again = copy.deepcopy(struts)
    again["target"]["url"] = again["target"]["url"].replace("44263%2A40941", "51234%2A12345")
    first, second = parse_bytes(FMT, json.dumps([struts]).encode(), tmp_path, "a.json") + (
        parse_bytes(FMT, json.dumps([again]).encode(), tmp_path, "b.json"))  # fmt: skip
    assert first.location == second.location == "/${…}/actionChain1.action"
    assert first.fingerprint == second.fingerprint
