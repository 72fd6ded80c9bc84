"""The district round on a small district: conservation, returns, site choice, rounds, tables.

A planner's own scenario (``--config-dir``) replaces the default's 8 sub-districts with three
small ones (25,000 residents) whose catchments name points of the shipped 40-point district;
the other points stay open with nobody assigned to them. Points are loaded unevenly (a
community point takes 40% of North, Wulidun 4 takes all of South) so that lines form and the
queue board has something to balance. One replication takes a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config import CampaignConfig
from sim.experiment.result import CHAIN_COLUMNS
from sim.metrics.intervals import t_interval
from sim.model.records import OUTCOMES

SMALL_SCENARIO = """\
# @package _global_
# Three small sub-districts on the shipped 40-point district (for fast tests).
name: small
subdistricts:
  - name: North
    population: 12000
    green_groups: {over_70: 0.08, disabled: 0.02, pregnant: 0.01, under_8: 0.06}
    barcode_share: null
    catchment:
      - {site: "Jianning 1", share: 0.4}
      - {site: "Jianning 4", share: 0.4}
      - {site: "Jianning 2", share: 0.2}
  - name: Centre
    population: 8000
    green_groups: null
    barcode_share: 0.8
    catchment: [{site: "Longquan 1", share: 0.6}, {site: "Longquan 4", share: 0.4}]
  - name: South
    population: 5000
    green_groups: null
    barcode_share: null
    catchment: [{site: "Wulidun 4", share: 1.0}]
mobile:
  teams: 0
"""

Loader = Callable[..., sim.ScenarioConfig]

RESIDENTS = 25_000
SEED = 11
#: Paired replications for comparisons between layouts.
PAIRED = 4
#: Line hours of every point, minutes after midnight of each day: [06:30, 21:00).
LINE_OPEN, LINE_CLOSE = 6.5 * 60, 21 * 60
#: Every point has booth 1 only and nobody gives up coming back: lines still there at close.
OVERLOADED = (
    "site_types.community.swab_booths=1",
    "site_types.standard.swab_booths=1",
    "site_types.square.swab_booths=1",
)


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("district_configs")
    (root / "scenario").mkdir()
    (root / "scenario" / "small.yaml").write_text(SMALL_SCENARIO)
    return root


@pytest.fixture(scope="module")
def small(config_dir: Path) -> Loader:
    cache: dict[tuple[str, ...], sim.ScenarioConfig] = {}

    def load(*overrides: str) -> sim.ScenarioConfig:
        key = tuple(overrides)
        if key not in cache:
            cache[key] = sim.load_config(["scenario=small", *overrides], config_dir=config_dir)
        return cache[key]

    return load


@pytest.fixture(scope="module")
def base(small: Loader) -> sim.RunResult:
    return sim.run(small(), seed=SEED)


def _in_line_hours(t: np.ndarray) -> np.ndarray:
    tod = np.mod(t, 1440.0)
    return (tod >= LINE_OPEN) & (tod < LINE_CLOSE)


def _point_wait_spread(result: sim.RunResult, min_tested: int = 100) -> float:
    """Standard deviation of the points' mean waits (points with some traffic)."""
    points = result.tables()["points"]
    busy = points[points["tested"] >= min_tested]
    return float(busy["wait_mean_min"].std(ddof=1))


# ----------------------------------------------------------------------------- the scenario


def test_small_district_composes_from_a_planners_folder(small: Loader) -> None:
    cfg = small()
    assert cfg.name == "small"
    assert [sd.name for sd in cfg.subdistricts] == ["North", "Centre", "South"]
    assert cfg.residents_per_round == RESIDENTS
    assert len(cfg.points) == 40  # the shipped points stay
    assert cfg.mobile.teams == 0
    assert cfg.demand.retry.share > 0  # the default's returns apply


# ----------------------------------------------------------------------------- conservation


