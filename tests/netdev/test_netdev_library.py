"""Data tests for the device check library (checks/netdev/<family>/): ids, texts, mapping,
a pass and a fail fixture for every check, and the weakest and hardest corpus configuration of
each vendor told apart item by item."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import pytest
from netdev_helpers import CORPUS, FIXTURES, assess, assess_corpus, device_checks

from cityguard.model import CheckStatus
from cityguard.policy.catalog import load_catalog
from cityguard.policy.checkmap import load_mappings
from cityguard.targets.netdev_detect import FAMILIES

REPO = Path(__file__).resolve().parents[2]
ID = re.compile(r"^netdev\.(?P<family>[a-z0-9_]+)\.[a-z0-9_]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: what every family checks, whatever its syntax (netconf-mapping.md §3 and §5)
CORE = {"remote_mgmt_ssh_only", "web_mgmt_secured", "idle_timeout", "login_lockout",
        "remote_syslog", "time_source", "mgmt_source_acl", "boundary_default_deny",
        "password_policy", "role_separation", "login_banner", "central_aaa_mfa"}
#: checks that ask a person even on a hardened device: a configuration shows that logins go
#: to a TACACS+/RADIUS server, never whether that server asks for a second factor
MANUAL_BY_DESIGN = {"netdev.cisco_ios.central_aaa_mfa", "netdev.cisco_asa.central_aaa_mfa",
                    "netdev.huawei_vrp.central_aaa_mfa", "netdev.h3c_comware.central_aaa_mfa"}


def check_ids() -> list[str]:
    return [c.id for c in device_checks()]


def test_ids_files_and_platforms() -> None:
    assert len(check_ids()) == len(set(check_ids())) >= 110
    for c in device_checks():
        m = ID.match(c.id)
        assert m, c.id
        family = m.group("family")
        assert c.applies.platform == ("netdev",) and c.applies.os_family == (family,), c.id
        rel = Path(c.source).resolve().relative_to(REPO / "checks")
        assert rel.parts[:2] == ("netdev", family), f"{c.id} lives in checks/{rel.parent}"


def test_every_family_checks_the_core_controls() -> None:
    have: dict[str, set[str]] = {}
    for cid in check_ids():
        _, family, name = cid.split(".")
        have.setdefault(family, set()).add(name)
    assert set(have) == set(FAMILIES)
    for family, names in have.items():
        assert names >= CORE or family in ("juniper_junos", "paloalto_panos", "cisco_asa"), \
            (family, CORE - names)
        assert len(CORE & names) >= 9, (family, CORE - names)


def test_texts_are_bilingual_and_state_the_secure_state() -> None:
    for c in device_checks():
        for text in (c.title_zh, c.rationale_zh, c.remediation_zh):
            assert CJK.search(text), c.id
        for text in (c.title_en, c.rationale_en, c.remediation_en):
            assert not CJK.search(text), c.id
        assert not c.title_en.lower().startswith("ensure") and not c.title_zh.startswith("确保")


@lru_cache(maxsize=4)
def mappings(level: int):  # type: ignore[no-untyped-def]
    return load_mappings(level, catalog=load_catalog())


def test_every_device_check_is_mapped_decisively_or_advisorily_with_a_reason() -> None:
    mapped: dict[str, set[str]] = {}
    for unit, entries in mappings(3).items():
        for m in entries:
            if m.check.startswith("netdev."):
                assert m.why, (unit, m.check)
                mapped.setdefault(m.check, set()).add(m.role)
    assert set(mapped) == set(check_ids())
    assert all("decisive" in roles for cid, roles in mapped.items()
               if not cid.endswith((".ssh_version_2", ".ssh_crypto", ".login_banner")))


def test_levels_2_and_4_take_the_same_device_evidence() -> None:
    l2 = {m.check for es in mappings(2).values() for m in es if m.check.startswith("netdev.")}
    l4 = {m.check for es in mappings(4).values() for m in es if m.check.startswith("netdev.")}
    assert "netdev.huawei_vrp.remote_mgmt_ssh_only" in {
        m.check for m in mappings(2)["L2-CES1-03"]}
    assert "netdev.cisco_ios.unneeded_services_off" in {
        m.check for m in mappings(4)["L4-CES1-17"]}  # level 4 numbers this item one lower
    assert not any(c.endswith("central_aaa_mfa") for c in l2)  # level 2 has no MFA item
    assert l2 <= set(check_ids()) and l4 == set(check_ids())


# -- fixtures: every check passes on its family's hardened file and fails on the weak one -------


@cache
def fixture_results(family: str, side: str):  # type: ignore[no-untyped-def]
    (path,) = [p for p in FIXTURES.iterdir() if p.stem == f"{family}_{side}"]
    return assess(path)


#: controls a configuration can show in place but never rule out (the redundancy or the
#: out-of-band network may be another box's): where the weak file lacks them, a person is asked
ASK_WHEN_ABSENT = {"redundancy", "mgmt_plane_separated"}
#: questions on both sides by design: the release is quoted for the advisories, the accounts
#: for the staff inventory (a generic account still fails on the weak side)
ASKS_ON_HARDENED = {"software_version", "stale_accounts"}
#: the weak file of these families is no evidence against the control: firewalls inspect
#: statefully by design (the Junos fail path is a router's stateless filter, pinned below), and
#: a Huawei or H3C switch without a firewall policy leaves content control to another box
#: (the fail path is a firewall policy without profiles, pinned below)
WEAK_SIDE = {
    "netdev.cisco_asa.stateful_inspection": CheckStatus.PASS,
    "netdev.fortinet_fortios.stateful_inspection": CheckStatus.PASS,
    "netdev.paloalto_panos.stateful_inspection": CheckStatus.PASS,
    "netdev.juniper_junos.stateful_inspection": CheckStatus.PASS,
    "netdev.huawei_vrp.app_content_control": CheckStatus.MANUAL,
    "netdev.h3c_comware.app_content_control": CheckStatus.MANUAL,
}


def expected_status(check_id: str, side: str) -> CheckStatus:
    """What the family's hardened or weak file gives this check (see the sets above)."""
    name = check_id.split(".")[2]
    if next(c for c in device_checks() if c.id == check_id).mode == "manual" or \
            name == "software_version":
        return CheckStatus.MANUAL  # a question with the command to run, on any file
    if side == "hardened":
        asks = check_id in MANUAL_BY_DESIGN or name in ASKS_ON_HARDENED
        return CheckStatus.MANUAL if asks else CheckStatus.PASS
    if name in ASK_WHEN_ABSENT:
        return CheckStatus.MANUAL
    return WEAK_SIDE.get(check_id, CheckStatus.FAIL)


