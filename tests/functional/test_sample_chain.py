"""The chain from swab to result, end to end: conservation, order of events, reproducibility,
direction of effects, recalls and courier assignment.

Two district runs (``sim.load_config()`` with no scenario: the shipped default, 40 points, two
fixed labs and a mobile lab) are made once per module: the default, and a stressed variant
(no mobile lab, few courier vehicles, results followed only 2 h after the last point closes,
and a higher prevalence) so that swabs are held up at every stage when the run stops. Everything
else uses the one busy point (``scenario=busy_point``, ~0.1-0.5 s per replication).

Direction tests compare two scenarios over the same replications with the same seed (common
random numbers) and require the paired Student-t 95% interval of the per-replication difference
to exclude 0 on the expected side.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import sim
from sim.metrics.intervals import Interval, t_interval
from sim.metrics.turnaround import BACKLOG_STAGES, lab_table, swab_backlog, tube_stage
from sim.model import records as rec

SEED = 2024
REPS = 5

Load = Callable[..., sim.ScenarioConfig]

POINT = ("scenario=busy_point",)
# The busy point over two days, 7,500 residents a day (the mobile lab opens on day 2 at 08:00).
TWO_DAYS = (
    "scenario=busy_point",
    "campaign.round_days=2",
    "demand.daily_shares=[0.5,0.5]",
    "demand.residents=15000",
)
# The district, stressed so that the backlog at the end of the run is spread over every stage.
STRESSED = [
    "layout=no_mobile_lab",
    "samples.results_horizon_h=2",
    "samples.prevalence=0.0005",
    "couriers.vehicles=10",
]


@pytest.fixture(scope="module")
def district() -> sim.RunResult:
    return sim.run(sim.load_config(), seed=SEED)


@pytest.fixture(scope="module")
def stressed() -> sim.RunResult:
    return sim.run(sim.load_config(overrides=STRESSED), seed=SEED)


@pytest.fixture(scope="module", params=["district", "stressed"])
def any_district(request: pytest.FixtureRequest) -> sim.RunResult:
    result: sim.RunResult = request.getfixturevalue(request.param)
    return result


def chain_of(result: sim.RunResult) -> rec.ChainRun:
    assert result.chain is not None, "the scenario has labs: the chain must be simulated"
    return result.chain


@functools.cache
def summaries(cfg: sim.ScenarioConfig, reps: int = REPS) -> list[dict[str, Any]]:
    """Summaries of replications ``0 .. reps-1`` (cached: configs are frozen)."""
    return [r.summary() for r in sim.run_replications(cfg, reps, seed=SEED)]


def metric(cfg: sim.ScenarioConfig, key: str, reps: int = REPS) -> np.ndarray:
    values = np.array([s[key] for s in summaries(cfg, reps)], dtype=float)
    assert np.isfinite(values).all(), f"{key} undefined in some replication"
    return values


def paired(a: sim.ScenarioConfig, b: sim.ScenarioConfig, key: str) -> Interval:
    """95% t interval of the mean per-replication difference ``key(a) - key(b)``."""
    return t_interval(metric(a, key) - metric(b, key))


def same(a: Any, b: Any) -> bool:
    """Equality that takes NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


# ------------------------------------------------------------------------------ conservation


def test_every_tested_resident_is_exactly_one_swab(district: sim.RunResult) -> None:
    chain = chain_of(district)
    total = 0
    for run in district.rounds:
        r = run.residents
        tested = np.flatnonzero(r.outcome == rec.TESTED)
        mine = np.flatnonzero(chain.swab_round == run.round)
        order = np.argsort(chain.swab_resident[mine])
        np.testing.assert_array_equal(chain.swab_resident[mine][order], tested)
        offset = 1440.0 * (run.start_day - 1)
        np.testing.assert_allclose(chain.swab_time[mine][order], r.swab_end[tested] + offset)
        assert r.site is not None
        np.testing.assert_array_equal(chain.swab_site[mine][order], r.site[tested])
        total += tested.size
    s = district.summary()
    assert np.count_nonzero(chain.swab_round >= 0) == total == s["swabs_points"] > 300_000
    # then the mobile teams' swabs, one per employee swabbed
    assert district.mobile is not None
    mobile = chain.swab_round < 0
    assert mobile.sum() == s["swabs_mobile"] == s["mobile_sampled"] > 0
    np.testing.assert_array_equal(chain.swab_resident[mobile], district.mobile.swab_employee)
    np.testing.assert_allclose(chain.swab_time[mobile], district.mobile.swab_time)
    assert (chain.swab_site[mobile] >= chain.n_points).all()
    assert chain.n_swabs == s["swabs"] == s["swabs_points"] + s["swabs_mobile"]


