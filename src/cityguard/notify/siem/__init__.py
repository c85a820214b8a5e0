"""SIEM records: what `cityguard export` writes and the SIEM targets receive, as OCSF 1.8.0,
ArcSight CEF or Elastic Common Schema (one module each, FORMATS maps the name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cityguard.notify.siem import cef, ecs, ocsf
from cityguard.notify.siem.records import Record

#: format name → (record → one line of output)
FORMATS: dict[str, Callable[[Record], Any]] = {
    "ocsf": ocsf.to_ocsf, "cef": cef.to_cef, "ecs": ecs.to_ecs,
}

__all__ = ["FORMATS", "Record"]
