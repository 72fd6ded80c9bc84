"""Records of a run: one row per resident as arrays, and the staffed capacity of each station.

Times are minutes after midnight of day 1; NaN where a resident never reached that point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.schedule import CapacitySchedule

if TYPE_CHECKING:
    from sim.model.door_to_door import DoorToDoorRecords
    from sim.model.staffing import SiteStaffing

#: Outcome names, indexed by :attr:`ResidentRecords.outcome` codes.
OUTCOMES = ("tested", "balked", "reneged", "outside_hours", "not_served_by_close")
TESTED, BALKED, RENEGED, OUTSIDE_HOURS, NOT_SERVED = range(5)

#: Lane names, indexed by lane codes.
LANES = ("green", "general")
GREEN, GENERAL = 0, 1

#: Door-to-door sampling (:mod:`sim.model.door_to_door`): the lane of residents sampled at
#: home, and the outcome of a homebound resident whom no team visited by the end of the round
#: (not in :data:`OUTCOMES`: those are the outcomes at a point).
HOME_LANE = "home"
NOT_VISITED = "not_visited"

#: Stage names of the built-in stages (a testing point's by default).
REGISTRATION, SWAB = "registration", "swab"
BUILT_IN = (REGISTRATION, SWAB)


#: Column prefix of a stage's columns in tables (``reg_wait_min``); other stages: their name.
COLUMN_PREFIX = {REGISTRATION: "reg", SWAB: "swab"}


def column_prefix(stage: str) -> str:
    """The prefix of a stage's columns and summary keys (``reg`` for registration)."""
    return COLUMN_PREFIX.get(stage, stage)


@dataclass(frozen=True)
class Station:
    """A group of identical servers at one stage: its name and staffed schedule.

    Attributes
    ----------
    stage
        The stage's name, e.g. ``registration`` or ``swab``.
    pool
        Pool index within the stage (matches ``*_pool`` columns of the records).
    name
        e.g. ``swab booths`` or ``swab booths (green)``.
    schedule
        Open desks/booths over time.
    role
        The roster that staffs it (None: places without staff); by default the stage's name.
    """

    stage: str
    pool: int
    name: str
    schedule: CapacitySchedule
    role: str | None = ""

    @property
    def staffed_by(self) -> str | None:
        """The role whose shifts staff the station (None: nobody)."""
        return self.stage if self.role == "" else self.role


def stage_waits(
    arrival: np.ndarray,
    start: Sequence[np.ndarray],
    end: Sequence[np.ndarray],
    held: Sequence[np.ndarray] = (),
) -> list[np.ndarray]:
    """Per stage, minutes waited in its line (NaN where not served there): from ``arrival``
    or the end of service at the previous stage passed (``end`` less the minutes ``held`` at
    that desk by a full room: they count as waiting) to the ``start`` of service."""
    ready = arrival
    out = []
    for k, (s, e) in enumerate(zip(start, end, strict=True)):
        out.append(s - ready)
        ready = np.where(np.isnan(e), ready, e - held[k] if held else e)
    return out