def test_every_swab_is_in_exactly_one_pooled_tube(any_district: sim.RunResult) -> None:
    chain = chain_of(any_district)
    pooled = ~chain.tube_retest
    n_pool = int(pooled.sum())
    # Pooled tubes come first, then one retest tube per recalled swab.
    assert pooled[:n_pool].all() and not pooled[n_pool:].any()
    assert int(chain.tube_size[pooled].sum()) == chain.n_swabs
    assert (chain.tube_size[pooled] >= 1).all()
    assert (chain.tube_size[pooled] <= chain.pool_size).all()
    assert (chain.tube_size[~pooled] == 1).all()
    assert chain.swab_tube.min() >= 0 and chain.swab_tube.max() < n_pool
    np.testing.assert_array_equal(
        np.bincount(chain.swab_tube, minlength=n_pool), chain.tube_size[pooled]
    )
    np.testing.assert_array_equal(chain.tube_site[chain.swab_tube], chain.swab_site)
    # A pool is positive exactly when some member is; its members are the recalled swabs.
    pos_pool = np.bincount(chain.swab_tube, weights=chain.swab_positive, minlength=n_pool) > 0
    np.testing.assert_array_equal(chain.tube_positive[pooled], pos_pool)
    np.testing.assert_array_equal(chain.retest_tube >= 0, pos_pool[chain.swab_tube])
    recalled = np.flatnonzero(chain.retest_tube >= 0)
    assert sorted(chain.retest_tube[recalled].tolist()) == list(range(n_pool, chain.n_tubes))
    np.testing.assert_array_equal(
        chain.tube_positive[chain.retest_tube[recalled]], chain.swab_positive[recalled]
    )


def test_every_swab_is_resulted_or_in_exactly_one_backlog_stage(
    any_district: sim.RunResult,
) -> None:
    s = any_district.summary()
    chain = chain_of(any_district)
    stages = sum(s[f"backlog_{name}"] for name in BACKLOG_STAGES)
    assert s["resulted"] + stages == s["swabs"]
    assert s["backlog_swabs"] == stages
    assert s["resulted"] == int(np.isfinite(chain.result).sum())
    assert swab_backlog(chain) == {name: s[f"backlog_{name}"] for name in BACKLOG_STAGES}


def test_default_district_results_every_swab(district: sim.RunResult) -> None:
    s = district.summary()
    assert s["backlog_swabs"] == 0
    assert s["resulted"] == s["swabs"]
    assert s["positive_pools"] >= 1, "the default prevalence gives a few positive pools"
    assert s["retests_done"] == s["recalled"] == s["pcr_tests"] - s["tubes"]


def test_stressed_district_holds_swabs_at_every_stage(stressed: sim.RunResult) -> None:
    s = stressed.summary()
    assert s["backlog_swabs"] > 0.1 * s["swabs"]
    held = {name: s[f"backlog_{name}"] for name in BACKLOG_STAGES}
    # Receiving (6 s a tube) is the one stage that may well be empty at a given instant.
    empty = [name for name, n in held.items() if n == 0 and name != "receiving"]
    assert not empty, f"no swab held at {empty}: {held}"


