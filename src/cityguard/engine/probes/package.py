"""`package`: whether a package is installed, and its version, from the package database.

Debian family: /var/lib/dpkg/status (read as a file on every target). RPM families: the
SQLite database rpm ≥ 4.16 keeps (/var/lib/rpm/rpmdb.sqlite: RHEL 9, openEuler 22.03,
Anolis 8.8+, Kylin V10 SP3) read as a file, so `dir:` images are judged too; on SSH hosts, or
where only the older Berkeley DB exists, one `rpm -qa` lists everything. No database at all:
not_applicable with the reason, so a check can fall back to the binaries it knows.
"""

from __future__ import annotations

import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cityguard.core.limits import MAX_TARGET_FILE
from cityguard.engine.probes.base import (
    BaseProbe,
    Observation,
    ProbeContext,
    ProbeError,
    Value,
    cannot_read,
    register,
)
from cityguard.engine.probes.command import run_or_na
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

DPKG_STATUS = "/var/lib/dpkg/status"
RPMDB = "/var/lib/rpm/rpmdb.sqlite"
RPM_QA = "rpm -qa"
RPM_FAMILIES = ("rhel-like", "kylin", "openeuler", "anolis")
#: an rpmdb of a full server is 20–80 MB: larger than any configuration file, still bounded
MAX_RPMDB = 8 * MAX_TARGET_FILE
_TAGS = {1000: "name", 1001: "version", 1002: "release", 1003: "epoch"}
Installed = dict[str, tuple[str, "int | None"]]
_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9+._:-]*$"}


def stanzas(text: str) -> Iterator[tuple[int, str]]:
    """(line of its first field, text) of each paragraph of a Debian control file.

    Split on blank lines and searched with str.find: a dpkg status or apt list holds
    thousands of paragraphs, and a Python loop over every line costs ten times as much.
    """
    line = 1
    for piece in text.split("\n\n"):
        stanza = piece.lstrip("\n")
        start = line + len(piece) - len(stanza)  # blank lines before the paragraph
        line += piece.count("\n") + 2
        if stanza:
            yield start, stanza


def field(stanza: str, name: str) -> str:
    """The value of a field of one paragraph (its first line); "" when absent."""
    if stanza.startswith(f"{name}:"):
        at = 0
    else:
        at = stanza.find(f"\n{name}:") + 1
        if at == 0:
            return ""
    end = stanza.find("\n", at)
    return stanza[at + len(name) + 1:end if end >= 0 else None].strip()


def dpkg_records(ctx: ProbeContext) -> list[tuple[str, str, str, int]] | None:
    """(name, version, architecture, line) of each installed package; None without dpkg."""

    def compute() -> list[tuple[str, str, str, int]] | None:
        text = ctx.read_text(DPKG_STATUS)
        if text is None:
            return None
        out: list[tuple[str, str, str, int]] = []
        for start, stanza in stanzas(text):
            name = field(stanza, "Package")
            if name and field(stanza, "Status").split()[-1:] == ["installed"]:
                out.append((name, field(stanza, "Version"), field(stanza, "Architecture"),
                            start))
        return out

    return ctx.cached("dpkg-records", compute)


def dpkg_installed(ctx: ProbeContext) -> dict[str, tuple[str, int]] | None:
    """name → (version, line) of installed packages; None when there is no dpkg database."""
    records = dpkg_records(ctx)
    if records is None:
        return None
    return ctx.cached("dpkg", lambda: {n: (v, line) for n, v, _, line in records})


def header_fields(blob: bytes) -> dict[str, Any]:
    """NAME, VERSION, RELEASE, EPOCH of one rpm header blob (rpmdb stores headers without
    the lead: index count, data length, 16-byte index entries, then the data store)."""
    if len(blob) < 8:
        return {}
    count, size = struct.unpack(">ii", blob[:8])
    store = 8 + 16 * count
    if count < 0 or size < 0 or store + size > len(blob):
        return {}
    out: dict[str, Any] = {}
    for n in range(count):
        tag, kind, offset, _ = struct.unpack(">iiii", blob[8 + 16 * n:24 + 16 * n])
        name = _TAGS.get(tag)
        if name is None or not 0 <= offset < size:
            continue
        at = store + offset
        if kind == 6:  # STRING: NUL-terminated
            end = blob.find(b"\0", at, store + size)
            out[name] = blob[at:end if end >= 0 else store + size].decode("utf-8", "replace")
        elif kind == 4 and at + 4 <= store + size:  # INT32
            out[name] = struct.unpack(">i", blob[at:at + 4])[0]
    return out


