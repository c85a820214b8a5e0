"""cityguard: MLPS 2.0 (等级保护 2.0) assessment and CI gating for a city's SOC."""

__version__ = "0.1.0"
