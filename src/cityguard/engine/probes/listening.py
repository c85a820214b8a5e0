"""`listening`: sockets listening on the host, read from /proc/net/{tcp,tcp6,udp,udp6}."""

from __future__ import annotations

import ipaddress
import socket
import struct
from typing import Any

from cityguard.engine.probes.base import BaseProbe, Observation, ProbeContext, Value, register
from cityguard.policy.messages import text as say
from cityguard.targets.base import Target

_TCP_LISTEN = "0A"
_UDP_UNCONNECTED = "07"
_PORT = {"type": "integer", "minimum": 0, "maximum": 65535}


def _address(hexaddr: str) -> str:
    raw = bytes.fromhex(hexaddr)
    # the kernel prints each 32-bit word in host (little-endian) order
    words = struct.unpack("<" + "I" * (len(raw) // 4), raw)
    packed = struct.pack(">" + "I" * len(words), *words)
    if len(packed) == 4:
        return socket.inet_ntop(socket.AF_INET, packed)
    addr = ipaddress.IPv6Address(packed)
    if addr.ipv4_mapped:
        return str(addr.ipv4_mapped)
    return f"[{addr.compressed}]"


def sockets(ctx: ProbeContext) -> list[tuple[str, str, int, str, int]] | None:
    """(protocol, address, port, file, line) per listening socket; None without /proc/net."""

    def compute() -> list[tuple[str, str, int, str, int]] | None:
        out: list[tuple[str, str, int, str, int]] = []
        seen_any = False
        for name in ("tcp", "tcp6", "udp", "udp6"):
            path = f"/proc/net/{name}"
            text = ctx.read_text(path)
            if text is None:
                continue
            seen_any = True
            proto = name.rstrip("6")
            state = _TCP_LISTEN if proto == "tcp" else _UDP_UNCONNECTED
            for no, line in enumerate(text.splitlines()[1:], 2):
                fields = line.split()
                if len(fields) < 4 or fields[3] != state:
                    continue
                host, _, port = fields[1].partition(":")
                out.append((proto, _address(host), int(port, 16), path, no))
        return out if seen_any else None

    return ctx.cached("listening", compute)


@register
class ListeningProbe(BaseProbe):
    name = "listening"
    params = {
        "protocol": {"enum": ["tcp", "udp", "any"]},
        "port": {"anyOf": [_PORT, {"type": "array", "items": _PORT, "minItems": 1}]},
        "address": {"type": "string"},
    }
    required = ()

    def subject(self, params: dict[str, Any]) -> str:
        port = params.get("port", "*")
        return say("engine.probe.port_subject", protocol=params.get("protocol", "any"), port=port)

    def collect(self, target: Target, params: dict[str, Any], ctx: ProbeContext) -> Observation:
        found = sockets(ctx)
        if found is None:
            return Observation.na(say("engine.probe.no_proc_net"))
        proto = params.get("protocol", "any")
        ports = params.get("port")
        if isinstance(ports, int):
            ports = [ports]
        address = params.get("address")
        values, seen = [], set()
        for p, addr, port, file, line in found:
            if proto != "any" and p != proto:
                continue
            if ports is not None and port not in ports:
                continue
            if address is not None and addr.strip("[]") != address.strip("[]"):
                continue
            text = f"{p}:{addr}:{port}"
            if text in seen:
                continue
            seen.add(text)
            values.append(Value(text, file=file, line=line))
        return Observation.of(values)
