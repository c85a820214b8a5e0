"""The reviewed MLPS map (policies/mlps2/checkmap/l{1..4}.yaml): every mapping carries a role
and a reason, and the mappings the review removed or added stay that way (issue 11)."""

from __future__ import annotations

import pytest

from cityguard.policy.catalog import load_catalog
from cityguard.policy.checkmap import LEVELS, checkmap_file, load_file_mappings, load_mappings

SYSCTL = ("linux.network.ip_forwarding_disabled", "linux.network.redirects_refused",
          "linux.network.send_redirects_disabled", "linux.network.source_route_refused",
          "linux.network.syn_cookies_enabled", "linux.network.reverse_path_filter",
          "linux.network.icmp_broadcast_ignored", "linux.kernel.aslr_enabled",
          "linux.kernel.aslr_active", "linux.kernel.core_dumps_restricted",
          "linux.kernel.pointers_hidden")


def _l3() -> dict[str, dict[str, str]]:
    return {u: {m.check: m.role for m in ms}
            for u, ms in load_mappings(3, catalog=load_catalog()).items()}


@pytest.mark.parametrize("level", LEVELS)
def test_every_mapping_has_a_role_and_a_reason(level: int) -> None:
    path = checkmap_file(level)
    assert path is not None
    text = path.read_text(encoding="utf-8")
    for unit, mappings in load_file_mappings(path).items():
        for m in mappings:
            assert m.role in ("decisive", "advisory") and len(m.why) >= 10, (unit, m)
            assert f"check: {m.check}," in text, (unit, m.check)  # never a bare check id


def test_kernel_parameters_are_not_evidence_of_closed_services() -> None:
    """Unneeded services and ports (8.1.4.4 b) are closed services, not sysctl values."""
    l3 = _l3()
    assert not set(SYSCTL) & set(l3["L3-CES1-18"])
    for unit, roles in l3.items():
        for cid in SYSCTL:
            assert roles.get(cid, "advisory") == "advisory", (unit, cid)


def test_root_login_is_not_evidence_of_role_separation_or_stale_accounts() -> None:
    l3 = _l3()
    for unit in ("L3-CES1-07", "L3-CES1-08", "L3-SMC1-01"):
        assert "ssh.sshd.root_login_disabled" not in l3[unit], unit
    assert l3["L3-CES1-06"]["ssh.sshd.root_password_login_disabled"] == "decisive"


def test_insecure_server_packages_count_against_minimal_installation() -> None:
    l3 = _l3()["L3-CES1-17"]
    for cid in ("linux.services.telnet_server_absent", "linux.services.rsh_rlogin_absent",
                "linux.services.tftp_server_absent"):
        assert l3[cid] == "decisive", cid


def test_benchmark_settings_are_advice_and_questions_are_decisive() -> None:
    l3 = _l3()
    assert l3["L3-CES1-01"]["linux.accounts.login_defs_min_days"] == "advisory"
    assert l3["L3-CES1-15"]["linux.audit.rules_immutable"] == "advisory"
    assert l3["L3-CES1-21"]["nginx.http.server_tokens_off"] == "advisory"
    assert l3["L3-CES1-19"]["linux.network.ssh_source_restricted"] == "decisive"
    for unit, roles in l3.items():
        for cid, role in roles.items():
            if cid.startswith("linux.manual."):
                assert role == "decisive", (unit, cid)
