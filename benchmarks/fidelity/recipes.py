"""The Debian 12 roots of the fidelity benchmark: packages from Debian, then an admin's edits.

- plain     a server as a busy administrator leaves it after the installer: SSH, sudo,
            automatic security updates, nothing else configured;
- weak      badly configured: clear-text services, shared and password-less accounts, wide
            sudo, world-readable shadow, no updates for months;
- hardened  configured carefully for MLPS level 3 the Debian way (pam-auth-update,
            sshd_config.d, auditd rules.d, nftables, AppArmor, rsyslog forwarding, restic
            backups called from a systemd timer), with benchmark extras deliberately left at
            the distribution defaults where level 3 does not ask for them;
- web       the hardened host serving a site with nginx over TLS;
- db        a PostgreSQL host, half hardened: password policy but no lockout, local dumps
            only, no audit daemon.

The RHEL-like (openEuler layout) root is assembled by hand in openeuler.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rootedit import (
    append,
    authorized_key,
    chmod,
    chroot,
    disable,
    enable,
    link,
    logs,
    remove,
    replace,
    shadow_password_field,
    user,
    write,
)

MIRROR = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"
FULL_SOURCES = (f"deb {MIRROR} bookworm main", f"deb {MIRROR} bookworm-updates main",
                f"deb {SECURITY} bookworm-security main")
# a public key only (no secret): administrators log in with keys
ADMIN_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHc0J2cKz1f3YV2t4x9mS8c8mVQ0eRrQm8xkq3r0yq1u"
             " zhangsan@ops")
RSYSLOG_LOGS = {"/var/log/syslog": 0o640, "/var/log/auth.log": 0o640,
                "/var/log/kern.log": 0o640, "/var/log/user.log": 0o640}
BASE = ["systemd-sysv", "openssh-server", "sudo", "cron", "logrotate", "systemd-timesyncd",
        "vim-tiny", "less", "ca-certificates", "curl", "procps", "iproute2", "netbase",
        "ifupdown", "locales", "man-db", "apparmor"]


@dataclass
class Recipe:
    name: str
    packages: list[str]
    edit: Callable[[Path], None]
    sources: tuple[str, ...] = FULL_SOURCES
    # sources added after the packages are installed (apt lists refreshed): what the host
    # would see with `apt update` today
    later_sources: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def _hostname(root: Path, name: str) -> None:
    write(root, "/etc/hostname", name + "\n")


# -- plain ----------------------------------------------------------------------------------


def edit_plain(root: Path) -> None:
    _hostname(root, "plain01")
    user(root, "ops", password="Summer2024", groups="sudo")
    authorized_key(root, "ops", ADMIN_KEY)
    chroot(root, "chpasswd", stdin="root:Debian12root\n")
    # the installer's unattended-upgrades: security updates are applied automatically
    write(root, "/etc/apt/apt.conf.d/20auto-upgrades",
          'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n')
    logs(root, RSYSLOG_LOGS)


PLAIN = Recipe("plain", BASE + ["unattended-upgrades", "rsyslog"], edit_plain)


# -- weak -----------------------------------------------------------------------------------


def edit_weak(root: Path) -> None:
    _hostname(root, "weak01")
    user(root, "ops", password="123456", groups="sudo")
    user(root, "test", groups="")
    shadow_password_field(root, "test", "")  # no password at all
    user(root, "guest", password="guest")
    user(root, "admin2", password="admin2", uid=0, shell="/bin/bash")
    chroot(root, "chpasswd", stdin="root:root\n")
    write(root, "/etc/ssh/sshd_config.d/10-legacy.conf",
          "PermitRootLogin yes\nPermitEmptyPasswords yes\nPasswordAuthentication yes\n"
          "Ciphers aes128-cbc,3des-cbc,aes256-ctr\nMACs hmac-md5,hmac-sha1\n"
          "X11Forwarding yes\nLoginGraceTime 600\nMaxAuthTries 10\n")
    write(root, "/etc/sudoers.d/90-ops",
          "%sudo ALL=(ALL) NOPASSWD: ALL\nguest ALL=(ALL) ALL\nDefaults !authenticate\n",
          0o440)
    chmod(root, "/etc/shadow", 0o644)
    chmod(root, "/etc/passwd", 0o666)
    # NFS share open to the world with root access, a guest Samba share, SNMP "public"
    write(root, "/etc/exports", "/srv *(rw,no_root_squash,insecure)\n")
    append(root, "/etc/samba/smb.conf",
           "\n[public]\n   path = /srv/public\n   guest ok = yes\n   read only = no\n")
    replace(root, "/etc/snmp/snmpd.conf", r"^#?\s*rocommunity\s+public.*$",
            "rocommunity public default")
    append(root, "/etc/snmp/snmpd.conf", "rwcommunity private default\n")
    replace(root, "/etc/vsftpd.conf", r"^anonymous_enable=NO", "anonymous_enable=YES")
    # telnet switched on in inetd (update-inetd installs it commented out)
    replace(root, "/etc/inetd.conf", r"^#<off># (telnet\s)", "\\1")
    write(root, "/etc/issue", "Debian GNU/Linux 12 \\n \\l\n")
    write(root, "/etc/profile.d/umask.sh", "umask 000\n")
    logs(root, RSYSLOG_LOGS)  # inetutils-syslogd writes the same files


WEAK = Recipe(
    "weak",
    BASE + ["telnetd", "openbsd-inetd", "rsh-redone-server", "rsh-redone-client", "telnet",
            "vsftpd", "tftpd-hpa", "nfs-kernel-server", "samba", "snmpd", "gcc", "make"],
    edit_weak,
    sources=(f"deb {MIRROR} bookworm main",),
    later_sources=FULL_SOURCES,
)


# -- hardened -------------------------------------------------------------------------------

# chrony replaces systemd-timesyncd (both provide time-daemon)
HARDENED_PACKAGES = [p for p in BASE if p != "systemd-timesyncd"] + [
    "unattended-upgrades", "rsyslog", "chrony", "auditd", "audispd-plugins", "libpam-pwquality",
    "apparmor-utils", "apparmor-profiles", "nftables", "aide", "clamav",
    "clamav-freshclam", "fail2ban", "restic", "rsync",
]

SSHD_MLPS = """\
# MLPS level 3 (8.1.4.1, 8.1.4.4): personal accounts only, two factors, strong crypto
PermitRootLogin no
AuthenticationMethods publickey,password
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowGroups sshusers
MaxAuthTries 4
LoginGraceTime 60
ClientAliveInterval 300
ClientAliveCountMax 2
LogLevel VERBOSE
Banner /etc/issue.net
X11Forwarding no
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512
"""

AUDIT_RULES = """\
## MLPS 8.1.4.3: every user, important actions and security events
-w /etc/passwd -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/group -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/sudoers -p wa -k scope
-w /etc/sudoers.d/ -p wa -k scope
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock -p wa -k logins
-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change
-w /etc/localtime -p wa -k time-change
-a always,exit -F arch=b64 -S execve -C euid!=uid -F euid=0 -k privileged
-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k modules
-w /etc/audit/ -p wa -k auditconfig
-w /etc/ssh/sshd_config -p wa -k sshd
""" + ("-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat"
       " -F auid>=1000 -F auid!=unset -k perm_mod\n")

NFT = """\
#!/usr/sbin/nft -f
flush ruleset
table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        ct state established,related accept
        iif lo accept
        # administration only from the bastion network (MLPS 8.1.4.4 c)
        ip saddr 10.10.0.0/24 tcp dport 22 accept
        ip protocol icmp accept
    }
    chain forward { type filter hook forward priority 0; policy drop; }
    chain output { type filter hook output priority 0; policy accept; }
}
"""

RSYSLOGD_PROFILE = """\
#include <tunables/global>
profile rsyslogd /usr/sbin/rsyslogd {
  #include <abstractions/base>
  #include <abstractions/nameservice>
  capability syslog,
  capability sys_tty_config,
  /etc/rsyslog.conf r,
  /etc/rsyslog.d/ r,
  /etc/rsyslog.d/** r,
  /var/log/** rw,
  /var/spool/rsyslog/** rw,
  /run/rsyslogd.pid rwk,
  /dev/log w,
}
"""

BACKUP_SCRIPT = """\
#!/bin/sh
# nightly backup: local restic repository, then a copy to the backup site
set -eu
export RESTIC_PASSWORD_FILE=/etc/restic/password
restic -r /srv/backup/restic backup /etc /srv/app /var/log --tag nightly
restic -r /srv/backup/restic forget --keep-daily 14 --keep-monthly 12 --prune
rsync -a --delete /srv/backup/restic/ backup@10.10.0.9:/srv/backups/$(hostname)/
"""


def _pam_hardened(root: Path) -> None:
    # pam-auth-update already put pam_pwquality in common-password (libpam-pwquality)
    write(root, "/etc/security/pwquality.conf",
          "minlen = 10\nminclass = 3\ndictcheck = 1\nusercheck = 1\nretry = 3\n")
    # pam_faillock around pam_unix (pam_faillock(8)); nullok dropped
    write(root, "/etc/pam.d/common-auth", (
        "auth\trequired\t\t\tpam_faillock.so preauth\n"
        "auth\t[success=1 default=bad]\tpam_unix.so\n"
        "auth\t[default=die]\t\t\tpam_faillock.so authfail\n"
        "auth\tsufficient\t\t\tpam_faillock.so authsucc\n"
        "auth\trequisite\t\t\tpam_deny.so\n"
        "auth\trequired\t\t\tpam_permit.so\n"))
    append(root, "/etc/pam.d/common-account", "account\trequired\t\t\tpam_faillock.so\n")
    write(root, "/etc/security/faillock.conf", "deny = 5\nunlock_time = 900\naudit\n")
    replace(root, "/etc/pam.d/common-password",
            r"^(password\s+\[success=1 default=ignore\]\s+pam_unix)",
            "password\trequired\t\t\tpam_pwhistory.so remember=5 use_authtok\n\\1", count=1)
    replace(root, "/etc/pam.d/su", r"^#\s*(auth\s+required\s+pam_wheel\.so)\s*$",
            "\\1 group=sysadm", count=1)
    for key, value in (("PASS_MAX_DAYS", "90"), ("PASS_MIN_DAYS", "1"), ("PASS_WARN_AGE", "7"),
                       ("UMASK", "027")):
        replace(root, "/etc/login.defs", rf"^{key}\s+\S+", f"{key}\t{value}")
    replace(root, "/etc/default/useradd", r"^#?\s*INACTIVE=.*$", "INACTIVE=30")


def _accounts_hardened(root: Path) -> None:
    for group in ("sysadm", "audadm", "secadm", "sshusers"):
        chroot(root, "groupadd", group)
    user(root, "zhangsan", password="Zs!2024-ops-Secure", groups="sysadm,sshusers", max_days=90)
    user(root, "lisi", password="Ls#2024-audit-Log", groups="audadm,sshusers", max_days=90)
    user(root, "wangwu", password="Ww$2024-sec-Policy", groups="secadm,sshusers", max_days=90)
    for name in ("zhangsan", "lisi", "wangwu"):
        authorized_key(root, name, ADMIN_KEY)
    chroot(root, "passwd", "-l", "root")
    write(root, "/etc/sudoers.d/10-roles", (
        "Defaults logfile=\"/var/log/sudo.log\"\n"
        "Defaults timestamp_timeout=5\n"
        "# system administrators: services, packages, network (no audit logs)\n"
        "Cmnd_Alias SYSADM = /usr/bin/systemctl, /usr/bin/apt, /usr/bin/apt-get, /usr/sbin/ip, "
        "/usr/sbin/nft, /usr/bin/journalctl\n"
        "Cmnd_Alias AUDADM = /usr/sbin/ausearch, /usr/sbin/aureport, /usr/bin/less /var/log/*\n"
        "Cmnd_Alias SECADM = /usr/sbin/aa-status, /usr/sbin/aa-enforce, /usr/sbin/faillock, "
        "/usr/bin/chage\n"
        "%sysadm ALL=(root) SYSADM\n%audadm ALL=(root) AUDADM\n%secadm ALL=(root) SECADM\n"), 0o440)


def _logging_hardened(root: Path) -> None:
    write(root, "/etc/rsyslog.d/90-central.conf",
          "# every message to the SOC's log collector, queued while it is unreachable\n"
          "*.* action(type=\"omfwd\" target=\"10.10.0.5\" port=\"514\" protocol=\"tcp\"\n"
          "       queue.type=\"LinkedList\" queue.filename=\"central\"\n"
          "       action.resumeRetryCount=\"-1\")\n")
    replace(root, "/etc/audit/plugins.d/syslog.conf", r"^active\s*=\s*no", "active = yes")
    replace(root, "/etc/logrotate.d/rsyslog", r"rotate\s+4", "rotate 26")
    replace(root, "/etc/logrotate.conf", r"^rotate\s+4", "rotate 26")
    replace(root, "/etc/audit/auditd.conf", r"^num_logs\s*=.*$", "num_logs = 99")
    replace(root, "/etc/audit/auditd.conf", r"^space_left_action\s*=.*$",
            "space_left_action = email")
    replace(root, "/etc/audit/auditd.conf", r"^admin_space_left_action\s*=.*$",
            "admin_space_left_action = single")
    write(root, "/etc/audit/rules.d/50-mlps.rules", AUDIT_RULES, 0o640)
    write(root, "/etc/audit/rules.d/99-finalize.rules", "-e 2\n", 0o640)
    replace(root, "/etc/chrony/chrony.conf", r"^pool .*$", "server 10.10.0.1 iburst")


def edit_hardened(root: Path, hostname: str = "hard01") -> None:
    _hostname(root, hostname)
    _accounts_hardened(root)
    _pam_hardened(root)
    write(root, "/etc/ssh/sshd_config.d/50-mlps.conf", SSHD_MLPS, 0o600)
    chmod(root, "/etc/ssh/sshd_config", 0o600)
    write(root, "/etc/issue.net", "Authorised use only. Activity is monitored and recorded.\n")
    write(root, "/etc/issue", "Authorised use only. Activity is monitored and recorded.\n")
    write(root, "/etc/profile.d/tmout.sh", "readonly TMOUT=600\nexport TMOUT\n")
    write(root, "/etc/nftables.conf", NFT, 0o755)
    enable(root, "nftables.service")
    _logging_hardened(root)
    write(root, "/etc/apt/apt.conf.d/20auto-upgrades",
          'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n')
    write(root, "/etc/fail2ban/jail.d/sshd.local", "[sshd]\nenabled = true\nbantime = 1h\n")
    # backups: a script called by a timer (the evidence is inside the script)
    write(root, "/etc/restic/password", "fidelity-benchmark-not-a-real-secret\n", 0o600)
    write(root, "/usr/local/sbin/mlps-backup", BACKUP_SCRIPT, 0o750)
    write(root, "/etc/systemd/system/mlps-backup.service",
          "[Unit]\nDescription=Nightly backup\n[Service]\nType=oneshot\n"
          "ExecStart=/usr/local/sbin/mlps-backup\n")
    write(root, "/etc/systemd/system/mlps-backup.timer",
          "[Unit]\nDescription=Nightly backup\n[Timer]\nOnCalendar=*-*-* 02:30\n"
          "Persistent=true\n[Install]\nWantedBy=timers.target\n")
    enable(root, "mlps-backup.timer")
    # AppArmor: the shipped chronyd profile enforces; Debian ships none for rsyslogd, so the
    # administrator wrote one (the extra profiles stay as shipped)
    write(root, "/etc/apparmor.d/usr.sbin.rsyslogd", RSYSLOGD_PROFILE)
    # bookworm's aide runs nothing by itself: the administrator schedules the daily check
    write(root, "/etc/cron.d/aide", "# daily file-integrity check, report to root\n"
          "0 5 * * * root /usr/bin/aide --config /etc/aide/aide.conf --check\n")
    logs(root, {**RSYSLOG_LOGS, "/var/log/audit/audit.log": 0o640, "/var/log/sudo.log": 0o600})


HARDENED = Recipe("hardened", HARDENED_PACKAGES, edit_hardened)


# -- web ------------------------------------------------------------------------------------

NGINX_SITE = """\
server {
    listen 80 default_server;
    server_name portal.city.example;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl http2 default_server;
    server_name portal.city.example;
    ssl_certificate /etc/ssl/certs/portal.pem;
    ssl_certificate_key /etc/ssl/private/portal.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers HIGH:!aNULL:!MD5:!3DES:!RC4;
    add_header Strict-Transport-Security "max-age=31536000" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options SAMEORIGIN always;
    root /srv/app/public;
    access_log /var/log/nginx/portal.access.log;
    location / { try_files $uri $uri/ =404; }
}
"""

NGINX_PROFILE = """\
#include <tunables/global>
/usr/sbin/nginx {
  #include <abstractions/base>
  #include <abstractions/nameservice>
  #include <abstractions/openssl>
  capability net_bind_service,
  capability setuid,
  capability setgid,
  capability dac_override,
  /usr/sbin/nginx mr,
  /etc/nginx/** r,
  /etc/ssl/** r,
  /srv/app/public/** r,
  /var/log/nginx/* w,
  /run/nginx.pid rw,
  /var/lib/nginx/** rw,
}
"""


def edit_web(root: Path) -> None:
    edit_hardened(root, "web01")
    write(root, "/etc/nginx/sites-available/portal", NGINX_SITE)
    remove(root, "/etc/nginx/sites-enabled/default")
    link(root, "/etc/nginx/sites-enabled/portal", "/etc/nginx/sites-available/portal")
    write(root, "/etc/ssl/certs/portal.pem", "# certificate of the benchmark site (public)\n")
    write(root, "/etc/ssl/private/portal.key", "# key placeholder of the benchmark\n", 0o600)
    write(root, "/etc/apparmor.d/usr.sbin.nginx", NGINX_PROFILE)
    write(root, "/srv/app/public/index.html", "<h1>portal</h1>\n")
    replace(root, "/etc/nftables.conf", r"(ip protocol icmp accept)",
            "tcp dport { 80, 443 } accept\n        \\1")


WEB = Recipe("web", HARDENED_PACKAGES + ["nginx"], edit_web)


# -- db -------------------------------------------------------------------------------------


def edit_db(root: Path) -> None:
    _hostname(root, "db01")
    user(root, "dba", password="Db@2024-postgres", groups="sudo", max_days=90)
    authorized_key(root, "dba", ADMIN_KEY)
    chroot(root, "chpasswd", stdin="root:Pg-root-2023\n")
    write(root, "/etc/security/pwquality.conf", "minlen = 12\nminclass = 3\n")
    for key, value in (("PASS_MAX_DAYS", "90"), ("PASS_MIN_DAYS", "1")):
        replace(root, "/etc/login.defs", rf"^{key}\s+\S+", f"{key}\t{value}")
    chroot(root, "chage", "-M", "90", "root")
    write(root, "/etc/ssh/sshd_config.d/20-db.conf",
          "PermitRootLogin no\nClientAliveInterval 600\nClientAliveCountMax 1\n")
    write(root, "/etc/profile.d/tmout.sh", "TMOUT=900\nexport TMOUT\n")
    conf = "/etc/postgresql/15/main/postgresql.conf"
    replace(root, conf, r"^#?listen_addresses\s*=.*$", "listen_addresses = '10.20.0.11'")
    replace(root, conf, r"^#?log_connections\s*=.*$", "log_connections = on")
    replace(root, conf, r"^#?log_disconnections\s*=.*$", "log_disconnections = on")
    replace(root, conf, r"^#?log_line_prefix\s*=.*$", "log_line_prefix = '%m [%p] %q%u@%d '")
    append(root, "/etc/postgresql/15/main/pg_hba.conf",
           "hostssl appdb app 10.20.0.0/24 scram-sha-256\n")
    write(root, "/etc/cron.d/pg-backup",
          "# nightly dump of the application database, kept 14 days on the local disk\n"
          "30 1 * * * postgres pg_dump -Fc appdb -f /var/backups/pg/appdb-$(date +\\%F).dump\n"
          "30 3 * * * postgres find /var/backups/pg -name '*.dump' -mtime +14 -delete\n")
    disable(root, "apparmor.service")
    logs(root, {**RSYSLOG_LOGS, "/var/log/postgresql/postgresql-15-main.log": 0o640})


DB = Recipe("db", BASE + ["unattended-upgrades", "rsyslog", "libpam-pwquality", "postgresql"],
            edit_db)

RECIPES = {r.name: r for r in (PLAIN, WEAK, HARDENED, WEB, DB)}
