from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "nessus"


def test_fields_of_a_critical_item() -> None:
    findings = parse(FMT, corpus_file("nessus/nessus_with_cvssv3.nessus"))
    f = one(findings, rule_id="58987")  # PHP Unsupported Version Detection, twice on port 80
    assert (f.asset_key, f.port, f.protocol, f.location) == ("44.228.249.3", 80, "tcp", "80/tcp")
    assert f.severity is Severity.CRITICAL and f.severity_raw == "4"
    assert f.cvss_score == 10.0 and f.cvss_vector.startswith("CVSS:3.0/AV:N")
    assert "vuln" in f.tags and "web" in f.tags  # unsupported software: a patching matter
    # the two plugin outputs of the repeated item are both kept
    assert "5.6.40-38+ubuntu20.04.1" in f.evidence and "Installed version : 5.1.6" in f.evidence
    assert f.last_seen == "2022-03-23T14:07:52Z"
    assert f.extra["host-fqdn"] == "testphp.vulnweb.com"


def test_cves_cwes_and_severity_scale() -> None:
    findings = parse(FMT, corpus_file("nessus/nessus_with_cvssv3.nessus"))
    f = one(findings, rule_id="58988")
    assert f.cves == ("CVE-2012-1823",) and f.severity is Severity.HIGH
    php = one(findings, rule_id="31649")
    assert {"CWE-94", "CWE-119", "CWE-399"} <= set(php.cwes)
    assert {f.severity for f in findings} == set(Severity)  # 0–4 all present in this file
    scanner = one(findings, rule_id="11219")
    assert scanner.tags[0] == "port" and scanner.severity is Severity.INFO


def test_host_level_items_and_host_ip_from_properties() -> None:
    findings = parse(FMT, corpus_file("nessus/nessus_many_vuln.xml"))
    info = one(findings, rule_id="19506")
    assert (info.asset_key, info.port, info.location) == ("12.233.108.201", None, "0/tcp")
    assert {f.location for f in findings if f.rule_id == "11219"} == {"443/tcp", "264/tcp"}


def test_host_without_host_ip_uses_the_report_host_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.nessus"
    path.write_text(
        '<?xml version="1.0" ?><NessusClientData_v2><Report name="r">'
        '<ReportHost name="srv01.example.cn"><HostProperties>'
        '<tag name="HOST_END_TIMESTAMP">1700000000</tag></HostProperties>'
        '<ReportItem port="22" protocol="tcp" severity="2" pluginID="70658" '
        'pluginName="SSH Server CBC Mode Ciphers Enabled" pluginFamily="Misc.">'
        "<cve>CVE-2008-5161</cve><risk_factor>Low</risk_factor></ReportItem>"
        "</ReportHost></Report></NessusClientData_v2>",
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert f.asset_key == "srv01.example.cn" and f.location == "22/tcp"
    assert f.severity is Severity.MEDIUM and f.tags == ("vuln", "tls")
    assert f.last_seen == "2023-11-14T22:13:20Z"


def test_items_before_their_host_properties(tmp_path: Path) -> None:
    path = tmp_path / "late.nessus"
    path.write_text(
        '<?xml version="1.0" ?><NessusClientData_v2><Report name="r"><ReportHost name="h1">'
        '<ReportItem port="80" protocol="tcp" severity="0" pluginID="10107" pluginName="HTTP"/>'
        '<HostProperties><tag name="host-ip">10.9.9.9</tag></HostProperties></ReportHost>'
        '<ReportHost name="h2"><ReportItem port="80" protocol="tcp" severity="0" '
        'pluginID="10107" pluginName="HTTP"/></ReportHost></Report></NessusClientData_v2>',
        encoding="utf-8",
    )
    a, b = parse(FMT, path)
    assert (a.asset_key, b.asset_key) == ("10.9.9.9", "h2")
    assert a.fingerprint != b.fingerprint and a.fingerprint == a.__class__(
        tool="nessus", format=FMT, asset_kind="host", asset_key="10.9.9.9", rule_id="10107",
        title="HTTP", severity=Severity.INFO, location="80/tcp",
    ).fingerprint  # fmt: skip


def test_port_scanner_items_are_high_risk_by_service_name(tmp_path: Path) -> None:
    """ssh on 2222 is as high-risk as on 22: Nessus names the service (svc_name)."""
    items = "".join(
        f'<ReportItem port="{port}" svc_name="{svc}" protocol="tcp" severity="0" '
        'pluginID="11219" pluginName="Nessus SYN scanner" pluginFamily="Port scanners">'
        "<plugin_output>Port is open</plugin_output></ReportItem>"
        for port, svc in ((2222, "ssh"), (3390, "msrdp"), (8080, "www"))
    )
    path = tmp_path / "ports.nessus"
    path.write_text('<?xml version="1.0" ?><NessusClientData_v2><Report name="r">'
                    '<ReportHost name="10.1.1.1"><HostProperties><tag name="host-ip">10.1.1.1'
                    f"</tag></HostProperties>{items}</ReportHost></Report></NessusClientData_v2>",
                    encoding="utf-8")
    ssh, rdp, web = parse(FMT, path)
    assert ssh.tags == rdp.tags == ("port", "mgmt-port") and web.tags == ("port",)
    assert ssh.extra["service"] == "ssh"


def test_one_address_under_two_host_names_gives_each_identity_once(tmp_path: Path) -> None:
    """Scanned by name and by address: the repeated identities are dropped (the first wins),
    what only the second ReportHost reports is kept, and other hosts are untouched."""

    def host(name: str, ip: str, items: str) -> str:
        return (f'<ReportHost name="{name}"><HostProperties><tag name="host-ip">{ip}</tag>'
                f"</HostProperties>{items}</ReportHost>")

    def item(port: int, plugin: int, output: str) -> str:
        return (f'<ReportItem port="{port}" protocol="tcp" severity="2" pluginID="{plugin}" '
                f'pluginName="P{plugin}"><plugin_output>{output}</plugin_output></ReportItem>')

    path = tmp_path / "twice.nessus"
    path.write_text(
        '<?xml version="1.0" ?><NessusClientData_v2><Report name="r">'
        + host("web01", "10.2.2.2", item(443, 1, "first") + item(22, 2, "first"))
        + host("10.3.3.3", "10.3.3.3", item(443, 1, "other host"))
        + host("10.2.2.2", "10.2.2.2", item(443, 1, "second") + item(80, 3, "second"))
        + "</Report></NessusClientData_v2>",
        encoding="utf-8",
    )
    found = parse(FMT, path)
    assert [(f.asset_key, f.rule_id, f.evidence) for f in found] == [
        ("10.2.2.2", "1", "first"), ("10.2.2.2", "2", "first"), ("10.3.3.3", "1", "other host"),
        ("10.2.2.2", "3", "second"),
    ]  # fmt: skip
    assert len({f.fingerprint for f in found}) == 4
