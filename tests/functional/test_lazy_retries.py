"""Returns are drawn per attempt that happens, not per attempt allowed.

The district draws each resident's return delay after failing attempt k + 1 from the streams
``retry{k}`` and ``retry_delay{k}`` only when somebody first fails that attempt
(:class:`sim.engine.distributions.LazyDraws`). The results must be those of drawing every
allowed attempt up front, and a huge ``max_retries`` must cost no more than the returns that
happen.
"""

from __future__ import annotations

import dataclasses
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine.distributions import LazyDraws
from sim.engine.streams import RandomStreams
from sim.model import district
from sim.model import records as rec

SEED = 5
#: One overloaded point (two booths, no registration, a short line, impatient residents): many
#: balk or renege and most come back, some many times.
RETURNS = (
    "scenario=busy_point",
    "demand.residents=3000",
    "site.registration=false",
    "site.swab_booths=2",
    "site.queue_space_m=30",
    "demand.patience_min.mean=20",
    "demand.retry.share=0.9",
    "demand.retry.delay_min.mean=30",
)


class _Eager(LazyDraws):
    """Draws every item when built, as the district did before draws were lazy."""

    def __init__(self, length: int, draw: Callable[[int], np.ndarray]) -> None:
        super().__init__(length, draw)
        for k in range(length):
            self[k]


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[LazyDraws]]:
    """The retry plans built by the runs of the test (one per round), lazy as in the model."""
    made: list[LazyDraws] = []

    class Recorded(LazyDraws):
        def __init__(self, length: int, draw: Callable[[int], np.ndarray]) -> None:
            super().__init__(length, draw)
            made.append(self)

    monkeypatch.setattr(district, "LazyDraws", Recorded)
    yield made


def assert_same_summary(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert list(a) == list(b)
    for key, x in a.items():
        y = b[key]
        same = x == y or (isinstance(x, float) and isinstance(y, float) and x != x and y != y)
        assert same, (key, x, y)


def _eager_run(cfg: sim.ScenarioConfig, monkeypatch: pytest.MonkeyPatch) -> sim.RunResult:
    with monkeypatch.context() as m:
        m.setattr(district, "LazyDraws", _Eager)
        return sim.run(cfg, seed=SEED)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param((), id="one_day"),
        pytest.param(("demand.retry.max_retries=6",), id="six_retries"),
        pytest.param(
            (
                "campaign.round_days=2",
                "campaign.start_days=[1,4]",
                "demand.daily_shares=[0.7,0.3]",
                "demand.retry.max_retries=3",
            ),
            id="two_rounds_of_two_days",
        ),
    ],
)
def test_lazy_returns_match_drawing_every_attempt_up_front(
    load_config: Callable[..., sim.ScenarioConfig],
    plans: list[LazyDraws],
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[str, ...],
) -> None:
    cfg = load_config(*RETURNS, *extra)
    lazy = sim.run(cfg, seed=SEED)
    eager = _eager_run(cfg, monkeypatch)
    assert lazy.summary()["returns"] > 100, "the scenario should make residents come back"
    assert_same_summary(lazy.summary(), eager.summary())
    pd.testing.assert_frame_equal(lazy.residents, eager.residents, check_exact=True)
    for name, table in eager.tables().items():
        pd.testing.assert_frame_equal(lazy.tables()[name], table, check_exact=True)
    assert len(plans) == len(cfg.campaign.start_days)


def _with_max_retries(cfg: sim.ScenarioConfig, k: int) -> sim.ScenarioConfig:
    """``cfg`` allowing ``k`` returns (past the config layer's bound: the model must not care,
    so the rounds are simulated directly, without :func:`sim.run`'s check)."""
    retry = dataclasses.replace(cfg.demand.retry, max_retries=k)
    return dataclasses.replace(cfg, demand=dataclasses.replace(cfg.demand, retry=retry))


def _residents(cfg: sim.ScenarioConfig) -> rec.ResidentRecords:
    (run,) = district.simulate_campaign(cfg, RandomStreams(SEED))
    return run.residents


def test_many_allowed_returns_cost_only_the_returns_that_happen(
    load_config: Callable[..., sim.ScenarioConfig], plans: list[LazyDraws]
) -> None:
    cfg = _with_max_retries(load_config(*RETURNS), 100_000)
    tracemalloc.start()
    try:
        r = _residents(cfg)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # drawing every allowed return would take 100,000 x 3,000 x 8 bytes = 2.4 GB
    assert peak < 100e6
    (plan,) = plans
    assert len(plan) == 100_000
    attempts = int(r.attempts.max())
    assert attempts > 3, "some residents should come back several times"
    # attempt k + 1 is drawn when someone first fails it: every attempt before the last one
    # that happened (and possibly that one, if it failed too), and none after
    assert list(range(attempts - 1)) == plan.drawn[: attempts - 1]
    assert len(plan.drawn) <= attempts
    # the same as allowing just those attempts
    capped = _residents(_with_max_retries(cfg, attempts))
    for field in dataclasses.fields(rec.ResidentRecords):
        a, b = getattr(r, field.name), getattr(capped, field.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        elif isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):  # per stage
            assert len(a) == len(b), field.name
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y, err_msg=field.name)
        else:
            assert a == b, field.name


def test_no_return_plan_is_drawn_without_a_retry_share(
    load_config: Callable[..., sim.ScenarioConfig], plans: list[LazyDraws]
) -> None:
    result = sim.run(load_config(*RETURNS, "demand.retry.share=0"), seed=SEED)
    assert (result.residents["attempts"] == 1).all()
    assert [len(p) for p in plans] == [0]