def _evr(fields: dict[str, Any]) -> str:
    epoch = fields.get("epoch")
    vr = f"{fields.get('version', '')}-{fields.get('release', '')}"
    return f"{epoch}:{vr}" if epoch else vr


def _sqlite_rpmdb(ctx: ProbeContext) -> Installed | None:
    """name → (epoch:version-release, None) from rpmdb.sqlite; None when there is none."""
    try:
        data = ctx.target.read_bytes(RPMDB, MAX_RPMDB + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ProbeError(cannot_read(RPMDB, exc)) from None
    if len(data) > MAX_RPMDB:
        raise ProbeError(say("engine.probe.too_large", path=RPMDB, mib=MAX_RPMDB // 2**20))
    try:  # rpm writes in WAL mode: recent transactions may still be in the -wal file
        wal = ctx.target.read_bytes(RPMDB + "-wal", MAX_RPMDB + 1)
    except OSError:
        wal = b""
    with tempfile.TemporaryDirectory(prefix="cityguard-rpmdb-") as tmp:
        db = Path(tmp) / "rpmdb.sqlite"
        db.write_bytes(data)
        if wal and len(wal) <= MAX_RPMDB:
            (Path(tmp) / "rpmdb.sqlite-wal").write_bytes(wal)
        try:
            con = sqlite3.connect(db)
            try:
                rows = con.execute("SELECT blob FROM Packages").fetchall()
            finally:
                con.close()
        except sqlite3.Error as exc:
            raise ProbeError(say("engine.probe.bad_rpmdb", path=RPMDB, error=str(exc))) from None
    out: Installed = {}
    for (blob,) in rows:
        fields = header_fields(bytes(blob))
        if fields.get("name"):
            out[str(fields["name"])] = (_evr(fields), None)
    return out


def _rpm_qa(target: Target) -> Installed | Observation:
    res = run_or_na(target, ["rpm", "-qa", "--qf", "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n"],
                    60.0)
    if isinstance(res, Observation):
        return res
    if res.exit_code != 0:
        return Observation.na(say("engine.probe.rpm_failed",
                                  error=(res.stderr.strip() or "-")[:200]))
    out: Installed = {}
    for line in res.stdout.splitlines():
        name, _, version = line.strip().partition(" ")
        if name:
            out[name] = (version[2:] if version.startswith("0:") else version, None)
    return out


def rpm_installed(ctx: ProbeContext) -> tuple[Installed | Observation, str]:
    """(installed packages or why not known, the evidence's source) of an RPM system."""

    def compute() -> tuple[Installed | Observation, str]:
        if ctx.target.kind != "ssh":  # a local file read beats a program; dir: has no programs
            found = _sqlite_rpmdb(ctx)
            if found is not None:
                return found, RPMDB
        if ctx.target.can_run_commands:
            return _rpm_qa(ctx.target), RPM_QA
        return Observation.na(say("engine.probe.no_package_db")), ""

    return ctx.cached("rpm-installed", compute)


def installed(ctx: ProbeContext) -> tuple[Installed | Observation, str]:
    """The target's package database: dpkg (Debian family) or rpm, whichever it has."""
    if ctx.facts.os_family not in RPM_FAMILIES:
        dpkg = dpkg_installed(ctx)
        if dpkg is not None:
            return dpkg, DPKG_STATUS
    return rpm_installed(ctx)


@register
class PackageProbe(BaseProbe):
    name = "package"
    params = {
        "name": {"anyOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1}]},
        "property": {"enum": ["installed", "version"]},
    }
    required = ("name",)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        names = params["name"] if isinstance(params["name"], list) else [params["name"]]
        want_version = params.get("property", "installed") == "version"
        db, source = installed(ctx)
        if isinstance(db, Observation):
            return db
        values: list[Value] = []
        for name in names:
            hit = db.get(name)
            version, line = hit if hit else (None, None)
            file = source if hit and source != RPM_QA else None
            if want_version:
                if version is not None:
                    values.append(Value(version, file=file, line=line, subject=name))
            else:
                values.append(Value(version is not None, file=file, line=line, subject=name))
        if want_version and not values:
            return Observation.of(
                [], note=say("engine.probe.not_installed", names=", ".join(names)))
        return Observation.of(values, note=say("engine.probe.package_db", source=source))