def test_tubes_are_resulted_or_held_at_one_stage(any_district: sim.RunResult) -> None:
    chain = chain_of(any_district)
    stage = tube_stage(chain)
    done = np.isfinite(chain.tube_result)
    pooled = ~chain.tube_retest
    assert not (done & (stage >= 0)).any()
    assert int(done[pooled].sum()) + int((stage[pooled] >= 0).sum()) == int(pooled.sum())
    # A retest tube is resulted, held, or its swab is not taken by the horizon (or its pool's
    # result is not out).
    retest = chain.tube_retest
    swabbed = chain.tube_closed <= chain.horizon_min
    assert int(done[retest].sum()) + int((stage[retest] >= 0).sum()) == int(
        (retest & swabbed).sum()
    )
    # The labs' own tally agrees: tubes delivered and not resulted are at a lab stage.
    rows = lab_table(chain)
    assert sum(r["tubes_resulted"] for r in rows) == int(done.sum())
    at_lab = (stage >= BACKLOG_STAGES.index("receiving")).sum()
    assert sum(r["backlog_tubes_at_end"] for r in rows) == int(at_lab)


def test_retests_visited_are_retests_done(any_district: sim.RunResult) -> None:
    s = any_district.summary()
    assert s["retests_done"] <= s["recalled"]
    assert s["retests_visited"] <= s["retests_done"]


# ------------------------------------------------------------------------------ order of events


def test_turnaround_and_event_order(any_district: sim.RunResult) -> None:
    chain = chain_of(any_district)
    ok = np.isfinite(chain.result)
    assert ok.any()
    assert (chain.result[ok] >= chain.swab_time[ok]).all()
    assert (chain.result[ok] <= chain.horizon_min).all()
    ta = (chain.result - chain.swab_time)[ok]
    assert (ta >= 0).all()
    # A swab's pooled tube opens no later than the swab, and closes no earlier.
    tube = chain.swab_tube
    assert (chain.tube_opened[tube] <= chain.swab_time).all()
    assert (chain.tube_closed[tube] >= chain.swab_time).all()
    # Pooled tubes: opened <= closed <= picked <= delivered <= received <= extraction <= PCR
    # <= result, wherever the later time is reached; a courier is called for a tube once it
    # is closed (a tube closing while the call waits for a vehicle counts from its closing).
    pooled = ~chain.tube_retest
    steps = [
        chain.tube_opened,
        chain.tube_closed,
        chain.tube_called,
        chain.tube_picked,
        chain.tube_delivered,
        chain.tube_received,
        chain.tube_extraction_start,
        chain.tube_extraction_end,
        chain.tube_pcr_start,
        chain.tube_pcr_end,
        chain.tube_result,
    ]
    for earlier, later in itertools.pairwise(steps):
        reached = pooled & np.isfinite(later)
        assert np.isfinite(earlier[reached]).all()
        assert (later[reached] >= earlier[reached]).all()
    # Retests: the swab after the pool's result, the result after the swab.
    recalled = np.flatnonzero(chain.retest_tube >= 0)
    assert recalled.size
    pool_result = chain.tube_result[chain.swab_tube[recalled]]
    rt = chain.retest_tube[recalled]
    planned = np.isfinite(chain.retest_time[recalled])
    out = planned & np.isfinite(pool_result)
    assert (chain.retest_time[recalled][out] >= pool_result[out]).all()
    # A pool whose result comes after the horizon recalls its members after it, too.
    assert (chain.retest_time[recalled][planned & ~out] > chain.horizon_min).all()
    done = np.isfinite(chain.tube_result[rt])
    assert done.any()
    assert (chain.tube_result[rt][done] >= chain.retest_time[recalled][done]).all()
    assert (chain.tube_delivered[rt][done] >= chain.retest_time[recalled][done]).all()
    # The final result of a recalled swab is its retest's, never the pool's.
    np.testing.assert_array_equal(chain.result[recalled], chain.tube_result[rt])
    # Retest tubes go to the lab that tested their pool.
    np.testing.assert_array_equal(
        chain.tube_lab[rt][done], chain.tube_lab[chain.swab_tube[recalled]][done]
    )


