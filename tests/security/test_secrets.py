"""No secret of an assessed host leaves it: not in a report, not in the store, not on screen.

A real `cityguard assess --target dir:ROOT` runs over a host tree whose cron tables, systemd
units and scripts carry passwords on command lines (the backup checks quote such lines as
evidence); every report format is written and the store kept. Each secret is a fresh random
word, so finding it anywhere (an output file, the bytes of the SQLite store and its journal,
the terminal) can only mean it leaked. The masked lines must still be there: the evidence is
kept, only the secret is gone.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from bounded import run_bounded

from cityguard.core.redact import redact, redact_text
from cityguard.ingest import values


def _secret(tag: str) -> str:
    return f"{tag}{uuid.uuid4().hex[:12]}"


# (command line with {s} where the secret goes, what must remain of it)
CASES = [
    ("mysqldump -uroot -p{s} --all-databases | gzip > /b/all.sql.gz", "mysqldump -uroot -p***"),
    ("mysqldump -u root -p'{s}' appdb", "-p***"),
    ('mysql -uroot -p"{s}" -e "select 1"', "-p***"),
    ("mysql --password {s} -e 'select 1'", "--password ***"),
    ("mysqldump --user=root --password={s} appdb", "--password=***"),
    ("mariadb-dump -p{s} --all-databases", "-p***"),
    ("redis-cli -a {s} --rdb /b/dump.rdb", "redis-cli -a ***"),
    ("redis-cli -h 127.0.0.1 -a{s} save", "-a***"),
    ("redis-cli -u redis://:{s}@127.0.0.1:6379 ping", "redis://:***@"),
    ("sshpass -p {s} rsync -a /data b@10.0.0.9:/srv", "sshpass -p ***"),
    ("sshpass -p{s} ssh b@h", "-p***"),
    ("curl -u backup:{s} -T /b/x.gz https://store.example.gov.cn/", "curl -u backup:***"),
    ("curl --user backup:{s} https://x/", "--user backup:***"),
    ("wget --http-password={s} https://x/f", "--http-password=***"),
    ("borg create --passphrase {s} /mnt/borg::daily /data", "--passphrase ***"),
    ("PGPASSWORD={s} pg_dump -h db -U app appdb", "PGPASSWORD=***"),
    ("export BORG_PASSPHRASE='{s}'", "BORG_PASSPHRASE=***"),
    ("MYSQL_PWD={s} mysqldump appdb", "MYSQL_PWD=***"),
    ("Environment=RESTIC_PASSWORD={s}", "RESTIC_PASSWORD=***"),
    ("DB_PASS={s} ./backup", "DB_PASS=***"),
    ("AWS_SECRET_ACCESS_KEY={s} aws s3 cp x s3://b/", "AWS_SECRET_ACCESS_KEY=***"),
    ("rsync -a /data rsync://sync:{s}@backup.example.gov.cn/m", "rsync://sync:***@"),
    ("mongodump -u admin -p {s} --out /b", "-p ***"),
    ("ldapsearch -x -D cn=admin -w {s} -b dc=x", "-w ***"),
    ("zip -P {s} /b/a.zip /data", "-P ***"),
    ("7z a -p{s} /b/a.7z /data", "-p***"),
    ("ipmitool -H bmc -U admin -P {s} power status", "-P ***"),
    ("snmpwalk -v2c -c {s} 10.0.0.1", "-c ***"),
    ("smbclient //nas/b -U backup%{s} -c 'put x'", "-U backup%***"),
    ("lftp -u backup,{s} ftp.example.gov.cn", "-u backup,***"),
    ("sqlplus -s system/{s}@orcl @/opt/x.sql", "system/***@orcl"),
    ("expdp system/{s} directory=d dumpfile=x.dmp", "system/***"),
    ("exp userid=scott/{s} file=/b/x.dmp", "userid=scott/***"),
    ("docker login -p {s} registry.example.gov.cn", "login -p ***"),
    ("keytool -list -keystore k.jks -storepass {s}", "-storepass ***"),
    ("openssl pkcs12 -in a.p12 -passin pass:{s}", "-passin ***"),
    ("/usr/sbin/mysqld --user=mysql --password={s}", "--password=***"),
    ('{{"password": "{s}", "user": "app"}}', '"password": ***'),
    ("Authorization: Bearer {s}{s}", "Bearer ***"),
]
#: lines that carry no secret and must come out unchanged (evidence keeps its meaning)
UNCHANGED = [
    "mysql -u root -p appdb",  # a bare -p asks for the password; appdb is the database
    "mkdir -p /backup && rsync -p -a /data /backup",
    "restic -r /srv/restic --password-file /root/.restic backup /data",
    "docker run -p 8080:80 -u 1000:1000 nginx",
    "sort -u /var/log/x | curl -T - https://x/",
    "PasswordAuthentication no",
    "password_encryption = scram-sha-256",
    "tar czf /backup/etc.tgz /etc",
]


@pytest.mark.parametrize(("line", "kept"), CASES)
def test_command_line_secrets_are_masked(line, kept):
    secret = _secret("S")
    text = line.format(s=secret)
    out = redact_text(text)
    assert secret not in out, out
    assert kept in out, out
    assert redact(text) == out  # an observed value goes through the same redaction
    assert values.redact(text) == out  # and so does a scanner's evidence (ingest)


@pytest.mark.parametrize("line", UNCHANGED)
def test_lines_without_secrets_stay_as_they_are(line):
    assert redact_text(line) == line


@pytest.mark.parametrize("line", [
    "-" * 65536, '"' * 65536, "a=" * 32768, "`a/" * 21845, "--a" * 21845, "mysql " * 10922,
    "curl -u " + "a" * 65536, "password" + " " * 65536, "A_" * 32768, "://a:" * 13107,
])
def test_redaction_takes_linear_time_on_hostile_lines(line):
    """A line of 64 KiB (core.limits.MAX_LINE) built against the patterns' anchors: a pattern
    that backtracked quadratically would take minutes here, a linear one takes milliseconds."""
    started = time.monotonic()
    redact_text(line)
    assert time.monotonic() - started < 2.0


def _root(tmp_path: Path, secrets: dict[str, str]) -> Path:
    root = tmp_path / "host"
    s = secrets

    def put(rel: str, text: str, mode: int = 0o644) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        p.chmod(mode)

    put("etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n')
    put("etc/crontab", (
        "SHELL=/bin/sh\n"
        f"PGPASSWORD={s['pg_env']}\n"
        f"0 2 * * * root mysqldump -uroot -p{s['mysqldump']} --all-databases | gzip > "
        "/backup/all.sql.gz\n"
        f"30 2 * * * root redis-cli -a {s['redis']} --rdb /backup/dump.rdb\n"
        f"0 3 * * * root sshpass -p {s['sshpass']} rsync -a /data backup@10.0.0.9:/srv/backup\n"
        f"0 4 * * * root curl -u backup:{s['curl']} -T /backup/all.sql.gz https://b.example/\n"
        f"0 5 * * * root borg create --passphrase {s['borg']} /mnt/borg::daily /data\n"
        f"0 6 * * * root PGPASSWORD={s['pg_inline']} pg_dump -U app appdb > /backup/app.sql\n"
        f"0 7 * * * root rsync -a /data rsync://sync:{s['url']}@backup.example/module\n"))
    put("etc/cron.d/backup", (
        "15 1 * * * root /usr/local/bin/backup.sh\n"
        f"45 1 * * * root mysqldump --user=root --password={s['long']} appdb > /backup/a.sql\n"))
    put("var/spool/cron/crontabs/root",
        f"10 1 * * * mysqldump -u root -p'{s['quoted']}' appdb | gzip > /backup/x.gz\n")
    put("usr/local/bin/backup.sh", (
        "#!/bin/sh\n"
        f"export BORG_PASSPHRASE='{s['script_env']}'\n"
        "borg create /mnt/borg::{now} /data\n"
        f'mysqldump -uroot -p"{s["script"]}" --all-databases > /backup/all.sql\n'), 0o755)
    put("etc/systemd/system/backup.service", (
        "[Service]\n"
        f"Environment=MYSQL_PWD={s['unit_env']}\n"
        f"ExecStart=/usr/bin/mysqldump -uroot -p{s['unit']} appdb\n"))
    put("etc/systemd/system/backup.timer", "[Timer]\nOnCalendar=daily\nUnit=backup.service\n")
    wants = root / "etc/systemd/system/timers.target.wants"
    wants.mkdir(parents=True)
    (wants / "backup.timer").symlink_to("/etc/systemd/system/backup.timer")
    put("etc/redis/redis.conf", f"bind 127.0.0.1\nrequirepass {s['redis_conf']}\n")
    return root


def _everything_written(out: Path, store: Path) -> dict[str, bytes]:
    """Every output file (each part of the XLSX unzipped) and the store's files, as bytes."""
    blobs: dict[str, bytes] = {}
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        blobs[str(f)] = f.read_bytes()
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                blobs.update({f"{f}!{n}": z.read(n) for n in z.namelist()})
    for f in store.parent.glob(store.name + "*"):  # the db and any -wal / -journal beside it
        blobs[str(f)] = f.read_bytes()
    return blobs


