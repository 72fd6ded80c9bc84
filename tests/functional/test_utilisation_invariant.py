"""Utilisation is never above 1: a service under way when its desk closes (a hand-over, a
break, a PPE rest) is worked time, counted as overtime."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.engine.schedule import CapacitySchedule
from sim.metrics.utilisation import overtime_minutes, staffed_minutes


class _Station:
    def __init__(self, schedule: CapacitySchedule) -> None:
        self.schedule = schedule


def test_a_service_past_the_closing_of_its_desk_is_overtime() -> None:
    # 2 desks until 10, then 1: two services run 9:30-10:20 -> the second is 20 min overtime
    st = _Station(CapacitySchedule((540.0, 600.0, 720.0), (2, 1, 0)))
    starts, ends = np.array([570.0, 570.0]), np.array([620.0, 620.0])
    assert overtime_minutes(starts, ends, st, [(540.0, 720.0)]) == pytest.approx(20.0)
    staffed = staffed_minutes(st, [(540.0, 720.0)])  # type: ignore[arg-type]
    busy = float(np.sum(ends - starts))
    # over 9:30-10:20 alone: 100 minutes busy for 80 staffed (1.25 without the overtime)
    assert busy / staffed_minutes(st, [(570.0, 620.0)]) > 1  # type: ignore[arg-type]
    worked = staffed_minutes(st, [(570.0, 620.0)]) + overtime_minutes(  # type: ignore[arg-type]
        starts, ends, st, [(570.0, 620.0)]
    )
    assert busy / worked == pytest.approx(1.0)
    assert staffed == 240.0


def _shares(result: sim.RunResult) -> list[float]:
    s = result.summary()
    t = result.tables()
    values = [v for k, v in s.items() if k.startswith("utilisation_")]
    for name in ("points", "staff", "labs"):
        if name not in t:
            continue
        frame = t[name]
        values += [float(v) for c in frame.columns if c.startswith("utilisation") for v in frame[c]]
    return [v for v in values if not math.isnan(v)]


@pytest.mark.parametrize(
    "overrides",
    [
        # read 1.0017 (staff table) before the overtime was counted
        ["scenario=busy_point", "site.swab_booths=3"],
        ["scenario=busy_point", "site.swab_booths=2", "site.staffing.swab.ppe_max_hours=1"],
        # the labs' PCR read 1.018 (a run finished after its technician's shift ended)
        ["layout=pool_5_in_1"],
    ],
)
def test_no_utilisation_above_one(overrides: list[str]) -> None:
    result = sim.run(sim.load_config(overrides), seed=3)
    shares = _shares(result)
    assert shares, "no utilisation reported"
    assert max(shares) <= 1.0 + 1e-12, max(shares)
    assert max(shares) > 0.99  # busy enough that services run past a desk's closing
