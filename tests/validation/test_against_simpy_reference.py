"""The project against an independent plain-SimPy model of the same rules.

Where no queueing formula exists (reneging, balking at a full line, shifts with breaks and
hand-over gaps, reserved green booths that help the general line, registration then swab, the
line before opening, clearing after closing), :mod:`tests.validation.reference_simpy` implements
the rules again, straightforwardly, with its own random numbers. Replications of the two models
are independent, so each figure is compared with a Welch t interval on the difference of the
means across replications: it must contain 0, and be narrow relative to the figure (so that a
real difference would show).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

import sim
from sim.model.collection_point import plan_point
from tests.validation.reference_simpy import ReferencePoint, run_reference

LEVEL = 0.99  # per comparison; about 20 comparisons in all
SEED = 20_260_815

# Every scenario below overrides the one-point scenario busy_point (the reference models one
# point; the shipped default is the whole district).
BASE = "scenario=busy_point"


def _all_staffed(role: str) -> list[str]:
    return [f"site.staffing.{role}.pattern=opening_hours", f"site.staffing.{role}.shifts=[]"]


_NO_ROSTER = [*_all_staffed("registration"), *_all_staffed("swab")]
_CONSTANT = ["demand.arrivals=constant", "demand.residents=null", "demand.hourly_profile=null"]


@dataclass(frozen=True)
class Scenario:
    overrides: tuple[str, ...]
    replications: int
    #: metric -> largest allowed half-width of the interval, relative to the reference mean
    metrics: dict[str, float]


SCENARIOS = {
    # (a) Overloaded single stage (rho ~ 1.2): a 25-person line, impatient residents, balking.
    "overloaded_reneging": Scenario(
        (
            *_CONSTANT,
            "demand.rate_per_hour=330",
            "demand.patience_min={kind: lognormal, mean: 6, cv: 0.5}",
            "site.open='08:00'",
            "site.close='18:00'",
            "site.queue_opens_before_min=30",
            "site.clearing_min=20",
            "site.registration=false",
            *_NO_ROSTER,
            "site.swab_booths=3",
            "site.swab_time_s={kind: lognormal, mean: 40, cv: 0.5}",
            "site.queue_space_m=25",
            "site.green_channel.mode=none",
        ),
        40,
        {"tested": 0.02, "balked": 0.2, "reneged": 0.1, "wait_mean_min": 0.05},
    ),
    # (b) Swab booths by roster: breaks, two hand-over gaps with nobody on duty, a last shift
    # smaller than the site with a break in its last half hour (so clearing runs with 2 of 5
    # booths), a short clearing period that leaves people unserved; a line before opening.
    "roster_clearing": Scenario(
        (
            "demand.residents=3000",
            "demand.patience_min=null",
            "site.clearing_min=20",
            "site.registration=false",
            *_all_staffed("registration"),
            "site.swab_booths=5",
            "site.swab_time_s={kind: lognormal, mean: 65, cv: 0.4}",
            "site.queue_space_m=null",
            "site.green_channel.mode=none",
            "site.staffing.swab.pattern=custom",
            "site.staffing.swab.shifts=["
            "{start: '07:00', end: '11:45', staff: null,"
            " breaks: [{start: '09:30', end: '10:00', closed: 2}]},"
            "{start: '12:00', end: '16:30', staff: 3,"
            " breaks: [{start: '14:00', end: '14:30', closed: 1}]},"
            "{start: '16:45', end: '21:00', staff: 4,"
            " breaks: [{start: '20:30', end: '21:00', closed: 2}]}]",
        ),
        40,
        {
            "tested": 0.02,
            "outside_hours": 0.15,
            "not_served_by_close": 0.15,
            "wait_mean_min": 0.1,
        },
    ),
    # (c) Reserved green desk and booth that serve the general line when idle; the general
    # line is limited (the green line is not); a swab break leaves only the reserved booth open.
    # The number of residents is random here (Poisson), which adds its noise to `tested`:
    # 120 replications keep the intervals narrow despite it.
    "dedicated_green": Scenario(
        (
            "demand.residents=3000",
            "demand.fixed_count=false",
            "demand.green_share=0.12",
            "demand.barcode_share=0.3",
            "demand.patience_min=null",
            "site.registration_desks=5",
            "site.swab_booths=4",
            "site.queue_space_m=20",
            "site.green_channel.mode=dedicated",
            "site.green_channel.dedicated_desks=1",
            "site.green_channel.dedicated_booths=1",
            "site.green_channel.serve_general_when_idle=true",
            *_all_staffed("registration"),
            "site.staffing.swab.pattern=custom",
            "site.staffing.swab.shifts=[{start: '07:00', end: '21:00', staff: null,"
            " breaks: [{start: '13:00', end: '13:30', closed: 3}]}]",
        ),
        120,
        {
            "tested": 0.02,
            "balked": 0.2,
            "wait_mean_min_green": 0.2,
            "wait_mean_min_general": 0.1,
        },
    ),
    # (d) Registration (barcode scans) then swab, green residents first at both, busy_point's
    # rosters with breaks, impatience at the entrance.
    "registration_priority": Scenario(
        (
            "demand.residents=3000",
            "demand.green_share=0.15",
            "demand.barcode_share=0.5",
            "demand.patience_min={kind: lognormal, mean: 45, cv: 0.5}",
            "site.registration_desks=3",
            "site.swab_booths=3",
            "site.queue_space_m=null",
            "site.green_channel.mode=priority",
        ),
        40,
        {
            "tested": 0.02,
            "reneged": 0.1,
            "wait_mean_min_green": 0.15,
            "wait_mean_min_general": 0.05,
        },
    ),
}


@dataclass(frozen=True)
class Comparison:
    """Welch interval on mean(project) - mean(reference) over independent replications."""

    metric: str
    project: float
    reference: float
    half_width: float

    @property
    def difference(self) -> float:
        return self.project - self.reference

    @property
    def relative_half_width(self) -> float:
        return self.half_width / abs(self.reference) if self.reference else math.inf

    def __str__(self) -> str:
        return (
            f"{self.metric}: project {self.project:.4g}, reference {self.reference:.4g}, "
            f"difference {self.difference:+.3g} ± {self.half_width:.2g} "
            f"({self.relative_half_width:.1%} of reference)"
        )


def welch(metric: str, a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> Comparison:
    """Welch t interval for ``mean(a) - mean(b)``."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)) if se > 0 else 1.0
    half = float(stats.t.ppf(0.5 + level / 2.0, df) * se)
    return Comparison(metric, float(a.mean()), float(b.mean()), half)


