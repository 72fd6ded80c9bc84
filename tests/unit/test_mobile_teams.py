"""Mobile sampling teams: dispatch, working hours over a multi-day round, backlog, metrics.

Times are minutes after midnight of day 1 (08:00 is 480; day 2's 08:00 is 1920).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import simpy

from sim.config.clock import Clock
from sim.config.errors import ConfigError
from sim.config.mobile import EnterpriseConfig, GeneratedEnterprisesConfig, MobileTeamsConfig
from sim.config.schema import DistributionConfig
from sim.engine.streams import RandomStreams
from sim.metrics.mobile import mobile_summary
from sim.model.mobile_teams import (
    MobileRecords,
    WorkCalendar,
    run_mobile_teams,
    simulate_mobile_teams,
    swab_completion,
)


def fixed_swab(seconds: float) -> DistributionConfig:
    return DistributionConfig(kind="deterministic", mean=seconds)


def ents(*spec: tuple[str, int, int]) -> tuple[EnterpriseConfig, ...]:
    return tuple(EnterpriseConfig(name=n, zone=z, workforce=w) for n, z, w in spec)


def config(**kw: Any) -> MobileTeamsConfig:
    base: dict[str, Any] = {
        "teams": 1,
        "swabbers_per_team": 2,
        "swab_time_s": fixed_swab(30.0),
        "setup_min": 15.0,
        "travel_same_zone_min": 10.0,
        "travel_other_zone_min": 30.0,
    }
    base.update(kw)
    return MobileTeamsConfig(**base)


def run(cfg: MobileTeamsConfig, days: int = 1, seed: int = 1) -> MobileRecords:
    return run_mobile_teams(cfg, RandomStreams(seed), days)


def by_name(r: MobileRecords, name: str) -> int:
    return int(np.flatnonzero(r.name == name)[0])


# --- hand-computed cases ------------------------------------------------------------------------


def test_hand_case_one_team_two_enterprises_in_one_zone() -> None:
    # Listed out of order: the work list is zone, then name, so A is visited before B.
    r = run(config(enterprises=ents(("B", 0, 5), ("A", 0, 10))))
    a, b = by_name(r, "A"), by_name(r, "B")
    # From the base (other-zone travel 30) at 08:00: A set up 08:30-08:45; 10 employees round-robin
    # over 2 swabbers = 5 swabs of 0.5 min each -> 2.5 min.
    assert r.visit_start_min[a] == 510.0
    assert r.sampling_start_min[a] == 525.0
    assert r.visit_end_min[a] == 527.5
    # Same-zone travel 10, setup 15; 5 employees -> swabber 1 has 3 of them: 1.5 min (makespan,
    # not 5 * 0.5 / 2 = 1.25).
    assert r.visit_start_min[b] == 537.5
    assert r.visit_end_min[b] == 554.0
    assert list(r.team) == [1, 1]
    assert list(r.sampled) == [10, 5] and list(r.not_sampled) == [0, 0]
    assert r.team_visits[0] == 2 and r.team_sampled[0] == 15
    assert r.team_busy_min[0] == pytest.approx(74.0)  # 08:00 -> 09:14
    assert r.team_travel_min[0] == pytest.approx(40.0)
    assert r.team_finish_min[0] == 554.0
    s = mobile_summary(r)
    assert s["mobile_employees"] == 15 and s["mobile_sampled"] == 15
    assert s["mobile_not_sampled"] == 0 and s["mobile_coverage"] == 1.0
    assert s["mobile_last_enterprise_done_min"] == 554.0
    assert s["mobile_last_enterprise_done_clock"] == "09:14"
    assert s["mobile_team1_per_hour"] == pytest.approx(15 / (74 / 60))
    assert s["mobile_team1_utilisation"] == pytest.approx(74 / 600)
    assert s["mobile_cover_time_max_min"] == pytest.approx(74.0)
    assert s["mobile_cover_time_mean_min"] == pytest.approx((47.5 + 74.0) / 2)


def test_swab_completion_is_round_robin_makespan() -> None:
    done = swab_completion(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2)
    # Swabber 0: employees 0, 2, 4 -> 1, 4, 9; swabber 1: employees 1, 3 -> 2, 6.
    assert list(done) == [1.0, 2.0, 4.0, 6.0, 9.0]
    assert list(swab_completion(np.array([2.0]), 4)) == [2.0]


def test_team_prefers_its_zone_then_the_next_zone() -> None:
    cfg = config(
        setup_min=0.0,
        travel_same_zone_min=1.0,
        travel_other_zone_min=5.0,
        enterprises=ents(("Z2a", 2, 2), ("Z0a", 0, 2), ("Z1a", 1, 2), ("Z0b", 0, 2)),
    )
    r = run(cfg)
    order = list(r.name[np.argsort(r.visit_start_min)])
    assert order == ["Z0a", "Z0b", "Z1a", "Z2a"]
    # travel: base 5, same zone 1, other 5, other 5; each visit 0.5 min of sampling.
    assert r.team_travel_min[0] == pytest.approx(16.0)


def test_teams_spread_over_zones_at_the_start() -> None:
    cfg = config(teams=2, enterprises=ents(("a", 0, 4), ("b", 0, 4), ("c", 1, 4), ("d", 1, 4)))
    r = run(cfg)
    team_of = dict(zip(r.name, r.team, strict=True))
    assert team_of == {"a": 1, "b": 1, "c": 2, "d": 2}


# --- working hours over days --------------------------------------------------------------------


def day_case(days: int, workforce: int = 90) -> MobileRecords:
    # One swabber, 1 min per swab, 60 working minutes a day (08:00-09:00), no travel or setup.
    cfg = config(
        swabbers_per_team=1,
        swab_time_s=fixed_swab(60.0),
        setup_min=0.0,
        travel_same_zone_min=0.0,
        travel_other_zone_min=0.0,
        work_start=Clock("08:00"),
        work_end=Clock("09:00"),
        enterprises=ents(("A", 0, workforce)),
    )
    return run(cfg, days=days)


def test_visit_past_work_end_pauses_and_resumes_next_day() -> None:
    r = day_case(days=2)
    assert r.visit_start_min[0] == 480.0
    # 60 swabbed on day 1 (08:00-09:00), the other 30 from day 2's 08:00 (1920).
    assert r.visit_end_min[0] == 1950.0
    assert r.sampled[0] == 90 and r.not_sampled[0] == 0
    assert r.team_busy_min[0] == pytest.approx(90.0)
    assert r.round_end_min == 1440.0 + 540.0


def test_round_end_leaves_backlog() -> None:
    r = day_case(days=1)
    assert r.sampled[0] == 60 and r.not_sampled[0] == 30
    assert math.isnan(r.visit_end_min[0])
    assert r.team_finish_min[0] == 540.0
    s = mobile_summary(r)
    assert s["mobile_not_sampled"] == 30 and s["mobile_coverage"] == pytest.approx(60 / 90)
    assert s["mobile_enterprises_partial"] == 1 and s["mobile_enterprises_covered"] == 0
    assert math.isnan(s["mobile_last_enterprise_done_min"])


def test_travel_and_setup_pause_overnight() -> None:
    # A: 08:00 + 30 travel + 15 setup + 10 swabs (1 swabber, 1 min) ends 08:55. Travel to B (10 min)
    # runs 08:55-09:00 and 08:00-08:05 of day 2, setup until 08:20, 3 swabs until 08:23.
    cfg = config(
        swabbers_per_team=1,
        swab_time_s=fixed_swab(60.0),
        work_start=Clock("08:00"),
        work_end=Clock("09:00"),
        enterprises=ents(("A", 0, 10), ("B", 0, 3)),
    )
    r = run(cfg, days=2)
    b = by_name(r, "B")
    assert r.visit_end_min[by_name(r, "A")] == 535.0
    assert r.visit_start_min[b] == 1440.0 + 485.0
    assert r.visit_end_min[b] == 1440.0 + 503.0
    assert r.team_busy_min[0] == pytest.approx(60.0 + 23.0)


def test_round_ending_on_the_road_leaves_the_enterprise_unvisited() -> None:
    cfg = config(
        swabbers_per_team=1,
        swab_time_s=fixed_swab(60.0),
        work_start=Clock("08:00"),
        work_end=Clock("09:00"),
        enterprises=ents(("A", 0, 10), ("B", 0, 3), ("C", 1, 7)),
    )
    r = run(cfg, days=1)
    for name in ("B", "C"):
        i = by_name(r, name)
        assert r.team[i] == 0 and math.isnan(r.visit_start_min[i])
        assert r.sampled[i] == 0 and r.not_sampled[i] == r.workforce[i]
    assert r.team_busy_min[0] == pytest.approx(60.0)
    assert r.team_travel_min[0] == pytest.approx(35.0)
    assert mobile_summary(r)["mobile_enterprises_unvisited"] == 2


def test_work_calendar() -> None:
    cal = WorkCalendar(480.0, 1080.0, 2)
    assert cal.round_end == 1440.0 + 1080.0
    assert cal.next_open(0.0) == 480.0
    assert cal.next_open(1080.0) == 1920.0
    assert cal.next_open(cal.round_end) == math.inf
    assert cal.advance(1070.0, 20.0) == 1930.0
    assert cal.advance(1070.0, 10.0) == 1080.0
    assert cal.advance(500.0, 1200.0) == math.inf
    assert cal.worked(0.0, 3000.0) == pytest.approx(1200.0)
    assert cal.worked(1000.0, 2000.0) == pytest.approx(160.0)


# --- properties ---------------------------------------------------------------------------------


def random_config(rng: np.random.Generator) -> tuple[MobileTeamsConfig, int]:
    start = int(rng.integers(6, 10)) * 60
    length = int(rng.integers(2, 12)) * 60
    if rng.random() < 0.5:
        zones = int(rng.integers(1, 5))
        listed = ents(
            *(
                (f"x{i}", int(rng.integers(0, zones)), int(rng.integers(1, 400)))
                for i in range(int(rng.integers(1, 30)))
            )
        )
        source: dict[str, Any] = {"enterprises": listed}
    else:
        source = {
            "generate": GeneratedEnterprisesConfig(
                count=int(rng.integers(6, 60)), zones=int(rng.integers(1, 6)), workforce_mean=120.0
            )
        }
    swab = [
        DistributionConfig(kind="lognormal", mean=30.0, cv=0.3),
        DistributionConfig(kind="exponential", mean=40.0),
        DistributionConfig(kind="empirical", values=(0.0, 20.0, 45.0)),
    ][int(rng.integers(0, 3))]
    cfg = MobileTeamsConfig(
        teams=int(rng.integers(1, 6)),
        swabbers_per_team=int(rng.integers(1, 6)),
        swab_time_s=swab,
        setup_min=float(rng.choice([0.0, 15.0, 45.0])),
        travel_same_zone_min=float(rng.choice([0.0, 10.0])),
        travel_other_zone_min=float(rng.choice([0.0, 30.0, 90.0])),
        work_start=Clock(f"{start // 60:02d}:00"),
        work_end=Clock(f"{(start + length) // 60:02d}:00"),
        **source,
    )
    return cfg, int(rng.integers(1, 4))


@pytest.mark.parametrize("seed", range(12))
def test_conservation_over_random_configs(seed: int) -> None:
    cfg, days = random_config(np.random.default_rng(seed))
    r = run(cfg, days=days, seed=seed)
    cal = WorkCalendar(cfg.work_start_min, cfg.work_end_min, days)
    assert np.all(r.sampled + r.not_sampled == r.workforce)
    assert np.all((r.sampled >= 0) & (r.not_sampled >= 0))
    unvisited = r.team == 0
    assert np.all(r.not_sampled[unvisited] == r.workforce[unvisited])
    assert np.all(np.isnan(r.visit_start_min[unvisited]))
    visited = ~unvisited
    assert np.all(np.isfinite(r.visit_start_min[visited]))
    # Visits start inside working hours (not at or after work_end).
    for t in r.visit_start_min[visited]:
        assert cal.next_open(t) == t
    covered = r.not_sampled == 0
    assert np.all(np.isfinite(r.visit_end_min[covered]))
    assert np.all(np.isnan(r.visit_end_min[~covered]))
    assert np.all(r.visit_end_min[covered] <= r.round_end_min + 1e-9)
    assert np.all(r.visit_end_min[covered] >= r.visit_start_min[covered])
    # Per-team totals add up, and a team's visits do not overlap.
    assert r.team_sampled.sum() == r.sampled.sum()
    assert r.team_visits.sum() == np.count_nonzero(visited)
    assert np.all(r.team_busy_min <= r.working_min + 1e-6)
    assert np.all(r.team_travel_min <= r.team_busy_min + 1e-6)
    for k in range(1, cfg.teams + 1):
        mine = np.flatnonzero(r.team == k)
        mine = mine[np.argsort(r.visit_start_min[mine])]
        ends = np.where(covered[mine], r.visit_end_min[mine], r.round_end_min)
        assert np.all(ends[:-1] <= r.visit_start_min[mine][1:] + 1e-9)
    s = mobile_summary(r)
    assert s["mobile_sampled"] + s["mobile_not_sampled"] == s["mobile_employees"]
    assert (
        s["mobile_enterprises_covered"]
        + s["mobile_enterprises_partial"]
        + s["mobile_enterprises_unvisited"]
        == s["mobile_enterprises"]
    )
    # Enterprises still waiting at the end only exist if the round was cut short.
    if s["mobile_enterprises_unvisited"] or s["mobile_enterprises_partial"]:
        assert np.nanmax(r.team_finish_min) == r.round_end_min


def park(teams: int) -> MobileTeamsConfig:
    """The industrial park of the source event: 137 firms in 6 zones, default team settings."""
    return MobileTeamsConfig(teams=teams, generate=GeneratedEnterprisesConfig())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_teams_finish_earlier(seed: int) -> None:
    last = []
    for teams in (1, 2, 4, 8):
        r = run(park(teams), days=14, seed=seed)  # long enough for one team to finish
        s = mobile_summary(r)
        assert s["mobile_coverage"] == 1.0
        last.append(s["mobile_last_enterprise_done_min"])
    assert last == sorted(last, reverse=True) and len(set(last)) == 4


def test_more_teams_sample_more_in_a_short_round() -> None:
    sampled = [mobile_summary(run(park(t), days=1))["mobile_sampled"] for t in (1, 2, 4)]
    assert sampled[0] < sampled[1] < sampled[2]


def test_generated_enterprises_count_zones_and_workforce() -> None:
    r = run(park(4), days=10, seed=5)
    assert r.n == 137
    assert sorted(set(r.zone.tolist())) == list(range(6))
    sizes = np.bincount(r.zone)
    assert sizes.max() - sizes.min() <= 1
    assert len(set(r.name.tolist())) == 137 and r.name[0] == "E001"
    assert r.workforce.min() >= 1
    assert 100 < r.workforce.mean() < 200  # lognormal mean 150, CV 1
    # Work-list order: zone, then name.
    keys = list(zip(r.zone.tolist(), r.name.tolist(), strict=True))
    assert keys == sorted(keys)


def test_same_seed_same_records_and_common_random_numbers() -> None:
    a, b = run(park(4), days=3, seed=9), run(park(4), days=3, seed=9)
    np.testing.assert_array_equal(a.visit_end_min, b.visit_end_min)
    np.testing.assert_array_equal(a.team, b.team)
    # The park (names, zones, workforces) does not depend on the number of teams.
    c = run(park(2), days=3, seed=9)
    np.testing.assert_array_equal(a.workforce, c.workforce)
    assert not np.array_equal(a.workforce, run(park(4), days=3, seed=10).workforce)


def test_runs_inside_a_shared_environment() -> None:
    env = simpy.Environment()
    cfg = config(enterprises=ents(("A", 0, 10), ("B", 0, 5)))
    teams = simulate_mobile_teams(env, cfg, RandomStreams(1), days=1)
    assert len(teams.processes) == 1
    with pytest.raises(RuntimeError, match="still working"):
        teams.records()
    env.run(until=530.0)
    with pytest.raises(RuntimeError):
        teams.records()
    env.run()
    assert teams.records().visit_end_min.tolist() == [527.5, 554.0]


def test_no_teams_no_processes_everything_unvisited() -> None:
    env = simpy.Environment()
    cfg = MobileTeamsConfig(teams=0, enterprises=ents(("A", 0, 10)))
    teams = simulate_mobile_teams(env, cfg, RandomStreams(1), days=2)
    assert teams.processes == []
    env.run()
    r = teams.records()
    assert r.not_sampled.tolist() == [10] and r.team.tolist() == [0]
    s = mobile_summary(r)
    assert s["mobile_teams"] == 0 and s["mobile_coverage"] == 0.0
    assert math.isnan(s["mobile_cover_time_mean_min"])
    empty = mobile_summary(run(MobileTeamsConfig()))
    assert empty["mobile_employees"] == 0 and math.isnan(empty["mobile_coverage"])


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="days"):
        run(config(enterprises=ents(("A", 0, 1))), days=0)


# --- validation ---------------------------------------------------------------------------------


def error_field(cfg: MobileTeamsConfig) -> str:
    with pytest.raises(ConfigError) as info:
        cfg.validate()
    return info.value.field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"teams": -1}, "teams"),
        ({"swabbers_per_team": 0}, "swabbers_per_team"),
        ({"setup_min": -1.0}, "setup_min"),
        ({"travel_same_zone_min": -5.0}, "travel_same_zone_min"),
        ({"travel_other_zone_min": math.inf}, "travel_other_zone_min"),
        ({"swab_time_s": DistributionConfig(kind="lognormal", mean=30.0)}, "swab_time_s.cv"),
        ({"work_end": Clock("08:00")}, "work_end"),
        ({"work_end": Clock("07:00")}, "work_end"),
        ({"work_end": Clock("33:00")}, "work_end"),
        ({"work_start": Clock("25:00"), "work_end": Clock("26:00")}, "work_start"),
        ({"work_start": Clock("8am")}, "work_start"),
        ({"enterprises": ()}, "enterprises"),
        ({"generate": GeneratedEnterprisesConfig()}, "generate"),
        ({"enterprises": ents(("A", 0, 0))}, "enterprises[0].workforce"),
        ({"enterprises": ents(("A", 0, 3), ("B", -1, 3))}, "enterprises[1].zone"),
        ({"enterprises": ents(("", 0, 3))}, "enterprises[0].name"),
        ({"enterprises": ents(("A", 0, 3), ("B", 1, 3), ("A", 2, 3))}, "enterprises[2].name"),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(count=0)},
            "generate.count",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(count=5, zones=6)},
            "generate.zones",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(workforce_mean=0.0)},
            "generate.workforce_mean",
        ),
        (
            {"enterprises": (), "generate": GeneratedEnterprisesConfig(workforce_cv=-1.0)},
            "generate.workforce_cv",
        ),
    ],
)
def test_validation_names_the_field(kw: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"teams": 2, "enterprises": ents(("A", 0, 3))}
    base.update(kw)
    assert error_field(MobileTeamsConfig(**base)) == field


def test_valid_configs_pass() -> None:
    MobileTeamsConfig().validate()  # no teams: nothing required
    MobileTeamsConfig(teams=0, enterprises=ents(("A", 0, 3))).validate()
    MobileTeamsConfig(teams=4, generate=GeneratedEnterprisesConfig()).validate()
    MobileTeamsConfig(
        teams=1, work_start=Clock("20:00"), work_end=Clock("30:00"), enterprises=ents(("A", 0, 3))
    ).validate()


def test_error_message_shows_value_and_allowed() -> None:
    with pytest.raises(ConfigError) as info:
        MobileTeamsConfig(teams=1, swabbers_per_team=0, enterprises=ents(("A", 0, 1))).validate()
    err = info.value
    assert err.value == 0 and "integer >= 1" in err.allowed
    assert "swabbers_per_team" in str(err)
