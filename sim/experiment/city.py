"""Run a city: each district's collection round is one task, then the labs serve the city.

A district's task simulates its rounds and mobile teams from its own random streams
(``district/<name>/...``: districts are independent, and a district's results do not depend on
which others the city has), and sends back what the city needs, small: its summary and tables,
its tested residents' waits, and its swabs (when, where, positive or not). The parent merges the
swabs and follows them through the city's couriers and labs (streams ``city/chain/...``).
Tasks run on any backend (:mod:`sim.experiment.backends`) with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.city import CityConfig
from sim.config.schema import ScenarioConfig
from sim.engine.streams import RandomStreams
from sim.experiment.backends import Backend, check_backend, run_map
from sim.experiment.result import CompactResult, RunResult, compact
from sim.metrics.city import city_summary, district_rows, site_districts
from sim.metrics.targets import Verdict, judge, target_values
from sim.model import records as rec
from sim.model.district import simulate_campaign
from sim.model.mobile_teams import simulate_mobile_teams
from sim.model.sample_chain import SwabFeed, merge_feeds, simulate_city_chain, swab_feed

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class DistrictRun:
    """What a district's task sends back (about 25 bytes a swab: 9 MB for 313,000 residents
    and their enterprises' 60,000 employee swabs).

    Attributes
    ----------
    result
        The district's summary and tables (no labs: its results are the city's).
    waits
        Minutes each tested resident queued in the first round (float32).
    feed
        Its swabs, for the city-wide chain.
    """

    result: CompactResult
    waits: np.ndarray
    feed: SwabFeed


def district_streams(seed: int, replication: int, name: str) -> RandomStreams:
    """A district's random streams in a city: ``district/<name>/...``."""
    return RandomStreams(seed, replication, prefix=f"district/{name}/")


def run_district(args: tuple[ScenarioConfig, int, int]) -> DistrictRun:
    """Simulate one district of a city (its rounds and mobile teams), made compact."""
    config, seed, replication = args
    streams = district_streams(seed, replication, config.name)
    rounds = simulate_campaign(config, streams)
    mobile = simulate_mobile_teams(config.mobile, config.campaign, streams)
    feed = swab_feed(config, rounds, streams, mobile)
    r = rounds[0].residents
    if config.warmup_min > 0:
        start = min(p.open_min for p in rounds[0].points) + config.warmup_min
        r = r.subset(r.arrival >= start)
    wait = r.wait[r.outcome == rec.TESTED]
    waits = wait[np.isfinite(wait)].astype(np.float32)
    full = RunResult(config, seed, replication, rounds, None, mobile)
    return DistrictRun(compact(full), waits, feed)


