"""Rosters from staff requirements: the fewest person-hours of allowed shifts that cover them.

A requirement says how many people of one role (swabbers or registrars) must be **serving** in
each time slot of a point's day (e.g. per hour from opening, the output of
:mod:`sim.planning.isa`). :func:`cover` chooses how many people work each allowed
:class:`ShiftPattern` (start, length, break, PPE rests), as an integer program solved by
scipy's :func:`~scipy.optimize.milp` (HiGHS), minimising paid person-hours, and
:func:`to_roster_config` / :func:`roster_yaml` write the result as a ``custom`` roster that the
simulator runs as is.

Coverage follows the model (:func:`sim.model.staffing.role_schedule`)
------------------------------------------------------------------------
A slot ``[t0, t0 + slot_min)`` is covered when the number of people serving is at least the
requirement **at every moment** of the slot (the fewest over the slot counts), so that the
capacity schedule the config produces is never below the requirement inside a slot. The
program counts on a grid fine enough that every pattern's start, end, break and PPE onset
falls on it (the greatest common divisor of the slot and those times, in minutes; e.g. 30
min for hourly slots with half-hour breaks), so this count is exact for breaks and hand-overs
(two crews on different half-hour breaks keep an hourly slot covered) and a bound for PPE
rests. What takes a chosen shift's people off, as the model does it:

- **Breaks.** A pattern's break takes all its people off (the config's break has ``closed``
  equal to the shift's staff); a slot that overlaps the break gets nothing from the pattern.
  Several break offsets per shift length (:class:`BreakRule`) let the program stagger breaks
  over several patterns.
- **PPE rests** (swab role). The model rotates the rests (:func:`~sim.model.staffing.
  ppe_rests`): ``c = ceil(staff / q)`` people at a time, ``q = floor(work / rest)`` turns,
  each person resting after at most ``ppe_max_hours``. In the program, an integer ``r_p >=
  x_p / q`` (the least such integer is the model's ``c``) is taken off the pattern's coverage
  in every slot from the earliest moment a rest can start (``ppe_max_hours - q * rest`` after
  the start of the shift) to its end: a bound, since the model rests only part of that time,
  so the program's coverage is never above the model's. A shift no longer than
  ``ppe_max_hours`` has no rests.
- **Hand-overs.** When a shift starts at the instant another shift of the role ends, the
  model opens the incoming shift's desks/booths ``handover_min`` late. The program counts it:
  a binary ``y_s`` is 1 when some chosen pattern ends at time ``s`` (``x_q <= U y_s``), and a
  pattern starting at ``s`` then contributes nothing to the slots that overlap its first
  ``handover_min`` minutes (``w_p >= x_p - U (1 - y_s)`` taken off). Shifts that overlap the
  change keep serving, so the program may prefer overlapping shifts over back-to-back ones.
  Times are compared modulo 24 h (shifts repeat daily).
- **Open desks/booths** are ``min(physical, serving)``; pass ``physical`` to have a slot that
  needs more than the site has reported as infeasible.

The plan's ``rostered`` staff per slot are recomputed from the chosen shifts by the model
itself (:func:`~sim.model.staffing.role_schedule` on :func:`to_roster_config`), not taken
from the solver. Every pattern must lie within 24 hours of the earliest one, so that the
daily repetition of the roster does not add people to the planned day.

``max_staff`` limits the people **on shift** (serving, on a break or resting) at any moment;
``min_staff`` raises every slot's requirement to at least that many serving. The config check
(:func:`sim.config.build.check_config`) wants someone of the role on duty whenever the point
is open (gaps of at most an hour): use ``min_staff=1`` if the requirement has longer gaps.

Each :func:`~scipy.optimize.milp` call has a time limit (``time_limit_s``, 10 s by default);
a roster found when the limit is hit is returned with ``status == "time_limit"`` (feasible,
not proven cheapest), and no roster by then raises :class:`RosterTimeLimit`. A requirement no
allowed roster can cover raises :class:`RosterInfeasible` naming the first slot that fails
("07:00-08:00"), its requirement and why.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from sim.config.clock import Clock, clock_to_min, min_to_clock
from sim.config.staffing import DAY_MIN, BreakConfig, RoleRosterConfig, ShiftConfig
from sim.engine.schedule import CapacitySchedule
from sim.model.staffing import REGISTRATION, SWAB, ppe_resting, ppe_rests, role_schedule

#: Seconds each call of the integer program may take (:func:`cover`'s default).
TIME_LIMIT_S = 10.0

_TOL = 1e-6


class RosterError(ValueError):
    """A roster cannot be planned (bad input, infeasible requirement or the time limit)."""


class RosterInfeasible(RosterError):
    """No roster of the allowed patterns covers the requirement.

    Attributes
    ----------
    slot
        Index of the first slot that cannot be covered.
    span
        The slot as clock times, e.g. ``"07:00-08:00"``.
    required
        Staff the slot needs (its requirement, raised to ``min_staff``).
    reason
        Why it cannot be covered.
    """

    def __init__(self, slot: int, span: str, required: int, reason: str) -> None:
        self.slot = slot
        self.span = span
        self.required = required
        self.reason = reason
        super().__init__(f"no roster covers {span} (needs {required} serving): {reason}")


class RosterTimeLimit(RosterError):
    """The integer program found no roster within its time limit."""


@dataclass(frozen=True)
class PpeRule:
    """Swabbers in full protective gear: ``max_hours`` of work, then a ``rest_min`` rest.

    The model rotates the rests (:func:`sim.model.staffing.ppe_rests`): at most
    ``ceil(staff * share)`` of a shift's people rest at once, ``share = 1 / floor(work /
    rest)``, in turns that begin :attr:`onset_min` after the start of service at the earliest.
    """

    max_hours: float
    rest_min: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_hours", float(self.max_hours))
        object.__setattr__(self, "rest_min", float(self.rest_min))
        if not (math.isfinite(self.max_hours) and self.max_hours > 0):
            raise ValueError(f"PPE max_hours must be hours > 0, not {self.max_hours!r}")
        if not (math.isfinite(self.rest_min) and self.rest_min > 0):
            raise ValueError(f"PPE rest_min must be minutes > 0, not {self.rest_min!r}")

    @property
    def turns(self) -> int:
        """Groups whose rests fit one after another in ``max_hours`` (at least 1)."""
        return max(1, math.floor(self.max_hours * 60.0 / self.rest_min + 1e-9))

    @property
    def share(self) -> float:
        """Most of a shift's people resting at once, as a share (before rounding up)."""
        return 1.0 / self.turns

    @property
    def onset_min(self) -> float:
        """Minutes after the start of service before which nobody rests."""
        return max(0.0, self.max_hours * 60.0 - self.turns * self.rest_min)

    def resting(self, staff: int) -> int:
        """Most people of a shift of ``staff`` resting at once."""
        return ppe_resting(staff, self.max_hours, self.rest_min)


