"""Our finding count for every scanner corpus file an importer test covers, and the reason
wherever it differs from DefectDojo's (`expected_findings_defectdojo` in MANIFEST.csv) or
DefectDojo asserts none. One table for the per-format tests (check_counts) and the corpus-wide
test (test_corpus.py), so a count and its reason are written once."""

from __future__ import annotations

# file → (our count, why it differs from DefectDojo's count when it does)
Counts = dict[str, tuple[int, str]]

_PER_LOCATION = (
    "DefectDojo folds every issue of one type on one host into a finding; we keep one finding "
    "per issue location (the path and parameter are the identity, as in Burp itself)"
)

_SUPPRESSED = (
    "DefectDojo also imports the suppressedVulnerabilities (as mitigated); they are the "
    "project's own accepted risks and are skipped here"
)

ANCHORE: Counts = {
    "anchore/no_vuln.json": (0, "same as DefectDojo"),
    "anchore/one_vuln.json": (1, "same as DefectDojo"),
    "anchore/many_vulns_2.4.1.json": (51, "same as DefectDojo"),
    "anchore/new_format_issue_11552.json": (84, "same as DefectDojo"),
    "anchore/anchorectl_many_vulns.json": (23, "same as DefectDojo"),
}

BANDIT: Counts = {
    "bandit/no_vuln.json": (0, "same as DefectDojo"),
    "bandit/one_vuln.json": (1, "same as DefectDojo"),
    "bandit/dd.json": (47, "same as DefectDojo"),
    "bandit/many_vulns.json": (
        213,
        "B608 at migrate_surveys.py:51 is listed twice, identically: one finding",
    ),
}

BURP: Counts = {
    "burp/one_finding_with_cwe.xml": (1, ""),
    "burp/one_finding_with_blank_response.xml": (1, ""),
    "burp/seven_findings.xml": (16, _PER_LOCATION),
    # 441 issues; 5 repeat a type at one location (3 × "Cross-domain Referer leakage" at /)
    "burp/issue4399.xml": (436, _PER_LOCATION),
}

DEPENDENCY_CHECK: Counts = {
    "dependency-check/single_dependency_with_related_no_vulnerability.xml": (0, ""),
    "dependency-check/single_vuln.xml": (1, ""),
    "dependency-check/version-6.5.3.xml": (1, ""),
    "dependency-check/multiple_vulnerabilities_has_multiple_findings.xml": (7, _SUPPRESSED),
    "dependency-check/PR6439.xml": (26, _SUPPRESSED),
}

GITLEAKS: Counts = {
    "gitleaks/no_findings.json": (0, "same as DefectDojo: `null`"),
    "gitleaks/data_one.json": (1, "same as DefectDojo"),
    "gitleaks/redacted_data_many.json": (6, "same as DefectDojo"),
    "gitleaks/version_7.5.0.json": (4, "same as DefectDojo: 8 leaks, each in two commits"),
    "gitleaks/gitleaks8_many.json": (3, "same as DefectDojo: aws.tf:2 in two commits is one"),
}

GRYPE: Counts = {
    "grype/no_vuln.json": (0, "same as DefectDojo"),
    "grype/same_cve_different_paths.json": (
        2,
        "one CVE at two artifact paths: two exposures (DefectDojo's 'detailed' mode gives 2)",
    ),
    "grype/check_all_fields.json": (5, "6 matches, one listed twice (two matchers): folded"),
    "grype/many_vulns_with_epss_values.json": (15, "15 matches; DefectDojo asserts no count"),
    "grype/issue_9618.json": (35, "same as DefectDojo"),
    "grype/many_vulns.json": (1509, "same as DefectDojo"),
}

NESSUS: Counts = {
    "nessus/nessus_was_no_vuln.xml": (0, ""),
    "nessus/nessus_many_vuln.xml": (
        7,
        "DefectDojo folds the two 'Nessus SYN scanner' items (ports 443 and 264) into one "
        "finding per plugin; the port is part of our identity, so they stay two",
    ),
    # 49 ReportItems: plugin 58987 is reported twice on 80/tcp (two PHP installs) → one finding
    "nessus/nessus_with_cvssv3.nessus": (48, ""),
}

NESSUS_CSV: Counts = {
    "nessus/nessus_was_no_vuln.csv": (0, ""),
    # 30 rows: plugin 10107 repeats per port, one row per CVE is folded → 29 as DefectDojo
    "nessus/nessus_many_vuln2-all.csv": (29, ""),
    "nessus/nessus_new.csv": (99, ""),
}

NIKTO: Counts = {
    "nikto/nikto-report-zero-vuln.xml": (0, ""),
    "nikto/nikto-report-one-vuln.xml": (1, ""),
    "nikto/nikto-report-many-vuln.xml": (
        9,
        "two items of one target share test id 999100, method and URI; they fold into one "
        "finding listing both messages (DefectDojo keeps them apart by description)",
    ),
    "nikto/tdh.xml": (
        5,
        "'x-cache' and 'x-cacheable' are both test 999100 on GET /: one finding, two "
        "messages; DefectDojo's 6 counts them apart by description",
    ),
}