@pytest.mark.parametrize("side", ["hardened", "weak"])
@pytest.mark.parametrize("check_id", check_ids())
def test_fixture_gives_the_status_it_is_named_after(check_id: str, side: str) -> None:
    family = check_id.split(".")[1]
    result = fixture_results(family, side)[check_id]
    expected = expected_status(check_id, side)
    assert result.status is expected, (result.reason, result.evidence)
    if expected is CheckStatus.FAIL:
        assert result.reason and result.evidence
    if expected is CheckStatus.MANUAL:
        assert "?" in result.reason or "？" in result.reason  # a question, never a silent gap


#: fail paths (and questions) the hardened/weak pair cannot show: (file, check, status)
OTHER_PATHS = [
    (FIXTURES / "huawei_vrp_usg_open.cfg", "netdev.huawei_vrp.app_content_control", "fail"),
    (FIXTURES / "huawei_vrp_usg_open.cfg", "netdev.huawei_vrp.stateful_inspection", "pass"),
    (FIXTURES / "h3c_comware_secpath_open.cfg", "netdev.h3c_comware.app_content_control", "fail"),
    (FIXTURES / "h3c_comware_secpath_open.cfg", "netdev.h3c_comware.stateful_inspection", "pass"),
    (CORPUS / "juniper_junos/sentriflow_firewall_filter.conf",
     "netdev.juniper_junos.stateful_inspection", "fail"),  # a stateless filter only
    (CORPUS / "juniper_junos/batfish_as1border1_set.conf",
     "netdev.juniper_junos.stateful_inspection", "manual"),  # no filter: boundary at all?
    (CORPUS / "juniper_junos/oxidized_srx300_22.4.conf",
     "netdev.juniper_junos.app_content_control", "fail"),  # permit without UTM/IDP
    (CORPUS / "juniper_junos/batfish_login_class_set.conf",
     "netdev.juniper_junos.password_ageing", "pass"),  # maximum-lifetime 90
    (CORPUS / "cisco_ios/batfish_as2border1.cfg", "netdev.cisco_ios.stateful_inspection", "fail"),
    (CORPUS / "cisco_ios/oxidized_c9200l_iosxe17.cfg", "netdev.cisco_ios.rogue_device_control",
     "fail"),  # access ports, no 802.1X, port security or snooping
    (CORPUS / "cisco_ios/napalm_csr1_running.cfg", "netdev.cisco_ios.mgmt_plane_separated",
     "pass"),  # GigabitEthernet1 in vrf Mgmt-intf
    (CORPUS / "huawei_vrp/sentriflow_s5700_basic.cfg", "netdev.huawei_vrp.rogue_device_control",
     "fail"),
    (CORPUS / "h3c_comware/netutils_comware7_full.cfg", "netdev.h3c_comware.redundancy", "pass"),
    (CORPUS / "fortinet_fortios/batfish_firewall_policy.conf",
     "netdev.fortinet_fortios.app_content_control", "fail"),
    (CORPUS / "fortinet_fortios/oxidized_fortigate91g_7.4.7.conf",
     "netdev.fortinet_fortios.intrusion_alarm", "pass"),
    (CORPUS / "paloalto_panos/ironskillet_panos_full_mgmt_static.xml",
     "netdev.paloalto_panos.mgmt_plane_separated", "pass"),  # the MGT port's own address
    (CORPUS / "paloalto_panos/netutils_panos_set.txt", "netdev.paloalto_panos.stale_accounts",
     "fail"),  # superuser `user1`
]