def test_every_resident_has_exactly_one_outcome(base: sim.RunResult) -> None:
    df = base.residents
    s = base.summary()
    assert len(df) == RESIDENTS
    assert (df["round"] == 1).all()
    np.testing.assert_array_equal(df["resident"].to_numpy(), np.arange(RESIDENTS))
    assert df["outcome"].notna().all()
    assert set(df["outcome"].unique()) <= set(OUTCOMES)
    counts = df["outcome"].value_counts()
    assert s["residents"] == s["arrived"] == RESIDENTS
    assert sum(s[o] for o in OUTCOMES) == RESIDENTS
    for o in OUTCOMES:
        assert s[o] == int(counts.get(o, 0)), o
    assert s["coverage"] == pytest.approx(s["tested"] / RESIDENTS)
    # the point table adds up to the same
    points = base.tables()["points"]
    assert points["arrived"].sum() == RESIDENTS
    assert points["tested"].sum() == s["tested"]
    for o in OUTCOMES[1:]:
        assert points[o].sum() == s[o], o


def test_tested_residents_have_ordered_times(base: sim.RunResult) -> None:
    df = base.residents
    t = df[df["outcome"] == "tested"]
    assert len(t) > 0.9 * RESIDENTS
    cols = [
        "first_arrival_min",
        "arrival_min",
        "reg_start_min",
        "reg_end_min",
        "swab_start_min",
        "swab_end_min",
    ]
    times = t[cols].to_numpy()
    assert np.isfinite(times).all()
    assert (np.diff(times, axis=1) >= 0).all()
    np.testing.assert_allclose(
        t["wait_min"], t["reg_wait_min"] + t["swab_wait_min"], rtol=0, atol=1e-9
    )
    assert (t["left_at"] == "").all()
    assert t["exit_min"].isna().all()
    assert (t["reg_station"] != "").all() and (t["swab_station"] != "").all()
    # everyone is swabbed within the round (by the end of clearing on its last day)
    assert t["swab_end_min"].max() <= base.rounds[0].end_min


def test_untested_residents_left_somewhere_and_sometime(base: sim.RunResult) -> None:
    df = base.residents
    u = df[df["outcome"] != "tested"]
    assert len(u) > 0
    assert u["swab_end_min"].isna().all()
    assert u["wait_min"].isna().all()
    assert (u["left_at"] != "").all()
    assert u["exit_min"].notna().all()
    assert (u["exit_min"] >= u["arrival_min"]).all()


def test_site_and_subdistrict_are_valid(base: sim.RunResult, small: Loader) -> None:
    df = base.residents
    cfg = small()
    assert df["site"].notna().all()
    assert list(df["site"].cat.categories) == [p.name for p in cfg.points]
    assert df["subdistrict"].notna().all()
    assert list(df["subdistrict"].cat.categories) == [sd.name for sd in cfg.subdistricts]
    sizes = df["subdistrict"].value_counts()
    for sd in cfg.subdistricts:
        assert sizes[sd.name] == sd.population


def test_attempts_count_returns(base: sim.RunResult, small: Loader) -> None:
    df = base.residents
    retry = small().demand.retry
    assert retry.share > 0
    assert (df["attempts"] >= 1).all()
    assert (df["attempts"] <= 1 + retry.max_retries).all()
    assert base.summary()["returns"] == int((df["attempts"] - 1).sum())


# ----------------------------------------------------------------------------- returns


def test_returns_happen_and_lead_to_later_tests(base: sim.RunResult) -> None:
    df = base.residents
    back = df[df["attempts"] > 1]
    assert len(back) > 20, "nobody came back"
    assert base.summary()["returns"] > 0
    tested_back = back[back["outcome"] == "tested"]
    assert len(tested_back) > 10, "no return ended in a test"
    assert (tested_back["first_arrival_min"] < tested_back["arrival_min"]).all()
    # a return moves to the point's line hours (the next opening if it falls outside them)
    assert _in_line_hours(back["arrival_min"].to_numpy()).all()
    # residents who came once: their only arrival is the first
    once = df[df["attempts"] == 1]
    np.testing.assert_array_equal(once["first_arrival_min"], once["arrival_min"])