def compare(name: str, replications: int | None = None) -> list[Comparison]:
    """Run scenario ``name`` in both models and compare its metrics."""
    scenario = SCENARIOS[name]
    cfg = sim.load_config(overrides=[BASE, *scenario.overrides])
    reps = scenario.replications if replications is None else replications
    project = [r.summary() for r in sim.run_replications(cfg, reps, seed=SEED, n_jobs=2)]
    reference = run_reference(cfg, reps)
    out = []
    for metric in scenario.metrics:
        a = np.array([s[metric] for s in project], dtype=float)
        b = np.array([s[metric] for s in reference], dtype=float)
        out.append(welch(metric, a, b))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_project_agrees_with_simpy_reference(name: str) -> None:
    results = compare(name)
    report = "\n".join(str(c) for c in results)
    limits = SCENARIOS[name].metrics
    for c in results:
        assert c.difference - c.half_width <= 0 <= c.difference + c.half_width, (
            f"{name}: {c.metric} differs from the reference\n{report}"
        )
        assert c.relative_half_width <= limits[c.metric], (
            f"{name}: {c.metric} interval too wide to detect a difference\n{report}"
        )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_reference_opens_the_same_desks_and_booths_as_the_project(name: str) -> None:
    # The two models read the rosters independently; minute by minute (and at each change
    # time), they must open the same number of desks/booths at each stage and pool.
    cfg = sim.load_config(overrides=[BASE, *SCENARIOS[name].overrides])
    ref = ReferencePoint(cfg, replication=0)
    plan = plan_point(cfg.site, days=1)
    assert len(ref.stages) == len(plan.stages)
    changes = {t for stage in plan.stages for st in stage.stations for t in st.schedule.times}
    times = sorted({*np.arange(ref.open - 60.0, ref.end + 60.0, 1.0), *changes})
    for ref_stage, stage in zip(ref.stages, plan.stages, strict=True):
        # The reference lists the general pool first, as the project numbers its pools.
        assert len(ref_stage.pools) == len(stage.stations)
        for pool, station in zip(ref_stage.pools, stage.stations, strict=True):
            got = [pool.capacity_at(t) for t in times]
            want = [station.schedule.at(t) for t in times]
            assert got == want, f"{name}: {station.name}"


@pytest.mark.parametrize(
    "overrides",
    [
        ["campaign.round_days=2", "demand.daily_shares=[0.5,0.5]"],
        ["demand.retry.share=0.5"],
        ["site.staffing.swab.ppe_max_hours=4"],
        ["site.staffing.swab.pattern=2x12", "site.staffing.swab.shifts=[]"],
        ["site.staffing.registration.handover_min=10"],
        ["sites=[{name:A},{name:B}]"],
    ],
)
def test_reference_refuses_what_it_does_not_model(overrides: list[str]) -> None:
    cfg = sim.load_config(overrides=[BASE, *overrides])
    with pytest.raises(NotImplementedError, match="reference"):
        ReferencePoint(cfg, replication=0)
