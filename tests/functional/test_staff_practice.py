"""Staff practice: hand-overs staggered per point, and layout=extended_hours changing only the
hours (its staffing covers them as the default covers its own)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim.config import ConfigError
from sim.experiment.compare import paired_difference


def _closed_at(result: sim.RunResult, t: float, role: str = "swab") -> int:
    """Points with none of the role's desks/booths open at minute ``t``."""
    return sum(
        all(st.schedule.at(t) == 0 for st in p.stations if st.stage == role)
        for p in result.rounds[0].points
    )


def test_staggered_hand_overs_do_not_close_every_point_at_once() -> None:
    cfg = sim.load_config(["mobile.teams=0", "labs={}"])
    same = sim.run(cfg, seed=2)
    # 12:00 hand-over of the swab shifts, 10 minutes: every point closed at 12:05
    assert _closed_at(same, 725.0) == len(cfg.points)
    points = tuple(
        dataclasses.replace(
            p,
            staffing=dataclasses.replace(
                p.staffing,
                swab=dataclasses.replace(p.staffing.swab, handover_offset_min=15.0 * (k % 4)),
            ),
        )
        for k, p in enumerate(cfg.points)
    )
    staggered = sim.run(dataclasses.replace(cfg, sites=points), seed=2)
    # a quarter of the points at a time
    for t in (725.0, 740.0, 755.0, 770.0):
        assert _closed_at(staggered, t) == len(cfg.points) // 4
    # the same people: only the minute of each change moved
    assert staggered.summary()["staff_swab"] == same.summary()["staff_swab"]


def test_a_hand_over_offset_that_leaves_a_shift_no_time_is_named() -> None:
    with pytest.raises(ConfigError) as info:
        sim.load_config(["site.staffing.swab.handover_offset_min=-5"])
    assert info.value.errors[0].field.endswith("swab.handover_offset_min")
    with pytest.raises(ConfigError) as info:
        sim.load_config(["site.staffing.swab.handover_offset_min=300"])
    assert "leave every shift some time to serve" in str(info.value)


@pytest.mark.slow
def test_extended_hours_change_only_the_hours() -> None:
    n = 4
    base = sim.run_replications(sim.load_config(), n, seed=5, n_jobs=2, keep="tables")
    ext = sim.run_replications(
        sim.load_config(["layout=extended_hours"]), n, seed=5, n_jobs=2, keep="tables"
    )
    # nobody is turned away for the hours, and the waits do not rise (the same shifts at the
    # same times, an early and a late crew for the extra hours; common random numbers)
    assert all(r.summary()["outside_hours"] == 0 for r in ext)
    cover = paired_difference(base, ext, "coverage")  # ext - base
    assert cover.low > 0
    wait = paired_difference(base, ext, "wait_mean_min")
    assert wait.high < 0, wait
    # the default's shifts are all there, at their clock times
    shifts = {(s.start, s.end) for s in ext[0].config.site.staffing.swab.shifts}
    assert {(s.start, s.end) for s in base[0].config.site.staffing.swab.shifts} <= shifts
    assert np.isclose(base[0].summary()["residents"], ext[0].summary()["residents"])
