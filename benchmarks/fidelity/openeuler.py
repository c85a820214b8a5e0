"""An openEuler 22.03-style root, assembled by hand (no openEuler mirror is reachable here).

The layout is the RHEL family's: authselect-style system-auth / password-auth, firewalld
zones, SELinux, /var/log/secure, /etc/yum.repos.d, units under /usr/lib/systemd/system and a
real RPM database (rpmdb.sqlite) written by the `rpm` program from empty packages carrying
openEuler's package names and versions. The administrator configured it moderately well:
SELinux enforcing, firewalld limits SSH to the bastion network, faillock and pwquality through
authselect, auditd with a few rules forwarding through rsyslog, a backup script copying to a
backup server; no anti-malware, no MFA, telnet client left installed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from rootedit import link, write

RELEASE = "oe2203sp3"
PACKAGES = {  # name → version-release
    "openssh-server": "8.8p1-21", "openssh-clients": "8.8p1-21", "openssh": "8.8p1-21",
    "audit": "3.0.1-11", "rsyslog": "8.2110.0-17", "chrony": "4.1-5",
    "firewalld": "1.2.1-3", "pam": "1.5.2-7", "libpwquality": "1.4.4-3", "sudo": "1.9.8p2-10",
    "cronie": "1.5.7-5", "logrotate": "3.20.1-3", "selinux-policy-targeted": "35.5-21",
    "aide": "0.17.4-1", "telnet": "0.17-80", "systemd": "249-68", "shadow": "4.9-11",
    "tar": "1.34-6", "rsync": "3.2.5-3", "dnf": "4.14.0-21",
}
UNITS = {  # unit → enabled
    "sshd.service": True, "auditd.service": True, "rsyslog.service": True,
    "chronyd.service": True, "firewalld.service": True, "crond.service": True,
    "systemd-journald.service": False, "tmp.mount": False,
}

FILES = {
    "/etc/os-release": 'NAME="openEuler"\nVERSION="22.03 (LTS-SP3)"\nID="openEuler"\n'
                       'VERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 (LTS-SP3)"\n'
                       'ANSI_COLOR="0;31"\n',
    "/etc/openEuler-release": "openEuler release 22.03 (LTS-SP3)\n",
    "/etc/hostname": "oe01\n",
    "/etc/passwd": (
        "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\n"
        "daemon:x:2:2:daemon:/sbin:/sbin/nologin\nadm:x:3:4:adm:/var/adm:/sbin/nologin\n"
        "sync:x:5:0:sync:/sbin:/bin/sync\nshutdown:x:6:0:shutdown:/sbin:/sbin/shutdown\n"
        "halt:x:7:0:halt:/sbin:/sbin/halt\n"
        "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n"
        "sshd:x:74:74:Privilege-separated SSH:/usr/share/empty.sshd:/sbin/nologin\n"
        "chrony:x:993:990::/var/lib/chrony:/sbin/nologin\n"
        "zhaoliu:x:1000:1000::/home/zhaoliu:/bin/bash\nsunqi:x:1001:1001::/home/sunqi:/bin/bash\n"),
    "/etc/group": (
        "root:x:0:\nbin:x:1:\ndaemon:x:2:\nadm:x:4:\nwheel:x:10:zhaoliu\nnobody:x:65534:\n"
        "sshd:x:74:\nssh_keys:x:995:\nchrony:x:990:\nzhaoliu:x:1000:\nsunqi:x:1001:\n"
        "auditors:x:1002:sunqi\n"),
    "/etc/shadow": (
        "root:!!$6$oe$W1x:19700:0:99999:7:::\nbin:*:19700:0:99999:7:::\n"
        "daemon:*:19700:0:99999:7:::\nadm:*:19700:0:99999:7:::\nsync:*:19700:0:99999:7:::\n"
        "shutdown:*:19700:0:99999:7:::\nhalt:*:19700:0:99999:7:::\nnobody:*:19700:0:99999:7:::\n"
        "sshd:!!:19700::::::\nchrony:!!:19700::::::\n"
        "zhaoliu:$6$oe1$hashedpasswordnotreal:19900:1:90:7:30::\n"
        "sunqi:$6$oe2$hashedpasswordnotreal:19900:1:90:7:30::\n"),
    "/etc/gshadow": "root:::\nwheel:::zhaoliu\nauditors:::sunqi\n",
    "/etc/login.defs": (
        "MAIL_DIR /var/spool/mail\nPASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nPASS_MIN_LEN 8\n"
        "PASS_WARN_AGE 7\nUID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\nCREATE_HOME yes\n"
        "UMASK 077\nUSERGROUPS_ENAB yes\nENCRYPT_METHOD SHA512\n"),
    "/etc/default/useradd": "GROUP=100\nHOME=/home\nINACTIVE=30\nEXPIRE=\nSHELL=/bin/bash\n",
    "/etc/security/pwquality.conf": "minlen = 8\nminclass = 3\nenforce_for_root\n",
    "/etc/security/faillock.conf": "deny = 3\nunlock_time = 300\neven_deny_root\n",
    "/etc/pam.d/system-auth": (
        "auth        required      pam_env.so\n"
        "auth        required      pam_faillock.so preauth silent\n"
        "auth        sufficient    pam_unix.so try_first_pass\n"
        "auth        [default=die] pam_faillock.so authfail\n"
        "auth        required      pam_deny.so\n"
        "account     required      pam_faillock.so\n"
        "account     required      pam_unix.so\n"
        "password    requisite     pam_pwquality.so try_first_pass local_users_only\n"
        "password    required      pam_pwhistory.so use_authtok remember=5\n"
        "password    sufficient    pam_unix.so sha512 shadow try_first_pass use_authtok\n"
        "password    required      pam_deny.so\n"
        "session     required      pam_limits.so\n"
        "session     required      pam_unix.so\n"),
    "/etc/pam.d/sshd": "auth substack password-auth\naccount include password-auth\n"
                       "password include password-auth\nsession include password-auth\n",
    "/etc/pam.d/su": "auth sufficient pam_rootok.so\nauth required pam_wheel.so use_uid\n"
                     "auth substack system-auth\n",
    "/etc/ssh/sshd_config": (
        "Protocol 2\nSyslogFacility AUTHPRIV\nLogLevel VERBOSE\nPermitRootLogin no\n"
        "MaxAuthTries 3\nPubkeyAuthentication yes\nPasswordAuthentication yes\n"
        "PermitEmptyPasswords no\nChallengeResponseAuthentication no\nUsePAM yes\n"
        "X11Forwarding no\nClientAliveInterval 300\nClientAliveCountMax 0\n"
        "Banner /etc/issue.net\n"
        "Ciphers aes128-ctr,aes192-ctr,aes256-ctr,chacha20-poly1305@openssh.com,"
        "aes128-gcm@openssh.com,aes256-gcm@openssh.com\n"
        "MACs hmac-sha2-512,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
        "hmac-sha2-256-etm@openssh.com\n"
        "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,"
        "diffie-hellman-group-exchange-sha256\n"
        "Subsystem sftp /usr/libexec/openssh/sftp-server -l INFO -f AUTH\n"),
    "/etc/issue.net": "Authorized users only. All activities may be monitored and reported.\n",
    "/etc/issue": "Authorized users only. All activities may be monitored and reported.\n",
    "/etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
    "/etc/default/grub": 'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="crashkernel=512M rhgb quiet"\n',
    "/etc/firewalld/firewalld.conf": "DefaultZone=public\n",
    "/etc/firewalld/zones/public.xml": (
        '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n'
        '  <service name="dhcpv6-client"/>\n'
        '  <rule family="ipv4">\n    <source address="10.30.0.0/24"/>\n'
        '    <service name="ssh"/>\n    <accept/>\n  </rule>\n</zone>\n'),
    "/etc/audit/auditd.conf": (
        "log_file = /var/log/audit/audit.log\nlog_group = root\nmax_log_file = 50\n"
        "num_logs = 20\nmax_log_file_action = ROTATE\nspace_left_action = SYSLOG\n"
        "admin_space_left_action = SUSPEND\ndisk_full_action = SUSPEND\n"),
    "/etc/audit/rules.d/audit.rules": (
        "-D\n-b 8192\n-f 1\n-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
        "-w /etc/group -p wa -k identity\n-w /etc/sudoers -p wa -k scope\n"
        "-a always,exit -F arch=b64 -S execve -C euid!=uid -F euid=0 -k privileged\n"),
    "/etc/audit/plugins.d/syslog.conf": "active = yes\ndirection = out\npath = builtin_syslog\n"
                                        "type = builtin\nargs = LOG_INFO\nformat = string\n",
    "/etc/rsyslog.conf": (
        "module(load=\"imjournal\" StateFile=\"imjournal.state\")\n"
        "$WorkDirectory /var/lib/rsyslog\n$IncludeConfig /etc/rsyslog.d/*.conf\n"
        "*.info;mail.none;authpriv.none;cron.none                /var/log/messages\n"
        "authpriv.*                                              /var/log/secure\n"
        "cron.*                                                  /var/log/cron\n"),
    "/etc/rsyslog.d/remote.conf": "*.* @@10.30.0.5:514\n",
    "/etc/logrotate.conf": "weekly\nrotate 26\ncreate\ndateext\ninclude /etc/logrotate.d\n",
    "/etc/logrotate.d/rsyslog": (
        "/var/log/cron\n/var/log/maillog\n/var/log/messages\n/var/log/secure\n"
        "{\n    missingok\n    sharedscripts\n    postrotate\n"
        "        /usr/bin/systemctl kill -s HUP rsyslog.service >/dev/null 2>&1 || true\n"
        "    endscript\n}\n"),
    "/etc/chrony.conf": "server 10.30.0.1 iburst\ndriftfile /var/lib/chrony/drift\n"
                        "makestep 1.0 3\n",
    "/etc/crontab": "SHELL=/bin/bash\nPATH=/sbin:/bin:/usr/sbin:/usr/bin\nMAILTO=root\n",
    "/etc/cron.d/backup": "15 1 * * * root /usr/local/bin/backup.sh\n",
    "/etc/cron.daily/logrotate": "#!/bin/sh\n/usr/sbin/logrotate /etc/logrotate.conf\n",
    "/usr/local/bin/backup.sh": (
        "#!/bin/bash\n# application data and configuration, 30 days locally, copied off-site\n"
        "set -e\nday=$(date +%F)\n"
        "tar czf /backup/data-$day.tgz /etc /data\n"
        "scp -q /backup/data-$day.tgz backup@10.30.0.9:/srv/backup/oe01/\n"
        "find /backup -name 'data-*.tgz' -mtime +30 -delete\n"),
    "/etc/profile.d/timeout.sh": "export TMOUT=300\nreadonly TMOUT\n",
    "/etc/sudoers": (
        "Defaults   !visiblepw\nDefaults    env_reset\nDefaults    use_pty\n"
        "Defaults    logfile=/var/log/sudo.log\nroot    ALL=(ALL)       ALL\n"
        "%wheel  ALL=(ALL)       ALL\n"
        "%auditors ALL=(root) /usr/sbin/ausearch, /usr/sbin/aureport\n"),
    "/etc/yum.repos.d/openEuler.repo": (
        "[OS]\nname=OS\nbaseurl=http://repo.openeuler.org/openEuler-22.03-LTS-SP3/OS/$basearch/\n"
        "enabled=1\ngpgcheck=1\n"
        "gpgkey=http://repo.openeuler.org/openEuler-22.03-LTS-SP3/OS/$basearch/"
        "RPM-GPG-KEY-openEuler\n"),
    "/etc/dnf/dnf.conf": "[main]\ngpgcheck=1\ninstallonly_limit=3\n"
                         "clean_requirements_on_remove=True\n",
    "/etc/aide.conf": "database_in=file:/var/lib/aide/aide.db.gz\n/etc NORMAL\n/usr/bin NORMAL\n",
}
MODES = {"/etc/shadow": 0o000, "/etc/gshadow": 0o000, "/etc/ssh/sshd_config": 0o600,
         "/etc/sudoers": 0o440, "/usr/local/bin/backup.sh": 0o750, "/etc/crontab": 0o600,
         "/etc/cron.daily/logrotate": 0o755, "/etc/audit/rules.d/audit.rules": 0o600}
BINARIES = ("/usr/sbin/sshd", "/usr/sbin/auditd", "/usr/sbin/rsyslogd", "/usr/sbin/chronyd",
            "/usr/sbin/firewalld", "/usr/sbin/crond", "/usr/sbin/aide", "/usr/bin/telnet",
            "/usr/bin/sudo", "/usr/bin/rpm")


def assemble(root: Path) -> None:
    for path, text in FILES.items():
        write(root, path, text, MODES.get(path, 0o644))
    # authselect writes the same stack to both: system-auth (local), password-auth (remote)
    write(root, "/etc/pam.d/password-auth", FILES["/etc/pam.d/system-auth"])
    for path in BINARIES:
        write(root, path, "", 0o755)
    for unit, enabled in UNITS.items():
        write(root, f"/usr/lib/systemd/system/{unit}",
              f"[Unit]\nDescription={unit}\n[Install]\nWantedBy=multi-user.target\n")
        if enabled:
            link(root, f"/etc/systemd/system/multi-user.target.wants/{unit}",
                 f"/usr/lib/systemd/system/{unit}")
    for key in ("ssh_host_ecdsa_key", "ssh_host_ed25519_key", "ssh_host_rsa_key"):
        write(root, f"/etc/ssh/{key}", "", 0o640)  # empty: no key material in the benchmark
    (root / "var/log/audit").mkdir(parents=True, exist_ok=True)
    write(root, "/var/log/secure", "", 0o600)
    write(root, "/var/log/audit/audit.log", "", 0o600)
    rpm_database(root)


def rpm_database(root: Path) -> None:
    """/var/lib/rpm/rpmdb.sqlite holding PACKAGES, written by rpm itself (sqlite backend)."""
    dbpath = root / "var/lib/rpm"
    dbpath.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp)
        rpms = []
        for name, vr in PACKAGES.items():
            version, release = vr.rsplit("-", 1)
            spec = top / f"{name}.spec"
            spec.write_text(
                f"Name: {name}\nVersion: {version}\nRelease: {release}.{RELEASE}\n"
                f"Summary: {name} (fidelity benchmark)\nLicense: MIT\nBuildArch: x86_64\n"
                f"%description\n{name}\n%files\n", encoding="utf-8")
            subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}",
                            "--define", "_build_id_links none", str(spec)],
                           check=True, capture_output=True)
        rpms = sorted(str(p) for p in (top / "RPMS").rglob("*.rpm"))
        subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm",
                        "--define", "_db_backend sqlite", "--initdb"], check=True)
        subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm",
                        "--define", "_db_backend sqlite", "-i", "--nodeps", "--justdb",
                        "--noscripts", "--ignorearch", "--ignoreos", *rpms],
                       check=True, capture_output=True)
    for p in dbpath.iterdir():
        os.chmod(p, 0o644)
