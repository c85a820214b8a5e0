"""cityguard's SSH fleet against Ansible's fact gathering, side by side in one run.

Usage: python benchmarks/fleet_vs_ansible.py [--hosts 20] [--rounds 5] [--big 100] [--jobs N]
                                             [--ansible PATH/TO/ansible] [--kex ALGORITHMS]

Starts `--big` (default 100) throw-away OpenSSH servers on 127.0.0.1, each on its own port with
its own host key, as the SSH tests do (tests/sshd_server.py); nothing is installed or written on
the "hosts". Then, `--rounds` times and alternating so that a change of machine load hits both
tools alike:

- `cityguard assess --inventory hosts.ini` with the full level-3 library, and
- `ansible all -i hosts.ini -m setup` (ansible-core in its own virtualenv under ~/.cache, never a
  project dependency; pipelining on, 5 forks, a fresh ControlPath directory per run so that
  neither tool starts with a warm SSH master),

over the first `--hosts` servers (cityguard's caches, the parsed library and what the last
fleet run had to read beyond its bundles, are warmed by one run first; one run without the
fleet memory is printed apart); it prints the medians, the ratio cityguard / Ansible (target:
at most 0.5), the CPU-seconds each tool's process tree used, and then one cityguard run over all
`--big` servers (target: under 60 s). The machine's load average is printed before and after:
other work on the machine slows both tools, not their ratio.

ansible-core is found with --ansible, else in ~/.cache/cityguard-ansible (created with
`python -m venv` and `pip install ansible-core` on first use).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from sshd_server import SSHServer, sshd_available, start_sshd  # noqa: E402

RATIO_TARGET = 0.5
BIG_TARGET_S = 60.0
ANSIBLE_VENV = Path.home() / ".cache" / "cityguard-ansible"


def start_fleet(work: Path, n: int, kex: str | None = None) -> tuple[list[SSHServer], Path]:
    """n sshd servers that all accept one key; one ssh_config with every host key (and
    `kex` as KexAlgorithms, for both tools, when given)."""
    servers: list[SSHServer] = []
    for i in range(n):
        servers.append(start_sshd(work / f"sshd{i:03d}"))
    key = servers[0].identity
    pub = key.with_suffix(".pub").read_text("utf-8")
    for srv in servers[1:]:  # each server trusts its own key: add the shared one
        conf = (srv.identity.parent / "sshd_config").read_text("utf-8")
        authorized = next(line.split(None, 1)[1] for line in conf.splitlines()
                          if line.startswith("AuthorizedKeysFile"))
        with open(authorized, "a", encoding="utf-8") as fh:
            fh.write(pub)
    known = work / "known_hosts"
    known.write_text("".join(s.known_hosts.read_text("utf-8") for s in servers), "utf-8")
    config = work / "ssh_config"
    config.write_text(f"Host *\n  IdentityFile {key}\n  IdentitiesOnly yes\n"
                      f"  UserKnownHostsFile {known}\n  GlobalKnownHostsFile /dev/null\n"
                      + (f"  KexAlgorithms {kex}\n" if kex else ""), "utf-8")
    return servers, config


def write_inventory(path: Path, servers: list[SSHServer]) -> Path:
    lines = ["[fleet]"] + [
        f"host{i:03d} ansible_host=127.0.0.1 ansible_port={s.port} ansible_user={s.user}"
        for i, s in enumerate(servers)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def find_ansible(given: str | None) -> Path:
    if given:
        return Path(given)
    ansible = ANSIBLE_VENV / "bin" / "ansible"
    if not ansible.exists():
        print(f"installing ansible-core into {ANSIBLE_VENV} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ANSIBLE_VENV)], check=True)
        subprocess.run([str(ANSIBLE_VENV / "bin" / "pip"), "install", "-q", "ansible-core"],
                       check=True)
    return ansible


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall s, CPU s of the tool's process tree, stderr tail when it failed).

    The CPU the hosts' sessions used is not counted: it runs under the test account's sshd
    sessions, whose children are not reaped into any process this script can read."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = proc.stderr[-2000:] if proc.returncode not in (0, 1) else ""
    return wall, cpu, err


Run = tuple[float, float]  # wall s, CPU s of the tool's process tree


def run_cityguard(inv: Path, config: Path, out: Path, jobs: int | None,
                  env: dict[str, str] | None = None) -> Run:
    argv = [sys.executable, "-m", "cityguard", "assess", "--inventory", str(inv),
            "--ssh-config", str(config), "--no-store", "--lang", "en", "--output", str(out)]
    if jobs:
        argv += ["--jobs", str(jobs)]
    wall, cpu, err = timed(argv, env)
    if err:
        sys.exit(f"cityguard failed:\n{err}")
    return wall, cpu


def compile_cityguard() -> None:
    """Byte-compile cityguard's modules as installing it would (Ansible's virtualenv was
    compiled by pip): with PYTHONDONTWRITEBYTECODE set, or sources edited since their .pyc,
    every run would compile them again (~120 modules, ~0.1 s here) and no run is warm."""
    subprocess.run([sys.executable, "-c", "import compileall, os, cityguard; "
                    "compileall.compile_dir(os.path.dirname(cityguard.__file__), quiet=1)"],
                   check=True, stdout=subprocess.DEVNULL)


def check_cityguard_output(out: Path, hosts: int) -> str:
    doc = json.loads(out.read_text("utf-8"))
    per_host: dict[str, int] = {}
    errors = 0
    for r in doc["results"]:
        per_host[r["asset"]] = per_host.get(r["asset"], 0) + 1
        if r["status"] == "error" and "permission denied" not in r["reason"].lower():
            errors += 1
    if len(per_host) != hosts or errors:
        sys.exit(f"cityguard: {len(per_host)} hosts of {hosts}, {errors} non-privilege errors")
    return f"{hosts} hosts × {min(per_host.values())} checks"


def run_ansible(ansible: Path, inv: Path, config: Path, work: Path) -> Run:
    cp_dir = Path(tempfile.mkdtemp(prefix="cp-", dir=work))
    env = dict(os.environ,
               ANSIBLE_PIPELINING="True",
               ANSIBLE_FORKS="5",
               ANSIBLE_HOST_KEY_CHECKING="True",
               ANSIBLE_SSH_ARGS=f"-C -o ControlMaster=auto -o ControlPersist=60s -F {config}",
               ANSIBLE_SSH_CONTROL_PATH_DIR=str(cp_dir),
               ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
               ANSIBLE_LOCAL_TEMP=str(work / "ansible-local"),
               ANSIBLE_STDOUT_CALLBACK="oneline",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="True",
               PYTHONWARNINGS="ignore")
    wall, cpu, err = timed([str(ansible), "all", "-i", str(inv), "-m", "setup", "-o"], env)
    for sock in cp_dir.iterdir():  # end the masters Ansible leaves for 60 s
        subprocess.run(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "--", "x"],
                       capture_output=True, timeout=10)
    if err:
        sys.exit(f"ansible failed:\n{err}")
    return wall, cpu


def check_ansible(ansible: Path, inv: Path, config: Path, work: Path) -> None:
    """One run whose output is read: every host must answer with its facts."""
    env = dict(os.environ, ANSIBLE_PIPELINING="True", ANSIBLE_HOST_KEY_CHECKING="True",
               ANSIBLE_SSH_ARGS=f"-F {config}", ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
               ANSIBLE_LOCAL_TEMP=str(work / "ansible-local"), PYTHONWARNINGS="ignore")
    proc = subprocess.run([str(ansible), "all", "-i", str(inv), "-m", "setup", "-o",
                           "-a", "gather_subset=min"], capture_output=True, text=True, env=env)
    ok = proc.stdout.count("SUCCESS")
    hosts = inv.read_text("utf-8").count("ansible_host=")
    if ok != hosts:
        sys.exit(f"ansible: {ok} of {hosts} hosts answered\n{proc.stdout[-1500:]}"
                 f"{proc.stderr[-1500:]}")


def without_fleet_memory(work: Path) -> dict[str, str]:
    """An environment whose cityguard cache is a copy of this user's without what the last
    fleet run learned (assess.fleet.LEARNED_KIND): the parsed library stays warm."""
    sys.path.insert(0, str(REPO / "src"))
    from cityguard.assess.fleet import LEARNED_KIND
    from cityguard.core.datacache import cache_dir

    copy = work / "cache-without-fleet-memory"
    mine = cache_dir()
    if mine is not None and mine.is_dir():
        shutil.copytree(mine, copy, ignore=shutil.ignore_patterns(LEARNED_KIND))
    return dict(os.environ, CITYGUARD_CACHE=str(copy))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", type=int, default=100, help="hosts of the cityguard-only run "
                        "(0: skip it)")
    parser.add_argument("--jobs", type=int, default=None, help="cityguard --jobs (default: "
                        "cityguard's own)")
    parser.add_argument("--ansible", help="the ansible program to compare with")
    parser.add_argument("--kex", help="KexAlgorithms for both tools' ssh (e.g. "
                        "curve25519-sha256; default: OpenSSH's own, post-quantum "
                        "sntrup761x25519 on OpenSSH 9.x, whose key generation costs the "
                        "client ~65 ms of CPU per host)")
    args = parser.parse_args()
    if not sshd_available():
        print("sshd is not installed (apt-get install openssh-server): nothing measured")
        return 0
    ansible = find_ansible(args.ansible)
    version = subprocess.run([str(ansible), "--version"], capture_output=True, text=True,
                             env=dict(os.environ, PYTHONWARNINGS="ignore")).stdout.split("\n")[0]
    work = Path(tempfile.mkdtemp(prefix="cityguard-vs-ansible-"))
    servers, config = start_fleet(work, max(args.hosts, args.big), args.kex)
    try:
        inv = write_inventory(work / "hosts.ini", servers[: args.hosts])
        print(f"{len(servers)} sshd on 127.0.0.1; {version}; KexAlgorithms "
              f"{args.kex or 'OpenSSH default'}; {load()}", flush=True)
        check_ansible(ansible, inv, config, work)
        out = work / "fleet.json"
        compile_cityguard()
        run_cityguard(inv, config, out, args.jobs)  # warm the parsed-library cache once
        print(f"cityguard checked: {check_cityguard_output(out, args.hosts)}", flush=True)
        forgetful = without_fleet_memory(work)
        first = run_cityguard(inv, config, out, args.jobs, forgetful)
        print(f"cityguard without the last run's fleet memory (the first host scouts): "
              f"{first[0]:.2f} s wall, {first[1]:.2f} s CPU", flush=True)
        cg: list[Run] = []
        an: list[Run] = []
        for n in range(args.rounds):
            cg.append(run_cityguard(inv, config, out, args.jobs))
            an.append(run_ansible(ansible, inv, config, work))
            print(f"round {n + 1}: cityguard {cg[-1][0]:6.2f} s   ansible {an[-1][0]:6.2f} s",
                  flush=True)
        cg_s = statistics.median(r[0] for r in cg)
        an_s = statistics.median(r[0] for r in an)
        print(f"\n{args.hosts} hosts, median of {args.rounds} alternating runs "
              "(CPU: the tool's own process tree, ssh clients included)")
        for name, runs in (("cityguard assess (level 3)", cg), ("ansible -m setup (5 forks)", an)):
            print(f"  {name:28} {statistics.median(r[0] for r in runs):6.2f} s wall  "
                  f"{statistics.median(r[1] for r in runs):6.2f} s CPU")
        ratio = cg_s / an_s
        print(f"  ratio cityguard / ansible    {ratio:6.2f}  (target ≤ {RATIO_TARGET}: "
              f"{'meets' if ratio <= RATIO_TARGET else 'MISSES'})")
        if args.big:
            big_inv = write_inventory(work / "big.ini", servers[: args.big])
            big_s, big_cpu = run_cityguard(big_inv, config, out, args.jobs)
            print(f"  cityguard, {check_cityguard_output(out, args.big):24} {big_s:6.2f} s wall  "
                  f"{big_cpu:6.2f} s CPU")
            print(f"  100-host target < {BIG_TARGET_S:.0f} s: "
                  f"{'meets' if big_s < BIG_TARGET_S else 'MISSES'}")
        print(load())
    finally:
        for srv in servers:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