@dataclass(frozen=True)
class ResidentRecords:
    """Per-resident arrays of one site and replication (all of length ``n``).

    Attributes
    ----------
    arrival
        Arrival time at the site, minutes.
    green
        Eligible for the green channel.
    barcode
        Holds a pre-issued barcode.
    lane
        Lane used: 0 green, 1 general (green-eligible residents use the general lane when the
        site has no green channel).
    stages
        The stages of the district's points in order (a point has all or some of them).
    start, end, pool
        Per stage (in the order of ``stages``): service start and end, minutes (NaN where not
        reached; ``end`` is when the resident left the desk, which a full room after it may
        delay), and the station pool that served (-1: none).
    outcome
        Code into :data:`OUTCOMES`.
    left_at
        Stage name where a resident not tested left ("" for tested residents).
    exit
        Time a resident not tested left, minutes (NaN for tested residents).
    registration
        Whether the site has a registration stage.
    site, subdistrict
        Index of the point of the last attempt, and of the resident's sub-district.
    attempts
        Arrivals at a point in the round (1 + returns).
    first_arrival
        Arrival time of the first attempt (``arrival`` is the last attempt's).
    group
        Population group code (int8): 0 general, ``k`` the ``k``-th of ``demand.groups``
        (names in :attr:`RoundRun.groups`); None: everyone general.
    held
        Per stage (empty: no stage blocks): minutes a resident who had finished stayed at
        the stage's desk because the room after it was full (0 where not held). They count
        as waiting for the next stage.

    Residents who passed every stage are "tested" (at a clinic without a swab stage: served).
    ``reg_*`` and ``swab_*`` read the built-in stages (NaN/-1 where there is none).
    """

    arrival: np.ndarray
    green: np.ndarray
    barcode: np.ndarray
    lane: np.ndarray
    stages: tuple[str, ...]
    start: tuple[np.ndarray, ...]
    end: tuple[np.ndarray, ...]
    pool: tuple[np.ndarray, ...]
    outcome: np.ndarray
    left_at: np.ndarray
    exit: np.ndarray
    registration: bool
    site: np.ndarray | None = None
    subdistrict: np.ndarray | None = None
    attempts: np.ndarray | None = None
    first_arrival: np.ndarray | None = None
    group: np.ndarray | None = None
    held: tuple[np.ndarray, ...] = ()

    def subset(self, mask: np.ndarray) -> ResidentRecords:
        """The records of the residents selected by a boolean mask or an index array."""
        fields: dict[str, object] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                fields[name] = value[mask]
            elif name in ("start", "end", "pool", "held"):
                fields[name] = tuple(x[mask] for x in value)
            else:
                fields[name] = value
        return ResidentRecords(**fields)  # type: ignore[arg-type]

    @property
    def n(self) -> int:
        """Number of residents who arrived."""
        return len(self.arrival)

    def stage_index(self, stage: str) -> int | None:
        """Index of a stage in :attr:`stages` (None: no point has it)."""
        return self.stages.index(stage) if stage in self.stages else None

    def _of(self, what: str, stage: str) -> np.ndarray:
        k = self.stage_index(stage)
        if k is None:
            return (
                np.full(self.n, -1, dtype=np.int16) if what == "pool" else np.full(self.n, np.nan)
            )
        arrays: tuple[np.ndarray, ...] = getattr(self, what)
        return arrays[k]

    def stage_start(self, stage: str) -> np.ndarray:
        """Service start at a stage, minutes (NaN where not reached or no such stage)."""
        return self._of("start", stage)

    def stage_end(self, stage: str) -> np.ndarray:
        """When a resident left a stage's desk, minutes (NaN where not reached)."""
        return self._of("end", stage)

    def stage_pool(self, stage: str) -> np.ndarray:
        """Station pool that served a resident at a stage (-1: none)."""
        return self._of("pool", stage)

    @property
    def reg_start(self) -> np.ndarray:
        """Registration start (NaN without registration)."""
        return self.stage_start(REGISTRATION)

    @property
    def reg_end(self) -> np.ndarray:
        """Registration end (NaN without registration)."""
        return self.stage_end(REGISTRATION)

    @property
    def reg_pool(self) -> np.ndarray:
        """Registration pool (-1: none)."""
        return self.stage_pool(REGISTRATION)

    @property
    def swab_start(self) -> np.ndarray:
        """Swab start (NaN where not swabbed)."""
        return self.stage_start(SWAB)

    @property
    def swab_end(self) -> np.ndarray:
        """When the swab was taken (NaN where not swabbed)."""
        return self.stage_end(SWAB)

    @property
    def swab_pool(self) -> np.ndarray:
        """Swab pool (-1: none)."""
        return self.stage_pool(SWAB)

    @property
    def done(self) -> np.ndarray:
        """When a tested resident left the last stage, minutes (NaN for the others)."""
        if not self.end:
            return np.full(self.n, np.nan)
        last = np.fmax.reduce(np.vstack(self.end), axis=0) if len(self.end) > 1 else self.end[0]
        return np.where(self.outcome == TESTED, last, np.nan)

    @property
    def entry_start(self) -> np.ndarray:
        """Service start at the entrance stage (each resident's point's first stage)."""
        out = np.full(self.n, np.nan)
        for start in reversed(self.start):
            out = np.where(np.isnan(start), out, start)
        return out

    def stage_waits(self) -> list[np.ndarray]:
        """Per stage, minutes waited in its line (NaN where not served there): from arrival
        or the end of service at the resident's previous stage to the start of service (time
        held at a desk by a full room after it counts as waiting for the next stage)."""
        return stage_waits(self.arrival, self.start, self.end, self.held)

    def stage_wait(self, stage: str) -> np.ndarray:
        """Minutes waited in a stage's line (NaN if not served there or no such stage)."""
        k = self.stage_index(stage)
        return self.stage_waits()[k] if k is not None else np.full(self.n, np.nan)

    @property
    def reg_wait(self) -> np.ndarray:
        """Minutes waited in the registration line (NaN if not served there)."""
        return self.stage_wait(REGISTRATION)

    @property
    def swab_wait(self) -> np.ndarray:
        """Minutes waited in the swab line (NaN if not served there)."""
        return self.stage_wait(SWAB)

    @property
    def wait(self) -> np.ndarray:
        """Total minutes queueing (all lines) of tested residents; NaN for the others."""
        waits = self.stage_waits()
        if not waits:
            return np.full(self.n, np.nan)
        total = np.zeros(self.n)
        for w in waits:
            total = total + np.nan_to_num(w, nan=0.0)
        return np.where(self.outcome == TESTED, total, np.nan)