def test_nobody_returns_without_a_retry_share(small: Loader) -> None:
    r = sim.run(small("demand.retry.share=0"), seed=SEED)
    df = r.residents
    assert (df["attempts"] == 1).all()
    assert r.summary()["returns"] == 0
    np.testing.assert_array_equal(df["first_arrival_min"], df["arrival_min"])
    # and those turned away stay untested
    assert r.summary()["outside_hours"] > 0


@pytest.fixture(scope="module")
def overloaded(small: Loader) -> sim.RunResult:
    return sim.run(small(*OVERLOADED, "demand.retry.share=1.0"), seed=SEED)


def test_overloaded_district_leaves_residents_in_line_at_the_close(
    overloaded: sim.RunResult,
) -> None:
    s = overloaded.summary()
    assert s["coverage"] < 0.8
    assert s["returns"] > 1000
    assert sum(s[o] for o in OUTCOMES) == RESIDENTS


def test_untested_residents_keep_the_reason_of_their_last_attempt(
    overloaded: sim.RunResult,
) -> None:
    df = overloaded.residents
    away = df[df["outcome"] == "outside_hours"]
    assert len(away) > 0
    inside = _in_line_hours(away["arrival_min"].to_numpy())
    assert not inside.any(), (
        f"{int(inside.sum())} residents counted outside_hours arrived while the line was open"
    )


def test_nobody_waits_overnight_for_a_swab(small: Loader) -> None:
    # 2 desks and 1 booth per point: the desks are still busy when each day's clearing ends
    cfg = small(
        *OVERLOADED,
        "site_types.community.registration_desks=2",
        "site_types.standard.registration_desks=2",
        "site_types.square.registration_desks=2",
        "demand.retry.share=0",
    )
    df = sim.run(cfg, seed=3).residents
    t = df[df["outcome"] == "tested"]
    reg_day = np.floor(t["reg_end_min"].to_numpy() / 1440.0)
    swab_day = np.floor(t["swab_start_min"].to_numpy() / 1440.0)
    assert (swab_day == reg_day).all(), t[swab_day != reg_day][
        ["site", "reg_end_min", "swab_start_min"]
    ]


# ----------------------------------------------------------------------------- site choice


def test_catchment_shares_are_respected(base: sim.RunResult, small: Loader) -> None:
    """With the assigned rule, each resident goes (and comes back) to a catchment point."""
    cfg = small()
    assert cfg.site_choice.rule == "assigned"
    df = base.residents
    for sd in cfg.subdistricts:
        mine = df[df["subdistrict"] == sd.name]
        n = len(mine)
        shares = mine["site"].astype(str).value_counts() / n
        assert set(shares.index) == {c.site for c in sd.catchment}, sd.name
        for c in sd.catchment:
            se = math.sqrt(c.share * (1 - c.share) / n)
            got = float(shares.get(c.site, 0.0))
            assert abs(got - c.share) <= 5 * se + 1e-12, (sd.name, c.site, got, c.share)


def _candidate_sets(cfg: sim.ScenarioConfig) -> dict[str, set[str]]:
    """Points a resident of each sub-district may go to with the board (ties included)."""
    names = [p.name for p in cfg.points]
    xy = np.array([(p.x_km, p.y_km) for p in cfg.points])
    k = cfg.site_choice.candidates
    out: dict[str, set[str]] = {}
    for sd in cfg.subdistricts:
        allowed: set[str] = set()
        for c in sd.catchment:
            h = names.index(c.site)
            d = np.hypot(*(xy - xy[h]).T)
            kth = np.sort(d)[k - 1]
            allowed |= {names[j] for j in np.flatnonzero(d <= kth + 1e-9)}
        out[sd.name] = allowed
    return out


@pytest.fixture(scope="module")
def assigned_reps(small: Loader) -> list[sim.RunResult]:
    return sim.run_replications(small(), PAIRED, seed=SEED)


@pytest.fixture(scope="module")
def board_reps(small: Loader) -> list[sim.RunResult]:
    return sim.run_replications(small("site_choice.rule=queue_board"), PAIRED, seed=SEED)