def test_no_lab_works_before_it_opens(district: sim.RunResult) -> None:
    chain = chain_of(district)
    assert "Mobile lab" in chain.labs
    for j, opens in enumerate(chain.lab_opens_min):
        mine = chain.tube_lab == j
        assert mine.any(), f"{chain.labs[j]} got no tubes"
        assert (chain.tube_received[mine][np.isfinite(chain.tube_received[mine])] >= opens).all()
        assert (chain.run_start[chain.run_lab == j] >= opens).all()


def test_resident_table_carries_the_chain(load_config: Load) -> None:
    result = sim.run(load_config(*POINT, "samples.prevalence=0.01"), seed=SEED)
    chain = chain_of(result)
    table = result.residents
    tested = table["outcome"] == "tested"
    assert int(tested.sum()) == chain.n_swabs
    who = chain.swab_resident
    np.testing.assert_array_equal(table["tube"].to_numpy()[who], chain.swab_tube)
    np.testing.assert_array_equal(table["recalled"].to_numpy()[who], chain.retest_tube >= 0)
    np.testing.assert_array_equal(table["result_min"].to_numpy()[who], chain.result)
    assert (table.loc[~tested, "tube"] == -1).all()
    assert table.loc[~tested, "result_min"].isna().all()
    assert int(table["recalled"].sum()) == result.summary()["recalled"] > 0
    labs = result.tables()["labs"]
    assert list(labs["lab"]) == list(chain.labs)


# ------------------------------------------------------------------------------ reproducibility


def assert_same_chain(a: rec.ChainRun, b: rec.ChainRun) -> None:
    for name in rec.ChainRun.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=name)
        else:
            assert x == y, name


def test_same_seed_gives_identical_chain(load_config: Load) -> None:
    cfg = load_config(*POINT, "samples.prevalence=0.01")
    a = chain_of(sim.run(cfg, seed=SEED, replication=1))
    b = chain_of(sim.run(cfg, seed=SEED, replication=1))
    assert_same_chain(a, b)
    c = chain_of(sim.run(cfg, seed=SEED, replication=2))
    assert not np.array_equal(a.swab_positive, c.swab_positive)


def test_serial_and_parallel_replications_give_identical_chains(load_config: Load) -> None:
    cfg = load_config(*POINT, "samples.prevalence=0.01")
    serial = sim.run_replications(cfg, 3, seed=SEED, n_jobs=1)
    parallel = sim.run_replications(cfg, 3, seed=SEED, n_jobs=2)
    for a, b in zip(serial, parallel, strict=True):
        sa, sb = a.summary(), b.summary()
        assert sa.keys() == sb.keys()
        diff = [k for k in sa if not same(sa[k], sb[k])]
        assert not diff, f"replication {a.replication}: {diff}"
        assert_same_chain(chain_of(a), chain_of(b))


def test_positives_are_common_to_pool_sizes(load_config: Load) -> None:
    # Common random numbers: who is positive depends on the resident, not on the pooling.
    a = chain_of(sim.run(load_config(*POINT, "samples.prevalence=0.01"), seed=SEED))
    b = chain_of(
        sim.run(load_config(*POINT, "samples.prevalence=0.01", "samples.pool_size=5"), seed=SEED)
    )
    np.testing.assert_array_equal(a.swab_resident, b.swab_resident)
    np.testing.assert_array_equal(a.swab_positive, b.swab_positive)


# ------------------------------------------------------------------------------ direction


def test_removing_the_mobile_lab_worsens_the_p95_turnaround(load_config: Load) -> None:
    # Two days at the busy point, 5-in-1 pools, a small hospital lab (1 extractor, 1 PCR
    # machine) that falls behind on day 1; the mobile lab opens on day 2 at 08:00.
    base = (
        *TWO_DAYS,
        "samples.pool_size=5",
        "labs.hospital.extractors=1",
        "labs.hospital.pcr_machines=1",
    )
    with_mobile = load_config(*base, "labs.mobile.enabled=true")
    without = load_config(*base, "labs.mobile.enabled=false")
    assert [lab.name for lab in with_mobile.labs_in_use] == ["District hospital lab", "Mobile lab"]
    # Every swab is resulted in both (the p95 is over all swabs, not a lucky subset).
    for cfg in (with_mobile, without):
        assert (metric(cfg, "backlog_swabs") == 0).all()
    ci = paired(without, with_mobile, "turnaround_p95_h")
    assert ci.low > 0, f"p95 turnaround, no mobile lab minus with it: {ci}"
    ci_mean = paired(without, with_mobile, "turnaround_mean_h")
    assert ci_mean.low > 0, f"mean turnaround, no mobile lab minus with it: {ci_mean}"