@dataclass
class CityResult:
    """One replication of a city.

    Attributes
    ----------
    config
        The city.
    seed, replication
        Identify the random streams used.
    districts
        Each district's summary and tables (:class:`CompactResult`), in the city's order.
    waits
        Minutes every tested resident of the city queued (first round), district by district.
    chain
        The city-wide chain from swab to result (None without labs); its sites are every
        district's points, then every district's mobile teams (``site_district`` says whose).
    site_district
        District index of each site of ``chain``.
    """

    config: CityConfig
    seed: int
    replication: int
    districts: list[CompactResult]
    waits: np.ndarray
    chain: rec.ChainRun | None
    site_district: np.ndarray
    _summary: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    _tables: dict[str, pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"CityResult(city={self.config.name!r}, seed={self.seed}, replication="
            f"{self.replication}, districts={s['districts']}, residents={s['residents']}, "
            f"tested={s['tested']}, wait_p95_min={s['wait_p95_min']:.1f})"
        )

    def summary(self) -> dict[str, Any]:
        """The city's headline figures (:func:`sim.metrics.city.city_summary`), with
        ``seed`` and ``replication``; the unprefixed ones are the first round's."""
        if self._summary is None:
            s = city_summary(
                self.config.name,
                self.config.district_names,
                [d.summary() for d in self.districts],
                self.waits,
                self.chain,
            )
            self._summary = {
                "city": s.pop("city"),
                "seed": self.seed,
                "replication": self.replication,
                **s,
            }
        return dict(self._summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """``districts`` (one row per district, see :func:`sim.metrics.city.district_rows`),
        ``points`` (every district's points table with ``district``, ``x_km``, ``y_km`` and
        ``swab_booths`` first), ``hours`` (per district, round, day and hour), and with labs
        ``labs`` and ``lab_backlog`` (the city-wide labs). Computed once; each call returns
        copies."""
        if self._tables is None:
            self._tables = self._make_tables()
        return {name: frame.copy() for name, frame in self._tables.items()}

    def _make_tables(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        from sim.metrics.turnaround import backlog_table, lab_table

        names = self.config.district_names
        out = {
            "districts": pd.DataFrame(
                district_rows(
                    names, [d.summary() for d in self.districts], self.chain, self.site_district
                )
            )
        }
        points, hours = [], []
        for name, cfg, d in zip(names, self.config.districts, self.districts, strict=True):
            t = d.tables()
            p = t["points"]
            where = {q.name: q for q in cfg.points}
            p.insert(0, "district", name)
            p.insert(3, "x_km", [where[s].x_km for s in p["site"]])
            p.insert(4, "y_km", [where[s].y_km for s in p["site"]])
            booths = {  # a round's own booths (campaign.round_overrides)
                (k + 1, q.name): q.swab_booths
                for k in range(len(cfg.campaign.start_days))
                for q in cfg.round_config(k).points
            }
            p.insert(
                5,
                "swab_booths",
                [booths[(int(k), s)] for k, s in zip(p["round"], p["site"], strict=True)],
            )
            points.append(p)
            h = t["hours"]
            h.insert(0, "district", name)
            hours.append(h)
        out["points"] = pd.concat(points, ignore_index=True)
        out["hours"] = pd.concat(hours, ignore_index=True)
        if self.chain is not None:
            out["labs"] = pd.DataFrame(lab_table(self.chain))
            out["lab_backlog"] = pd.DataFrame(backlog_table(self.chain))
        return out

    def labs_at(self) -> list[tuple[str, float, float]]:
        """(name, x_km, y_km) of the city's labs in use."""
        return [(lab.name, lab.x_km, lab.y_km) for lab in self.config.chain.labs_in_use]


def run_city(
    city: CityConfig,
    seed: int | None = None,
    replication: int = 0,
    *,
    backend: Backend = "processes",
    n_jobs: int = 1,
    address: str | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> CityResult:
    """Simulate one replication of ``city``: its districts as tasks on ``backend`` (with
    ``n_jobs`` workers, or on the Ray cluster at ``address``), then the city-wide chain here.
    The same seed gives the same result on every backend."""
    return run_city_replications(
        city,
        [replication],
        seed,
        backend=backend,
        n_jobs=n_jobs,
        address=address,
        progress=progress,
    )[0]


def run_city_replications(
    city: CityConfig,
    replications: int | Sequence[int] | None = None,
    seed: int | None = None,
    *,
    backend: Backend = "processes",
    n_jobs: int = 1,
    address: str | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> list[CityResult]:
    """Replications of ``city`` (``replications``: how many, from 0, or which; default the
    city's): every district of every replication is one task, then each replication's chain
    (in parallel too when there are several). ``progress`` wraps the district tasks' results
    as they come (e.g. a tqdm bar)."""
    if not isinstance(city, CityConfig):
        raise TypeError(f"city must be a CityConfig (use sim.load_city), got {type(city).__name__}")
    reps = (
        list(range(city.replications))
        if replications is None
        else list(range(replications))
        if isinstance(replications, int)
        else list(replications)
    )
    if not reps or any(isinstance(r, bool) or not isinstance(r, int) or r < 0 for r in reps):
        raise ValueError(
            "replications must be an integer >= 1 or replication numbers >= 0, got "
            f"{replications!r}"
        )
    seed = city.seed if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    check_backend(backend, n_jobs, address)
    jobs = [(d, seed, r) for r in reps for d in city.districts]
    runs = run_map(
        run_district, jobs, backend=backend, n_jobs=n_jobs, address=address, progress=progress
    )
    n = len(city.districts)
    per_rep = [runs[i * n : (i + 1) * n] for i in range(len(reps))]
    feeds = [merge_feeds([d.feed for d in group], city.district_names) for group in per_rep]
    chains = run_map(
        _chain,
        [(city.chain, f, seed, r) for f, r in zip(feeds, reps, strict=True)],
        backend=backend,
        n_jobs=n_jobs,
        address=address,
    )
    site_district = site_districts(
        [len(d.points) for d in city.districts],
        [len(f.sites) - f.n_points for f in (d.feed for d in per_rep[0])],
    )
    return [
        CityResult(
            city,
            seed,
            r,
            [d.result for d in group],
            np.concatenate([d.waits for d in group]),
            chain,
            site_district,
        )
        for r, group, chain in zip(reps, per_rep, chains, strict=True)
    ]


def _chain(args: tuple[ScenarioConfig, SwabFeed, int, int]) -> rec.ChainRun | None:
    config, feed, seed, replication = args
    return simulate_city_chain(config, feed, RandomStreams(seed, replication, prefix="city/"))


def city_verdicts(results: Sequence[CityResult]) -> list[Verdict]:
    """Each of the city's targets judged on its replications' summaries (``worst_point_*``
    over every point of the city)."""
    if not results:
        return []
    chain = results[0].config.chain
    targets = chain.judged_targets
    points = any(t.metric.startswith("worst_point_") for t in targets)
    values = [target_values(r.summary(), r.tables()["points"] if points else None) for r in results]
    level = chain.precision.level
    return [judge(t, [v.get(t.metric, float("nan")) for v in values], level) for t in targets]