def test_queue_board_sends_residents_elsewhere_among_nearby_points(
    board_reps: list[sim.RunResult],
) -> None:
    cfg = board_reps[0].config
    assert cfg.site_choice.rule == "queue_board"
    allowed = _candidate_sets(cfg)
    catchment = {sd.name: {c.site for c in sd.catchment} for sd in cfg.subdistricts}
    for r in board_reps:
        df = r.residents
        sub = df["subdistrict"].astype(str).to_numpy()
        site = df["site"].astype(str).to_numpy()
        away = np.array([s not in catchment[d] for d, s in zip(sub, site, strict=True)])
        assert 0.01 < away.mean() < 0.5, away.mean()
        near = np.array([s in allowed[d] for d, s in zip(sub, site, strict=True)])
        assert near.all(), "a resident went to a point that is not among the nearest candidates"
        assert (df["attempts"] >= 1).all()


def test_queue_board_evens_out_waits_across_points(
    assigned_reps: list[sim.RunResult], board_reps: list[sim.RunResult]
) -> None:
    spread_a = np.array([_point_wait_spread(r) for r in assigned_reps])
    spread_b = np.array([_point_wait_spread(r) for r in board_reps])
    diff = t_interval(spread_b - spread_a)
    assert diff.high < 0, f"board - assigned spread of point mean waits: {diff}"
    # and the district's mean wait falls too (same residents: paired)
    d = sim.paired_difference(assigned_reps, board_reps, "wait_mean_min")
    assert d.high < 0, f"board - assigned mean wait {d}"


def test_appointments_shorten_the_longest_line(
    small: Loader,
    assigned_reps: list[sim.RunResult],
) -> None:
    appt = sim.run_replications(small("layout=appointments"), PAIRED, seed=SEED)
    assert appt[0].config.demand.appointments.enabled
    d = sim.paired_difference(assigned_reps, appt, "longest_queue")
    assert d.high < 0, f"appointments - free turnout longest line {d}"
    # slots lie within opening hours: (almost) nobody is turned away
    for a, f in zip(appt, assigned_reps, strict=True):
        assert a.summary()["outside_hours"] < f.summary()["outside_hours"]


def test_daily_shares_are_respected(small: Loader) -> None:
    shares = (0.7, 0.3)
    # (no market traders: those who come before the line opens return later, some next day)
    r = sim.run(small("demand.daily_shares=[0.7,0.3]", "demand.groups=[]"), seed=SEED)
    df = r.residents
    first_day = np.floor(df["first_arrival_min"].to_numpy() / 1440.0)
    s = r.summary()
    tested = s["tested_day1"] + s["tested_day2"]
    assert tested == s["tested"]
    for d, p in enumerate(shares):
        got = float(np.mean(first_day == d))
        se = math.sqrt(p * (1 - p) / RESIDENTS)
        assert abs(got - p) <= 5 * se, (d, got, p)
        # tests per day follow the turnout (returns shift a few to the next day)
        assert s[f"tested_day{d + 1}"] / tested == pytest.approx(p, abs=0.03)


# ----------------------------------------------------------------------------- rounds


@pytest.fixture(scope="module")
def three_rounds(small: Loader) -> sim.RunResult:
    return sim.run(small("layout=three_rounds"), seed=SEED)


