"""Running the check library on many targets: open, connect, prefetch, run, close.

One host is the common case (`local`); a system has tens to hundreds of SSH hosts. Hosts run
`jobs` at a time, each with a few checks in flight. A host that cannot be reached gives one
clear line and `error` results for that host; the others go on.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityguard.assess.fleet_gc import collector_for_fleet
from cityguard.core import datacache
from cityguard.core.errors import CityguardError, DataError
from cityguard.engine import run_checks
from cityguard.engine.netdev.select import checks_for, is_device
from cityguard.engine.spec import Rule
from cityguard.model import CheckResult, CheckStatus
from cityguard.targets import open_target, scheme_of
from cityguard.targets.netdev import NetdevTarget, expand_netdev
from cityguard.targets.netdev_ssh import NetdevSSHTarget
from cityguard.targets.ssh import SSHTarget
from cityguard.targets.ssh_memo import EvaluationMemo

#: checks in flight on one host while several hosts run (OpenSSH's default MaxSessions is 10),
#: and on a single host when --jobs is not given
CHECKS_PER_HOST = 4
#: hosts in flight per CPU core when --jobs is not given. A host mostly waits (handshake, the
#: host's own work, the network) and costs little CPU here once its bundle is in memory:
#: benchmarks/fleet.py, 20 loopback hosts on the 2-core CI machine, median of 3: 5.4 s with 2
#: jobs, 5.8 s with 4, 4.9 s with 8, 4.8 s with 16 and 32 (CONNECTING_PER_CORE keeps more
#: from costing time; docs/performance.md). Longer round trips only widen the gap; the cap
#: keeps ssh processes within reason.
HOSTS_PER_CORE = 8
MAX_HOSTS_IN_FLIGHT = 64
#: hosts connecting and fetching their bundle at once, whatever --jobs says: that phase costs
#: CPU here (ssh's key exchange, parsing the bundle), and beyond this a larger --jobs only made
#: every host wait for all the others (20 loopback hosts: --jobs 16 6.2 s, all 20 at once 7.5 s;
#: benchmarks/fleet.py, docs/performance.md)
CONNECTING_PER_CORE = 8
#: the datacache kind of what a fleet's hosts had to read beyond the library's static list
LEARNED_KIND = "fleet-learned"


def hosts_in_flight(jobs: int | None, hosts: int) -> int:
    """--jobs when given, else HOSTS_PER_CORE per core (never more than the hosts)."""
    if jobs is not None:
        return max(1, jobs)
    auto = min(MAX_HOSTS_IN_FLIGHT, HOSTS_PER_CORE * (os.cpu_count() or 1))
    return max(1, min(hosts, auto))

# files the probes read on their own (not named in a check's `path`): prefetched over SSH
IMPLICIT_PATHS = (
    "/etc/os-release", "/usr/lib/os-release", "/etc/hostname", "/etc/passwd", "/etc/shadow",
    "/etc/group", "/etc/gshadow", "/etc/login.defs", "/etc/crontab", "/etc/cron.d/*",
    "/var/spool/cron/*", "/var/spool/cron/crontabs/*", "/etc/cron.daily/*",
    "/etc/cron.weekly/*", "/etc/cron.monthly/*", "/etc/cron.hourly/*",
    "/etc/systemd/system/*.wants/*", "/etc/sysctl.conf", "/etc/sysctl.d/*.conf",
    "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/1/cgroup",
    "/.dockerenv", "/run/.containerenv", "/etc/debian_version", "/etc/redhat-release",
    "/etc/kylin-release", "/etc/openEuler-release", "/etc/uos-release", "/etc/anolis-release",
    "/proc/sys/kernel/hostname", "/usr/lib/sysctl.d/*.conf", "/run/sysctl.d/*.conf",
    "/etc/systemd/system/*.timer", "/etc/systemd/system/*.service",
    "/usr/lib/systemd/system/*.timer", "/lib/systemd/system/*.timer", "/etc/neokylin-release",
    "/var/lib/dpkg/status", "/var/lib/apt/lists/*_Packages*", "/usr/lib/systemd/system/*.service",
    "/etc/apparmor.d/*",
)
# directories the probes list (cron, systemd units, drop-in dirs): listed in the same round trip
IMPLICIT_DIRS = (
    "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
    "/etc/cron.d", "/var/spool/cron", "/var/spool/cron/crontabs", "/etc/systemd/system",
    "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system",
    "/etc/sudoers.d", "/etc/pam.d", "/etc/ssh/sshd_config.d", "/etc/rsyslog.d",
    "/etc/logrotate.d", "/etc/audit/rules.d", "/etc/sysctl.d", "/etc/security/limits.d",
    "/etc/profile.d", "/etc/init.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc5.d",
    "/etc/systemd/system/*.wants", "/usr/lib/systemd/system/*.wants",
    "/lib/systemd/system/*.wants", "/usr/lib/sysctl.d", "/run/sysctl.d", "/lib/sysctl.d",
    "/usr/local/lib/sysctl.d", "/etc/ssh/sshd_config.d", "/var/lib/apt/lists",
    "/etc/postgresql/*/main/conf.d", "/etc/mysql/conf.d", "/etc/mysql/mysql.conf.d",
    "/etc/nginx/conf.d", "/etc/nginx/sites-enabled", "/etc/httpd/conf.d",
    "/etc/apache2/conf-enabled", "/etc/apache2/sites-enabled", "/etc/apparmor.d",
    "/etc/apparmor.d/disable", "/etc/apparmor.d/force-complain",
)


@dataclass
class TargetSpec:
    spec: str
    asset_id: str | None = None
    device_type: str | None = None  # a network device's OS family (ssh://: reach it as one)


@dataclass
class FleetOptions:
    jobs: int | None = None  # hosts at a time (one host: checks at a time); None: decided here
    ssh: Any = None  # cityguard.targets.ssh.SSHOptions for ssh:// targets
    on_host: Callable[[str, str], None] | None = None  # (asset id, "start" | "done" | message)
    unreachable: list[str] = field(default_factory=list)  # one line per host that failed
    device_type: str | None = None  # --device-type: for netdev: files and ssh:// devices
    rejected: list[str] = field(default_factory=list)  # one line per input file refused


def open_all(specs: Sequence[TargetSpec], options: FleetOptions) -> list[Any]:
    """Target objects for every spec (no connection yet); asset ids made unique."""
    targets: list[Any] = []
    used: set[str] = set()
    try:
        for ts in specs:
            for t in _open(ts, options):
                base, n = t.asset_id, 2
                while t.asset_id in used:  # two dir: trees with the same name stay apart
                    t.asset_id = f"{base}-{n}"
                    n += 1
                used.add(t.asset_id)
                targets.append(t)
    except Exception:
        close_all(targets)
        raise
    return targets


def _open(ts: TargetSpec, options: FleetOptions) -> list[Any]:
    """The target(s) of one spec: a `netdev:` directory is one target per file in it."""
    scheme = scheme_of(ts.spec)
    device_type = ts.device_type or options.device_type
    if scheme == "ssh" and device_type:
        return [NetdevSSHTarget(ts.spec, options.ssh, device_type, asset_id=ts.asset_id)]
    if scheme == "ssh":
        return [SSHTarget(ts.spec, options.ssh, asset_id=ts.asset_id)]
    if scheme == "netdev":  # a folder of backups is one device per file: `asset/file` ids
        files = expand_netdev(ts.spec)
        root = Path(ts.spec.split(":", 1)[1]).expanduser()
        if root.is_file():
            return [NetdevTarget(files[0], asset_id=ts.asset_id, device_type=device_type)]
        return [NetdevTarget(f, device_type=device_type, asset_id=None if ts.asset_id is None
                             else f"{ts.asset_id}/{Path(f[7:]).relative_to(root)}")
                for f in files]
    return [open_target(ts.spec, asset_id=ts.asset_id)]


def close_all(targets: Sequence[Any]) -> None:
    import contextlib

    for t in targets:
        # closing must never hide the run's own outcome
        with contextlib.suppress(Exception):
            t.close()


def paths_read_by(checks: Sequence[Any]) -> list[str]:
    """Every literal `path` the checks name (and the probes' own files), with the directories
    that hold them: a path that is absent makes the probe ask whether its directory can be
    read, and the prefetch answers that too."""
    paths: set[str] = set(IMPLICIT_PATHS)
    for check in checks:
        stack = [n for n in (check.root, check.applies.present_when) if n is not None]
        while stack:
            node = stack.pop()
            if isinstance(node, Rule):  # `path`, `programs` …: every absolute path named
                for value in node.params.values():
                    for p in value if isinstance(value, list) else [value]:
                        if isinstance(p, str) and p.startswith("/"):
                            paths.add(p)
                if node.probe == "sysctl" and isinstance(node.params.get("key"), str):
                    paths.add("/proc/sys/" + node.params["key"].replace(".", "/"))
            else:
                stack.extend(node.children)
    return sorted(paths | {d for p in paths if (d := _literal_parent(p))})


def _literal_parent(pattern: str) -> str:
    """The directory holding `pattern` before its first wildcard ('' for the root)."""
    head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    parent = head.rsplit("/", 1)[0]
    return parent if parent not in ("", pattern) else ""


@dataclass
class Learned:
    """What hosts had to read on demand: the next hosts' prefetch asks for it up front (hosts
    of one fleet are mostly alike, and a file read once is likely read again)."""

    paths: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)
    commands: dict[tuple[str, ...], float] = field(default_factory=dict)  # argv → timeout
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, target: Any) -> None:
        with self.lock:
            self.paths |= getattr(target, "missed_paths", set())
            self.dirs |= getattr(target, "missed_dirs", set())
            for argv, timeout in getattr(target, "missed_commands", ()):
                self.commands[argv] = max(timeout, self.commands.get(argv, 0.0))

    @classmethod
    def remembered(cls, key: str) -> Learned | None:
        """What the last fleet run with this library had to read on demand (None: no run
        yet, or the cache is off)."""
        hit = datacache.load(LEARNED_KIND, key)
        try:
            paths, dirs, commands = hit
            known = cls(set(paths), set(dirs), {tuple(a): float(t) for a, t in commands})
        except (TypeError, ValueError):
            return None
        every = [*known.paths, *known.dirs, *(w for a in known.commands for w in a)]
        return known if all(isinstance(x, str) for x in every) else None

    def remember(self, key: str) -> None:
        with self.lock:
            value = (sorted(self.paths), sorted(self.dirs), sorted(self.commands.items()))
        datacache.store(LEARNED_KIND, key, value)

    def plus(self, paths: list[str], dirs: Sequence[str]
             ) -> tuple[list[str], list[str], list[tuple[tuple[str, ...], float]]]:
        with self.lock:
            return (sorted({*paths, *self.paths}), sorted({*dirs, *self.dirs}),
                    sorted(self.commands.items()))


def run_fleet(
    checks: Sequence[Any],
    targets: Sequence[Any],
    *,
    level: int,
    unit_ids: dict[str, tuple[str, ...]],
    base_dir: Path,
    probe_timeout: float,
    options: FleetOptions,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Every check on every target; results ordered by target, then check."""
    if len(targets) == 1:  # one host: all the concurrency goes to its checks
        _connect(targets[0], checks, options)
        return run_checks(checks_for(checks, targets[0]), targets, level=level,
                          jobs=options.jobs or CHECKS_PER_HOST,
                          unit_ids=unit_ids, base_dir=base_dir, default_timeout=probe_timeout,
                          on_result=on_result)
    prefetch = paths_read_by(checks)
    # what hosts of the last run with this library had to read on demand: every host's
    # prefetch asks for it at once, and no host goes ahead. Without it, the first SSH host
    # goes ahead (the scout): what its checks had to read on demand, the others' prefetch
    # brings at once, instead of every host of the first wave asking too
    learned_key = datacache.digest(LEARNED_KIND, *prefetch, "\0", *IMPLICIT_DIRS)
    remembered = Learned.remembered(learned_key)
    learned = remembered or Learned()
    scout = None if remembered else next((t for t in targets if hasattr(t, "prefetch")), None)
    scouted = threading.Event()
    if scout is None:
        scouted.set()
    connecting = threading.BoundedSemaphore(CONNECTING_PER_CORE * (os.cpu_count() or 1))
    memo = EvaluationMemo()  # hosts that answer alike share their checks' outcomes
    for target in targets:
        if hasattr(target, "memo"):
            target.memo = memo

    def one_host(target: Any) -> list[CheckResult]:
        mine = checks_for(checks, target)
        if options.on_host:
            options.on_host(target.asset_id, "start")
        if hasattr(target, "keep_master") and scout is None:
            target.keep_master = False  # the bundle answers all the others asked: no master
        try:
            if target is scout:  # never behind hosts that wait for it
                _connect(target, mine, options, None, learned)
            else:
                with connecting:
                    _connect(target, mine, options, (scouted, prefetch), learned)
        except DataError as exc:  # an input file that is not what it claims: refused, not down
            if target is scout:
                scouted.set()
            options.rejected.append(exc.one_line())
            results = unreachable_results(mine, target, unit_ids, exc.one_line(),
                                          "input refused")
            if on_result:
                for r in results:
                    on_result(r)
            return results
        except CityguardError as exc:
            if target is scout:
                scouted.set()
            options.unreachable.append(exc.one_line())
            results = unreachable_results(mine, target, unit_ids, exc.one_line())
            if on_result:
                for r in results:
                    on_result(r)
            return results
        try:
            # a device's checks read one parsed file in memory, and a host prefetched with
            # what the scout read has everything there: threads would only contend
            jobs = 1 if is_device(target) or target is not scout else CHECKS_PER_HOST
            return run_checks(mine, [target], level=level, jobs=jobs,
                              unit_ids=unit_ids, base_dir=base_dir,
                              default_timeout=probe_timeout, on_result=on_result)
        finally:
            learned.add(target)
            if target is scout:
                scouted.set()
            if options.on_host:
                options.on_host(target.asset_id, "done")
            target.close()  # release the SSH master as soon as the host is done

    with collector_for_fleet(), ThreadPoolExecutor(
            max_workers=hosts_in_flight(options.jobs, len(targets)),
            thread_name_prefix="cityguard-host") as pool:
        per_host = list(pool.map(one_host, targets))
    if learned.paths or learned.dirs or learned.commands:
        learned.remember(learned_key)
    return [r for results in per_host for r in results]


