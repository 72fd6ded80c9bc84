"""The roster covers every slot's requirement exactly, and costs no more than one shift length.

Issue 11's validation of the roster program (:func:`sim.planning.roster.cover`), on seeded
random requirement curves (a morning and an evening peak, as in the shipped hourly profile):

- the chosen shifts cover every slot, counted minute by minute from the shifts themselves by
  the model's documented rules (hand-overs, breaks, PPE rests), and the model's own capacity
  schedule (:func:`sim.model.staffing.role_schedule`) agrees;
- the roster's person-hours are no more than the best single-length roster's, and no less than
  the person-hours the requirement itself asks for;
- ``max_staff`` is respected (or the requirement is reported infeasible);
- on small cases the program's cost equals the cheapest roster found by enumerating every
  count (the program counts hand-overs, breaks and PPE rests exactly, not conservatively).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pytest

from sim.model.staffing import REGISTRATION, SWAB, role_schedule
from sim.planning.roster import (
    BreakRule,
    PpeRule,
    RosterInfeasible,
    RosterPlan,
    ShiftPattern,
    cover,
    shift_patterns,
    slot_capacity,
    to_roster_config,
)

OPEN = 420.0  # 07:00
CASES = 30


def serving_by_minute(
    shifts: Sequence[tuple[ShiftPattern, int]],
    handover_min: float,
    t0: float,
    t1: float,
    bound: bool = False,
) -> np.ndarray:
    """People serving in each minute of [t0, t1), from the model's documented rules (with
    ``bound``: the program's PPE rule, ``ceil(n / q)`` off from the earliest rest onwards)."""
    mid = np.arange(t0, t1) + 0.5
    total = np.zeros(len(mid), dtype=int)
    ends = {p.end % 1440 for p, n in shifts if n > 0}
    for p, n in shifts:
        if n == 0:
            continue
        serve_from = p.start + (handover_min if p.start % 1440 in ends else 0.0)
        level = np.full(len(mid), n)
        if p.ppe is not None and bound:
            if p.end - p.start > p.ppe.max_hours * 60:
                level[mid >= p.start + p.ppe.onset_min] -= p.ppe.resting(n)
        elif p.ppe is not None:
            level -= _resting_by_minute(n, serve_from, p.end, p.ppe, mid)
        if p.break_offset is not None:
            b0 = p.start + p.break_offset
            level[(mid >= b0) & (mid < b0 + p.break_min)] = 0
        on = (mid >= serve_from) & (mid < p.end)
        total += np.where(on, np.maximum(level, 0), 0)
    return total


