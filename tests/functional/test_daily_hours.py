"""Opening hours that differ by day (`site.daily_hours`)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model import records as rec

# One point, a two-day round: long hours on day 1, a short morning on day 2.
BASE = [
    "scenario=busy_point",
    "demand.residents=4000",
    "campaign.round_days=2",
    "demand.daily_shares=[0.5,0.5]",
    "site.staffing.registration.pattern=opening_hours",
    "site.staffing.registration.shifts=[]",
    "site.staffing.swab.pattern=opening_hours",
    "site.staffing.swab.shifts=[]",
    "site.clearing_min=30",
]


def test_each_day_serves_only_within_its_own_hours() -> None:
    cfg = sim.load_config(
        [
            *BASE,
            'site.daily_hours=[{open: "07:00", close: "21:00"}, {open: "09:00", close: "12:00"}]',
        ]
    )
    r = sim.run(cfg, seed=4).site.residents
    tested = r.outcome == rec.TESTED
    start = r.entry_start[tested]
    day2 = start >= 1440
    assert day2.any() and (~day2).any()
    # Day 1: 07:00-21:00 (+30 min clearing); day 2: 09:00-12:00 (+30 min clearing).
    assert np.all(start[~day2] >= sim.clock("07:00"))
    assert np.all(start[~day2] <= sim.clock("21:30"))
    assert np.all(start[day2] >= 1440 + sim.clock("09:00"))
    assert np.all(start[day2] <= 1440 + sim.clock("12:30"))
    # Residents coming on day 2 outside 08:30 (early line) - 12:00 are turned away.
    late = (r.arrival >= 1440 + sim.clock("12:00")) & (r.attempts == 1)
    assert late.any()
    assert np.all(r.outcome[late] == rec.OUTSIDE_HOURS)


def test_the_short_day_tests_fewer_than_the_long_one() -> None:
    long_day = sim.load_config(BASE)
    short_day = sim.load_config(
        [
            *BASE,
            'site.daily_hours=[{open: "07:00", close: "21:00"}, {open: "09:00", close: "12:00"}]',
        ]
    )
    a = sim.run(long_day, seed=5).summary()
    b = sim.run(short_day, seed=5).summary()
    assert b["tested_day2"] < a["tested_day2"]
    assert b["outside_hours"] > a["outside_hours"]


def test_daily_hours_need_one_entry_per_day() -> None:
    with pytest.raises(sim.ConfigError) as err:
        sim.load_config([*BASE, 'site.daily_hours=[{open: "07:00", close: "21:00"}]'])
    assert err.value.field == "site.daily_hours"
    assert "round_days" in str(err.value)


def test_a_day_closing_before_it_opens_is_refused() -> None:
    with pytest.raises(sim.ConfigError) as err:
        sim.load_config(
            [
                *BASE,
                'site.daily_hours=[{open: "07:00", close: "21:00"}, '
                '{open: "12:00", close: "09:00"}]',
            ]
        )
    assert err.value.field == "site.daily_hours[1].close"