def test_assess_quotes_backup_jobs_without_their_passwords(tmp_path):
    names = ("pg_env", "mysqldump", "redis", "sshpass", "curl", "borg", "pg_inline", "url",
             "long", "quoted", "script_env", "script", "unit_env", "unit", "redis_conf")
    secrets = {n: _secret("Sx") for n in names}
    root = _root(tmp_path, secrets)
    out, store = tmp_path / "out", tmp_path / "db" / "cityguard.db"
    p = run_bounded("assess", "--target", f"dir:{root}", "--format",
                    "json,html,xlsx,md,sarif,junit,oscal,csv", "--output", str(out),
                    "--store", str(store), "--lang", "en", cwd=tmp_path, timeout=300)
    assert p.returncode in (0, 1), p.stderr[-3000:]
    blobs = _everything_written(out, store)
    assert any(k.endswith(".db") for k in blobs) and any(k.endswith(".xlsx") for k in blobs)
    blobs["<stdout+stderr>"] = (p.stdout + p.stderr).encode()
    leaks = {n: [k for k, b in blobs.items() if s.encode() in b] for n, s in secrets.items()}
    assert not any(leaks.values()), {n: k for n, k in leaks.items() if k}
    # the jobs were quoted (masked), so the test did look at evidence that held the secrets
    report = (out / "assessment.json").read_text(encoding="utf-8")
    for shown in ("mysqldump -uroot -p***", "redis-cli -a ***", "sshpass -p ***",
                  "--passphrase ***", "PGPASSWORD=***", "--password=***"):
        assert shown in report, shown