def _resting_by_minute(
    n: int, serve_from: float, end: float, ppe: object, mid: np.ndarray
) -> np.ndarray:
    """People resting in each minute, by the documented rotation: ``c = ceil(n / q)`` at a
    time (``q`` turns of ``rest`` in ``work``), the ``ceil(n / c)`` groups' first rests one
    after another ending ``work`` after the start of service, each group again ``work`` after
    its last rest, while it would otherwise work more than ``work`` before the end."""
    work = ppe.max_hours * 60.0  # type: ignore[attr-defined]
    rest = ppe.rest_min  # type: ignore[attr-defined]
    out = np.zeros(len(mid), dtype=int)
    if end - serve_from <= work:
        return out
    q = int(work // rest)
    c = n if q < 1 else min(n, -(-n // q))
    groups = -(-n // c)
    for g in range(groups):
        size = c if g < groups - 1 else n - c * (groups - 1)
        at = max(serve_from, serve_from + work - (groups - g) * rest)
        free = serve_from
        while end - free > work:
            out[(mid >= at) & (mid < min(at + rest, end))] += size
            free = at + rest
            at = free + work
    return out


def fewest_per_slot(
    shifts: Sequence[tuple[ShiftPattern, int]],
    handover_min: float,
    start: float,
    slot_min: float,
    n: int,
    bound: bool = False,
) -> np.ndarray:
    minutes = serving_by_minute(shifts, handover_min, start, start + n * slot_min, bound)
    return minutes.reshape(n, int(slot_min)).min(axis=1)


def on_shift_most(plan: RosterPlan) -> int:
    mid = np.arange(0, 2 * 1440) + 0.5
    on = sum(np.where((mid >= p.start) & (mid < p.end), n, 0) for p, n in plan.shifts)
    return int(np.max(on))


def random_case(rng: np.random.Generator) -> dict:
    """A requirement curve with two peaks and the rules to cover it with."""
    slot = int(rng.choice([30, 60]))
    close = OPEN + 60 * int(rng.integers(10, 15))  # 17:00 .. 21:00
    n = int((close - OPEN) // slot)
    h = np.arange(n) * slot / 60.0 + slot / 120.0
    span = (close - OPEN) / 60.0
    curve = (
        rng.uniform(0.5, 2)
        + rng.uniform(2, 6) * np.exp(-0.5 * ((h - rng.uniform(1, 3)) / 1.2) ** 2)
        + rng.uniform(2, 6) * np.exp(-0.5 * ((h - span + rng.uniform(1, 3)) / 1.5) ** 2)
    )
    req = np.clip(np.round(curve + rng.normal(0, 0.7, n)), 0, None).astype(int)
    lengths = sorted(rng.choice([4, 6, 8, 10, 12], size=int(rng.integers(2, 4)), replace=False))
    breaks = BreakRule(after_min=210, latest_after_min=270) if rng.random() < 0.5 else None
    ppe = PpeRule(float(rng.choice([3, 4])), 20) if rng.random() < 0.4 else None
    pats = shift_patterns(
        OPEN,
        close,
        lengths_h=[min(x, (close - OPEN) / 60) for x in lengths],
        start_step_min=slot,
        break_rule=breaks,
        ppe=ppe,
    )
    return {
        "required": req,
        "slot_min": float(slot),
        "patterns": pats,
        "handover_min": float(rng.choice([0, 10])),
        "min_staff": int(rng.integers(0, 2)),
    }


@pytest.mark.parametrize("seed", range(CASES))
def test_random_requirements_are_covered_exactly_and_cost_no_more_than_one_length(
    seed: int,
) -> None:
    case = random_case(np.random.default_rng(seed))
    req, slot, pats = case["required"], case["slot_min"], case["patterns"]
    h, min_staff = case["handover_min"], case["min_staff"]
    plan = cover(req, slot, OPEN, pats, handover_min=h, min_staff=min_staff)
    assert plan.status == "optimal"
    need = np.maximum(req, min_staff)
    assert np.array_equal(plan.need, need)

    # covered, counted from the chosen shifts (not from the solver) ...
    counted = fewest_per_slot(plan.shifts, h, OPEN, slot, len(req))
    assert np.all(counted >= need), (counted, need)
    # ... and the model's capacity schedule from the written roster agrees minute for minute
    assert np.array_equal(plan.rostered, counted)
    role = SWAB if plan.ppe is not None else REGISTRATION
    people = max(plan.people, 1)
    sched = role_schedule(role, to_roster_config(plan), people, [(OPEN, OPEN + 1440)]).schedule
    assert np.array_equal(slot_capacity(sched, OPEN, slot, len(req)), counted)

    # person-hours: the shifts' paid hours; between the requirement's and one length's
    assert plan.person_hours == pytest.approx(sum(p.paid_hours * n for p, n in plan.shifts))
    assert plan.person_hours >= need.sum() * slot / 60.0 - 1e-9
    single = plan.best_single_pattern
    if single is not None:
        assert len(single.lengths_h) == 1
        assert plan.person_hours <= single.person_hours + 1e-9
        assert np.all(fewest_per_slot(single.shifts, h, OPEN, slot, len(req)) >= need)

    # max_staff one below the roster's peak: a roster within it, or a named slot
    limit = on_shift_most(plan) - 1
    try:
        tight = cover(
            req,
            slot,
            OPEN,
            pats,
            handover_min=h,
            min_staff=min_staff,
            max_staff=limit,
            compare_single=False,
        )
    except RosterInfeasible as err:
        assert err.span in plan.slot_labels
    else:
        assert on_shift_most(tight) <= limit and tight.on_duty.max() <= limit
        assert tight.person_hours >= plan.person_hours - 1e-9
        assert np.all(fewest_per_slot(tight.shifts, h, OPEN, slot, len(req)) >= need)


def brute_force(
    req: np.ndarray,
    slot: float,
    pats: Sequence[ShiftPattern],
    h: float,
    top: int,
    bound: bool = False,
) -> float:
    """Cheapest person-hours over every count 0..top per pattern (math.inf if none covers);
    ``bound``: counting PPE rests as the program does (a bound on the model's)."""
    best = math.inf
    hours = np.array([p.paid_hours for p in pats])
    for counts in itertools.product(range(top + 1), repeat=len(pats)):
        cost = float(hours @ counts)
        if cost >= best:
            continue
        shifts = [(p, n) for p, n in zip(pats, counts, strict=True)]
        if np.all(fewest_per_slot(shifts, h, OPEN, slot, len(req), bound) >= req):
            best = cost
    return best


SMALL = [
    # back-to-back shifts with a hand-over, and one overlapping the change
    (
        [2, 2, 2, 2, 1, 2, 2, 2, 2, 2],
        60.0,
        [
            ShiftPattern(OPEN, 240),
            ShiftPattern(660, 360),
            ShiftPattern(OPEN, 300),
            ShiftPattern(600, 420),
        ],
        10.0,
    ),
    # PPE rests (4 h, 20 min) after a hand-over, and staggered breaks, on 30-min slots
    (
        [3] * 8 + [2] * 8 + [3] * 8,
        30.0,
        [
            ShiftPattern(OPEN, 480, 240, 30, ppe=PpeRule(4, 20)),
            ShiftPattern(OPEN, 480, 270, 30, ppe=PpeRule(4, 20)),
            ShiftPattern(900, 240, ppe=PpeRule(4, 20)),
            ShiftPattern(780, 480, 240, 30, ppe=PpeRule(4, 20)),
        ],
        10.0,
    ),
    # hourly slots with half-hour breaks: crews on different breaks cover each other
    (
        [1, 2, 2, 3, 3, 2, 2, 1],
        60.0,
        [
            ShiftPattern(OPEN, 480, 240, 30),
            ShiftPattern(OPEN, 480, 270, 30),
            ShiftPattern(540, 360, 180, 30),
            ShiftPattern(OPEN, 240),
        ],
        0.0,
    ),
]


@pytest.mark.parametrize(("req", "slot", "pats", "h"), SMALL)
def test_the_program_finds_the_cheapest_roster_of_small_cases(
    req: list[int], slot: float, pats: list[ShiftPattern], h: float
) -> None:
    plan = cover(req, slot, OPEN, pats, handover_min=h, compare_single=False)
    top = 4
    # PPE rests are counted by the program as a bound (ceil(n / q) off from the earliest
    # rest): its roster is the cheapest under that rule, and the model's own rests (fewer)
    # cover every slot too; no cheaper roster covers under the model's exact rests than ...
    best = brute_force(np.array(req), slot, pats, h, top, bound=True)
    assert plan.person_hours <= best + 1e-9  # never more expensive than any roster found
    if max(n for _, n in plan.shifts) <= top:
        assert plan.person_hours == pytest.approx(best)  # and it is one of them
    assert np.all(fewest_per_slot(plan.shifts, h, OPEN, slot, len(req)) >= req)
    # ... the cheapest under the model's exact rests, which can only be cheaper
    assert brute_force(np.array(req), slot, pats, h, top) <= plan.person_hours + 1e-9
