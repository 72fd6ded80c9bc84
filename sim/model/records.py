"""Records of a run: one row per resident as arrays, and the staffed capacity of each station.

Times are minutes after midnight of day 1; NaN where a resident never reached that point.
"""

from __future__ import annotations

from dataclasses import dataclass
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

#: Stage names.
REGISTRATION, SWAB = "registration", "swab"


@dataclass(frozen=True)
class Station:
    """A group of identical servers at one stage: its name and staffed schedule.

    Attributes
    ----------
    stage
        ``registration`` or ``swab``.
    pool
        Pool index within the stage (matches ``*_pool`` columns of the records).
    name
        e.g. ``swab booths`` or ``swab booths (green)``.
    schedule
        Open desks/booths over time.
    """

    stage: str
    pool: int
    name: str
    schedule: CapacitySchedule


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
    reg_start, reg_end, swab_start, swab_end
        Service start and end at each stage, minutes (registration all NaN without it).
    reg_pool, swab_pool
        Station pool that served the resident (-1: none).
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
    """

    arrival: np.ndarray
    green: np.ndarray
    barcode: np.ndarray
    lane: np.ndarray
    reg_start: np.ndarray
    reg_end: np.ndarray
    swab_start: np.ndarray
    swab_end: np.ndarray
    reg_pool: np.ndarray
    swab_pool: np.ndarray
    outcome: np.ndarray
    left_at: np.ndarray
    exit: np.ndarray
    registration: bool
    site: np.ndarray | None = None
    subdistrict: np.ndarray | None = None
    attempts: np.ndarray | None = None
    first_arrival: np.ndarray | None = None
    group: np.ndarray | None = None

    def subset(self, mask: np.ndarray) -> ResidentRecords:
        """The records of the residents selected by a boolean mask or an index array."""
        fields = {}
        for name, value in self.__dict__.items():
            fields[name] = value[mask] if isinstance(value, np.ndarray) else value
        return ResidentRecords(**fields)

    @property
    def n(self) -> int:
        """Number of residents who arrived."""
        return len(self.arrival)

    @property
    def entry_start(self) -> np.ndarray:
        """Service start at the entrance stage (registration, else swab)."""
        return np.where(np.isnan(self.reg_start), self.swab_start, self.reg_start)

    @property
    def reg_wait(self) -> np.ndarray:
        """Minutes waited in the registration line (NaN if not served there)."""
        return self.reg_start - self.arrival

    @property
    def swab_wait(self) -> np.ndarray:
        """Minutes waited in the swab line (NaN if not served there)."""
        ready = np.where(np.isnan(self.reg_end), self.arrival, self.reg_end)
        return self.swab_start - ready

    @property
    def wait(self) -> np.ndarray:
        """Total minutes queueing (all lines) of tested residents; NaN for the others."""
        w = self.swab_wait + np.nan_to_num(self.reg_wait, nan=0.0)
        return np.where(self.outcome == TESTED, w, np.nan)


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