@dataclass(frozen=True)
class SiteRun:
    """Everything recorded at one site in one replication.

    Attributes
    ----------
    name
        Site name.
    residents
        Per-resident records.
    stations
        Desk/booth pools with their staffed schedules.
    registration
        Whether the site has a registration stage.
    open_min, close_min, end_min
        Opening, closing and end of clearing, minutes.
    queue_limit
        Most residents the entrance line holds (None: unlimited).
    spacing_m
        Metres of line per waiting resident.
    queue_opens_min
        When the line opens on the first day (None: at opening).
    staffing
        Rosters by role with shift instances (None for a bare engine run).
    line_windows, serve_windows
        Per day: when the entrance line is open (early line to closing), and when the point
        serves (opening to the end of clearing).
    stages
        The point's stages in order (empty: registration if ``registration``, then swab).
    space_after
        Per stage, residents who fit in the room after it (None: unlimited).
    """

    name: str
    residents: ResidentRecords
    stations: tuple[Station, ...]
    registration: bool
    open_min: float
    close_min: float
    end_min: float
    queue_limit: int | None
    spacing_m: float
    queue_opens_min: float | None = None
    staffing: SiteStaffing | None = None
    line_windows: tuple[tuple[float, float], ...] = ()
    serve_windows: tuple[tuple[float, float], ...] = ()
    stages: tuple[str, ...] = ()
    space_after: tuple[int | None, ...] = ()

    @property
    def stage_list(self) -> tuple[str, ...]:
        """The point's stages in order."""
        if self.stages:
            return self.stages
        return (REGISTRATION, SWAB) if self.registration else (SWAB,)


@dataclass(frozen=True)
class Returns:
    """Recalled residents coming back to their point for the retest (``samples.recall.mode:
    point``): they go through its lines like everyone else (arrays, one entry per return).

    Attributes
    ----------
    swab_round, swab_resident
        Which pooled swab the retest is for: the round (0-based) and the resident number in it.
    site
        The point they come back to.
    arrival
        When they arrive there, minutes of this round.
    lane
        The lane they queue in (their own, as on their first visit).
    outcome
        After the round: code into :data:`OUTCOMES` (``tested``: the retest swab was taken;
        the others are visited at home instead). Empty before.
    sample_time
        After the round: when the retest swab was taken, minutes of this round (NaN: not).
    wait
        After the round: minutes in the point's lines (NaN: not swabbed there).
    """

    swab_round: np.ndarray
    swab_resident: np.ndarray
    site: np.ndarray
    arrival: np.ndarray
    lane: np.ndarray
    outcome: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    sample_time: np.ndarray = field(default_factory=lambda: np.zeros(0))
    wait: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        """Number of returns."""
        return len(self.arrival)


