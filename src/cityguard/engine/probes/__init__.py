"""Built-in probes. Each module registers one probe in PROBES under its module stem; every
module of this folder is imported (discovery by folder: a new probe is one new file)."""

from cityguard.core.registry import import_modules
from cityguard.engine.probes.base import (
    PROBES,
    BaseProbe,
    Observation,
    Probe,
    ProbeContext,
    ProbeError,
    Value,
    register,
)

import_modules(__name__, __path__, skip={"base"})

__all__ = [
    "PROBES",
    "BaseProbe",
    "Observation",
    "Probe",
    "ProbeContext",
    "ProbeError",
    "Value",
    "register",
]