@pytest.mark.parametrize(("path", "check_id", "status"), OTHER_PATHS,
                         ids=[f"{p.name}:{c.split('.')[2]}" for p, c, _ in OTHER_PATHS])
def test_paths_the_fixture_pair_cannot_show(path: Path, check_id: str, status: str) -> None:
    result = assess(path)[check_id]
    assert result.status.value == status, (result.reason, result.evidence)
    if status == "fail":
        assert result.reason and result.evidence


@pytest.mark.parametrize(("rel", "version"), [
    ("huawei_vrp/faddr_ne40e_v800r011_rancid.cfg", "V800R011C00SPC607B607"),
    ("fortinet_fortios/oxidized_fortigate91g_7.4.7.conf", "FortiGate-91G v7.4.7"),
    ("paloalto_panos/ironskillet_panos_full_mgmt_static.xml", "10.1.0"),
    ("cisco_asa/oxidized_asa5512_9.12.cfg", "9.12(4)67"),
    ("h3c_comware/netutils_comware7_full.cfg", "Release"),
])
def test_the_software_release_is_quoted_for_the_advisories(rel: str, version: str) -> None:
    """CES1-21: the configuration shows the release (headers included), a person or a scan
    import decides whether it is patched: the question quotes it in both languages."""
    family = rel.split("/")[0]
    result = assess_corpus(rel)[f"netdev.{family}.software_version"]
    assert result.status is CheckStatus.MANUAL
    zh, en = result.reason.split(" / ", 1)
    assert version in zh and version in en and "？" in zh and "?" in en


# -- the weakest and the hardest corpus configuration of each vendor, item by item --------------