@dataclass(frozen=True)
class BreakRule:
    """One break on every shift longer than ``over_min``.

    The break is ``length_min`` long and starts ``after_min`` after the shift start; with
    ``latest_after_min``, every offset from ``after_min`` to it (every ``step_min``) is an
    allowed pattern, so the program can stagger breaks. ``paid`` says whether the break counts
    in person-hours.
    """

    length_min: float = 30.0
    after_min: float = 240.0
    over_min: float = 360.0
    latest_after_min: float | None = None
    step_min: float = 30.0
    paid: bool = True

    def __post_init__(self) -> None:
        if not self.length_min > 0:
            raise ValueError(f"break length_min must be > 0, not {self.length_min!r}")
        if not self.after_min > 0:
            raise ValueError(f"break after_min must be > 0, not {self.after_min!r}")
        if self.latest_after_min is not None and self.latest_after_min < self.after_min:
            raise ValueError(
                f"break latest_after_min ({self.latest_after_min:g}) must be >= after_min "
                f"({self.after_min:g})"
            )
        if not self.step_min > 0:
            raise ValueError(f"break step_min must be > 0, not {self.step_min!r}")

    def offsets(self, length: float) -> tuple[float, ...]:
        """Allowed break offsets for a shift of ``length`` minutes (none if it is short)."""
        if length <= self.over_min:
            return ()
        last = self.after_min if self.latest_after_min is None else self.latest_after_min
        out = []
        k = 0
        while (off := self.after_min + k * self.step_min) <= last + _TOL:
            if off + self.length_min < length - _TOL:
                out.append(off)
            k += 1
        return tuple(out)


@dataclass(frozen=True)
class ShiftPattern:
    """A shift people may be rostered on: its start, length, break and PPE rests.

    Attributes
    ----------
    start
        Minutes after midnight (of day 1, below 1440): whole minutes.
    length
        Minutes on shift (at most 24 h).
    break_offset, break_min
        A break of ``break_min`` minutes starting ``break_offset`` after the start, during which
        all the pattern's people are off; None for no break.
    break_paid
        Whether the break counts in the paid length.
    ppe
        PPE rests of the role (swabbers), or None.
    """

    start: float
    length: float
    break_offset: float | None = None
    break_min: float = 0.0
    break_paid: bool = True
    ppe: PpeRule | None = None

    def __post_init__(self) -> None:
        for name in ("start", "length", "break_offset", "break_min"):  # plain floats
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, float(v))
        for name in ("start", "length", "break_min"):
            v = getattr(self, name)
            if not (math.isfinite(v) and float(v).is_integer()):
                raise ValueError(f"shift pattern {name} must be whole minutes, not {v!r}")
        if not 0 <= self.start < DAY_MIN:
            raise ValueError(f"shift pattern start must be in [0, 1440) minutes, not {self.start}")
        if not 0 < self.length <= DAY_MIN:
            raise ValueError(f"shift pattern length must be in (0, 1440] minutes: {self.length}")
        if self.break_offset is not None:
            if not float(self.break_offset).is_integer() or self.break_min <= 0:
                raise ValueError(
                    f"a break needs whole-minute offset and length > 0: {self.break_offset!r}, "
                    f"{self.break_min!r}"
                )
            if not 0 < self.break_offset < self.break_offset + self.break_min < self.length:
                raise ValueError(
                    f"the break ({self.break_offset:g}+{self.break_min:g} min) must lie inside "
                    f"the shift ({self.length:g} min)"
                )

    @property
    def end(self) -> float:
        """End, minutes after midnight of day 1 (may pass 1440)."""
        return self.start + self.length

    @property
    def break_span(self) -> tuple[float, float] | None:
        """The break as ``(start, end)`` minutes after midnight, or None."""
        if self.break_offset is None:
            return None
        b0 = self.start + self.break_offset
        return b0, b0 + self.break_min

    @property
    def paid_min(self) -> float:
        """Paid minutes: the length, less an unpaid break."""
        if self.break_offset is not None and not self.break_paid:
            return self.length - self.break_min
        return self.length

    @property
    def paid_hours(self) -> float:
        """Paid hours of one person on the pattern."""
        return self.paid_min / 60.0

    @property
    def label(self) -> str:
        """E.g. ``"07:00-15:00 (break 11:00-11:30)"``."""
        text = f"{min_to_clock(self.start)}-{min_to_clock(self.end)}"
        span = self.break_span
        if span is not None:
            text += f" (break {min_to_clock(span[0])}-{min_to_clock(span[1])})"
        return text

    def serving_steps(self, count: int, late_min: float = 0.0) -> list[tuple[float, float, int]]:
        """People of ``count`` on this pattern serving over time, by the model's rules.

        Pieces ``(t0, t1, serving)`` from the start of service (``late_min`` after the start:
        the hand-over delay when another shift ends as this one starts) to the end: breaks
        take everyone off, PPE rests take :meth:`PpeRule.resting` off from ``ppe.max_hours``
        after the start of service, never below 0.
        """
        serve_from = min(self.start + late_min, self.end)
        cuts = {serve_from, self.end}
        rests: list[tuple[float, float, int]] = []
        if self.ppe is not None:
            rests = ppe_rests(
                count, serve_from, self.end, self.ppe.max_hours * 60.0, self.ppe.rest_min
            )
            cuts.update(t for r in rests for t in r[:2] if serve_from < t < self.end)
        span = self.break_span
        if span is not None:
            cuts.update(t for t in span if serve_from < t < self.end)
        pts = sorted(cuts)
        out = []
        for t0, t1 in itertools.pairwise(pts):
            mid = 0.5 * (t0 + t1)
            level = count
            if span is not None and span[0] <= mid < span[1]:
                level = 0
            level -= sum(c for r0, r1, c in rests if r0 <= mid < r1)
            out.append((t0, t1, max(level, 0)))
        return out

    def coverage(
        self,
        count: int,
        start_min: float,
        slot_min: float,
        n_slots: int,
        *,
        late_min: float = 0.0,
    ) -> np.ndarray:
        """Fewest of ``count`` people on this pattern serving in each slot (model's rules)."""
        steps = self.serving_steps(count, late_min)
        out = np.zeros(n_slots, dtype=int)
        for k in range(n_slots):
            a = start_min + k * slot_min
            b = a + slot_min
            inside = [(s0, s1, lv) for s0, s1, lv in steps if s0 < b and s1 > a]
            covered = sum(min(s1, b) - max(s0, a) for s0, s1, _ in inside)
            if covered >= slot_min - _TOL:  # on duty all through the slot
                out[k] = min(lv for _, _, lv in inside)
        return out


