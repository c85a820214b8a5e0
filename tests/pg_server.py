"""A real PostgreSQL server on 127.0.0.1 for tests: a throw-away cluster (initdb + pg_ctl from
Debian's /usr/lib/postgresql/*/bin) in a temporary directory, on a free port, with password
(SCRAM) authentication, stopped and deleted afterwards.

PostgreSQL refuses to run as root, so under root the cluster belongs to the unprivileged
throw-away account `cgpg` (made like sshd_server's `cgssh`).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sshd_server import free_port

TEST_USER = "cgpg"
SUPERUSER = "cityguard"


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def pg_available() -> bool:
    return pg_bin() is not None


def _run_as() -> dict[str, object]:
    """subprocess keyword arguments that run a server command as the unprivileged account."""
    if os.geteuid() != 0:
        return {}
    exists = subprocess.run(["id", "-u", TEST_USER], capture_output=True).returncode == 0
    if not exists:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", TEST_USER], check=True,
                       capture_output=True)
    pw = pwd.getpwnam(TEST_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


@dataclass
class PGServer:
    port: int
    password: str
    workdir: Path
    bindir: Path
    as_user: dict[str, object]

    def url(self, db: str = "postgres", user: str = SUPERUSER, password: str | None = None,
            query: str = "") -> str:
        pw = self.password if password is None else password
        auth = f"{user}:{pw}@" if pw else f"{user}@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{db}" + (f"?{query}" if query else "")

    def admin(self, sql: str, db: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.workdir / "data"),
                               *args], capture_output=True, text=True, check=check,
                              timeout=60, **self.as_user)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast", "-w", check=False)

    def start(self) -> None:
        self.pg_ctl("start", "-w", "-t", "30", "-l", str(self.workdir / "server.log"), "-o",
                    f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1")

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_postgres() -> PGServer:
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    as_user = _run_as()
    # outside pytest's 0700 temp tree: the server account must reach its own directory
    workdir = Path(tempfile.mkdtemp(prefix="cityguard-pg-"))
    password = secrets.token_urlsafe(16)
    pwfile = workdir / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if as_user:
        os.chown(workdir, int(as_user["user"]), int(as_user["group"]))  # type: ignore[arg-type]
        os.chown(pwfile, int(as_user["user"]), int(as_user["group"]))  # type: ignore[arg-type]
    os.chmod(workdir, 0o700)
    subprocess.run(
        [str(bindir / "initdb"), "-D", str(workdir / "data"), "-U", SUPERUSER, "-E", "UTF8",
         "--locale=C", "--auth=scram-sha-256", f"--pwfile={pwfile}", "--no-sync"],
        check=True, capture_output=True, text=True, timeout=120, **as_user,  # type: ignore[arg-type]
    )
    with open(workdir / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
        # a throw-away cluster: durability off for speed, small memory
        conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                   "shared_buffers = 64MB\nmax_connections = 60\n")
    server = PGServer(free_port(), password, workdir, bindir, as_user)
    server.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            server.admin("SELECT 1")
            break
        except Exception:
            if time.monotonic() > deadline:
                log = (workdir / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start: {log}") from None
            time.sleep(0.1)
    return server