@dataclass(frozen=True)
class RoundRun:
    """Everything recorded in one round of one replication.

    Times are minutes after midnight of the round's first day.

    Attributes
    ----------
    round
        Round number (0-based) and ``start_day``, the campaign day it starts (1-based).
    days
        Days in the round.
    residents
        Per-resident records of all points (``site`` and ``subdistrict`` say where).
    points
        Per point, its records as a :class:`SiteRun` (residents whose last attempt was there).
    subdistricts
        Sub-district names (index = ``residents.subdistrict``).
    end_min
        End of the round (last point's end of clearing on the last day).
    groups
        Population group names (index = ``residents.group``): ``general`` first, then
        ``demand.groups`` in order.
    door_to_door
        The homebound residents sampled at home (None without door-to-door sampling); they
        are not in ``residents`` (the residents who went to a point, numbered ``0 .. n - 1``)
        and are numbered after them.
    returns
        Recalled residents who came back to a point in this round for a retest and went
        through its lines (None unless ``samples.recall.mode`` is ``point``); not residents
        of the round (not in ``residents`` or its counts), but they took places in its lines
        and desks.
    """

    round: int
    start_day: int
    days: int
    residents: ResidentRecords
    points: tuple[SiteRun, ...]
    subdistricts: tuple[str, ...]
    end_min: float
    groups: tuple[str, ...] = ("general",)
    door_to_door: DoorToDoorRecords | None = None
    returns: Returns | None = None

    @property
    def n_residents(self) -> int:
        """Every resident of the round: at the points and, with door-to-door sampling, at
        home."""
        home = self.door_to_door
        return self.residents.n + (home.n if home is not None else 0)

    @property
    def offset_min(self) -> float:
        """Minutes from midnight of campaign day 1 to midnight of the round's first day."""
        return 1440.0 * (self.start_day - 1)