def test_five_in_one_pools_make_more_tubes_than_ten_in_one(load_config: Load) -> None:
    five = load_config(*POINT, "samples.pool_size=5")
    ten = load_config(*POINT, "samples.pool_size=10")
    ci = paired(five, ten, "tubes")
    assert ci.low > 0, f"tubes, 5-in-1 minus 10-in-1: {ci}"
    # Close to twice as many (tubes closed by the 60 min limit are partial in both).
    ratio = metric(five, "tubes") / metric(ten, "tubes")
    assert (ratio > 1.6).all() and (ratio <= 2.0 + 1e-9).all(), ratio
    assert (metric(five, "swabs") == metric(ten, "swabs")).all()


def test_pickups_every_two_hours_worsen_the_mean_turnaround(load_config: Load) -> None:
    # A quieter point (2,500 residents): boxes of 50 seldom fill, so the fixed pick-ups set
    # the pace. (At 7,500 residents, box-full calls come about hourly anyway, and the bigger
    # deliveries of 2-hourly pick-ups fill extraction batches sooner: the mean turnaround
    # does not get worse there.)
    base = (*POINT, "demand.residents=2500")
    ci = paired(
        load_config(*base, "couriers.pickup_every_min=120"),
        load_config(*base, "couriers.pickup_every_min=60"),
        "turnaround_mean_h",
    )
    assert ci.low > 0, f"mean turnaround, 2-hourly minus hourly pick-ups: {ci}"


# ------------------------------------------------------------------------------ recalls


def serving_windows(result: sim.RunResult) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for run in result.rounds:
        off = 1440.0 * (run.start_day - 1)
        out += [(a + off, b + off) for a, b in run.points[0].serve_windows]
    return out


def test_recall_to_the_point_retests_while_the_point_serves(load_config: Load) -> None:
    cfg = load_config(*TWO_DAYS, "samples.prevalence=0.01", "samples.recall.mode=point")
    result = sim.run(cfg, seed=SEED)
    chain = chain_of(result)
    windows = serving_windows(result)
    assert len(windows) == 2
    recalled = np.flatnonzero(chain.retest_tube >= 0)
    t = chain.retest_time[recalled]
    visited = chain.retest_visited[recalled]
    pool_result = chain.tube_result[chain.swab_tube[recalled]]
    planned = np.isfinite(t)
    assert planned.all(), "every pool is resulted within the horizon here"
    at_point = ~visited
    inside = np.array([any(a <= x < b for a, b in windows) for x in t])
    assert inside[at_point].all(), "a retest at the point outside its serving hours"
    # Visited when the point serves no more after the earliest return, or when the resident
    # came back but was not swabbed there (the entrance line was full).
    came_back = _returned_swabs(result)
    not_swabbed = {k for k, ok in came_back.items() if not ok}
    keys = list(
        zip(
            chain.swab_round[recalled].tolist(), chain.swab_resident[recalled].tolist(), strict=True
        )
    )
    after = t >= windows[-1][1]
    assert all(after[i] or keys[i] in not_swabbed for i in np.flatnonzero(visited))
    assert (t >= pool_result).all()
    # Both happen: day-1 pools come back on day 2; day-2 evening pools are visited.
    assert at_point.sum() > 0 and visited.sum() > 0, (at_point.sum(), visited.sum())
    s = result.summary()
    assert s["retests_visited"] == int(visited.sum())


