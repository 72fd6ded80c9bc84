"""Rosters by role over a multi-day round: shifts become open desks/booths and a headcount.

Times are minutes after midnight of day 1; day ``d`` (0-based) runs from ``1440 * d``. A point
serves in **windows**, one per day of the round: ``(open_min, end_of_clearing_min)``. Each role's
roster (:class:`~sim.config.staffing.RoleRosterConfig`) is turned into

- the shift instances of the round (who works when; for the headcount), and
- a :class:`~sim.engine.schedule.CapacitySchedule` of desks/booths of the role that are open.

Roles: ``registration`` (registrars, at desks), ``swab`` (swabbers, at booths) and ``marshal``
(volunteers keeping order: no desk, but counted in the headcount; one crew of
``marshals_per_shift`` per swab shift). A resident in service when a desk closes is finished
first; that is the engine's job, not this module's. Everything here runs once per site, in time
proportional to the number of shifts (plus a sort).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.clock import clock_to_min
from sim.config.staffing import DAY_MIN, PATTERN_SHIFTS, RoleRosterConfig, StaffingConfig
from sim.engine.schedule import CapacitySchedule

if TYPE_CHECKING:
    from sim.config.schema import SiteConfig

REGISTRATION = "registration"
SWAB = "swab"
#: Lab technicians (their roster gives the people on duty; see :mod:`sim.model.labs`).
LAB = "lab"
MARSHAL = "marshal"
#: The roles, in table order.
ROLES: tuple[str, ...] = (REGISTRATION, SWAB, MARSHAL)
#: What the people of each role are called (for tables and plots).
ROLE_TITLES: dict[str, str] = {REGISTRATION: "registrar", SWAB: "swabber", MARSHAL: "marshal"}

#: Shift boundaries closer than this (minutes) count as the same instant.
_EPS = 1e-6

Window = tuple[float, float]


@dataclass(frozen=True)
class ShiftInstance:
    """One shift of one role on one day of the round.

    Attributes
    ----------
    role
        ``registration``, ``swab`` or ``marshal``.
    day
        Day (0-based) of the pattern the shift belongs to: the day it starts on.
    start, end
        Nominal shift times, minutes after midnight of day 1 (a hand-over delays the start of
        service, not the shift).
    staff
        People on the shift (as rostered: may exceed the desks/booths they staff).
    """

    role: str
    day: int
    start: float
    end: float
    staff: int

    @property
    def hours(self) -> float:
        """Length of the shift in hours."""
        return (self.end - self.start) / 60.0


@dataclass(frozen=True)
class RoleSchedule:
    """Desks/booths of one role open over the whole round, and the shifts behind them.

    Attributes
    ----------
    schedule
        Number of desks/booths of the role open (0 outside the site's serving windows).
    shifts
        The shift instances that overlap a serving window, in order of start.
    """

    role: str
    schedule: CapacitySchedule
    shifts: tuple[ShiftInstance, ...]


@dataclass(frozen=True)
class _Planned:
    """A shift instance with its absolute breaks ``(start, end, closed)``."""

    day: int
    start: float
    end: float
    staff: int
    breaks: tuple[tuple[float, float, int], ...] = ()


def role_schedule(
    role: str, cfg: RoleRosterConfig, physical: int, windows: Sequence[Window]
) -> RoleSchedule:
    """Open desks/booths of ``role`` over the round, from its roster.

    Parameters
    ----------
    role
        ``registration``, ``swab``, ``lab`` or a point's own role (``staffing.roles``); PPE
        rests apply where the roster sets ``ppe_max_hours``, except to registrars and lab
        staff.
    cfg
        The role's roster.
    physical
        Desks (registration) or booths (swab) the site has.
    windows
        The site's serving windows ``(open_min, close_min)``, one per day of the
        round, increasing and non-overlapping (they may touch).

    Rules
    -----
    - **Shifts.** The pattern is instantiated for every day ``d`` that has a window (the day
      the window opens on): ``custom`` shifts at their clock times plus ``1440 * d``; ``2x12``
      / ``3x8`` as 12 h / 8 h shifts back to back from ``first_start`` of day ``d``;
      ``opening_hours`` as one shift per window (the window given: opening to closing). Only
      shifts that overlap a window are kept. A shift has ``staff`` people (null: ``physical``;
      a custom shift's own ``staff`` comes first). Days without a window have no shifts, so on
      the round's first day nobody works before the first shift even if the window opens
      earlier (the night shift of the day before is not rostered).
    - **Open count.** At time ``t`` inside a window, ``min(physical, people serving at t)``;
      0 outside every window. Rostering more people than desks/booths thus opens no more, but
      the spare people cover breaks and PPE rests.
    - **Hand-over.** When one shift ends at the same instant another starts (within a day or
      across midnight), the incoming shift starts serving ``handover_min`` late, so the
      role's desks/booths it staffs are closed for ``handover_min`` after the change. Shifts
      that span the change keep serving.
    - **Staggered hand-overs.** With ``handover_offset_min``, every change between shifts
      happens that many minutes after the roster's clock time (the outgoing shift stays on,
      the incoming one starts later): give neighbouring points different offsets so that
      their desks do not all close at the same minute. The first start and the last end of
      the day do not move.
    - **Breaks** (custom shifts) take ``closed`` of the shift's people off during the break.
    - **PPE** (swab role, ``ppe_max_hours`` set). Each swabber in full protective gear rests
      ``ppe_rest_min`` after at most ``ppe_max_hours`` of work, and the rests rotate so the
      booths never all close at once (:func:`ppe_rests`): the shift's people rest in turn, a
      group at a time, each rest exact to the minute; a person whose shift (from the start
      of service, i.e. after any hand-over) is no longer than ``ppe_max_hours`` does not
      rest. Breaks do not reset the PPE clock. A shift's serving people never go below 0.
    """
    if not role or role == MARSHAL:
        raise ValueError(f"role must name a roster that staffs desks/booths, not {role!r}")
    if physical < 0:
        raise ValueError(f"physical must be >= 0, not {physical}")
    wins = _check_windows(windows)
    planned = _staggered(_instantiate(cfg, physical, wins), cfg.handover_offset_min)
    win_ends = [b for _, b in wins]
    kept = [p for p in planned if _overlaps(p.start, p.end, wins, win_ends)]
    kept.sort(key=lambda p: (p.start, p.end))

    ends = {round(p.end / _EPS) for p in kept}
    # swabbers (and a point's own roles) in protective gear; never registrars or lab staff
    ppe = cfg.ppe_max_hours is not None and role not in (REGISTRATION, LAB)
    deltas: dict[float, int] = {}
    for p in kept:
        serve_from = p.start
        if cfg.handover_min > 0 and round(p.start / _EPS) in ends:
            serve_from = min(p.start + cfg.handover_min, p.end)
        rests: list[tuple[float, float, int]] = []
        if ppe:
            assert cfg.ppe_max_hours is not None
            rests = ppe_rests(
                p.staff, serve_from, p.end, cfg.ppe_max_hours * 60.0, cfg.ppe_rest_min
            )
        _add_serving(deltas, p, serve_from, rests)

    schedule = _open_schedule(deltas, physical, wins)
    shifts = tuple(ShiftInstance(role, p.day, p.start, p.end, p.staff) for p in kept)
    return RoleSchedule(role, schedule, shifts)


def ppe_groups(staff: int, max_min: float, rest_min: float) -> int:
    """Swabbers of a shift resting at once under the rotating PPE relief (:func:`ppe_rests`):
    the fewest ``c`` for which the ``ceil(staff / c)`` groups' rests, one after another, fit in
    ``max_min`` minutes (all of them when one rest is longer than that)."""
    if staff <= 0:
        return 0
    turns = math.floor(max_min / rest_min + 1e-9)  # groups whose rests fit one after another
    return staff if turns < 1 else min(staff, math.ceil(staff / turns - 1e-9))


def ppe_resting(staff: int, ppe_max_hours: float, ppe_rest_min: float) -> int:
    """Swabbers of a shift resting at once, at most, under the rotating PPE relief."""
    return ppe_groups(staff, ppe_max_hours * 60.0, ppe_rest_min)


def ppe_rests(
    staff: int, start: float, end: float, max_min: float, rest_min: float
) -> list[tuple[float, float, int]]:
    """The PPE rests of a shift's ``staff`` swabbers serving from ``start`` to ``end``
    (minutes), as ``(from, to, people resting)``.

    Each person rests ``rest_min`` after at most ``max_min`` of work. The people rest in turn,
    ``c`` at a time (:func:`ppe_groups`: as few as lets every group rest within the first
    ``max_min``); the groups' first rests follow one another and end ``max_min`` after
    ``start``, and each group rests again ``max_min`` after the end of its last rest. A rest
    is taken only where the group would otherwise work more than ``max_min`` before ``end``,
    and ends at ``end`` at the latest. E.g. 6 swabbers, 4 h, 20 min, a 5-hour shift: one at a
    time from 2 h to 4 h in, 120 person-minutes; 1 swabber: 3 h 40 min to 4 h in.
    """
    if staff <= 0 or end - start <= max_min:
        return []
    c = ppe_groups(staff, max_min, rest_min)
    groups = math.ceil(staff / c)
    out = []
    for g in range(groups):
        size = c if g < groups - 1 else staff - c * (groups - 1)
        at = max(start, start + max_min - (groups - g) * rest_min)
        worked_from = start  # the end of the group's last rest (or the start of service)
        while end - worked_from > max_min + 1e-9:
            out.append((at, min(at + rest_min, end), size))
            worked_from = at + rest_min
            at = worked_from + max_min
    return sorted(out)


def marshal_shifts(
    swab_shifts: Iterable[ShiftInstance], per_shift: int
) -> tuple[ShiftInstance, ...]:
    """Marshal crews: ``per_shift`` marshals on each swab shift (none when ``per_shift`` is 0)."""
    if per_shift < 0:
        raise ValueError(f"per_shift must be >= 0, not {per_shift}")
    if per_shift == 0:
        return ()
    return tuple(ShiftInstance(MARSHAL, s.day, s.start, s.end, per_shift) for s in swab_shifts)


def headcount(shifts: Iterable[ShiftInstance]) -> dict[str, int]:
    """People per role over the round: the sum of ``staff`` over shift instances.

    A person working on two days counts twice (these are person-shifts). The three roles are
    always present (0 when a role has no shifts), in the order of :data:`ROLES`.
    """
    out = dict.fromkeys(ROLES, 0)
    for s in shifts:
        out[s.role] = out.get(s.role, 0) + s.staff
    return out


@dataclass(frozen=True)
class SiteStaffing:
    """Every role's roster at one point over the round.

    Attributes
    ----------
    registration
        Registrars' schedule, or None when the point has no registration stage.
    swab
        Swabbers' schedule, or None at a point without a swab stage (a clinic).
    marshals
        Marshal crews (one per swab shift; per shift of the first staffed stage without a
        swab stage).
    others
        ``(stage, schedule)`` of the point's other staffed stages (``site.stages``), in
        order; ``schedule.role`` is the stage's role.
    """

    registration: RoleSchedule | None
    swab: RoleSchedule | None
    marshals: tuple[ShiftInstance, ...]
    others: tuple[tuple[str, RoleSchedule], ...] = ()

    @property
    def shifts(self) -> tuple[ShiftInstance, ...]:
        """All shift instances of the point (registration, swab, other stages', marshal)."""
        reg = self.registration.shifts if self.registration is not None else ()
        swab = self.swab.shifts if self.swab is not None else ()
        other = tuple(sh for _, sched in self.others for sh in sched.shifts)
        return (*reg, *swab, *other, *self.marshals)

    def for_stage(self, stage: str) -> RoleSchedule | None:
        """The staffed schedule of a stage (None: a stage without staff, or none such)."""
        if stage == REGISTRATION:
            return self.registration
        if stage == SWAB:
            return self.swab
        return dict(self.others).get(stage)

    def headcount(self) -> dict[str, int]:
        """People per role over the round (person-shifts)."""
        return headcount(self.shifts)


def site_staffing(
    cfg: StaffingConfig,
    windows: Sequence[Window],
    swab_booths: int,
    registration_desks: int | None = None,
) -> SiteStaffing:
    """Rosters of one point: ``registration_desks`` None means no registration stage."""
    reg = (
        role_schedule(REGISTRATION, cfg.registration, registration_desks, windows)
        if registration_desks is not None
        else None
    )
    swab = role_schedule(SWAB, cfg.swab, swab_booths, windows)
    return SiteStaffing(reg, swab, marshal_shifts(swab.shifts, cfg.marshals_per_shift))


def point_staffing(site: SiteConfig, windows: Sequence[Window]) -> SiteStaffing:
    """Rosters of one point over its stages (:attr:`SiteConfig.stage_list`).

    The built-in stages as :func:`site_staffing` has them (the same schedules); each other
    staffed stage from its role's roster with the stage's servers. Stages without a role
    (places) have no roster.
    """
    cfg = site.staffing
    if site.stages is None:
        return site_staffing(
            cfg, windows, site.swab_booths, site.registration_desks if site.registration else None
        )
    rosters = {REGISTRATION: cfg.registration, SWAB: cfg.swab, **cfg.roles}
    reg = swab = None
    others: list[tuple[str, RoleSchedule]] = []
    for stage in site.stage_list:
        role = site.stage_role(stage)
        if role is None:
            continue
        sched = role_schedule(role, rosters[role], site.stage_servers(stage), windows)
        if stage.name == REGISTRATION:
            reg = sched
        elif stage.name == SWAB:
            swab = sched
        else:
            others.append((stage.name, sched))
    crews: tuple[ShiftInstance, ...] = ()
    lead = swab if swab is not None else (others[0][1] if others else reg)
    if lead is not None:
        crews = marshal_shifts(lead.shifts, cfg.marshals_per_shift)
    return SiteStaffing(reg, swab, crews, tuple(others))


# --- internals -----------------------------------------------------------------------------


def _check_windows(windows: Sequence[Window]) -> list[Window]:
    wins = [(float(a), float(b)) for a, b in windows]
    if not wins:
        raise ValueError("at least one serving window is needed")
    for i, (a, b) in enumerate(wins):
        if not (math.isfinite(a) and math.isfinite(b) and b > a):
            raise ValueError(f"window {i} must end after it opens: {(a, b)}")
        if i and a < wins[i - 1][1]:
            raise ValueError(
                f"windows must increase without overlapping: {wins[i - 1]} then {(a, b)}"
            )
    return wins


def _instantiate(cfg: RoleRosterConfig, physical: int, wins: list[Window]) -> list[_Planned]:
    default_staff = physical if cfg.staff is None else cfg.staff
    if cfg.pattern == "opening_hours":
        return [_Planned(_day_of(a), a, b, default_staff) for a, b in wins]
    days = sorted({_day_of(a) for a, _ in wins})
    out: list[_Planned] = []
    if cfg.pattern in PATTERN_SHIFTS:
        length, n = PATTERN_SHIFTS[cfg.pattern]
        first = cfg.first_start_min
        for d in days:
            base = DAY_MIN * d + first
            out.extend(
                _Planned(d, base + k * length, base + (k + 1) * length, default_staff)
                for k in range(n)
            )
        return out
    if cfg.pattern != "custom":
        raise ValueError(f"unknown roster pattern {cfg.pattern!r}")
    day_shifts = []
    for shift in cfg.shifts:
        staff = shift.staff if shift.staff is not None else default_staff
        breaks = tuple(
            (clock_to_min(b.start, "start"), clock_to_min(b.end, "end"), b.closed)
            for b in shift.breaks
        )
        day_shifts.append(
            (clock_to_min(shift.start, "start"), clock_to_min(shift.end, "end"), staff, breaks)
        )
    for d in days:
        off = DAY_MIN * d
        for s0, s1, staff, breaks in day_shifts:
            abs_breaks = tuple((b0 + off, b1 + off, c) for b0, b1, c in breaks)
            out.append(_Planned(d, s0 + off, s1 + off, staff, abs_breaks))
    return out


def _staggered(planned: list[_Planned], offset: float) -> list[_Planned]:
    """``planned`` with every hand-over (a shift starting when another ends) ``offset``
    minutes later: the incoming shift starts and the outgoing one ends then."""
    if offset == 0 or not planned:
        return planned
    starts = {round(p.start / _EPS) for p in planned}
    ends = {round(p.end / _EPS) for p in planned}
    changes = starts & ends
    return [
        dataclasses.replace(
            p,
            start=p.start + offset if round(p.start / _EPS) in changes else p.start,
            end=p.end + offset if round(p.end / _EPS) in changes else p.end,
        )
        for p in planned
    ]


def _day_of(t: float) -> int:
    return math.floor(t / DAY_MIN)


def _overlaps(start: float, end: float, wins: list[Window], win_ends: list[float]) -> bool:
    """Whether ``[start, end)`` overlaps some window (windows sorted, non-overlapping)."""
    i = bisect.bisect_right(win_ends, start)  # first window ending after start
    return i < len(wins) and wins[i][0] < end


def _add_serving(
    deltas: dict[float, int],
    p: _Planned,
    serve_from: float,
    rests: Sequence[tuple[float, float, int]] = (),
) -> None:
    """Add the people of shift ``p`` serving over time (as count changes) to ``deltas``:
    its staff less those on a break and those resting (``rests``: ``(from, to, people)``)."""
    if serve_from >= p.end:
        return
    cuts = {serve_from, p.end}
    for b0, b1, _ in (*p.breaks, *rests):
        cuts.update(t for t in (b0, b1) if serve_from < t < p.end)
    pts = sorted(cuts)
    prev = 0
    for t0, t1 in itertools.pairwise(pts):
        mid = 0.5 * (t0 + t1)
        level = p.staff - sum(c for b0, b1, c in p.breaks if b0 <= mid < b1)
        level -= sum(c for r0, r1, c in rests if r0 <= mid < r1)
        level = max(level, 0)
        if level != prev:
            deltas[t0] = deltas.get(t0, 0) + level - prev
            prev = level
    if prev:
        deltas[p.end] = deltas.get(p.end, 0) - prev


def _open_schedule(deltas: dict[float, int], physical: int, wins: list[Window]) -> CapacitySchedule:
    """Open count: ``min(physical, serving)`` inside windows, 0 outside; from the first open."""
    first_open = wins[0][0]
    times = sorted(set(deltas) | {t for w in wins for t in w})
    out_t: list[float] = []
    out_c: list[int] = []
    level = 0
    j = 0
    for t in times:
        level += deltas.get(t, 0)
        if t < first_open:
            continue
        while j < len(wins) and wins[j][1] <= t:
            j += 1
        inside = j < len(wins) and wins[j][0] <= t
        count = min(physical, level) if inside else 0
        if out_c and out_c[-1] == count:
            continue
        out_t.append(t)
        out_c.append(count)
    return CapacitySchedule(tuple(out_t), tuple(out_c))
