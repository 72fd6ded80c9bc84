"""Configuration: frozen schema dataclasses, validation, and building from composed YAML."""

from sim.config.build import build_config
from sim.config.distribution import DistributionConfig
from sim.config.door_to_door import DoorToDoorConfig
from sim.config.errors import ConfigError, ConfigErrors
from sim.config.mobile import MobileTeamsConfig
from sim.config.schema import (
    CampaignConfig,
    DemandConfig,
    GreenChannelConfig,
    ScenarioConfig,
    SiteChoiceConfig,
    SiteConfig,
    SubdistrictConfig,
)
from sim.config.staffing import RoleRosterConfig, ShiftConfig, StaffingConfig

__all__ = [
    "CampaignConfig",
    "ConfigError",
    "ConfigErrors",
    "DemandConfig",
    "DistributionConfig",
    "DoorToDoorConfig",
    "GreenChannelConfig",
    "MobileTeamsConfig",
    "RoleRosterConfig",
    "ScenarioConfig",
    "ShiftConfig",
    "SiteChoiceConfig",
    "SiteConfig",
    "StaffingConfig",
    "SubdistrictConfig",
    "build_config",
]