def shift_patterns(
    open_: float | str,
    close: float | str,
    *,
    lengths_h: Sequence[float] = (4, 6, 8, 12),
    starts: Sequence[float | str] | None = None,
    start_step_min: float = 60.0,
    latest_end: float | str | None = None,
    break_rule: BreakRule | None = None,
    ppe: PpeRule | None = None,
) -> tuple[ShiftPattern, ...]:
    """The allowed shift patterns of a point open from ``open_`` to ``close``.

    Parameters
    ----------
    open_, close
        Opening hours (minutes after midnight, or ``"HH:MM"``).
    lengths_h
        Allowed shift lengths, hours.
    starts
        Allowed start times (minutes or ``"HH:MM"``); default: every ``start_step_min`` from
        opening.
    latest_end
        Shifts must end by then (default: closing), so they lie within the opening hours.
    break_rule
        Breaks (one pattern per allowed break offset), or None for no breaks.
    ppe
        PPE rests of the role (swabbers), or None.

    A shift length that fits nowhere is left out; no pattern at all raises ``ValueError``.
    """
    a = _minutes(open_, "open")
    b = _minutes(close, "close")
    if b <= a:
        raise ValueError(f"close ({min_to_clock(b)}) must be after open ({min_to_clock(a)})")
    last_end = b if latest_end is None else _minutes(latest_end, "latest_end")
    if starts is None:
        if start_step_min <= 0:
            raise ValueError(f"start_step_min must be > 0, not {start_step_min!r}")
        n = math.floor((last_end - a) / start_step_min + _TOL) + 1
        start_list = [a + k * start_step_min for k in range(n)]
    else:
        start_list = sorted({_minutes(s, "starts") for s in starts})
    out: list[ShiftPattern] = []
    for hours in sorted(set(lengths_h)):
        length = float(hours) * 60.0
        if not length > 0:
            raise ValueError(f"shift lengths must be > 0 hours, not {hours!r}")
        for s in start_list:
            if s + length > last_end + _TOL:
                continue
            offsets = break_rule.offsets(length) if break_rule is not None else ()
            if not offsets:
                out.append(ShiftPattern(s, length, ppe=ppe))
                continue
            assert break_rule is not None
            out.extend(
                ShiftPattern(s, length, off, break_rule.length_min, break_rule.paid, ppe)
                for off in offsets
            )
    if not out:
        raise ValueError(
            f"no shift of {', '.join(f'{h:g}' for h in lengths_h)} h fits between the allowed "
            f"starts and {min_to_clock(last_end)}"
        )
    return tuple(out)