NIKTO_JSON: Counts = {
    "nikto/tdh.json": (
        7,
        "two 999100 header messages on GET / fold into one finding (see the XML importer)",
    ),
    "nikto/juice-shop.json": (
        150,
        "140 'backup/cert file found' hits are 140 URLs, each its own exposure here; "
        "DefectDojo folds items by description",
    ),
}

NMAP: Counts = {
    "nmap/nmap_0port.xml": (0, ""),
    "nmap/nmap_1port.xml": (1, ""),
    "nmap/nmap_multiple_port.xml": (13, ""),
    "nmap/nmap_script_vulners.xml": (3, ""),
    "nmap/issue4406.xml": (
        33,
        "25 open ports + 8 CVEs from vulners; DefectDojo also makes findings of the 34 exploit "
        "references (MSF:…, EDB-ID:…, PACKETSTORM:…), which we attach as references instead",
    ),
}

NPM_AUDIT: Counts = {
    "npm-audit/npm6_no_vuln.json": (0, "same as DefectDojo"),
    "npm-audit/npm6_one_vuln.json": (1, "same as DefectDojo"),
    "npm-audit/npm6_multiple_cwes.json": (
        40,
        "npm 6 splits GHSA-vh95-rmgr-6w4m (minimist) into two numbered advisories, one per "
        "version range: one flaw of one package here",
    ),
    "npm-audit/npm7_no_vuln.json": (0, "same as DefectDojo"),
    "npm-audit/npm7_many_vulns.json": (
        3,
        "6 entries, but vercel, @vercel/fun and @vercel/node are only vulnerable through "
        "debug, semver and undici: 3 advisories",
    ),
}

NUCLEI: Counts = {
    "nuclei/invalid_cwe.json": (1, "same as DefectDojo"),
    "nuclei/many_findings.json": (
        18,
        "DefectDojo merges one template+matcher on one host across ports (tech-detect on "
        "127.0.0.1:8080 and :9090); the matched URL is part of our identity",
    ),
    "nuclei/multiple_v3.json": (
        6,
        "tls-version reports tls12 and tls13 as two results: two facts, DefectDojo merges them",
    ),
    "nuclei/issue_14071.json": (27, "same as DefectDojo"),
}

OPENVAS: Counts = {
    "openvas/no_vuln.xml": (0, ""),
    "openvas/report_detail_v2.xml": (1, ""),
    "openvas/many_vuln.xml": (44, ""),
}

OPENVAS_CSV: Counts = {
    "openvas/no_vuln.csv": (0, ""),
    "openvas/report_detail_v2.csv": (1, ""),
    "openvas/report_using_CVE.csv": (43, ""),
}

PIP_AUDIT: Counts = {
    "pip-audit/empty.json": (0, "same as DefectDojo: `[]`"),
    "pip-audit/empty_new.json": (0, "same as DefectDojo"),
    "pip-audit/zero_vulns_new.json": (0, "same as DefectDojo"),
    "pip-audit/many_vulns.json": (7, "same as DefectDojo"),
    "pip-audit/many_vulns_new.json": (7, "same as DefectDojo"),
}

QUALYS: Counts = {
    "qualys/empty.xml": (0, ""),
    "qualys/Qualys_Sample_Report.xml": (301, ""),  # every VULN_INFO, "Ig" ones as info
}

QUALYS_CSV: Counts = {
    "qualys/empty.csv": (0, ""),
    "qualys/Qualys_Sample_Report.csv": (
        6,
        "DefectDojo groups the rows by QID (3 QIDs); each row is a QID on a different host, "
        "and the host is part of our identity, so 6 findings",
    ),
}

QUALYS_WEBGUI: Counts = {"qualys/qualys_infrascan_webgui_1.xml": (1, "")}

SARIF: Counts = {
    "sarif/appendix_k1.sarif": (0, "same as DefectDojo"),
    "sarif/no_runs.sarif": (0, "runs is empty: nothing to report (no count upstream)"),
    "sarif/suppression_test.sarif": (5, "suppressed results are kept, marked accepted"),
    "sarif/gitleaks_7.5.0.sarif": (8, "same as DefectDojo (4 identities: one leak per commit)"),
    "sarif/dependency_check.sarif": (13, "same as DefectDojo"),
    "sarif/cxf-3.4.6.sarif": (22, "same as DefectDojo"),
    "sarif/issue_10191.sarif": (77, "same as DefectDojo"),
    "sarif/codeQL-output.sarif": (72, "same as DefectDojo"),
    "sarif/semgrepowasp-benchmark-sample.sarif": (1768, "same as DefectDojo"),
}

