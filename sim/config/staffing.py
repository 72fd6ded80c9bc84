"""Staffing by role: which shift pattern staffs the desks and booths of a point over a round.

A collection point has registration desks and swab booths; people make them open. Each role has
its own roster (a :class:`RoleRosterConfig`): **registrars** staff desks, **swabbers** staff
booths. **Marshals** (volunteers keeping order) staff nothing but count in the headcount; there
are ``marshals_per_shift`` of them on every shift of the swab roster.

Shift patterns, each repeated on every day of the round that the point serves:

``opening_hours``
    One shift per day covering the point's opening hours (the staff on duty at closing
    serve the line during clearing, see :func:`sim.model.collection_point.with_clearing`).
``2x12``
    Two 12-hour shifts from ``first_start`` (24 hours covered).
``3x8``
    Three 8-hour shifts from ``first_start`` (24 hours covered).
``custom``
    The given ``shifts`` (clock times of day 1, repeated each day; hours may pass 24 for a
    shift that runs past midnight).

The numbers of desks/booths open over the round follow from these in
:func:`sim.model.staffing.role_schedule`. Like :mod:`sim.config.schema`, each class has a
``validate`` method raising :class:`~sim.config.errors.ConfigError` with the field name
relative to the object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from sim.config.clock import Clock, clock_to_min
from sim.config.errors import finite, require, within

RosterPattern = Literal["opening_hours", "2x12", "3x8", "custom"]

#: Shift length (minutes) of the fixed patterns, and how many shifts they have per day.
PATTERN_SHIFTS: dict[str, tuple[float, int]] = {"2x12": (720.0, 2), "3x8": (480.0, 3)}

#: Minutes in a day: day ``d`` (0-based) of a round runs from ``1440 * d``.
DAY_MIN = 1440.0

# Stands in for the site's desks/booths when validating a config on its own: a break of a
# ``staff: null`` shift can then close any number (the site check happens with ``physical``).
_ANY_PHYSICAL = 10**9


@dataclass(frozen=True)
class BreakConfig:
    """A break within a shift: ``closed`` desks/booths close from ``start`` to ``end``."""

    start: Clock
    end: Clock
    closed: int = 1

    def validate(self) -> None:
        start = clock_to_min(self.start, "start")
        end = clock_to_min(self.end, "end")
        require(end > start, "end", self.end, f"a time after start ({self.start})")
        require(self.closed >= 1, "closed", self.closed, "an integer >= 1")


@dataclass(frozen=True)
class ShiftConfig:
    """A shift staffs ``staff`` desks/booths from ``start`` to ``end`` (one person each).

    ``staff: null`` staffs every desk/booth the site has for that role, so a shift pattern
    follows ``registration_desks`` / ``swab_booths`` when those are overridden. A desk or booth
    whose shift ends finishes the resident in service, then closes. Gaps between consecutive
    shifts are hand-over periods with fewer desks open.
    """

    start: Clock
    end: Clock
    staff: int | None = None
    breaks: tuple[BreakConfig, ...] = ()

    def validate(self, physical: int) -> None:
        """Check the shift against the site's ``physical`` number of desks/booths."""
        start = clock_to_min(self.start, "start")
        end = clock_to_min(self.end, "end")
        require(end > start, "end", self.end, f"a time after the shift start ({self.start})")
        if self.staff is not None:
            require(self.staff >= 1, "staff", self.staff, "an integer >= 1, or null for all")
        staff = physical if self.staff is None else self.staff
        for i, brk in enumerate(self.breaks):
            with within(f"breaks[{i}]"):
                brk.validate()
            b0 = clock_to_min(brk.start, f"breaks[{i}].start")
            b1 = clock_to_min(brk.end, f"breaks[{i}].end")
            require(
                start <= b0 and b1 <= end,
                f"breaks[{i}]",
                f"{brk.start}-{brk.end}",
                f"a break inside the shift {self.start}-{self.end}",
            )
            require(
                staff < 1 or brk.closed <= staff,
                f"breaks[{i}].closed",
                brk.closed,
                f"at most the shift's staff ({staff})",
            )