@dataclass(frozen=True, eq=False)
class RosterPlan:
    """The cheapest roster :func:`cover` found.

    Attributes
    ----------
    start_min, slot_min
        The first slot's start (minutes after midnight) and the slots' length.
    required
        The requirement per slot, as given.
    need
        Staff needed serving per slot: the requirement raised to ``min_staff``.
    shifts
        The chosen ``(pattern, people)``, people >= 1, by start.
    rostered
        Fewest people serving at any moment of each slot, recomputed from ``shifts`` by the
        model (:func:`~sim.model.staffing.role_schedule`), not capped by desks/booths.
    on_duty
        Most people on shift (serving, on a break or resting) at any moment of each slot.
    person_hours
        Paid person-hours of the roster.
    status
        ``"optimal"`` or ``"time_limit"`` (a feasible roster, not proven cheapest).
    message
        The solver's message (and what was done about it).
    handover_min, min_staff, max_staff
        The rules the roster was planned with.
    best_single_pattern
        The cheapest roster using a single shift length (also from the program), for
        comparison; None when no single length covers the requirement or it was not asked.
    """

    start_min: float
    slot_min: float
    required: np.ndarray
    need: np.ndarray
    shifts: tuple[tuple[ShiftPattern, int], ...]
    rostered: np.ndarray
    on_duty: np.ndarray
    person_hours: float
    status: str
    message: str
    handover_min: float = 0.0
    min_staff: int = 0
    max_staff: int | None = None
    best_single_pattern: RosterPlan | None = None

    @property
    def n_slots(self) -> int:
        """Number of slots."""
        return len(self.need)

    @property
    def slot_starts(self) -> np.ndarray:
        """Slot starts, minutes after midnight."""
        return self.start_min + self.slot_min * np.arange(self.n_slots)

    @property
    def slot_labels(self) -> list[str]:
        """Slots as clock spans, e.g. ``"07:00-08:00"``."""
        return [_span(t, self.slot_min) for t in self.slot_starts]

    @property
    def people(self) -> int:
        """People on the roster (person-shifts per day)."""
        return sum(n for _, n in self.shifts)

    @property
    def lengths_h(self) -> tuple[float, ...]:
        """Distinct shift lengths used, hours."""
        return tuple(sorted({p.length / 60.0 for p, _ in self.shifts}))

    @property
    def ppe(self) -> PpeRule | None:
        """The PPE rule of the patterns (None without PPE)."""
        return next((p.ppe for p, _ in self.shifts if p.ppe is not None), None)

    @property
    def hours_saved(self) -> float | None:
        """Person-hours saved against :attr:`best_single_pattern` (None without one)."""
        if self.best_single_pattern is None:
            return None
        return self.best_single_pattern.person_hours - self.person_hours


def cover(
    required: Sequence[int] | np.ndarray,
    slot_min: float,
    start_min: float,
    patterns: Iterable[ShiftPattern],
    *,
    min_staff: int = 0,
    max_staff: int | None = None,
    handover_min: float = 0.0,
    physical: int | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    compare_single: bool = True,
) -> RosterPlan:
    """The roster of ``patterns`` with the fewest paid person-hours that covers ``required``.

    Parameters
    ----------
    required
        Staff needed serving in each slot (integers >= 0), the first slot from ``start_min``.
    slot_min
        Slot length, minutes.
    start_min
        Start of the first slot, minutes after midnight.
    patterns
        The allowed shift patterns (:func:`shift_patterns`); all with the same PPE rule.
    min_staff
        Fewest serving in every slot (while open).
    max_staff
        Most people on shift at any moment (None: no limit).
    handover_min
        The roster's ``handover_min`` (desks/booths closed after a shift change): counted, see
        the module docstring.
    physical
        The site's desks/booths of the role: a slot needing more is infeasible (None: no check).
    time_limit_s
        Seconds each integer program may take.
    compare_single
        Also plan the cheapest single-length roster (:attr:`RosterPlan.best_single_pattern`).

    Raises
    ------
    RosterInfeasible
        No roster of the patterns covers some slot: names the slot, its need and why.
    RosterTimeLimit
        The program found no roster within ``time_limit_s``.
    RosterError
        Bad input (a ``ValueError``).
    """
    pats = tuple(dict.fromkeys(patterns))
    need, req = _check_input(
        required,
        slot_min,
        start_min,
        pats,
        min_staff,
        max_staff,
        handover_min,
        physical,
        time_limit_s,
    )
    # The program counts coverage on a grid fine enough that every pattern's start, end,
    # break and PPE onset falls on it: the fewest serving in a slot is then exact.
    step = _fine_step(float(slot_min), float(start_min), pats)
    ratio = round(slot_min / step)
    prob = _Problem(
        np.repeat(need, ratio), step, float(start_min), pats, max_staff, float(handover_min), ratio
    )
    _precheck(prob, req, min_staff, physical)
    counts, status, message = prob.solve(list(range(len(pats))), time_limit_s)
    if counts is None:
        raise prob.diagnose(time_limit_s)

    single: RosterPlan | None = None
    if compare_single:
        for length in sorted({p.length for p in pats}):
            idx = [i for i, p in enumerate(pats) if p.length == length]
            if not all(prob.can_serve(idx)):
                continue
            c, st, msg = prob.solve(idx, time_limit_s)
            if c is None:
                continue
            cand = _plan(prob, req, need, c, st, msg, min_staff)
            if single is None or cand.person_hours < single.person_hours - _TOL:
                single = cand
    plan = _plan(prob, req, need, counts, status, message, min_staff)
    if single is not None and single.person_hours < plan.person_hours - _TOL:
        # Only when the full program stopped at its time limit (its optimum cannot cost more).
        plan = dataclasses.replace(
            single,
            status=status,
            message=f"{message}; the single-length roster found is cheaper and is used",
        )
    return dataclasses.replace(plan, best_single_pattern=single)


def to_roster_config(plan: RosterPlan) -> RoleRosterConfig:
    """The plan as a ``custom`` roster (shift staff, breaks closing the shift's people).

    Set it as a site's ``staffing.swab`` (or ``staffing.registration`` when the patterns have
    no PPE rule): ``dataclasses.replace(site, staffing=dataclasses.replace(site.staffing,
    swab=roster))``.
    """
    if not plan.shifts:
        raise RosterError(
            "the plan has no shifts (the requirement is 0 in every slot): a roster needs at "
            "least one shift; plan with min_staff=1"
        )
    cfg = _roster_config(plan.shifts, plan.handover_min, plan.ppe)
    cfg.validate()
    return cfg


