"""Ansible inventories as fleets of SSH targets."""

from __future__ import annotations

import pytest

from cityguard.core.errors import DataError, UsageError
from cityguard.system.inventory import load_inventory

INI = """
# government cloud, zone A
[web]
web1 ansible_host=10.1.0.11
web2 ansible_host=10.1.0.12 ansible_port=2222

[db]
db1 ansible_host=10.1.1.5 ansible_user=dba ansible_ssh_private_key_file=/keys/dba

[zone_a:children]
web
db

[zone_a:vars]
ansible_user=ops

[all:vars]
ansible_port=22
"""

YAML = """
all:
  vars:
    ansible_user: ops
  children:
    web:
      hosts:
        web1: {ansible_host: 10.1.0.11}
        web2: {ansible_host: "fd00::12", ansible_port: 2222}
    db:
      hosts:
        db1:
          ansible_host: 10.1.1.5
          ansible_user: dba
"""


def test_ini_groups_children_and_vars(tmp_path):
    f = tmp_path / "hosts.ini"
    f.write_text(INI, encoding="utf-8")
    inv = load_inventory(f)
    assert {h.name for h in inv.select("web")} == {"web1", "web2"}
    hosts = {h.name: h for h in inv.select("zone_a")}
    assert set(hosts) == {"web1", "web2", "db1"}
    assert hosts["web1"].spec == "ssh://ops@10.1.0.11:22"
    assert hosts["web2"].spec == "ssh://ops@10.1.0.12:2222"
    assert hosts["db1"].spec == "ssh://dba@10.1.1.5:22"
    assert hosts["db1"].identity_file == "/keys/dba"
    assert [h.name for h in inv.select("db1,web2")] == ["db1", "web2"]
    assert len(inv.select()) == 3


def test_yaml_inventory(tmp_path):
    f = tmp_path / "hosts.yml"
    f.write_text(YAML, encoding="utf-8")
    inv = load_inventory(f)
    hosts = {h.name: h for h in inv.select("all")}
    assert hosts["web2"].spec == "ssh://ops@[fd00::12]:2222"
    assert hosts["db1"].spec == "ssh://dba@10.1.1.5"
    assert {h.name for h in inv.select("web")} == {"web1", "web2"}


def test_unknown_limit_is_a_usage_error(tmp_path):
    f = tmp_path / "hosts.ini"
    f.write_text(INI, encoding="utf-8")
    with pytest.raises(UsageError, match="zone_b"):
        load_inventory(f).select("zone_b")


def test_bad_line_names_file_and_line(tmp_path):
    f = tmp_path / "hosts.ini"
    f.write_text("[web]\nweb1 ansible_host\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_inventory(f)
    assert exc.value.line == 2 and exc.value.path == str(f)


def test_connection_values_are_checked_where_they_are_set(tmp_path):
    """A bad user set in group vars is reported at that line; names are not repeated when
    they are the problem (the file may be any file handed over by mistake)."""
    f = tmp_path / "hosts.ini"
    f.write_text("[web]\nweb1 ansible_host=10.0.0.1\n\n[web:vars]\nansible_user=-oX=y\n",
                 encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_inventory(f)
    assert (exc.value.line, exc.value.field) == (5, "web1.ansible_user")
    assert "-oX" not in str(exc.value)
    f.write_text("[web]\nroot:$6$salt$hash:19000::\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_inventory(f)
    assert exc.value.line == 2 and exc.value.field is None and "$6$" not in str(exc.value)


def test_ansible_ssh_host_and_ipv6(tmp_path):
    f = tmp_path / "hosts.yml"
    f.write_text("all:\n  hosts:\n    db1: {ansible_ssh_host: 'fd00::5', ansible_ssh_port: 2202,"
                 " ansible_ssh_user: dba}\n", encoding="utf-8")
    (db1,) = load_inventory(f).select()
    assert db1.spec == "ssh://dba@[fd00::5]:2202"
