"""Shared fixtures: composing small scenario configs once per test session."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

import sim


@functools.cache
def _load(overrides: tuple[str, ...]) -> sim.ScenarioConfig:
    return sim.load_config(overrides=list(overrides))


def _names_a_scenario(overrides: tuple[str, ...]) -> bool:
    return any(o.split("=", 1)[0].lstrip("+~") == "scenario" for o in overrides)


@pytest.fixture(scope="session")
def load_config() -> Callable[..., sim.ScenarioConfig]:
    """``load_config(*overrides)``: compose and validate a config, cached by its overrides.

    The overrides must pick the base scenario (e.g. ``scenario=busy_point`` for one busy
    point): the shipped default (``configs/config.yaml``) is the whole district and may change,
    so no test relies on it without saying so.

    Composing through Hydra costs ~0.2 s, so each distinct override list is composed once.
    Configs are frozen dataclasses, so sharing them between tests is safe.
    """

    def load(*overrides: str) -> sim.ScenarioConfig:
        if not _names_a_scenario(overrides):
            raise ValueError(
                f"load_config{overrides}: name the base scenario first, e.g. "
                "'scenario=busy_point' (the shipped default is the whole district)"
            )
        return _load(tuple(overrides))

    return load


@pytest.fixture(scope="session")
def busy(
    load_config: Callable[..., sim.ScenarioConfig],
) -> tuple[sim.ScenarioConfig, list[sim.RunResult]]:
    """One busy point of 300 residents with its lab, one replication (figures and residents
    table on): a small run for the tests of what a run writes. Tests must not change it."""
    config = load_config("scenario=busy_point", "demand.residents=300")
    assert config.output.figures and config.output.residents_table
    return config, sim.run_replications(config)