def _returned_swabs(result: sim.RunResult) -> dict[tuple[int, int], bool]:
    """(round, resident) of each recalled resident who came back through a point's lines ->
    whether they were swabbed there."""
    out = {}
    for run in result.rounds:
        ret = run.returns
        if ret is None:
            continue
        for a, b, t in zip(
            ret.swab_round.tolist(), ret.swab_resident.tolist(), ret.sample_time, strict=True
        ):
            out[(a, b)] = bool(np.isfinite(t))
    return out


def test_recalled_residents_come_back_through_the_points_lines(load_config: Load) -> None:
    """recall.mode point: the residents recalled after a positive pool join the point's lines
    (a second pass of the rounds with them in), their retest swab is taken when they reach a
    booth, and the round's residents keep their draws (they only wait behind them)."""
    base = (*TWO_DAYS, "samples.prevalence=0.002")
    back = sim.run(load_config(*base, "samples.recall.mode=point"), seed=SEED)
    away = sim.run(load_config(*base, "samples.recall.mode=visit"), seed=SEED)
    chain = chain_of(back)
    returns = [run.returns for run in back.rounds if run.returns is not None]
    assert returns, "day-1 pools come back on day 2"
    ret = returns[0]
    # every return ends with one outcome; swabbed ones have a wait and a swab after arrival
    assert ret.outcome.size == ret.n and set(np.unique(ret.outcome)) <= set(range(5))
    swabbed = np.isfinite(ret.sample_time)
    assert swabbed.sum() > 0
    assert np.all(ret.sample_time[swabbed] >= ret.arrival[swabbed] + ret.wait[swabbed] - 1e-9)
    assert np.all(np.isnan(ret.wait[~swabbed]))
    # the chain takes the retest swab at that time, after the pool's result
    in_line = np.flatnonzero(chain.retest_in_line)
    assert in_line.size > 0
    run = back.rounds[0]
    when = {
        (a, b): t + run.offset_min
        for a, b, t in zip(
            ret.swab_round.tolist(), ret.swab_resident.tolist(), ret.sample_time, strict=True
        )
    }
    for i in in_line.tolist():
        key = (int(chain.swab_round[i]), int(chain.swab_resident[i]))
        assert chain.retest_time[i] == when[key]
        assert chain.retest_time[i] >= chain.tube_result[chain.swab_tube[i]]
    s = back.summary()
    assert s["recall_returns"] == ret.n and s["recall_returns_swabbed"] == int(swabbed.sum())
    assert s["retests_in_line"] == in_line.size <= s["recall_returns_swabbed"]
    from sim.plots.report import format_summary

    text = format_summary([back])
    assert f"back at their point    {ret.n:>10,}" in text
    # The residents are the same people with the same draws: everyone who left the point
    # before the first return arrived has the same record as without returns.
    first = float(ret.arrival.min())
    r, q = back.rounds[0].residents, away.rounds[0].residents
    assert r.n == q.n
    before = np.isfinite(q.done) & (q.done < first) & np.isfinite(r.done) & (r.done < first)
    assert before.sum() > 1000
    np.testing.assert_array_equal(r.done[before], q.done[before])
    np.testing.assert_array_equal(r.arrival, q.arrival)
    # later residents wait behind the returns: not less on average
    assert s["wait_mean_min"] >= away.summary()["wait_mean_min"] - 1e-9


def test_recall_by_visit_takes_every_retest_by_a_team(load_config: Load) -> None:
    result = sim.run(load_config(*POINT, "samples.prevalence=0.01"), seed=SEED)
    chain = chain_of(result)
    recalled = chain.retest_tube >= 0
    assert recalled.any()
    assert chain.retest_visited[recalled].all()
    assert not chain.retest_visited[~recalled].any()


# ------------------------------------------------------------------------------ dispatch


def test_fixed_dispatch_sends_to_the_nearest_lab_by_default(load_config: Load) -> None:
    cfg = load_config(
        *POINT, "labs.cdc.enabled=true", "couriers.dispatch=fixed", "samples.prevalence=0.01"
    )
    chain = chain_of(sim.run(cfg, seed=SEED))
    assert chain.labs == ("District hospital lab", "City CDC lab")
    assert (chain.tube_lab[np.isfinite(chain.tube_delivered)] == 0).all()


