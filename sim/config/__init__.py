"""Configuration: frozen schema dataclasses, validation, and loading composed YAML."""

from sim.config.build import build_config
from sim.config.errors import ConfigError
from sim.config.schema import (
    DemandConfig,
    DistributionConfig,
    GreenChannelConfig,
    RosterConfig,
    ScenarioConfig,
    ShiftConfig,
    SiteConfig,
)

__all__ = [
    "ConfigError",
    "DemandConfig",
    "DistributionConfig",
    "GreenChannelConfig",
    "RosterConfig",
    "ScenarioConfig",
    "ShiftConfig",
    "SiteConfig",
    "build_config",
]