def _connect(target: Any, checks: Sequence[Any], options: FleetOptions,
             after: tuple[threading.Event, list[str]] | None = None,
             learned: Learned | None = None) -> None:
    """Connect, and prefetch what the checks read. With `after` (the scout's event and the
    library's paths) the prefetch brings what is known so far at once, and once the scout is
    done, what it had to read on demand besides (a second, small bundle over the same
    connection), so that no host of the first wave asks for those files one by one."""
    connect = getattr(target, "connect", None)
    if connect is None:
        return
    if not hasattr(target, "prefetch"):
        connect()
        return
    if after is None:
        target.prefetch(paths_read_by(checks), list(IMPLICIT_DIRS))  # connects too
        return
    event, static = after
    known = learned or Learned()
    paths, dirs, commands = known.plus(static, IMPLICIT_DIRS)
    target.prefetch(paths, dirs, commands=commands)
    event.wait()
    more_paths, more_dirs, more_commands = known.plus([], ())
    more_paths = sorted(set(more_paths) - set(paths))
    more_dirs = sorted(set(more_dirs) - set(dirs))
    more_commands = [c for c in more_commands if c not in commands]
    if more_paths or more_dirs or more_commands:
        target.prefetch(more_paths, more_dirs, commands=more_commands)


def unreachable_results(checks: Sequence[Any], target: Any,
                        unit_ids: dict[str, tuple[str, ...]], reason: str,
                        why: str = "host unreachable") -> list[CheckResult]:
    """`error` for every check of a host that could not be reached: never silently absent."""
    return [
        CheckResult(
            check_id=c.id, asset=target.asset_id, status=CheckStatus.ERROR, severity=c.severity,
            unit_ids=tuple(unit_ids.get(c.id, ())), title_zh=c.title_zh, title_en=c.title_en,
            reason=f"{why}: {reason}", remediation_zh=c.remediation_zh,
            remediation_en=c.remediation_en,
        )
        for c in checks
    ]


__all__ = [
    "CHECKS_PER_HOST",
    "HOSTS_PER_CORE",
    "FleetOptions",
    "TargetSpec",
    "close_all",
    "hosts_in_flight",
    "open_all",
    "paths_read_by",
    "run_fleet",
    "unreachable_results",
]