def test_fixed_dispatch_follows_the_assignment(load_config: Load) -> None:
    cfg = load_config(
        *POINT,
        "labs.cdc.enabled=true",
        "couriers.dispatch=fixed",
        "couriers.assignment=[{site:'Central square',labs:['City CDC lab']}]",
        "samples.prevalence=0.01",
    )
    chain = chain_of(sim.run(cfg, seed=SEED))
    cdc = chain.labs.index("City CDC lab")
    delivered = np.isfinite(chain.tube_delivered)
    assert delivered.sum() > 700
    assert (chain.tube_lab[delivered] == cdc).all()
    assert (chain.trip_lab == cdc).all()
    assert chain.tube_retest[delivered].any(), "retests follow their pool to the same lab"
    rows = {r["lab"]: r for r in lab_table(chain)}
    assert rows["District hospital lab"]["tubes_received"] == 0


def test_fixed_dispatch_uses_the_first_assigned_lab_that_is_open(load_config: Load) -> None:
    cfg = load_config(
        *TWO_DAYS,
        "labs.mobile.enabled=true",
        "couriers.dispatch=fixed",
        "couriers.assignment=[{site:'Central square',labs:['Mobile lab','District hospital lab']}]",
    )
    chain = chain_of(sim.run(cfg, seed=SEED))
    mobile = chain.labs.index("Mobile lab")
    opens = float(chain.lab_opens_min[mobile])
    assert opens == 1920.0
    picked = np.isfinite(chain.tube_picked)
    before = picked & (chain.tube_picked < opens)
    after = picked & (chain.tube_picked >= opens)
    assert before.sum() > 100 and after.sum() > 100
    assert (chain.tube_lab[before] == chain.labs.index("District hospital lab")).all()
    assert (chain.tube_lab[after] == mobile).all()


def test_pickups_come_at_least_every_interval_and_at_the_days_end(load_config: Load) -> None:
    # Plenty of vehicles for one point: a closed tube is picked up by the next fixed pick-up,
    # at most pickup_every_min later, including a tube closed by a swab that finished just
    # after the day's serving ended (the day's last pick-up comes after its last swab).
    cfg = load_config(
        *TWO_DAYS,
        "demand.residents=30000",
        "demand.patience_min=null",
        "site.swab_booths=2",
        "couriers.when_box_full=false",
    )
    result = sim.run(cfg, seed=SEED)
    chain = chain_of(result)
    pooled = ~chain.tube_retest
    closed = chain.tube_closed[pooled]
    wait = chain.tube_picked[pooled] - closed
    windows = serving_windows(result)
    late = np.array([any(b < c < b + 60 for _, b in windows) for c in closed])
    assert late.any(), "the scenario must have a line still being swabbed at the day's end"
    assert (chain.trip_loaded == chain.trip_called).all(), "no wait for a vehicle here"
    # The day's last pick-up waits for the last swab: at most this much after the day's end.
    overrun = max(float(closed[closed < b + 60].max()) - b for _, b in windows)
    assert 0 < overrun < 5
    every = cfg.couriers.pickup_every_min
    assert every is not None
    assert wait.max() <= every + overrun + 1e-9, f"a tube waited {wait.max():.0f} min"
    assert wait[late].max() <= overrun + 1e-9, "a tube closed after the day's end waited"


def test_individual_tests_recall_nobody(load_config: Callable[..., sim.ScenarioConfig]) -> None:
    """With 1-in-1 tubes a positive result is already individual: Dorfman's k = 1 is 1 test."""
    cfg = load_config("scenario=busy_point", "samples.pool_size=1", "samples.prevalence=0.05")
    s = sim.run(cfg, seed=4).summary()
    assert s["positive_swabs"] > 100
    assert s["recalled"] == 0 and s["retests_done"] == 0
    assert s["tests_per_swab"] == 1.0 == s["dorfman_tests_per_swab"]
    assert s["tubes"] == s["swabs"] == s["resulted"]