def test_three_rounds_count_each_resident_once_per_round(three_rounds: sim.RunResult) -> None:
    r = three_rounds
    assert len(r.rounds) == 3
    assert [run.start_day for run in r.rounds] == [1, 5, 9]
    assert [run.round for run in r.rounds] == [0, 1, 2]
    df = r.residents
    assert sorted(df["round"].unique()) == [1, 2, 3]
    assert len(df) == 3 * RESIDENTS
    for k in (1, 2, 3):
        mine = df[df["round"] == k]
        assert len(mine) == RESIDENTS
        assert mine["resident"].is_unique
        assert mine["subdistrict"].value_counts()["North"] == 12_000
    s = r.summary()
    assert s["rounds"] == 3
    for k in (1, 2, 3):
        mine = df[df["round"] == k]
        assert s[f"round{k}_tested"] == int((mine["outcome"] == "tested").sum())
        assert s[f"round{k}_coverage"] == pytest.approx(s[f"round{k}_tested"] / RESIDENTS)
        assert 0.9 < s[f"round{k}_coverage"] <= 1.0
    # rounds are independent draws: different turnout times
    t1 = df.loc[df["round"] == 1, "first_arrival_min"].to_numpy()
    t2 = df.loc[df["round"] == 2, "first_arrival_min"].to_numpy()
    assert not np.array_equal(t1, t2)
    # the first round's headline figures are those of a one-round campaign
    one_round = CampaignConfig(round_days=r.config.campaign.round_days, start_days=(1,))
    # (without labs: the mobile lab opens on day 4, after a one-round campaign, which sim.run
    # refuses; the labs do not change who is tested)
    one = sim.run(dataclasses.replace(r.config, campaign=one_round, labs=()), seed=SEED)
    assert one.summary()["tested"] == s["round1_tested"]
    # every table covers the three rounds
    tables = r.tables()
    assert sorted(tables["points"]["round"].unique()) == [1, 2, 3]
    assert len(tables["points"]) == 3 * 40
    assert sorted(tables["staff"]["round"].unique()) == [1, 2, 3]
    assert sorted(tables["hours"]["round"].unique()) == [1, 2, 3]


# ----------------------------------------------------------------------------- mobile teams


def test_mobile_teams_summary_and_conservation(small: Loader, base: sim.RunResult) -> None:
    r = sim.run(small("mobile.teams=2"), seed=SEED)
    s = r.summary()
    assert r.mobile is not None and base.mobile is None
    keys = [
        "mobile_teams",
        "mobile_enterprises",
        "mobile_employees",
        "mobile_screenings",
        "mobile_screenings_sampled",
        "mobile_screenings_partial",
        "mobile_screenings_superseded",
        "mobile_screenings_not_reached",
        "mobile_due",
        "mobile_sampled",
        "mobile_not_sampled",
        "mobile_coverage",
        "mobile_last_swab_min",
        "mobile_delay_mean_h",
        "round1_mobile_sampled",
    ]
    for k in keys:
        assert k in s, k
    for k in (1, 2):
        for stat in ("sampled", "visits", "busy_min", "per_hour", "utilisation"):
            assert f"mobile_team{k}_{stat}" in s
    assert "mobile_team3_sampled" not in s
    assert s["mobile_teams"] == 2
    assert s["mobile_enterprises"] == r.config.mobile.generate.count
    assert s["mobile_employees"] > 0
    assert s["mobile_sampled"] + s["mobile_not_sampled"] == s["mobile_due"]
    assert s["mobile_team1_sampled"] + s["mobile_team2_sampled"] == s["mobile_sampled"]
    assert s["mobile_sampled"] == r.mobile.swab_time.size
    outcomes = ("sampled", "partial", "superseded", "not_reached")
    assert sum(s[f"mobile_screenings_{o}"] for o in outcomes) == s["mobile_screenings"]
    assert s["mobile_coverage"] == pytest.approx(s["mobile_sampled"] / s["mobile_due"])
    for k in (1, 2):
        assert 0.0 <= s[f"mobile_team{k}_utilisation"] <= 1.0 + 1e-9
    screenings = r.tables()["screenings"]
    assert len(screenings) == s["mobile_screenings"]
    assert screenings["sampled"].sum() == s["mobile_sampled"]
    # mobile teams draw from their own streams: the residents' lines are untouched (their
    # tubes share the couriers and labs, so results may differ: the chain columns)
    lines = [c for c in base.residents.columns if c not in CHAIN_COLUMNS]
    pd.testing.assert_frame_equal(r.residents[lines], base.residents[lines])
    assert r.chain is not None and r.chain.n_swabs == s["swabs_points"] + s["mobile_sampled"]
    assert "mobile_teams" not in base.summary()


