"""Built-in probes. Each module registers one probe in PROBES under its module stem."""

from cityguard.engine.probes import (  # noqa: F401 - imported for registration
    accounts,
    apparmor,
    apt_updates,
    command,
    config_value,
    cron,
    evidence,
    file,
    file_content,
    http,
    k8s,
    listening,
    netdev,
    netdev_ref,
    nginx_server,
    package,
    service,
    sudo_rules,
    sysctl,
)
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
