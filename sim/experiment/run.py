"""Run one replication of a scenario: config in, :class:`RunResult` out."""

from __future__ import annotations

from sim.config.build import check_config
from sim.config.schema import ScenarioConfig
from sim.engine.streams import RandomStreams
from sim.experiment.result import RunResult
from sim.model.district import simulate_campaign
from sim.model.mobile_teams import simulate_mobile_teams
from sim.model.sample_chain import plan_returns, simulate_chain


def run(config: ScenarioConfig, seed: int | None = None, replication: int = 0) -> RunResult:
    """Simulate one replication.

    Parameters
    ----------
    config
        A scenario (from :func:`sim.load_config` or :func:`sim.build_config`); one changed in
        Python is checked again, and every error reported, before anything is simulated.
    seed
        Base seed; defaults to ``config.seed``. The same seed and replication reproduce the run
        exactly, and give other scenarios the same random streams.
    replication
        Replication number (>= 0); each one uses independent streams.
    """
    if not isinstance(config, ScenarioConfig):
        raise TypeError(
            f"config must be a ScenarioConfig (use sim.load_config), got {type(config).__name__}"
        )
    check_config(config)
    seed = config.seed if seed is None else seed
    if seed < 0 or replication < 0:
        raise ValueError(f"seed and replication must be >= 0, got {seed} and {replication}")
    streams = RandomStreams(seed, replication)
    rounds = simulate_campaign(config, streams)
    mobile = simulate_mobile_teams(config.mobile, config.campaign, streams)
    chain = simulate_chain(config, rounds, streams, mobile)
    returns = plan_returns(config, rounds, chain)
    if returns is not None:  # recall.mode point: the recalled come back through the lines
        again = RandomStreams(seed, replication)  # the same draws, from fresh streams
        rounds = simulate_campaign(config, again, returns)
        chain = simulate_chain(config, rounds, again, mobile)
    return RunResult(config, seed, replication, rounds, chain, mobile)
