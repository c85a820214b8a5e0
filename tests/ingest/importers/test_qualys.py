from __future__ import annotations

import io
from pathlib import Path

from importer_helpers import (
    corpus_file,
    one,
    parse,
)

from cityguard.ingest import get_importer
from cityguard.model import Severity

FMT = "qualys"


class _Pipe(io.BytesIO):
    """A stream that cannot seek (stdin, a socket): the importer must read it once."""

    def seekable(self) -> bool:
        return False


def test_details_are_joined_from_the_glossary() -> None:
    findings = parse(FMT, corpus_file("qualys/Qualys_Sample_Report.xml"))
    bluekeep = one(findings, rule_id="91541")
    assert bluekeep.asset_key == "64.41.200.247"
    assert bluekeep.title.startswith("Microsoft Windows Remote Desktop Services Remote Code")
    assert bluekeep.severity is Severity.CRITICAL and bluekeep.severity_raw == "Vuln 5"
    assert bluekeep.cves == ("CVE-2019-0708",) and bluekeep.tags == ("vuln",)
    assert bluekeep.first_seen == "2019-07-31T21:58:08Z"
    assert "remote desktop services" in bluekeep.description
    assert "<P>" not in bluekeep.description and "<P>" not in bluekeep.solution


def test_information_gathered_is_info_whatever_its_level() -> None:
    findings = parse(FMT, corpus_file("qualys/Qualys_Sample_Report.xml"))
    gathered = [f for f in findings if f.extra.get("type") == "Ig"]
    assert len(gathered) == 209 and {f.severity for f in gathered} == {Severity.INFO}
    potential = [f for f in findings if f.extra.get("type") == "Practice"]
    assert {f.severity for f in potential} == {Severity.HIGH}
    with_port = [f for f in findings if f.port]
    assert with_port and all(f.location.startswith(f"{f.port}/") for f in with_port)


def test_a_pipe_gives_the_same_findings_as_a_file() -> None:
    path = corpus_file("qualys/Qualys_Sample_Report.xml")
    pipe = _Pipe(path.read_bytes())
    from_pipe = list(get_importer(FMT).parse(pipe, str(path)))
    assert from_pipe == parse(FMT, path)


def test_fixed_detections_are_not_open_findings(tmp_path: Path) -> None:
    path = tmp_path / "adr.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE ASSET_DATA_REPORT SYSTEM "https://x.invalid/a.dtd">'
        "<ASSET_DATA_REPORT><HOST_LIST><HOST><IP>10.0.0.9</IP><VULN_INFO_LIST>"
        '<VULN_INFO><QID id="qid_1">1</QID><TYPE>Vuln</TYPE><PORT>443</PORT>'
        "<PROTOCOL>tcp</PROTOCOL><FQDN>www.example.cn</FQDN><VULN_STATUS>Active</VULN_STATUS>"
        "</VULN_INFO>"
        '<VULN_INFO><QID id="qid_2">2</QID><TYPE>Vuln</TYPE><VULN_STATUS>Fixed</VULN_STATUS>'
        "</VULN_INFO></VULN_INFO_LIST></HOST></HOST_LIST><GLOSSARY><VULN_DETAILS_LIST>"
        '<VULN_DETAILS id="qid_1"><TITLE>Weak TLS</TITLE><SEVERITY>3</SEVERITY>'
        "<CATEGORY>General remote services</CATEGORY></VULN_DETAILS>"
        "</VULN_DETAILS_LIST></GLOSSARY></ASSET_DATA_REPORT>",
        encoding="utf-8",
    )
    (f,) = parse(FMT, path)
    assert (f.rule_id, f.location, f.severity) == ("1", "443/tcp www.example.cn", Severity.MEDIUM)
    assert f.tags == ("tls",)


def test_open_services_lists_flag_high_risk_ports_by_number_or_service_name() -> None:
    """QID 82023/82004 list a host's open ports in one table: a row naming a high-risk port
    (22, 135) or service (snmp, netbios ns) makes the list a high-risk-port finding."""
    findings = parse(FMT, corpus_file("qualys/Qualys_Sample_Report.xml"))
    tcp = one(findings, rule_id="82023", asset_key="64.41.200.243")  # 22 ssh
    assert tcp.tags == ("port", "mgmt-port")
    udp = one(findings, rule_id="82004", asset_key="64.41.200.243")  # 161 snmp
    assert udp.tags == ("port", "mgmt-port")
    ntp_only = one(findings, rule_id="82004", asset_key="64.41.200.244")  # 123 ntp, 1900
    assert ntp_only.tags == ("port",)