@dataclass(frozen=True)
class ChainRun:
    """The chain from swab to result over the whole campaign, as arrays.

    Times are minutes after midnight of campaign day 1 (a round starting on day ``d`` is offset
    by ``1440 * (d - 1)``); NaN where a swab or tube did not get that far by ``horizon_min``.

    Swabs are the tested residents of every round (``swab_round``, ``swab_resident`` say which),
    then the employees the mobile teams swabbed (``swab_round`` -1, ``swab_resident`` the
    employee), then the homebound residents the door-to-door teams swabbed (round and resident
    number as the points'); tubes are the pooled tubes made at the points and by the teams,
    followed by one individual tube per retest.

    Attributes
    ----------
    sites, labs
        Names of the places tubes come from (the collection points, then the mobile teams,
        then the door-to-door teams) and of the labs (indices in the arrays below).
    n_points
        How many of ``sites`` are collection points (the rest are teams).
    lab_opens_min
        When each lab starts working.
    lab_rated_people_per_day
        Each lab's rated capacity, people a day (NaN: not rated).
    pool_size
        Swabs per pooled tube (k-in-1).
    sensitivity, specificity, dilution
        The test as configured (``samples``): an individual test's sensitivity and
        specificity, and the dilution exponent (a tube of ``k`` swabs with ``m >= 1`` positive
        is reported positive with probability ``sensitivity * (m/k) ** dilution``). 1, 1, 0:
        an exact test.
    horizon_min
        When the run stopped following the samples.
    target_min
        Turnaround target (minutes from swab to result).
    swab_round, swab_resident, swab_site, swab_time
        Round (0-based), resident number in the round, point, and when the swab was taken.
    swab_positive
        Whether the swab is positive (the truth).
    swab_result_positive
        The swab's final result as the lab reports it: its pool's, or its retest's if
        recalled (decided when the tubes are tested; ``result`` says when it is out, NaN if
        not by the horizon). With an exact test it equals ``swab_positive``.
    swab_tube
        Pooled tube of each swab.
    retest_tube, retest_time, retest_visited
        For members of a pool reported positive: the individual retest tube (-1 for others),
        when the retest swab is taken (planned; may lie after the horizon), and whether a
        visiting team took it (rather than the point).
    retest_in_line
        Whether the retest swab was taken at the point after the resident went through its
        lines (``recall.mode: point``; the others at the point are taken at the planned time).
    result
        When the swab's final result is out: its pool's result, or for a member of a pool
        reported positive, the individual retest's result.
    tube_site, tube_size, tube_retest, tube_positive
        Point, swabs in the tube, whether it is an individual retest, and whether it holds a
        positive swab (the truth).
    tube_result_positive
        Whether the lab reports the tube positive (what recalls follow). With an exact test it
        equals ``tube_positive``.
    tube_opened, tube_closed
        First swab into the tube, and when it closed.
    tube_called, tube_picked, tube_lab, tube_delivered
        When a courier was called for it (its closing time if it closed while the call waited
        for a vehicle), when it was loaded, the lab it went to (-1: never picked up), when it
        reached the lab.
    tube_received, tube_extraction_start, tube_extraction_end, tube_pcr_start, tube_pcr_end
        Its times through the lab's stages.
    tube_result
        When its result is out.
    run_lab, run_stage, run_machine, run_start, run_end, run_tubes
        Every receiving job, extraction run and plate run: lab, stage (index into
        :data:`sim.model.labs.STAGES`), desk/machine, start, end (NaN if under way at the
        horizon) and tubes.
    capacity
        Per lab, staffed desks/machines of each stage over time.
    trip_site, trip_lab, trip_called, trip_loaded, trip_delivered, trip_tubes
        Courier trips: point, lab, when the courier was called, loaded, delivered (NaN after
        the horizon), and tubes carried.
    """

    sites: tuple[str, ...]
    n_points: int
    labs: tuple[str, ...]
    lab_opens_min: np.ndarray
    lab_rated_people_per_day: np.ndarray
    pool_size: int
    sensitivity: float
    specificity: float
    dilution: float
    horizon_min: float
    target_min: float
    swab_round: np.ndarray
    swab_resident: np.ndarray
    swab_site: np.ndarray
    swab_time: np.ndarray
    swab_positive: np.ndarray
    swab_result_positive: np.ndarray
    swab_tube: np.ndarray
    retest_tube: np.ndarray
    retest_time: np.ndarray
    retest_visited: np.ndarray
    retest_in_line: np.ndarray
    result: np.ndarray
    tube_site: np.ndarray
    tube_size: np.ndarray
    tube_retest: np.ndarray
    tube_positive: np.ndarray
    tube_result_positive: np.ndarray
    tube_opened: np.ndarray
    tube_closed: np.ndarray
    tube_called: np.ndarray
    tube_picked: np.ndarray
    tube_lab: np.ndarray
    tube_delivered: np.ndarray
    tube_received: np.ndarray
    tube_extraction_start: np.ndarray
    tube_extraction_end: np.ndarray
    tube_pcr_start: np.ndarray
    tube_pcr_end: np.ndarray
    tube_result: np.ndarray
    run_lab: np.ndarray
    run_stage: np.ndarray
    run_machine: np.ndarray
    run_start: np.ndarray
    run_end: np.ndarray
    run_tubes: np.ndarray
    capacity: tuple[dict[str, CapacitySchedule], ...]
    trip_site: np.ndarray
    trip_lab: np.ndarray
    trip_called: np.ndarray
    trip_loaded: np.ndarray
    trip_delivered: np.ndarray
    trip_tubes: np.ndarray

    @property
    def n_swabs(self) -> int:
        """Swabs taken at the points (retests not included)."""
        return len(self.swab_time)

    @property
    def n_tubes(self) -> int:
        """Tubes, pooled and retest."""
        return len(self.tube_size)

    @property
    def exact_tests(self) -> bool:
        """Whether the test was taken as exact (sensitivity 1, specificity 1, no dilution)."""
        return self.sensitivity == 1 and self.specificity == 1 and self.dilution == 0
