from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    assert_detected,
    asset,
    corpus_file,
    one,
    parse,
)

from cityguard.ingest.mapping import unit_ids_for
from cityguard.model import Severity

FMT = "nmap"


def test_open_port_finding_fields() -> None:
    findings = parse(FMT, corpus_file("nmap/nmap_1port.xml"))
    f = one(findings, rule_id="open-port")
    assert (f.asset_kind, f.port, f.protocol, f.location) == ("host", 5432, "tcp", "5432/tcp")
    assert f.severity is Severity.INFO and f.severity_raw == "open"
    assert f.tags == ("port", "mgmt-port")  # PostgreSQL is a high-risk port
    assert "postgresql" in f.title


def test_vulners_cves_become_findings_and_exploits_references() -> None:
    findings = parse(FMT, corpus_file("nmap/issue4406.xml"))
    cve = one(findings, rule_id="CVE-2019-6111")
    assert cve.asset_key == "10.250.195.71" and cve.location == "22/tcp"
    assert cve.cvss_score == 5.8 and cve.severity is Severity.MEDIUM and cve.tags == ("vuln",)
    assert cve.extra["exploit_available"] is True
    assert "https://vulners.com/MSF:ILITIES/UBUNTU-CVE-2019-6111/" in cve.references
    low = one(findings, rule_id="CVE-2018-20685")
    assert low.severity is Severity.LOW and low.extra["exploit_available"] is False
    assert not [f for f in findings if f.rule_id.startswith(("MSF:", "EDB-ID", "PACKETSTORM"))]
    ports = [f for f in findings if f.rule_id == "open-port"]
    assert len(ports) == 25 and {f.asset_key for f in ports} == {"10.250.195.71"}


def test_only_open_ports_of_hosts_that_are_up(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun scanner="nmap" start="1700000000">'
        '<host endtime="1700000100"><status state="up"/>'
        '<address addr="10.0.0.5" addrtype="ipv4"/><address addr="AA:BB" addrtype="mac"/>'
        "<ports>"
        '<port protocol="tcp" portid="23"><state state="open"/><service name="telnet"/></port>'
        '<port protocol="tcp" portid="80"><state state="closed"/></port>'
        '<port protocol="udp" portid="161"><state state="open|filtered"/></port>'
        '<port protocol="tcp" portid="8443"><state state="open"/></port>'
        "</ports></host>"
        '<host><status state="down"/><address addr="10.0.0.6" addrtype="ipv4"/>'
        '<ports><port protocol="tcp" portid="22"><state state="open"/></port></ports></host>'
        "</nmaprun>",
        encoding="utf-8",
    )
    findings = parse(FMT, path)
    assert [(f.asset_key, f.location) for f in findings] == [
        ("10.0.0.5", "23/tcp"),
        ("10.0.0.5", "8443/tcp"),
    ]
    assert findings[0].tags == ("port", "mgmt-port") and findings[1].tags == ("port",)
    assert findings[0].last_seen == "2023-11-14T22:15:00Z"


def test_a_byte_order_mark_changes_nothing(tmp_path: Path) -> None:
    source = corpus_file("nmap/nmap_multiple_port.xml")
    bom = tmp_path / "bom.xml"
    bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert_detected(FMT, bom)
    assert parse(FMT, bom) == parse(FMT, source)


def test_nse_script_problems_become_mapped_findings() -> None:
    """Real nmap 7.93 NSE output against services on 127.0.0.1 (samples.yaml says how)."""
    findings = parse(FMT, asset("nmap/nse-local.xml"))
    anon = one(findings, rule_id="ftp-anon")
    assert anon.title == "Anonymous FTP login allowed" and anon.location == "2121/tcp"
    assert {"L3-CES1-01", "L3-CES1-06"} <= set(unit_ids_for(anon, 3))  # identification
    vuln = one(findings, rule_id="http-vuln-cve2011-3192")
    assert vuln.cves == ("CVE-2011-3192",) and vuln.severity is Severity.HIGH
    assert "L3-CES1-21" in unit_ids_for(vuln, 3)
    tls = one(findings, rule_id="ssl-enum-ciphers")
    assert tls.severity is Severity.HIGH and "offered: TLSv1.0" in tls.evidence
    assert {"L3-CNS1-06", "L3-CNS1-07"} <= set(unit_ids_for(tls, 3))  # integrity, secrecy
    # ssh on 2222 and ftp on 2121 are high-risk by the service nmap found, not the number
    ssh = one(findings, rule_id="open-port", port=2222)
    assert ssh.tags == ("port", "mgmt-port") and "L3-ABS1-07" in unit_ids_for(ssh, 3)
    assert one(findings, rule_id="open-port", port=2121).tags == ("port", "mgmt-port")
    assert all(f.first_seen <= f.last_seen for f in findings)