SSLYZE: Counts = {
    "sslyze/one_target_zero_vuln_new.json": (0, "same as DefectDojo"),
    "sslyze/one_target_many_vuln_old.json": (
        6,
        "heartbleed, CCS, client renegotiation, insecure renegotiation, TLS 1.1, and RC4/SEED "
        "suites over TLS 1.1; DefectDojo folds the two renegotiation problems and does not "
        "check cipher strength below TLS 1.2",
    ),
    "sslyze/two_targets_many_vuln_new.json": (
        3,
        "3DES on example.com, TLS 1.0 and 1.1 on example2.com; DefectDojo also flags strong "
        "suites (CBC, CHACHA20) missing from the German BSI list",
    ),
}

SSLYZE_XML: Counts = {
    "sslyze/report_one_target_one_vuln.xml": (
        2,
        "the expired chain (as DefectDojo) and the SHA-1 signed leaf, a weakness of its own",
    ),
}

TESTSSL: Counts = {
    "testssl/defectdojo_no_vuln.csv": (0, "same as DefectDojo: header only"),
    "testssl/defectdojo_one_vuln.csv": (
        0,
        "its one row is a WARN about the scanner's own openssl (no GOST engine), not a "
        "weakness of the target",
    ),
    "testssl/demo.csv": (
        0,
        "12 INFO and 21 OK rows state facts that are not problems (service HTTP, cipher "
        "order, 'not offered'); DefectDojo imports the INFO rows",
    ),
    "testssl/overall_critical.csv": (
        58,
        "58 rows of severity LOW..CRITICAL; DefectDojo also imports INFO rows",
    ),
}

TRIVY: Counts = {
    "trivy/legacy_many_vulns.json": (93, "same as DefectDojo"),
    "trivy/scheme_2_no_vuln.json": (0, "same as DefectDojo"),
    "trivy/scheme_2_many_vulns.json": (5, "same as DefectDojo"),
    "trivy/misconfigurations_and_secrets.json": (5, "2 vulns + 1 failed misconfig + 2 secrets"),
    "trivy/cvssv4_severity_source.json": (3, "same as DefectDojo"),
    "trivy/kubernetes.json": (20, "10 image vulns + 10 failed workload checks"),
}

WAZUH: Counts = {
    "wazuh/v4-7_no_findings.json": (0, "same as DefectDojo"),
    "wazuh/v4-7_one_finding.json": (1, "same as DefectDojo"),
    "wazuh/v4-7_many_findings.json": (
        13,
        "DefectDojo drops 6 'Package unfixed' items and 1 'Untriaged' one; a vulnerability "
        "without a fix yet is still one the SOC must see",
    ),
    "wazuh/v4-8_many_findings.json": (10, "same as DefectDojo"),
    "wazuh/wazuh_abnormal_severity.json": (1, "one hit; DefectDojo asserts no count"),
}

ZAP: Counts = {
    "zap/empty_2.9.0.xml": (0, ""),
    "zap/zap-xml-plus-format.xml": (1, ""),
    "zap/zap_2.16.1_with_req_resp.xml": (4, ""),
    "zap/dvwa_baseline_dojo.xml": (
        18,
        "ZAP lists 'Information Disclosure - Suspicious Comments' (10027) twice, once per "
        "confidence level; one weakness of one site is one finding here",
    ),
}

ZAP_JSON: Counts = {
    "zap/demo-bodgeit-baseline-scan_zap-results.json": (
        18,
        "20 alerts; 90022 and 10027 are each listed twice (per confidence) and fold into one",
    ),
    "zap/demo-petstore-api-scan_zap-results.json": (
        6,
        "7 alerts; script rule 100000 reports two alerts under one pluginid and no alertRef",
    ),
}

BY_FORMAT: dict[str, Counts] = {
    "anchore": ANCHORE, "bandit": BANDIT, "burp": BURP, "dependency_check": DEPENDENCY_CHECK,
    "gitleaks": GITLEAKS, "grype": GRYPE, "nessus": NESSUS, "nessus_csv": NESSUS_CSV,
    "nikto": NIKTO, "nikto_json": NIKTO_JSON, "nmap": NMAP, "npm_audit": NPM_AUDIT,
    "nuclei": NUCLEI, "openvas": OPENVAS, "openvas_csv": OPENVAS_CSV, "pip_audit": PIP_AUDIT,
    "qualys": QUALYS, "qualys_csv": QUALYS_CSV, "qualys_webgui": QUALYS_WEBGUI, "sarif": SARIF,
    "sslyze": SSLYZE, "sslyze_xml": SSLYZE_XML, "testssl": TESTSSL, "trivy": TRIVY, "wazuh": WAZUH,
    "zap": ZAP, "zap_json": ZAP_JSON,
}  # fmt: skip