# ----------------------------------------------------------------------------- CRN


@pytest.mark.parametrize("rule", ["assigned", "queue_board"])
def test_common_random_numbers_across_booth_counts(small: Loader, rule: str) -> None:
    """Same seed, one point with more booths: the same residents leave home at the same times."""
    a = sim.run(small(f"site_choice.rule={rule}"), seed=SEED).residents
    # Jianning 4 (sites[3]) is the busiest point: 2 -> 4 booths
    cfg_b = small(f"site_choice.rule={rule}", "sites.3.swab_booths=4")
    assert cfg_b.sites[3].name == "Jianning 4" and cfg_b.sites[3].swab_booths == 4
    b = sim.run(cfg_b, seed=SEED).residents
    for col in ("subdistrict", "green_eligible", "barcode", "lane"):
        pd.testing.assert_series_equal(a[col], b[col])
    same = (a["site"] == b["site"]).to_numpy()
    assert same.mean() > 0.5
    np.testing.assert_array_equal(
        a["first_arrival_min"].to_numpy()[same], b["first_arrival_min"].to_numpy()[same]
    )
    # service durations are the resident's own, whatever the layout
    both = ((a["outcome"] == "tested") & (b["outcome"] == "tested")).to_numpy()
    np.testing.assert_allclose(
        (a["swab_end_min"] - a["swab_start_min"])[both],
        (b["swab_end_min"] - b["swab_start_min"])[both],
        rtol=0,
        atol=1e-9,
    )
    if rule == "assigned":
        assert same.all()
        # points do not interact in their lines: everything at the other points is
        # identical up to the swab (after it, tubes share couriers and labs)
        other = (a["site"] != "Jianning 4").to_numpy()
        lines = [c for c in a.columns if c not in CHAIN_COLUMNS]
        pd.testing.assert_frame_equal(a.loc[other, lines], b.loc[other, lines])
        # and the point with more booths waits less
        jn4 = ~other
        assert b["wait_min"][jn4].mean() < a["wait_min"][jn4].mean()


def test_queue_board_steers_residents_away_from_a_long_swab_line(small: Loader) -> None:
    # Jianning 4: many desks but one booth -> the line is indoors, in front of the booth
    slow = ("sites.3.swab_booths=1", "sites.3.registration_desks=10")
    assigned = sim.run(small(*slow), seed=SEED)
    board = sim.run(small(*slow, "site_choice.rule=queue_board"), seed=SEED)

    def jn4_wait(r: sim.RunResult) -> float:
        df = r.residents
        return float(df.loc[df["site"] == "Jianning 4", "wait_min"].mean())

    assert jn4_wait(assigned) > 60  # the booth is a real bottleneck
    assert jn4_wait(board) < 0.5 * jn4_wait(assigned), (jn4_wait(board), jn4_wait(assigned))


# ----------------------------------------------------------------------------- reproducibility


def test_serial_and_parallel_replications_agree(small: Loader) -> None:
    cfg = small("site_choice.rule=queue_board", "mobile.teams=2")
    serial = sim.run_replications(cfg, 3, seed=SEED)
    parallel = sim.run_replications(cfg, 3, seed=SEED, n_jobs=2)
    pd.testing.assert_frame_equal(sim.summary_frame(serial), sim.summary_frame(parallel))
    pd.testing.assert_frame_equal(serial[2].residents, parallel[2].residents)
    # replications differ from one another
    assert serial[0].summary()["wait_mean_min"] != serial[1].summary()["wait_mean_min"]


def test_same_seed_same_result(small: Loader, base: sim.RunResult) -> None:
    again = sim.run(small(), seed=SEED)
    pd.testing.assert_frame_equal(again.residents, base.residents)
    other = sim.run(small(), seed=SEED + 1)
    assert not other.residents["first_arrival_min"].equals(base.residents["first_arrival_min"])


# ----------------------------------------------------------------------------- tables


