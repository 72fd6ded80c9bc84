"""Door-to-door sampling (``door_to_door``): homebound residents swabbed at home by teams.

Runs use the shipped district with its populations scaled down (8 sub-districts of
``POPULATION`` residents, their green groups as shipped: 8% over 70, 2% disabled, 1% pregnant,
6% under 8) and the mobile teams off, so that each takes about a second.

Checked: every resident ends tested (at a point or at home) or not tested with a reason; the
homebound are drawn with the configured shares (binomial intervals); they never reach a
point's line (the points' arrivals are the same draws less theirs); a team visits homes at
the rate its working minutes allow (renewal theory); their swabs are pooled, couriered and
resulted; several rounds, working days and the per-resident table; and that with every share
at 0 nothing changes (the regression tests check the shipped layouts number for number).
"""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np
import pytest

import sim
from sim.config.door_to_door import GREEN_GROUPS, DoorToDoorConfig
from sim.config.schema import DistributionConfig, GreenGroupsConfig
from sim.engine.streams import RandomStreams
from sim.model import records as rec
from sim.model.door_to_door import pick_homebound, team_schedule

POPULATION = 3_000
SUBDISTRICTS = 8
SMALL = (
    "mobile.teams=0",
    *(f"subdistricts.{k}.population={POPULATION}" for k in range(SUBDISTRICTS)),
)
#: 4 sigma: a check that fails by chance about once in 16,000 runs.
Z = 4.0


@functools.cache
def load(*overrides: str) -> sim.ScenarioConfig:
    return sim.load_config(list(overrides))


@functools.cache
def layout_run(*extra: str, seed: int = 3) -> sim.RunResult:
    return sim.run(load("layout=door_to_door", *SMALL, *extra), seed=seed)


def _not_tested_at_points(s: dict[str, object]) -> int:
    return sum(int(s[name]) for name in rec.OUTCOMES if name != "tested")  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- conservation


@pytest.mark.parametrize("teams", [48, 1])
def test_every_resident_is_tested_at_a_point_or_at_home_or_counted_with_a_reason(
    teams: int,
) -> None:
    r = layout_run(f"door_to_door.teams={teams}")
    s = r.summary()
    n = SUBDISTRICTS * POPULATION
    assert s["residents"] == n
    assert s["door_to_door_residents"] > 0
    # residents = tested at points + at home + not tested at points by reason + not visited
    assert (
        s["tested_at_points"]
        + s["door_to_door_visited"]
        + _not_tested_at_points(s)
        + s["door_to_door_not_visited"]
        == n
    )
    assert s["tested"] == s["tested_at_points"] + s["door_to_door_visited"]
    assert s["coverage"] == pytest.approx(s["tested"] / n)
    assert s["arrived"] + s["door_to_door_residents"] == n
    assert s["arrived"] == s["tested_at_points"] + _not_tested_at_points(s)
    assert s["door_to_door_visited"] + s["door_to_door_not_visited"] == s["door_to_door_residents"]
    assert (
        sum(s[f"door_to_door_residents_{g}"] for g in GREEN_GROUPS) == s["door_to_door_residents"]
    )
    assert sum(s[f"tested_day{d}"] for d in (1, 2)) == s["tested"]
    if teams == 1:  # one team cannot visit everyone in two days: the rest are not visited
        assert s["door_to_door_not_visited"] > 0
    else:
        assert s["door_to_door_not_visited"] == 0
    # the per-resident table: one row per resident, numbered 0..n-1, the same counts
    df = r.residents
    assert len(df) == n
    assert df["resident"].tolist() == list(range(n))
    counts = df["outcome"].value_counts()
    assert counts["tested"] == s["tested"]
    assert counts[rec.NOT_VISITED] == s["door_to_door_not_visited"]
    home = df[df["lane"] == rec.HOME_LANE]
    assert len(home) == s["door_to_door_residents"]
    assert home["green_eligible"].all()
    assert home["site"].str.startswith("Door-to-door team").all()
    assert (home["green_group"] != "").all() and (
        df.loc[df["lane"] != "home", "green_group"] == ""
    ).all()
    visited = home[home["outcome"] == "tested"]
    assert (visited["attempts"] == 1).all()
    assert (home.loc[home["outcome"] == rec.NOT_VISITED, "attempts"] == 0).all()
    assert visited["swab_end_min"].notna().all() and visited["wait_min"].isna().all()
    assert (visited["swab_end_min"] > visited["swab_start_min"]).all()
    # the groups' coverage counts the homebound residents too
    groups = r.tables()["groups"]
    assert groups["residents"].sum() == n
    assert groups["tested"].sum() == s["tested"]