@pytest.mark.skipif(shutil.which("ps") is None, reason="procps (ps) is not installed")
def test_a_process_list_is_quoted_without_the_password(tmp_path):
    """A site check that lists processes (`ps -eo args`) quotes one started with a password."""
    secret, marker = _secret("Sp"), _secret("cgproc")
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "site.yaml").write_text(
        "checks:\n"
        "  - id: site.no_marker_process\n"
        "    title_zh: 不存在测试进程\n"
        "    title_en: The test process is not running\n"
        "    severity: low\n"
        "    rationale_zh: 测试用。\n"
        "    rationale_en: For the test.\n"
        "    remediation_zh: 结束该进程。\n"
        "    remediation_en: End the process.\n"
        "    applies: {platform: [linux]}\n"
        "    condition: all\n"
        "    rules:\n"
        "      - probe: command\n"
        "        argv: [ps, -eo, args]\n"
        "        field: lines\n"
        f"        expect: {{not_regex: {marker}}}\n", encoding="utf-8")
    proc = subprocess.Popen(["sh", "-c", "sleep 120; :", marker, f"--password={secret}"])
    try:
        out = tmp_path / "out"
        p = run_bounded("assess", "--target", "local", "--checks", str(checks), "--only",
                        "site.no_marker_process", "--no-store", "--format", "json,md",
                        "--output", str(out), "--lang", "en", cwd=tmp_path, timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert p.returncode in (0, 1), p.stderr[-3000:]
    report = (out / "assessment.json").read_text(encoding="utf-8")
    assert marker in report and "--password=***" in report  # the line is quoted, masked
    for f in out.iterdir():
        assert secret not in f.read_text(encoding="utf-8"), f
    assert secret not in p.stdout + p.stderr