def roster_mapping(roster: RosterPlan | RoleRosterConfig) -> dict[str, Any]:
    """A roster as the plain mapping of a site's ``staffing.<role>`` in YAML."""
    cfg = to_roster_config(roster) if isinstance(roster, RosterPlan) else roster
    return {
        "pattern": cfg.pattern,
        "first_start": str(cfg.first_start),
        "staff": cfg.staff,
        "handover_min": _tidy(cfg.handover_min),
        "shifts": [
            {
                "start": str(s.start),
                "end": str(s.end),
                "staff": s.staff,
                "breaks": [
                    {"start": str(b.start), "end": str(b.end), "closed": b.closed} for b in s.breaks
                ],
            }
            for s in cfg.shifts
        ],
        "ppe_max_hours": None if cfg.ppe_max_hours is None else _tidy(cfg.ppe_max_hours),
        "ppe_rest_min": _tidy(cfg.ppe_rest_min),
    }


def roster_yaml(rosters: Mapping[str, RosterPlan | RoleRosterConfig]) -> str:
    """YAML text of a site's ``staffing`` block for the given roles.

    ``rosters`` maps a role (``registration`` or ``swab``) to its plan or roster, e.g.
    ``roster_yaml({"swab": plan})``: put the text under a site (or ``sites[k]``) entry. Plans
    add a comment line each with their person-hours. Clock times are quoted.
    """
    body: dict[str, Any] = {}
    notes = []
    for role, roster in rosters.items():
        if role not in (REGISTRATION, SWAB):
            raise RosterError(f"role must be {REGISTRATION!r} or {SWAB!r}, not {role!r}")
        mapping = roster_mapping(roster)
        if role == REGISTRATION and mapping["ppe_max_hours"] is not None:
            raise RosterError(
                "PPE rests apply to the swab role only: plan registrars with patterns without "
                "a PPE rule"
            )
        body[role] = _styled(mapping)
        if isinstance(roster, RosterPlan):
            note = f"# {role}: {roster.person_hours:g} person-hours, {roster.people} people"
            single = roster.best_single_pattern
            if single is not None:
                note += (
                    f" (best single length, {'/'.join(f'{h:g}' for h in single.lengths_h)} h: "
                    f"{single.person_hours:g} person-hours)"
                )
            notes.append(note)
    text = yaml.dump(
        {"staffing": body}, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=100
    )
    return "".join(f"{n}\n" for n in notes) + text


def slot_capacity(
    schedule: CapacitySchedule, start_min: float, slot_min: float, n_slots: int, how: str = "min"
) -> np.ndarray:
    """Fewest (``how="min"``) or most (``"max"``) of a schedule in each slot."""
    if how not in ("min", "max"):
        raise ValueError(f"how must be 'min' or 'max', not {how!r}")
    pick = min if how == "min" else max
    times = np.asarray(schedule.times, dtype=float)
    out = np.zeros(n_slots, dtype=int)
    for k in range(n_slots):
        a = start_min + k * slot_min
        b = a + slot_min
        inside = times[(times > a + _TOL) & (times < b - _TOL)]
        out[k] = pick([schedule.at(a), *(schedule.at(float(t)) for t in inside)])
    return out


# --- the integer program ----------------------------------------------------------------------


@dataclass
class _Program:
    """One covering program: scipy's inputs and where each variable sits."""

    c: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: list[LinearConstraint]
    idx: list[int]
    r_of: dict[int, int]
    w_of: dict[int, int]
    slots: list[int]
    s_of: dict[int, int]

    def coverage_terms(self, prob: _Problem, t: int) -> list[tuple[int, float]]:
        """Columns and coefficients of the people serving in slot ``t``."""
        out: list[tuple[int, float]] = []
        for k, i in enumerate(self.idx):
            if not prob.serve[i, t]:
                continue
            out.append((k, 1.0))
            if prob.ppe[i, t]:
                out.append((self.r_of[k], -1.0))
            if prob.hand[i, t] and k in self.w_of:
                out.append((self.w_of[k], -1.0))
        return out

    def run(self, time_limit_s: float, c: np.ndarray | None = None) -> Any:
        return milp(
            self.c if c is None else c,
            integrality=self.integrality,
            bounds=self.bounds,
            constraints=self.constraints,
            options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-7},
        )