@dataclass(frozen=True)
class RoleRosterConfig:
    """The roster of one role (registrars at desks, or swabbers at booths).

    Attributes
    ----------
    pattern
        ``opening_hours``, ``2x12``, ``3x8`` or ``custom`` (see the module docstring).
    first_start
        Start of the first shift of each day for ``2x12`` / ``3x8`` ("HH:MM", before "24:00").
    staff
        People per shift (null: one per desk/booth, all open). More people than desks/booths
        is allowed: the open count is capped at the physical number, and the spare people
        relieve swabbers on PPE rests. For ``custom``, a shift's own ``staff`` takes precedence.
    handover_min
        Minutes the role's desks/booths stay closed after each change between consecutive
        shifts (the incoming shift starts serving late). Must be shorter than a shift.
    handover_offset_min
        Minutes after the roster's clock times at which this point's changes between shifts
        happen (the outgoing shift stays on, the incoming one starts later; 0: at them). Give
        neighbouring points different offsets (``sites.3.staffing.swab.handover_offset_min:
        10``) so that their desks and booths do not all close at the same minute. The first
        start and the last end of the day do not move.
    shifts
        ``custom`` only: the day's shifts (clock times of day 1, repeated every day), each at
        most 24 hours long, with their breaks.
    ppe_max_hours
        Swabbers in full protective gear: hours of work before a rest (null: no PPE limit).
        Swab roster only.
    ppe_rest_min
        Length of each PPE rest, minutes.
    """

    pattern: RosterPattern = "opening_hours"
    first_start: Clock = Clock("07:00")
    staff: int | None = None
    handover_min: float = 0.0
    handover_offset_min: float = 0.0
    shifts: tuple[ShiftConfig, ...] = ()
    ppe_max_hours: float | None = None
    ppe_rest_min: float = 30.0

    @property
    def first_start_min(self) -> float:
        """``first_start`` in minutes after midnight."""
        return clock_to_min(self.first_start, "first_start")

    def shift_lengths(self) -> tuple[float, ...]:
        """Lengths (minutes) of the pattern's shifts; empty for ``opening_hours``."""
        if self.pattern in PATTERN_SHIFTS:
            length, n = PATTERN_SHIFTS[self.pattern]
            return (length,) * n
        if self.pattern == "custom":
            return tuple(
                clock_to_min(s.end, "end") - clock_to_min(s.start, "start") for s in self.shifts
            )
        return ()

    def validate(self, physical: int | None = None) -> None:
        """Check the roster; ``physical`` (the site's desks/booths of the role) when known.

        With ``physical``, a break of a ``staff: null`` custom shift may close at most that
        many; without it that check is left to the site.
        """
        first = self.first_start_min
        require(
            first < DAY_MIN,
            "first_start",
            self.first_start,
            "a time of day before '24:00' (the first shift of each day)",
        )
        if self.staff is not None:
            require(
                isinstance(self.staff, int) and self.staff >= 1,
                "staff",
                self.staff,
                "an integer >= 1 (people per shift), or null for one per desk/booth",
            )
        if self.pattern == "custom":
            require(
                len(self.shifts) > 0,
                "shifts",
                self.shifts,
                "at least one shift when pattern is 'custom'",
            )
            self._validate_shifts(physical)
        else:
            require(
                not self.shifts,
                "shifts",
                f"{len(self.shifts)} shifts",
                f"an empty list when pattern is '{self.pattern}' (shifts are for 'custom')",
            )
        require(
            finite(self.handover_min) and self.handover_min >= 0,
            "handover_min",
            self.handover_min,
            "minutes >= 0",
        )
        lengths = self.shift_lengths()
        shortest = min(lengths) if lengths else DAY_MIN
        require(
            self.handover_min < shortest,
            "handover_min",
            self.handover_min,
            f"minutes shorter than a shift ({shortest:g} min)"
            if lengths
            else "minutes shorter than a day (1440 min)",
        )
        if require(
            finite(self.handover_offset_min) and self.handover_offset_min >= 0,
            "handover_offset_min",
            self.handover_offset_min,
            "minutes >= 0 (0: hand-overs at the roster's clock times)",
        ):
            require(
                self.handover_offset_min + self.handover_min < shortest,
                "handover_offset_min",
                self.handover_offset_min,
                f"minutes that, with handover_min ({self.handover_min:g}), leave every shift "
                f"some time to serve (less than {shortest - self.handover_min:g} min)",
            )
        if self.ppe_max_hours is not None:
            require(
                finite(self.ppe_max_hours) and self.ppe_max_hours > 0,
                "ppe_max_hours",
                self.ppe_max_hours,
                "hours > 0, or null for no PPE limit",
            )
        require(
            finite(self.ppe_rest_min) and self.ppe_rest_min > 0,
            "ppe_rest_min",
            self.ppe_rest_min,
            "minutes > 0",
        )

    def _validate_shifts(self, physical: int | None) -> None:
        for i, shift in enumerate(self.shifts):
            staff = shift.staff if shift.staff is not None else self.staff
            if staff is None:
                staff = physical if physical is not None else _ANY_PHYSICAL
            with within(f"shifts[{i}]"):
                shift.validate(staff)
            start = clock_to_min(shift.start, "start")
            end = clock_to_min(shift.end, "end")
            require(
                start < DAY_MIN,
                f"shifts[{i}].start",
                shift.start,
                "a time of day 1 before '24:00' (the shift repeats every day)",
            )
            require(
                end - start <= DAY_MIN,
                f"shifts[{i}].end",
                shift.end,
                f"at most 24 hours after the start ({shift.start})",
            )