def test_the_table_has_a_row_per_round_and_team() -> None:
    r = layout_run()
    s = r.summary()
    table = r.tables()["door_to_door"]
    assert len(table) == 48
    assert table["team"].tolist() == list(range(1, 49))
    assert table["homes"].sum() == s["door_to_door_residents"]
    assert table["visited"].sum() == s["door_to_door_visited"]
    assert ((table["utilisation"] > 0) & (table["utilisation"] <= 1)).all()
    for k in (1, 48):
        assert s[f"door_to_door_team{k}_visits"] == table["visited"][k - 1]
    # nobody is visited outside the teams' hours (08:00-18:00)
    home = r.residents[r.residents["lane"] == "home"]
    tod = np.mod(home["swab_start_min"].dropna().to_numpy(), 1440.0)
    end = np.mod(home["swab_end_min"].dropna().to_numpy(), 1440.0)
    assert (tod >= 8 * 60).all() and (end <= 18 * 60 + 1e-9).all()


# ----------------------------------------------------------------------------- who stays home


def test_the_homebound_are_drawn_with_the_configured_shares() -> None:
    """Each green-channel resident's group follows the sub-district's group sizes, and a
    resident of group g is homebound with probability shares[g] (binomial intervals)."""
    sizes = [
        GreenGroupsConfig(over_70=0.08, disabled=0.02, pregnant=0.01, under_8=0.06),
        GreenGroupsConfig(over_70=0.12, disabled=0.04, pregnant=0.0, under_8=0.03),
    ]
    shares = {"over_70": 0.05, "disabled": 0.5, "under_8": 0.2}
    cfg = DoorToDoorConfig(shares=shares, teams=1)
    n = 400_000
    rng = np.random.default_rng(5)
    sub = np.repeat([0, 1], n // 2)
    total = np.array([g.total for g in sizes])
    green = rng.random(n) < total[sub]
    homebound, group = pick_homebound(sub, green, sizes, cfg, RandomStreams(9)("door_to_door/pick"))
    assert (group[~green] == -1).all() and (group[green] >= 0).all()
    assert not homebound[~green].any()
    for j, g in enumerate(sizes):
        mine = green & (sub == j)
        for code, name in enumerate(GREEN_GROUPS):
            p = getattr(g, name) / g.total
            k = int(np.sum(group[mine] == code))
            m = int(mine.sum())
            assert abs(k - m * p) <= Z * np.sqrt(m * p * (1 - p)) + 1e-9, (j, name)
    for code, name in enumerate(GREEN_GROUPS):
        mine = group == code
        m = int(mine.sum())
        q = shares.get(name, 0.0)
        k = int(homebound[mine].sum())
        assert abs(k - m * q) <= Z * np.sqrt(m * q * (1 - q)) + 1e-9, name
        if q == 0:
            assert k == 0


def test_a_run_draws_the_expected_number_of_homebound_residents() -> None:
    cfg = load("layout=door_to_door", *SMALL)
    per_group = {g: 0 for g in GREEN_GROUPS}
    for sd in cfg.subdistricts:
        assert sd.green_groups is not None
        for g in GREEN_GROUPS:
            per_group[g] += sd.population * getattr(sd.green_groups, g)
    for seed in (1, 2):
        s = sim.run(cfg, seed=seed).summary()
        for g in GREEN_GROUPS:
            q = cfg.door_to_door.share(g)
            # the group's residents are themselves drawn: Binomial(population, size * share)
            p = q * per_group[g] / (SUBDISTRICTS * POPULATION)
            n = SUBDISTRICTS * POPULATION
            k = s[f"door_to_door_residents_{g}"]
            assert abs(k - n * p) <= Z * np.sqrt(n * p * (1 - p)) + 1e-9, (seed, g, k, n * p)


def test_the_homebound_never_reach_a_point() -> None:
    """The points' arrivals are those of the run without door-to-door sampling, less the
    homebound residents' (the same departure draws: nothing else shifts)."""
    on = layout_run()
    off = sim.run(
        dataclasses.replace(load("layout=door_to_door", *SMALL), door_to_door=DoorToDoorConfig()),
        seed=3,
    )
    a_on = on.rounds[0].residents.first_arrival
    a_off = off.rounds[0].residents.first_arrival
    homebound = on.summary()["door_to_door_residents"]
    assert a_on is not None and a_off is not None
    assert len(a_off) - len(a_on) == homebound
    assert np.isin(a_on, a_off).all()
    # the points' records hold only green and general lanes, and every point's residents
    for point in on.rounds[0].points:
        assert set(np.unique(point.residents.lane)) <= {rec.GREEN, rec.GENERAL}
    assert sum(p.residents.n for p in on.rounds[0].points) == on.rounds[0].residents.n
    df = on.residents
    at_points = df[df["lane"] != "home"]
    assert not at_points["site"].str.startswith("Door-to-door").any()
    # fewer green residents at the points: those at home are not in their lines
    assert on.summary()["n_tested_green"] < off.summary()["n_tested_green"]
    assert on.summary()["tested"] >= off.summary()["tested"] - 50


# ----------------------------------------------------------------------------- throughput


def test_a_team_with_fixed_times_visits_the_whole_number_of_homes_a_day_allows() -> None:
    windows = [(480.0, 1080.0), (1920.0, 2520.0)]  # 10 hours on two days
    m = 200
    start, end = team_schedule(np.full(m, 5.0), np.full(m, 8.0), windows)
    done = np.isfinite(end)
    per_day = 600 // 13  # 46 homes of 13 minutes in 600
    assert int(done.sum()) == 2 * per_day
    assert end[0] == pytest.approx(480 + 13) and start[0] == pytest.approx(480 + 5)
    assert end[per_day] == pytest.approx(1920 + 13)  # day 2 starts with a new trip
    assert np.isnan(end[2 * per_day :]).all()


def test_a_visit_longer_than_a_working_day_is_never_made() -> None:
    windows = [(480.0, 540.0), (1920.0, 1980.0)]
    travel = np.array([5.0, 5.0, 5.0])
    visit = np.array([10.0, 100.0, 10.0])
    _, end = team_schedule(travel, visit, windows)
    # the second home never fits in a day: the team passes it by and goes on to the third
    assert end[0] == pytest.approx(495.0) and np.isnan(end[1]) and end[2] == pytest.approx(510.0)


def test_team_throughput_is_the_working_minutes_over_the_trip_and_visit() -> None:
    """Random times: the homes a team visits in a day of L minutes are the renewals of the
    trip-and-visit time by L, on average L/mu + (cv^2 - 1)/2 for large L (renewal theory)."""
    rng = np.random.default_rng(11)
    days = 300
    length = 600.0
    windows = [(480.0 + 1440 * d, 480.0 + length + 1440 * d) for d in range(days)]
    m = 20_000
    mean_t, cv_t, mean_v, cv_v = 6.0, 0.5, 8.0, 0.4

    def lognormal(mean: float, cv: float, size: int) -> np.ndarray:
        s2 = np.log1p(cv**2)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size)

    travel, visit = lognormal(mean_t, cv_t, m), lognormal(mean_v, cv_v, m)
    _, end = team_schedule(travel, visit, windows)
    done = end[np.isfinite(end)]
    per_day = np.bincount(((done - 480.0) // 1440.0).astype(np.int64), minlength=days)
    assert done.size < m  # busy every day
    mu = mean_t + mean_v
    var = (cv_t * mean_t) ** 2 + (cv_v * mean_v) ** 2
    expected = length / mu + (var / mu**2 - 1) / 2
    se = per_day.std(ddof=1) / np.sqrt(days)
    assert abs(per_day.mean() - expected) <= Z * se + 0.05, (per_day.mean(), expected)
    # in a run: visits per team-day near the working minutes over the mean trip and visit
    r = layout_run("door_to_door.teams=1")
    s = r.summary()
    cfg = r.config.door_to_door
    mu = cfg.visit_min.expected + cfg.travel_min.expected
    assert s["door_to_door_visits_per_team_day"] == pytest.approx(600 / mu, abs=3.0)
    assert s["door_to_door_utilisation"] > 0.95


# ----------------------------------------------------------------------------- the lab chain


def test_the_home_swabs_are_pooled_couriered_and_resulted() -> None:
    r = layout_run()
    chain = r.chain
    assert chain is not None
    s = r.summary()
    cfg = r.config
    n_points = len(cfg.points)
    assert chain.sites[n_points:] == tuple(f"Door-to-door team {k}" for k in range(1, 49))
    home = chain.swab_site >= n_points
    assert int(home.sum()) == s["door_to_door_visited"]
    assert np.isfinite(chain.result[home]).all()  # every home swab resulted by the horizon
    assert (chain.result[home] > chain.swab_time[home]).all()
    tubes = np.unique(chain.swab_tube[home])
    assert (chain.tube_site[tubes] >= n_points).all()
    assert chain.tube_size[tubes].max() <= cfg.samples.pool_size
    assert (chain.tube_lab[tubes] >= 0).all()
    assert np.isin(np.arange(n_points, n_points + 48), chain.trip_site).all()  # couriers came
    # the per-resident table follows them to their results
    df = r.residents
    visited = df[(df["lane"] == "home") & (df["outcome"] == "tested")]
    assert (visited["tube"] >= 0).all() and visited["result_min"].notna().all()
    assert (visited["lab"] != "").all()
    assert (visited["turnaround_h"] > 0).all()
    assert s["resulted"] == chain.n_swabs


def test_several_rounds_and_working_days() -> None:
    r = sim.run(
        load(
            "layout=door_to_door",
            *SMALL,
            "campaign.round_days=2",
            "campaign.start_days=[1,4]",
            "door_to_door.work_days=[1]",
            "door_to_door.teams=2",
        ),
        seed=4,
    )
    s = r.summary()
    assert s["rounds"] == 2
    for k in (1, 2):
        run = r.rounds[k - 1]
        h = run.door_to_door
        assert h is not None and h.n == s[f"round{k}_door_to_door_residents"]
        assert s[f"round{k}_door_to_door_visited"] == int(h.visited.sum())
        # the teams work on the round's first day only
        assert (h.visit_end[h.visited] < 1440.0).all()
        assert h.first_resident == run.residents.n
    assert s["door_to_door_visited_day2"] == 0
    assert s["campaign_door_to_door_not_visited"] == sum(
        s[f"round{k}_door_to_door_not_visited"] for k in (1, 2)
    )
    # the second round's homebound are drawn afresh
    a, b = (run.door_to_door for run in r.rounds)
    assert a is not None and b is not None
    assert a.n != b.n or not np.array_equal(a.home, b.home)
    chain = r.chain
    assert chain is not None
    home = chain.swab_site >= len(r.config.points)
    rounds = chain.swab_round[home]
    assert set(np.unique(rounds)) == {0, 1}
    # round 2's swabs on campaign day 4 (its first day), resident numbers of that round
    second = home & (chain.swab_round == 1)
    assert ((chain.swab_time[second] // 1440.0) == 3).all()
    assert (chain.swab_resident[second] >= r.rounds[1].residents.n).all()
    df = r.residents
    assert len(df) == 2 * SUBDISTRICTS * POPULATION
    table = r.tables()["door_to_door"]
    assert table["round"].tolist() == [1, 1, 2, 2]


# ----------------------------------------------------------------------------- off


def test_shares_at_zero_change_nothing() -> None:
    base = load(*SMALL)
    assert not base.door_to_door.active
    zero = dataclasses.replace(
        base, door_to_door=dataclasses.replace(base.door_to_door, teams=3, shares={"disabled": 0.0})
    )
    a, b = sim.run(base, seed=2), sim.run(zero, seed=2)
    assert json.dumps(a.summary()) == json.dumps(b.summary())  # NaN written alike
    assert not any(k.startswith("door_to_door") or k == "tested_at_points" for k in b.summary())
    assert "door_to_door" not in b.tables()
    assert b.rounds[0].door_to_door is None
    assert len(zero.chain_sites) == len(base.chain_sites)
    assert list(a.residents.columns) == list(b.residents.columns)


def test_door_to_door_layout_lowers_the_points_load() -> None:
    """The shipped layout: the points serve fewer residents, the homebound are all visited."""
    s = layout_run().summary()
    assert s["door_to_door_not_visited"] == 0
    assert s["arrived"] < SUBDISTRICTS * POPULATION
    assert 0.9 < s["coverage"] <= 1.0


def test_a_distribution_for_visit_and_travel() -> None:
    """Deterministic visit and travel times: every team visits the same number of homes."""
    r = layout_run(
        "door_to_door.teams=2",
        "door_to_door.visit_min={kind: deterministic, mean: 9, cv: null}",
        "door_to_door.travel_min={kind: deterministic, mean: 6, cv: null}",
    )
    h = r.rounds[0].door_to_door
    assert h is not None
    assert h.team_visits.tolist() == [2 * (600 // 15)] * 2
    assert isinstance(r.config.door_to_door.visit_min, DistributionConfig)


def test_the_console_summary_shows_the_homebound() -> None:
    from sim.plots.report import format_summary

    cfg = sim.load_config(["door_to_door.shares.disabled=0.5", "door_to_door.teams=2"])
    text = format_summary([sim.run(cfg, seed=1)])
    s = sim.run(cfg, seed=1).summary()
    assert "Door-to-door sampling" in text
    assert f"{s['door_to_door_residents']:,} homebound" in text
    assert f"{s['door_to_door_not_visited']:,} not visited" in text
    assert "Door-to-door" not in format_summary([sim.run(sim.load_config(), seed=1)])