class _Problem:
    """Coefficients of the covering program for all patterns (subsets solved on demand)."""

    def __init__(
        self,
        need: np.ndarray,
        slot_min: float,
        start_min: float,
        pats: tuple[ShiftPattern, ...],
        max_staff: int | None,
        handover_min: float,
        ratio: int = 1,
    ) -> None:
        self.need = need
        self.ratio = ratio
        self.slot_min = slot_min
        self.start_min = start_min
        self.pats = pats
        self.max_staff = max_staff
        self.handover_min = handover_min
        n = len(need)
        t0 = start_min + slot_min * np.arange(n)
        t1 = t0 + slot_min
        # per pattern and slot: serving all through the slot (no break), PPE rests in the
        # slot, the slot overlaps the first handover_min minutes
        self.serve = np.zeros((len(pats), n), dtype=bool)
        self.ppe = np.zeros_like(self.serve)
        self.hand = np.zeros_like(self.serve)
        for i, p in enumerate(pats):
            s = (t0 >= p.start - _TOL) & (t1 <= p.end + _TOL)
            span = p.break_span
            if span is not None:
                s &= ~((t0 < span[1] - _TOL) & (t1 > span[0] + _TOL))
            self.serve[i] = s
            if p.ppe is not None and p.length > p.ppe.max_hours * 60.0 + _TOL:
                self.ppe[i] = s & (t1 > p.start + p.ppe.onset_min + _TOL)
            if handover_min > 0:
                self.hand[i] = s & (t0 < p.start + handover_min - _TOL)
        self.share = pats[0].ppe.share if pats[0].ppe is not None else 0.0
        # No optimal roster has more people on a pattern than this: one fewer would still
        # serve the largest need in every slot (a PPE rest takes at most share * x + 1 off).
        top = max(int(need.max(initial=0)), 1)
        self.upper = math.ceil((top + 1) / (1.0 - self.share)) + 1
        if max_staff is not None:
            self.upper = min(self.upper, int(max_staff))

    def can_serve(self, idx: Iterable[int]) -> np.ndarray:
        """Per slot: whether it needs nobody or some pattern of ``idx`` serves all of it."""
        return np.asarray((self.need == 0) | self.serve[list(idx)].any(axis=0))

    def program(self, idx: Sequence[int], need: np.ndarray, elastic: bool = False) -> _Program:
        """The program over patterns ``idx``: paid hours, or (``elastic``) total shortfall."""
        pats = [self.pats[i] for i in idx]
        P = len(idx)
        U = float(self.upper)
        kinds = ["x"] * P
        r_of: dict[int, int] = {}
        for k, i in enumerate(idx):
            if self.ppe[i].any():
                r_of[k] = len(kinds)
                kinds.append("r")
        # hand-overs: a pattern starting when a chosen pattern ends (times modulo a day)
        ends: dict[float, list[int]] = {}
        for k, p in enumerate(pats):
            ends.setdefault(round(p.end % DAY_MIN, 6), []).append(k)
        w_of: dict[int, int] = {}
        y_of: dict[float, int] = {}
        for k, (i, p) in enumerate(zip(idx, pats, strict=True)):
            key = round(p.start % DAY_MIN, 6)
            if self.hand[i].any() and key in ends:
                w_of[k] = len(kinds)
                kinds.append("w")
                if key not in y_of:
                    y_of[key] = len(kinds)
                    kinds.append("y")
        slots = [t for t in range(len(need)) if need[t] > 0]
        s_of: dict[int, int] = {}
        if elastic:
            for t in slots:
                s_of[t] = len(kinds)
                kinds.append("s")
        nv = len(kinds)
        c = np.zeros(nv)
        if elastic:
            c[list(s_of.values())] = 1.0
        else:
            c[:P] = [p.paid_hours for p in pats]
        integrality = np.array([1 if kind in ("x", "r", "y") else 0 for kind in kinds])
        ub = np.array([{"y": 1.0, "s": np.inf}.get(kind, U) for kind in kinds])
        prog = _Program(
            c, integrality, Bounds(np.zeros(nv), ub), [], list(idx), r_of, w_of, slots, s_of
        )

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        lo: list[float] = []
        hi: list[float] = []

        def row(entries: Iterable[tuple[int, float]], lb: float, ubound: float) -> None:
            for col, v in entries:
                rows.append(len(lo))
                cols.append(col)
                vals.append(v)
            lo.append(lb)
            hi.append(ubound)

        for t in slots:  # serving >= need
            extra = [(s_of[t], 1.0)] if elastic else []
            row([*prog.coverage_terms(self, t), *extra], float(need[t]), np.inf)
        for k, col in r_of.items():  # share * x <= r <= x: the least such r is the model's
            row([(k, self.share), (col, -1.0)], -np.inf, 0.0)
            row([(col, 1.0), (k, -1.0)], -np.inf, 0.0)
        for key, ycol in y_of.items():  # a chosen pattern ending at the time: y = 1
            for q in ends[key]:
                row([(q, 1.0), (ycol, -U)], -np.inf, 0.0)
        for k, wcol in w_of.items():  # w >= x - U (1 - y): starts late after a hand-over
            key = round(pats[k].start % DAY_MIN, 6)
            row([(k, 1.0), (wcol, -1.0), (y_of[key], U)], -np.inf, U)
        if self.max_staff is not None:  # on shift at any moment <= max_staff
            pts = sorted({p.start for p in pats} | {p.end for p in pats})
            seen: set[tuple[int, ...]] = set()
            for a, b in itertools.pairwise(pts):
                on = tuple(k for k, p in enumerate(pats) if p.start <= a and p.end >= b)
                if on and on not in seen:
                    seen.add(on)
                    row([(k, 1.0) for k in on], -np.inf, float(self.max_staff))
        if lo:
            A = coo_array((vals, (rows, cols)), shape=(len(lo), nv)).tocsr()
            prog.constraints.append(LinearConstraint(A, np.array(lo), np.array(hi)))
        return prog

    def solve(self, idx: Sequence[int], time_limit_s: float) -> tuple[np.ndarray | None, str, str]:
        """People per pattern (all patterns, 0 outside ``idx``), or None if infeasible."""
        res = self.program(idx, self.need).run(time_limit_s)
        if res.status == 2:
            return None, "infeasible", str(res.message)
        if res.x is None:
            if res.status == 1:
                raise RosterTimeLimit(
                    f"the integer program found no roster within its time limit of "
                    f"{time_limit_s:g} s ({len(idx)} patterns, {len(self.need)} slots): allow "
                    "fewer patterns or a longer time_limit_s"
                )
            raise RosterError(f"the integer program failed: {res.message}")
        counts = np.zeros(len(self.pats), dtype=int)
        counts[list(idx)] = np.round(res.x[: len(idx)]).astype(int)
        if res.status == 0:
            return counts, "optimal", str(res.message)
        return (
            counts,
            "time_limit",
            f"time limit of {time_limit_s:g} s reached: a feasible roster, not proven the "
            f"cheapest ({res.message})",
        )

    def slot_max(self, t: int, time_limit_s: float) -> int | None:
        """Most people that can serve in slot ``t`` alone (None: not found in time)."""
        idx = list(range(len(self.pats)))
        prog = self.program(idx, np.zeros_like(self.need))
        c = np.zeros_like(prog.c)
        for col, v in prog.coverage_terms(self, t):
            c[col] -= v
        res = prog.run(time_limit_s, c)
        if res.x is None:
            return None
        return max(round(-res.fun), 0)

    def diagnose(self, time_limit_s: float) -> RosterError:
        """Why the program is infeasible: the first slot short when shortfalls are least."""
        idx = list(range(len(self.pats)))
        prog = self.program(idx, self.need, elastic=True)
        res = prog.run(time_limit_s)
        if res.x is None:
            return RosterTimeLimit(
                f"no roster covers the requirement, and finding the slot that fails took more "
                f"than the time limit of {time_limit_s:g} s ({res.message})"
            )
        short = [t for t in prog.slots if res.x[prog.s_of[t]] > 0.5] or prog.slots
        t = short[0]
        most = self.slot_max(t, time_limit_s)
        limit = (
            f" with max_staff={self.max_staff} on shift at once"
            if self.max_staff is not None
            else ""
        )
        rules = []
        if any(p.break_offset is not None for p in self.pats):
            rules.append("breaks")
        if self.share:
            rules.append("PPE rests")
        if self.handover_min > 0:
            rules.append(f"{self.handover_min:g}-min hand-overs")
        takes = f" ({', '.join(rules)} take people off)" if rules else ""
        serving = np.flatnonzero(self.serve[:, t])
        late = [i for i in serving if self.hand[i, t]]
        ends = {round(p.end % DAY_MIN, 6) for p in self.pats}
        when = "then" if self.ratio == 1 else f"in {self.sub_span(t)}"
        if most is not None and most < self.need[t]:
            why = f"at most {most} can be serving {when}{limit}{takes}"
        elif (
            late
            and len(late) == len(serving)
            and all(round(self.pats[i].start % DAY_MIN, 6) in ends for i in late)
        ):
            starts = sorted({min_to_clock(self.pats[i].start) for i in late})
            why = (
                f"the only patterns serving {when} start at {', '.join(starts)}, when other "
                f"patterns end: they open {self.handover_min:g} min late after the hand-over, "
                "and the shifts ending then are needed earlier; allow a pattern that overlaps "
                "the change"
            )
        else:
            why = f"the allowed patterns cannot cover it together with the other slots{limit}"
            why += takes
        return RosterInfeasible(t // self.ratio, self.span(t), int(self.need[t]), why)

    def span(self, t: int) -> str:
        """The requirement's slot that grid slot ``t`` belongs to, as clock times."""
        coarse = self.slot_min * self.ratio
        return _span(self.start_min + (t // self.ratio) * coarse, coarse)

    def sub_span(self, t: int) -> str:
        """Grid slot ``t`` as clock times."""
        return _span(self.start_min + t * self.slot_min, self.slot_min)


# --- helpers -----------------------------------------------------------------------------------


def _check_input(
    required: Sequence[int] | np.ndarray,
    slot_min: float,
    start_min: float,
    pats: tuple[ShiftPattern, ...],
    min_staff: int,
    max_staff: int | None,
    handover_min: float,
    physical: int | None,
    time_limit_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    req = np.asarray(required, dtype=float)
    if req.ndim != 1 or len(req) == 0:
        raise RosterError(f"required must be a non-empty 1-D array of staff per slot: {required!r}")
    if not (np.all(np.isfinite(req)) and np.all(req >= 0) and np.all(req == np.round(req))):
        raise RosterError(f"required must hold whole numbers >= 0 of staff: {required!r}")
    if not (math.isfinite(slot_min) and slot_min > 0):
        raise RosterError(f"slot_min must be minutes > 0, not {slot_min!r}")
    if not math.isfinite(start_min):
        raise RosterError(f"start_min must be minutes after midnight, not {start_min!r}")
    if not pats:
        raise RosterError("no shift patterns are allowed: give at least one")
    if len({p.ppe for p in pats}) > 1:
        raise RosterError(
            "the patterns have different PPE rules: the model applies one per role "
            f"({sorted({str(p.ppe) for p in pats})})"
        )
    first = min(p.start for p in pats)
    last = max(p.end for p in pats)
    if last - first > DAY_MIN + _TOL:
        raise RosterError(
            f"the patterns span {min_to_clock(first)}-{min_to_clock(last)}, more than 24 h: the "
            "roster repeats daily, so they must fit in one day"
        )
    if not (isinstance(min_staff, int | np.integer) and min_staff >= 0):
        raise RosterError(f"min_staff must be an integer >= 0, not {min_staff!r}")
    if max_staff is not None and not (isinstance(max_staff, int | np.integer) and max_staff >= 0):
        raise RosterError(f"max_staff must be an integer >= 0 or None, not {max_staff!r}")
    if physical is not None and not (isinstance(physical, int | np.integer) and physical >= 0):
        raise RosterError(f"physical must be an integer >= 0 or None, not {physical!r}")
    shortest = min(p.length for p in pats)
    if not (math.isfinite(handover_min) and 0 <= handover_min < shortest):
        raise RosterError(
            f"handover_min must be minutes >= 0 and shorter than the shortest pattern "
            f"({shortest:g} min), not {handover_min!r}"
        )
    if not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise RosterError(f"time_limit_s must be seconds > 0, not {time_limit_s!r}")
    req_i = req.astype(int)
    return np.maximum(req_i, int(min_staff)), req_i


def _precheck(prob: _Problem, req: np.ndarray, min_staff: int, physical: int | None) -> None:
    """Slots that fail on their own: more than max_staff or the site has, no pattern serving."""
    earliest = min(p.start for p in prob.pats)
    latest = max(p.end for p in prob.pats)
    serves = prob.can_serve(range(len(prob.pats)))
    for t, n in enumerate(prob.need):
        a = prob.start_min + t * prob.slot_min
        b = a + prob.slot_min
        span = prob.span(t)
        slot = t // prob.ratio
        what = f"the requirement {req[slot]}" + (
            f" raised to min_staff={min_staff}" if n > req[slot] else ""
        )
        if physical is not None and n > physical:
            raise RosterInfeasible(
                slot, span, int(n), f"{what} is more than the site's {physical} desks/booths"
            )
        if prob.max_staff is not None and n > prob.max_staff:
            raise RosterInfeasible(
                slot, span, int(n), f"{what} is more than max_staff={prob.max_staff}"
            )
        if not serves[t]:
            if earliest > a + _TOL:
                why = (
                    f"no allowed pattern starts by {min_to_clock(a)} (earliest start "
                    f"{min_to_clock(earliest)})"
                )
            elif latest < b - _TOL:
                why = (
                    f"no allowed pattern runs until {min_to_clock(b)} (latest end "
                    f"{min_to_clock(latest)})"
                )
            elif any(p.start <= a + _TOL and p.end >= b - _TOL for p in prob.pats):
                why = f"every allowed pattern on shift in {prob.sub_span(t)} is on a break then"
            else:
                why = f"no allowed pattern is on shift all through {prob.sub_span(t)}"
            raise RosterInfeasible(slot, span, int(n), why)


def _plan(
    prob: _Problem,
    req: np.ndarray,
    need: np.ndarray,
    counts: np.ndarray,
    status: str,
    message: str,
    min_staff: int,
) -> RosterPlan:
    chosen = tuple(
        (p, int(n))
        for p, n in sorted(
            ((p, n) for p, n in zip(prob.pats, counts, strict=True) if n > 0),
            key=lambda pn: (pn[0].start, pn[0].end, pn[0].label),
        )
    )
    n = len(need)
    slot_min = prob.slot_min * prob.ratio
    rostered = np.zeros(n, dtype=int)
    on_duty = np.zeros(n, dtype=int)
    if chosen:
        ppe = chosen[0][0].ppe
        cfg = _roster_config(chosen, prob.handover_min, ppe)
        lo = min(prob.start_min, *(p.start for p, _ in chosen))
        hi = max(prob.start_min + n * slot_min, *(p.end for p, _ in chosen))
        role = SWAB if ppe is not None else REGISTRATION
        people = sum(c for _, c in chosen)
        sched = role_schedule(role, cfg, people, [(lo, hi)]).schedule
        rostered = slot_capacity(sched, prob.start_min, slot_min, n, "min")
        deltas: dict[float, int] = {}
        for p, c in chosen:
            deltas[p.start] = deltas.get(p.start, 0) + c
            deltas[p.end] = deltas.get(p.end, 0) - c
        times = sorted(deltas)
        levels = list(itertools.accumulate(deltas[t] for t in times))
        duty = CapacitySchedule.from_steps(times, levels)
        on_duty = slot_capacity(duty, prob.start_min, slot_min, n, "max")
    hours = float(sum(p.paid_hours * c for p, c in chosen))
    return RosterPlan(
        start_min=prob.start_min,
        slot_min=slot_min,
        required=req,
        need=need.copy(),
        shifts=chosen,
        rostered=rostered,
        on_duty=on_duty,
        person_hours=hours,
        status=status,
        message=message,
        handover_min=prob.handover_min,
        min_staff=int(min_staff),
        max_staff=prob.max_staff,
    )


def _roster_config(
    chosen: Sequence[tuple[ShiftPattern, int]], handover_min: float, ppe: PpeRule | None
) -> RoleRosterConfig:
    shifts = []
    for p, n in sorted(chosen, key=lambda pn: (pn[0].start, pn[0].end, pn[0].label)):
        span = p.break_span
        breaks = (
            (BreakConfig(_clock(span[0]), _clock(span[1]), closed=int(n)),)
            if span is not None
            else ()
        )
        shifts.append(ShiftConfig(_clock(p.start), _clock(p.end), staff=int(n), breaks=breaks))
    return RoleRosterConfig(
        pattern="custom",
        first_start=shifts[0].start,
        handover_min=float(handover_min),
        shifts=tuple(shifts),
        ppe_max_hours=None if ppe is None else float(ppe.max_hours),
        ppe_rest_min=30.0 if ppe is None else float(ppe.rest_min),
    )


def _fine_step(slot_min: float, start_min: float, pats: Sequence[ShiftPattern]) -> float:
    """Largest step (minutes) dividing the slot and every pattern time (else the slot)."""
    times = [slot_min, start_min]
    for p in pats:
        times += [p.start, p.length]
        if p.break_offset is not None:
            times += [p.break_offset, p.break_min]
        if p.ppe is not None:
            times += [p.ppe.max_hours * 60.0, p.ppe.onset_min]
    if not all(float(t).is_integer() for t in times):
        return slot_min
    return float(math.gcd(*(int(t) for t in times)))


def _minutes(value: float | str, name: str) -> float:
    return clock_to_min(value, name) if isinstance(value, str) else float(value)


def _clock(minutes: float) -> Clock:
    return Clock(min_to_clock(minutes))


def _span(start: float, length: float) -> str:
    return f"{min_to_clock(start)}-{min_to_clock(start + length)}"


def _styled(mapping: dict[str, Any]) -> dict[str, Any]:
    """A roster mapping with clock times quoted and each shift on one line, for YAML."""
    clocks = ("first_start", "start", "end")

    def quote(d: dict[str, Any]) -> dict[str, Any]:
        return {k: _Quoted(v) if k in clocks else v for k, v in d.items()}

    out = quote(mapping)
    out["shifts"] = [
        _Flow(quote({**s, "breaks": [quote(b) for b in s["breaks"]]})) for s in mapping["shifts"]
    ]
    return out


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


class _Quoted(str):
    """A string YAML writes in quotes (clock times: unquoted 07:00 may read as a number)."""


class _Flow(dict[str, Any]):
    """A mapping YAML writes on one line (a shift, as in the shipped configs)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="'")
)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