PAIRS = {
    "huawei_vrp": ("huawei_vrp/sentriflow_security.cfg", "huawei_vrp/sentriflow_s5700_basic.cfg"),
    "h3c_comware": ("h3c_comware/netutils_comware7_full.cfg",
                    "h3c_comware/netutils_comware_basic.cfg"),
    "cisco_ios": ("cisco_ios/sentriflow_security_hardening.cfg", "cisco_ios/netutils_csr_full.cfg"),
    "cisco_asa": ("cisco_asa/oxidized_asa5512_9.12.cfg", "cisco_asa/batfish_asa_mgmt_access.cfg"),
    "juniper_junos": ("juniper_junos/batfish_login_class_set.conf",
                      "juniper_junos/oxidized_srx300_22.4.conf"),
    "fortinet_fortios": ("fortinet_fortios/sentriflow_basic.conf",
                         "fortinet_fortios/netutils_fortigate_full.conf"),
    "paloalto_panos": ("paloalto_panos/ironskillet_panos_full_mgmt_static.xml",
                       "paloalto_panos/netutils_panos_full_brace.conf"),
}
# Each level-3 item with a decisive device check of the family: the item on the hardest file,
# then on the weakest (P every decisive check passes, F one fails, ? a person must answer).
# The corpus' "hardest" files are not perfect (the hardened sentriflow IOS file has no syslog
# host or NTP server), so some items go the other way; the table pins every one of them.
ITEMS = {
    "huawei_vrp": "ABS1-02:?F ABS1-04:?? ABS1-05:F? ABS1-06:PP ABS1-08:?? ABS1-09:?? "
                  "ABS1-14:?? ABS1-15:?? ABS1-20:?? CES1-01:FF CES1-02:?F CES1-03:?? "
                  "CES1-04:?F CES1-06:?F CES1-07:?? CES1-08:PF CES1-12:F? CES1-13:FP "
                  "CES1-14:FP CES1-18:?F CES1-19:PF CES1-21:?? CES1-22:FF CES1-24:?? "
                  "CES1-27:P? CES1-28:FF CES1-31:?? CNS1-01:?? CNS1-02:?? CNS1-03:?? "
                  "CNS1-05:?? CNS1-07:P? CNS1-08:?? SMC1-07:?? SMC1-10:FP",
    "h3c_comware": "ABS1-02:?? ABS1-04:?? ABS1-05:?? ABS1-06:FP ABS1-08:?? ABS1-09:?? "
                   "ABS1-14:?? ABS1-15:?? ABS1-20:?? CES1-01:F? CES1-02:F? CES1-03:F? "
                   "CES1-04:?F CES1-06:PP CES1-07:?? CES1-08:PF CES1-12:?F CES1-13:PF "
                   "CES1-14:PF CES1-18:FF CES1-19:FF CES1-21:?? CES1-22:FF CES1-24:?? "
                   "CES1-27:F? CES1-28:PP CES1-31:P? CNS1-01:?? CNS1-02:?? CNS1-03:?? "
                   "CNS1-05:P? CNS1-07:F? CNS1-08:?? SMC1-07:P? SMC1-10:PF",
    "cisco_ios": "ABS1-02:?? ABS1-04:?? ABS1-05:?P ABS1-06:PF ABS1-08:?F ABS1-09:?? ABS1-14:?? "
                 "ABS1-15:?? ABS1-20:?? CES1-01:?F CES1-02:FF CES1-03:PF CES1-04:?F CES1-06:PP "
                 "CES1-07:?? CES1-08:PF CES1-12:FF CES1-13:FP CES1-14:FP CES1-18:FF CES1-19:PF "
                 "CES1-21:?? CES1-22:FF CES1-24:?? CES1-27:PF CES1-28:PF CES1-31:?? CNS1-01:?? "
                 "CNS1-02:?? CNS1-03:?? CNS1-05:?? CNS1-07:PF CNS1-08:?? SMC1-07:?? SMC1-10:FP",
    "cisco_asa": "ABS1-02:?? ABS1-04:?? ABS1-05:?? ABS1-06:PP ABS1-08:P? ABS1-09:?? ABS1-10:PF "
                 "ABS1-14:?? ABS1-15:?? ABS1-20:?? CES1-01:?? CES1-02:FF CES1-03:PF CES1-04:?? "
                 "CES1-07:?? CES1-12:FF CES1-13:PF CES1-14:FF CES1-18:PF CES1-19:PP CES1-21:?? "
                 "CES1-22:FF CES1-24:?? CES1-27:PF CES1-28:PP CES1-31:?? CNS1-01:?? CNS1-02:?? "
                 "CNS1-03:?? CNS1-05:?? CNS1-07:PF CNS1-08:?? SMC1-07:P? SMC1-10:FF",
    "juniper_junos": "ABS1-02:?? ABS1-04:?? ABS1-05:?F ABS1-08:?P ABS1-09:?F ABS1-10:?P "
                     "ABS1-14:?F ABS1-15:?F ABS1-20:?? CES1-01:F? CES1-02:FF CES1-03:PP "
                     "CES1-07:?? CES1-08:PF CES1-12:FF CES1-13:FF CES1-14:FF CES1-18:PP "
                     "CES1-19:FF CES1-21:?? CES1-22:FF CES1-24:?? CES1-27:PF CES1-28:FP "
                     "CES1-31:?? CNS1-01:?? CNS1-02:?? CNS1-03:?? CNS1-05:?? CNS1-07:PP "
                     "CNS1-08:?? SMC1-07:?? SMC1-10:FF",
    "fortinet_fortios": "ABS1-02:?? ABS1-04:?? ABS1-05:?? ABS1-08:?? ABS1-09:?? ABS1-14:?? "
                        "ABS1-15:?? ABS1-20:?? CES1-01:FF CES1-02:FP CES1-03:PF CES1-04:FF "
                        "CES1-06:?P CES1-07:?? CES1-08:PF CES1-12:FF CES1-13:PF CES1-14:FF "
                        "CES1-18:PF CES1-19:P? CES1-21:?? CES1-22:FF CES1-24:?? CES1-27:PP "
                        "CES1-31:?? CNS1-01:?? CNS1-02:?? CNS1-03:?? CNS1-05:?? CNS1-07:PP "
                        "CNS1-08:?? SMC1-07:?P SMC1-10:FF",
    "paloalto_panos": "ABS1-02:?? ABS1-04:?? ABS1-05:PP ABS1-08:?? ABS1-09:?? ABS1-10:PF "
                      "ABS1-14:?? ABS1-15:?? ABS1-20:?? CES1-01:?F CES1-02:PF CES1-03:PP "
                      "CES1-07:?? CES1-08:FF CES1-12:PF CES1-13:PF CES1-14:PF CES1-18:PP "
                      "CES1-19:FF CES1-21:?? CES1-22:FF CES1-24:?? CES1-27:PP CES1-31:?? "
                      "CNS1-01:?? CNS1-02:?? CNS1-03:?? CNS1-05:?? CNS1-07:PP CNS1-08:?? "
                      "SMC1-07:P? SMC1-10:PF",
}
CODE = {"pass": "P", "fail": "F", "open": "?"}


