from __future__ import annotations

from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.model import Severity

FMT = "openvas"


def test_fields_of_a_gvm_result() -> None:
    (f,) = parse(FMT, corpus_file("openvas/report_detail_v2.xml"))
    assert (f.asset_key, f.port, f.protocol, f.location) == ("10.99.99.99", 42, "tcp", "42/tcp")
    assert f.rule_id == "1.3.6.1.4.1.25623.1.0.836484"
    # GVM says "High" (it has no Critical); the 9.8 score puts it in the critical band
    assert f.severity is Severity.CRITICAL and f.severity_raw == "High 9.8"
    assert f.cvss_vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert len(f.cves) == 93 and f.cves[0] == "CVE-2025-49659"
    assert f.solution.startswith("The vendor has released updates")
    assert f.evidence.startswith("Vulnerable range:")
    assert f.extra["hostname"] == "server99" and f.extra["qod"] == 80
    assert "DFN-CERT-2025-2181" in f.references


def test_general_port_tags_and_names() -> None:
    findings = parse(FMT, corpus_file("openvas/many_vuln.xml"))
    eol = one(findings, rule_id="1.3.6.1.4.1.25623.1.0.103674")
    assert (eol.location, eol.port, eol.protocol) == ("general/tcp", None, "tcp")
    rexec = one(findings, rule_id="1.3.6.1.4.1.25623.1.0.100111")
    assert rexec.port == 512 and {"vuln", "port", "mgmt-port"} <= set(rexec.tags)
    backdoor = one(findings, rule_id="1.3.6.1.4.1.25623.1.0.103549")
    assert "malware" in backdoor.tags
    dh = [f for f in findings if f.title.startswith("SSL/TLS: Diffie-Hellman")]
    assert dh and all("tls" in f.tags and "\n" not in f.title for f in dh)


def test_nested_results_and_report_hosts_do_not_confuse_the_result_host(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text(
        '<report id="r" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5"><report id="i">'
        "<results><result id='1'><host>10.0.0.7<hostname>db</hostname></host>"
        "<port>3306/tcp</port><nvt oid='1.3.6.1.4.1.25623.1.0.1'><name>MySQL weak</name>"
        "<family>Databases</family><cvss_base>5.0</cvss_base><tags>summary=S|solution=Fix"
        "</tags></nvt><threat>Medium</threat><severity>5.0</severity>"
        "<overrides><override><nvt oid='1.3.6.1.4.1.25623.1.0.1'/><result id='1'/></override>"
        "</overrides><description>banner</description></result>"
        "<result id='2'><host>10.0.0.7</host><port>general/tcp</port>"
        "<nvt oid='1.3.6.1.4.1.25623.1.0.2'><name>OS detection</name></nvt>"
        "<threat>Log</threat><severity>0.0</severity></result></results>"
        "<host><ip>10.0.0.7</ip><detail><name>OS</name><value>Linux</value></detail></host>"
        "</report></report>",
        encoding="utf-8",
    )
    findings = parse(FMT, path)
    assert [(f.asset_key, f.location, f.severity) for f in findings] == [
        ("10.0.0.7", "3306/tcp", Severity.MEDIUM),
        ("10.0.0.7", "general/tcp", Severity.INFO),
    ]
    assert findings[0].solution == "Fix" and findings[0].extra["hostname"] == "db"


def test_named_ports_of_older_openvas_give_number_and_service(tmp_path: Path) -> None:
    """OpenVAS before GVM wrote "ssh (2222/tcp)": the number is read, and the service name
    makes ssh on 2222 a high-risk port as on 22 (issue 21 item 8)."""
    results = "".join(
        f"<result><host>10.0.0.5</host><port>{port}</port><threat>Log</threat>"
        f'<severity>0.0</severity><nvt oid="1.3.6.1.4.1.25623.1.0.{oid}"><name>Services</name>'
        "<family>Service detection</family></nvt><description>A server is running on this "
        "port.</description></result>"
        for oid, port in ((10330, "ssh (2222/tcp)"), (10331, "www (8080/tcp)"))
    )
    path = tmp_path / "openvas6.xml"
    path.write_text(f'<report id="r"><report><results>{results}</results></report></report>',
                    encoding="utf-8")
    ssh, web = parse(FMT, path)
    assert (ssh.port, ssh.protocol, ssh.location) == (2222, "tcp", "ssh (2222/tcp)")
    assert ssh.tags == ("port", "mgmt-port")
    assert (web.port, web.tags) == (8080, ("port",))
