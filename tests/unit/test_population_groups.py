"""Population groups with their own share per sub-district and their own turnout hours.

One busy point (``scenario=busy_point``, "Central square") serves three small sub-districts;
``market_traders`` (none during the 07:00-12:00 trading hours) are 20% of North, 0% of South
and the default 5% of Centre; ``students`` (a flat profile) 10% everywhere. Fixed seeds.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.staffing import DAY_MIN
from sim.engine.arrivals import profile_arrivals
from sim.engine.streams import RandomStreams
from sim.metrics.district import group_summary, group_table
from sim.model import records as rec

#: Window 06:00-22:00: 16 hourly weights; no trader sets out 07:00-12:00.
TRADERS = (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.0, 3.0, 2.0, 1.0, 0.0)
FLAT = (1.0,) * 16
POINT = "Central square"
SUBS = (
    ("North", 3000, {"market_traders": 0.2}),
    ("Centre", 2000, None),
    ("South", 1000, {"market_traders": 0.0}),
)
SEED = 5


@pytest.fixture(scope="module")
def base_data() -> dict[str, Any]:
    data = dataclasses.asdict(sim.load_config(overrides=["scenario=busy_point"]))
    data["seed"] = SEED
    data["labs"] = []  # the queue only
    data["demand"]["residents"] = None
    data["demand"]["retry"]["share"] = 0.5  # returns too: conservation over several attempts
    data["demand"]["groups"] = [
        {"name": "market_traders", "share": 0.05, "hourly_profile": list(TRADERS)},
        {"name": "students", "share": 0.1, "hourly_profile": list(FLAT)},
    ]
    data["subdistricts"] = [
        {
            "name": name,
            "population": n,
            "catchment": [{"site": POINT, "share": 1.0}],
            "groups": own,
        }
        for name, n, own in SUBS
    ]
    return data


Edit = Callable[[dict[str, Any]], None]


def build(data: dict[str, Any], edit: Edit | None = None) -> sim.ScenarioConfig:
    data = copy.deepcopy(data)
    if edit is not None:
        edit(data)
    return sim.build_config(data)


@pytest.fixture(scope="module")
def config(base_data: dict[str, Any]) -> sim.ScenarioConfig:
    return build(base_data)


@pytest.fixture(scope="module")
def result(config: sim.ScenarioConfig) -> sim.RunResult:
    return sim.run(config)


def codes(result: sim.RunResult) -> tuple[np.ndarray, np.ndarray]:
    r = result.rounds[0].residents
    assert r.group is not None and r.subdistrict is not None
    return np.asarray(r.group, dtype=np.int64), np.asarray(r.subdistrict, dtype=np.int64)


def test_group_counts_are_the_multinomial_draws_per_subdistrict(
    config: sim.ScenarioConfig, result: sim.RunResult
) -> None:
    group, sub = codes(result)
    assert result.rounds[0].groups == ("general", "market_traders", "students")
    rng = RandomStreams(SEED, 0)("groups")
    for j, sd in enumerate(config.subdistricts):
        shares = sd.group_shares(config.demand.groups)
        p = np.array([1.0 - sum(shares), *shares])
        expected = rng.multinomial(sd.population, p / p.sum())
        rng.permutation(sd.population)  # the draws that put them in random order
        counts = np.bincount(group[sub == j], minlength=3)
        assert counts.tolist() == expected.tolist(), sd.name
        assert counts.sum() == sd.population
        for k, share in enumerate(shares, start=1):  # and near the shares (4 sd)
            sd_k = np.sqrt(sd.population * share * (1 - share))
            assert abs(counts[k] - sd.population * share) <= 4 * sd_k + 1e-9
    north, _, south = (np.bincount(group[sub == j], minlength=3) for j in range(3))
    assert south[1] == 0  # South's own share 0: no traders there
    assert north[1] > 0.15 * 3000  # North's own 20%, not the default 5%


def test_no_trader_sets_out_during_trading_hours(result: sim.RunResult) -> None:
    r = result.rounds[0].residents
    group, _ = codes(result)
    assert r.first_arrival is not None
    hour = np.floor(r.first_arrival % DAY_MIN / 60.0)
    traders = hour[group == 1]
    assert traders.size > 500
    assert not np.any((traders >= 7) & (traders < 12))
    assert np.any(hour[group == 0] == 8)  # the general population's morning peak stays
    table = {row["group"]: row for row in group_table(result.rounds[0])}
    assert all(table["market_traders"][f"arrived_{h:02d}h"] == 0 for h in range(7, 12))
    assert table["market_traders"]["arrived_12h"] > table["market_traders"]["arrived_17h"]


def test_the_general_population_draws_from_its_own_stream_and_profile(
    config: sim.ScenarioConfig, result: sim.RunResult
) -> None:
    """The general population's departure times are exactly the demand profile's draws from
    the ``arrivals`` stream for their number (as in a run without groups)."""
    r = result.rounds[0].residents
    group, _ = codes(result)
    assert r.first_arrival is not None
    general = np.sort(r.first_arrival[group == 0])
    assert config.demand.hourly_profile is not None
    w0, w1 = config.demand.window
    expected = profile_arrivals(
        RandomStreams(SEED, 0)("arrivals"),
        config.demand.hourly_profile,
        w0,
        w1,
        general.size,
        fixed_count=True,
    )
    np.testing.assert_allclose(general, expected, rtol=0, atol=1e-9)


def test_groups_of_nobody_change_nothing(base_data: dict[str, Any]) -> None:
    """Groups that have no members leave every draw of the run as without groups."""

    def empty_groups(d: dict[str, Any]) -> None:
        for g in d["demand"]["groups"]:
            g["share"] = 0.0
        for sd in d["subdistricts"]:
            sd["groups"] = None

    def no_groups(d: dict[str, Any]) -> None:
        d["demand"]["groups"] = []

    with_empty = sim.run(build(base_data, empty_groups))
    without = sim.run(build(base_data, no_groups))
    a, b = with_empty.rounds[0].residents, without.rounds[0].residents
    for name, value in a.__dict__.items():
        if isinstance(value, np.ndarray) and name != "group":
            np.testing.assert_array_equal(value, getattr(b, name), err_msg=name)
    assert b.group is not None and not b.group.any()
    rows = group_table(with_empty.rounds[0])
    assert [row["residents"] for row in rows] == [6000, 0, 0]
    assert np.isnan(rows[1]["coverage"]) and np.isnan(rows[1]["wait_p95_min"])
    assert with_empty.summary()["group_market_traders_coverage"] != 1.0  # NaN: nobody
    assert not any(k.startswith("group_") for k in without.summary())
    assert group_summary(without.rounds[0]) == {}


def test_every_resident_of_every_group_ends_tested_or_with_a_reason(
    result: sim.RunResult,
) -> None:
    r = result.rounds[0].residents
    group, _ = codes(result)
    assert r.n == 6000
    tested = r.outcome == rec.TESTED
    assert np.all((r.outcome >= 0) & (r.outcome < len(rec.OUTCOMES)))
    assert np.all(np.isfinite(r.swab_end[tested]))
    assert np.all(np.isfinite(r.exit[~tested])) and np.all(np.isnan(r.exit[tested]))
    rows = group_table(result.rounds[0])
    assert sum(row["residents"] for row in rows) == r.n
    assert sum(row["tested"] for row in rows) == int(tested.sum())
    for code, row in enumerate(rows):
        mine = group == code
        assert row["residents"] == int(mine.sum())
        assert row["tested"] + row["not_tested"] == row["residents"]
        assert sum(row[f"arrived_{h:02d}h"] for h in range(24)) == row["residents"]
        reasons = np.bincount(r.outcome[mine], minlength=len(rec.OUTCOMES))
        assert reasons.sum() == row["residents"]
        assert reasons[rec.TESTED] == row["tested"]
    s = result.summary()
    for row in rows:
        assert s[f"group_{row['group']}_coverage"] == pytest.approx(row["coverage"])
        assert s[f"group_{row['group']}_wait_p95_min"] == pytest.approx(row["wait_p95_min"])


def test_the_residents_table_has_a_group_column(result: sim.RunResult) -> None:
    frame = result.residents
    assert isinstance(frame["group"].dtype, pd.CategoricalDtype)
    assert list(frame["group"].cat.categories) == ["general", "market_traders", "students"]
    counts = frame.groupby(["subdistrict", "group"], observed=False).size()
    assert counts["South", "market_traders"] == 0
    assert counts.sum() == 6000


def test_same_seed_same_results(config: sim.ScenarioConfig, result: sim.RunResult) -> None:
    again = sim.run(config)
    pd.testing.assert_frame_equal(result.residents, again.residents)
    other = sim.run(config, replication=1)
    assert not np.array_equal(codes(other)[0], codes(result)[0])


def test_a_group_with_its_own_days(base_data: dict[str, Any]) -> None:
    """A two-day round in which the traders all come on day 1 (the others 50/50)."""

    def two_days(d: dict[str, Any]) -> None:
        d["campaign"]["round_days"] = 2
        d["demand"]["daily_shares"] = [0.5, 0.5]
        d["demand"]["retry"]["share"] = 0.0
        d["demand"]["groups"][0]["daily_shares"] = [1.0, 0.0]

    run = sim.run(build(base_data, two_days))
    r = run.rounds[0].residents
    group, _ = codes(run)
    assert r.first_arrival is not None
    day = np.floor(r.first_arrival / DAY_MIN)
    assert np.all(day[group == 1] == 0)
    general_day2 = np.mean(day[group == 0] == 1)
    assert 0.45 < general_day2 < 0.55


def test_groups_without_subdistricts(base_data: dict[str, Any]) -> None:
    """One area of ``demand.residents``: the groups' shares apply to all of it."""

    def one_area(d: dict[str, Any]) -> None:
        d["subdistricts"] = []
        d["demand"]["residents"] = 4000

    config = build(base_data, one_area)
    run = sim.run(config)
    group = np.asarray(run.rounds[0].residents.group)
    p = np.array([0.85, 0.05, 0.1])
    expected = RandomStreams(SEED, 0)("groups").multinomial(4000, p)
    assert np.bincount(group, minlength=3).tolist() == expected.tolist()
    rows = group_table(run.rounds[0])
    assert [row["group"] for row in rows] == ["general", "market_traders", "students"]
    assert sum(row["residents"] for row in rows) == 4000