@dataclass(frozen=True)
class StaffingConfig:
    """Rosters by role for a collection point.

    Attributes
    ----------
    registration
        Registrars' roster (staffs registration desks).
    swab
        Swabbers' roster (staffs swab booths); PPE limits apply here.
    roles
        Rosters of other roles, by name, for the point's own stages (``stages[i].role``):
        e.g. ``checker`` for a health-code check. Each is a roster like ``registration``.
    marshals_per_shift
        Marshals/volunteers on duty for each shift of the swab roster (headcount only).
    """

    registration: RoleRosterConfig = field(default_factory=RoleRosterConfig)
    swab: RoleRosterConfig = field(default_factory=RoleRosterConfig)
    marshals_per_shift: int = 2
    roles: dict[str, RoleRosterConfig] = field(default_factory=dict, hash=False)

    def validate(
        self, registration_desks: int | None = None, swab_booths: int | None = None
    ) -> None:
        """Check both rosters (against the site's desks/booths when given)."""
        for name, roster, physical in (
            ("registration", self.registration, registration_desks),
            ("swab", self.swab, swab_booths),
        ):
            with within(name):
                roster.validate(physical)
        for name, roster in self.roles.items():
            if require(
                name.isidentifier() and name.islower() and name not in _RESERVED_ROLES,
                f"roles.{name}",
                name,
                "a snake_case role name other than " + ", ".join(_RESERVED_ROLES),
            ):
                with within(f"roles.{name}"):
                    roster.validate(None)
        require(
            self.registration.ppe_max_hours is None,
            "registration.ppe_max_hours",
            self.registration.ppe_max_hours,
            "null: PPE rests apply to swabbers only (set swab.ppe_max_hours)",
        )
        require(
            isinstance(self.marshals_per_shift, int) and self.marshals_per_shift >= 0,
            "marshals_per_shift",
            self.marshals_per_shift,
            "an integer >= 0",
        )


#: Role names a point's ``staffing.roles`` may not use (rosters of their own).
_RESERVED_ROLES = ("registration", "swab", "marshal")


def overlapping_shifts(roster: RoleRosterConfig) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of custom shifts on duty at once (shifts repeat daily)."""
    spans = [(clock_to_min(s.start, "start"), clock_to_min(s.end, "end")) for s in roster.shifts]
    return [
        (i, j)
        for j, (a, b) in enumerate(spans)
        for i, (c, d) in enumerate(spans[:j])
        if any(a < d + k * DAY_MIN and c + k * DAY_MIN < b for k in (-1, 0, 1))
    ]


#: Longest stretch (minutes) of a point's opening hours that a role may leave with nobody on
#: duty: shorter gaps are hand-overs or breaks; a longer one is a roster that does not cover
#: the hours.
MAX_UNSTAFFED_MIN = 60.0


def staffed_spans(
    roster: RoleRosterConfig, physical: int, start: float, end: float
) -> list[tuple[float, float]]:
    """Spans (minutes after midnight of day 1) in which someone of the role is on duty.

    Covers ``start`` to ``end`` (minutes), before hand-overs and PPE rests; a break that
    closes every desk/booth of its shift is left out. The fixed patterns (``opening_hours``,
    ``2x12``, ``3x8``) cover every hour.
    """
    if roster.pattern != "custom":
        return [(start, end)]
    spans: list[tuple[float, float]] = []
    for day in range(math.floor(start / DAY_MIN) - 1, math.ceil(end / DAY_MIN) + 1):
        offset = DAY_MIN * day
        for shift in roster.shifts:
            s0 = clock_to_min(shift.start, "start") + offset
            s1 = clock_to_min(shift.end, "end") + offset
            staff = shift.staff if shift.staff is not None else roster.staff
            open_ = physical if staff is None else min(staff, physical)
            cuts = sorted(
                (clock_to_min(b.start, "start") + offset, clock_to_min(b.end, "end") + offset)
                for b in shift.breaks
                if b.closed >= open_
            )
            for b0, b1 in cuts:
                if b0 > s0:
                    spans.append((s0, b0))
                s0 = max(s0, b1)
            if s1 > s0:
                spans.append((s0, s1))
    return sorted(spans)


def unstaffed_stretches(
    spans: list[tuple[float, float]], window: tuple[float, float]
) -> list[tuple[float, float]]:
    """Parts of ``window`` longer than :data:`MAX_UNSTAFFED_MIN` that no span covers."""
    a, b = window
    gaps = []
    t = a
    for s0, s1 in spans:
        if s1 <= t:
            continue
        if s0 >= b:
            break
        if s0 > t:
            gaps.append((t, s0))
        t = max(t, s1)
        if t >= b:
            break
    if t < b:
        gaps.append((t, b))
    return [(g0, g1) for g0, g1 in gaps if g1 - g0 > MAX_UNSTAFFED_MIN + 1e-9]


# Imported last so that ``sim.config.schema`` may itself import this module (to nest a
# StaffingConfig) without a circular-import failure: annotations above are strings, resolved
# by ``typing.get_type_hints`` only when a config is built.