def _item(results, checks: list[str]) -> str:  # type: ignore[no-untyped-def]
    statuses = [results[c].status.value for c in checks]
    if "fail" in statuses:
        return "fail"
    return "pass" if all(s == "pass" for s in statuses) else "open"


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_weakest_and_hardest_corpus_files_told_apart_item_by_item(family: str) -> None:
    hardest, weakest = (assess_corpus(rel) for rel in PAIRS[family])
    got = []
    for unit, entries in sorted(mappings(3).items()):
        decisive = [m.check for m in entries
                    if m.decisive and m.check.startswith(f"netdev.{family}.")]
        if decisive:
            pair = CODE[_item(hardest, decisive)] + CODE[_item(weakest, decisive)]
            got.append(f"{unit[3:]}:{pair}")
    assert " ".join(got) == ITEMS[family]
    pairs = [g.split(":")[1] for g in got]
    rank = {"F": 0, "?": 1, "P": 2}
    better = sum(1 for p in pairs if rank[p[0]] > rank[p[1]])
    worse = sum(1 for p in pairs if rank[p[0]] < rank[p[1]])
    # apart: on no fewer items the hardest file stands better than the weakest than the reverse,
    # and on at least two the hardest meets what the weakest fails outright
    assert pairs.count("PF") >= 2 and better >= worse
