"""Shared fixtures: composing small scenario configs once per test session."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

import sim


@functools.cache
def _load(overrides: tuple[str, ...]) -> sim.ScenarioConfig:
    return sim.load_config(overrides=list(overrides))


@pytest.fixture(scope="session")
def load_config() -> Callable[..., sim.ScenarioConfig]:
    """``load_config(*overrides)``: compose and validate a config, cached by its overrides.

    Composing through Hydra costs ~0.2 s, so each distinct override list is composed once.
    Configs are frozen dataclasses, so sharing them between tests is safe.
    """

    def load(*overrides: str) -> sim.ScenarioConfig:
        return _load(tuple(overrides))

    return load