def test_point_table_has_one_row_per_point(base: sim.RunResult, small: Loader) -> None:
    cfg = small()
    points = base.tables()["points"]
    assert list(points["site"]) == [p.name for p in cfg.points]
    assert (points["round"] == 1).all()
    for col in (
        "arrived",
        "tested",
        "wait_mean_min",
        "wait_p95_min",
        "longest_queue",
        "longest_queue_m",
        "utilisation_registration",
        "utilisation_swab",
        "staff_registration",
        "staff_swab",
        "staff_marshal",
    ):
        assert col in points.columns, col
    assert (points["tested"] <= points["arrived"]).all()
    for role in ("registration", "swab"):
        u = points[f"utilisation_{role}"]
        assert ((u >= 0) & (u <= 1)).all(), role
    # idle points (no catchment) test nobody and are never busy
    idle = points["arrived"] == 0
    assert idle.sum() == 40 - 6
    assert (points.loc[idle, "utilisation_swab"] == 0).all()
    assert (points.loc[idle, "longest_queue"] == 0).all()
    # lines fit in the space, and metres follow from 1 m per person
    limits = np.array([p.queue_limit for p in cfg.points])
    assert (points["longest_queue"].to_numpy() <= limits).all()
    np.testing.assert_allclose(points["longest_queue_m"], points["longest_queue"] * 1.0)
    s = base.summary()
    assert points["longest_queue"].max() == s["longest_queue"]
    assert points.loc[points["longest_queue"].idxmax(), "site"] == s["longest_queue_site"]


def test_hour_table_has_one_row_per_hour_of_arrival(base: sim.RunResult) -> None:
    hours = base.tables()["hours"]
    assert {"round", "day", "hour", "arrived", "tested", "wait_mean_min", "wait_p95_min"} <= set(
        hours.columns
    )
    assert not hours.duplicated(["round", "day", "hour"]).any()
    assert set(hours["day"]) == {1, 2}
    assert hours["hour"].str.fullmatch(r"\d\d:00").all()
    # arrivals from 06:00 to 22:00 each day (the demand window)
    assert set(hours["hour"]) == {f"{h:02d}:00" for h in range(6, 22)}
    assert hours["arrived"].sum() == RESIDENTS
    assert hours["tested"].sum() == base.summary()["tested"]
    assert (hours["tested"] <= hours["arrived"]).all()
    assert (hours["wait_mean_min"].dropna() >= 0).all()


def test_staff_table_has_one_row_per_shift_and_adds_up(
    base: sim.RunResult,
    small: Loader,
) -> None:
    cfg = small()
    staff = base.tables()["staff"]
    assert not staff.duplicated(["round", "role", "day", "shift"]).any()
    assert set(staff["role"]) == {"registration", "swab", "marshal"}
    per_day = staff.groupby(["role", "day"]).size()
    for day in (1, 2):
        assert per_day[("registration", day)] == 2
        assert per_day[("swab", day)] == 3
        assert per_day[("marshal", day)] == 3
    # every shift of every point: one person per desk/booth, marshals per swab shift
    desks = sum(p.registration_desks for p in cfg.points)
    booths = sum(p.swab_booths for p in cfg.points)
    marshals = sum(p.staffing.marshals_per_shift for p in cfg.points)
    assert (staff.loc[staff["role"] == "registration", "staff"] == desks).all()
    assert (staff.loc[staff["role"] == "swab", "staff"] == booths).all()
    assert (staff.loc[staff["role"] == "marshal", "staff"] == marshals).all()
    # headcount = the sum over shifts, in the summary and in the point table
    s = base.summary()
    points = base.tables()["points"]
    for role in ("registration", "swab", "marshal"):
        total = int(staff.loc[staff["role"] == role, "staff"].sum())
        assert s[f"staff_{role}"] == total, role
        assert points[f"staff_{role}"].sum() == total, role
    u = staff.loc[staff["role"] != "marshal", "utilisation"]
    assert ((u >= 0) & (u <= 1 + 1e-9)).all()
    assert staff.loc[staff["role"] == "marshal", "utilisation"].isna().all()
