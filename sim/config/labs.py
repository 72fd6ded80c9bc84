"""Configuration of the chain from swab to result: pooling, couriers and labs.

Swabs are pooled ``pool_size``-in-1 into tubes at each booth; a tube closes when full or after
``tube_max_open_min`` (and at the end of the point's day). Closed tubes wait in a box at the point
until a courier picks them up: at fixed times (``pickup_every_min`` from opening, and after the
day's last swab) and, with ``when_box_full``, as soon as a box of ``box_tubes`` tubes is full.
A limited fleet of ``vehicles`` carries them to a lab (``dispatch``: each point's fixed lab, or
the lab with the shortest expected completion). A lab receives the tubes, extracts them in
batches and runs them on PCR plates, with machines staffed by its technicians' roster; a mobile
lab opens on a given day. A tube the lab reports positive recalls its members for an
individual retest; the test may miss positive swabs (``sensitivity``, lower in a diluted
pool: ``dilution``) and report negative tubes positive (``specificity``).

The chain is simulated when ``labs`` is not empty (:mod:`sim.model.sample_chain`). Like
:mod:`sim.config.schema`, each class has a ``validate`` method raising
:class:`~sim.config.errors.ConfigError` with the field name relative to the object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from sim.config import limits
from sim.config.clock import Clock, clock_to_min
from sim.config.distribution import DistributionConfig
from sim.config.errors import (
    ConfigError,
    collecting,
    errors_so_far,
    finite,
    report,
    require,
    whole,
    within,
)
from sim.config.staffing import DAY_MIN, RoleRosterConfig


def _minutes(mean: float) -> DistributionConfig:
    return DistributionConfig(kind="deterministic", mean=mean)


@dataclass(frozen=True)
class RecallConfig:
    """What happens to the members of a positive pool.

    Attributes
    ----------
    mode
        ``visit``: a team swabs each member where they are, ``delay_min`` after the pool's
        result. ``point``: each member comes back to the point of the pooled swab at least
        ``delay_min`` after the result, when it is next serving (members whose point serves no
        more in the round are visited instead, and counted as such).
    delay_min
        Minutes from the pool's result to the retest swab (visit), or to the earliest return
        (point).
    """

    mode: Literal["visit", "point"] = "visit"
    delay_min: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=120.0, cv=0.5)
    )

    def validate(self) -> None:
        with within("delay_min"):
            self.delay_min.validate()


@dataclass(frozen=True)
class SamplesConfig:
    """Pooling at the booths, positives and how long the run follows the samples.

    Attributes
    ----------
    pool_size
        Swabs per tube (k-in-1); 1 tests every swab on its own.
    tube_max_open_min
        A tube closes this long after its first swab even if not full (null: only when full
        or at the end of the point's day).
    box_tubes
        Tubes per box (a courier may be called when a box is full).
    prevalence
        Share of residents whose swab is positive (0 to 1). A tube holds a positive swab when
        any of its swabs is positive.
    sensitivity
        Share of positive swabs an individual test (a tube of one swab) reports positive, in
        (0, 1]; 1 = no false negatives. RT-PCR is often put at about 0.9-0.95.
    specificity
        Share of tubes without a positive swab that the lab reports negative, in (0, 1], the
        same for a pooled tube as for an individual one (as in Kim, Hudgens et al. 2007,
        Biometrics 63:1152-1163); 1 = no false positives.
    dilution
        How pooled sensitivity falls as a positive swab is diluted by negative ones, a
        dimensionless exponent >= 0: a tube of ``k`` swabs of which ``m >= 1`` are positive
        is reported positive with probability ``sensitivity * (m / k) ** dilution`` (a
        power-law dilution model, after the dilution effect of group testing: Hwang 1976,
        Biometrika 63:671-680; Hung & Swallow 1999, Biometrics 55:231-237). 0 = no dilution:
        every tube holding a positive swab has the individual sensitivity. E.g. 0.05 puts a
        10-in-1 tube with one positive swab at 0.89 of the individual sensitivity (10^-0.05)
        and a 5-in-1 tube at 0.92.

        Every tube's result (pooled or retest) is drawn on its own: a tube is reported positive
        with the probability above if it holds a positive swab, else with probability
        ``1 - specificity``. With all three at their defaults (1, 1, 0) nothing is drawn and
        the results are exactly those of an exact test.
    recall
        Individual retests of positive pools' members.
    results_horizon_h
        The chain is followed until this many hours after the campaign's last point closes;
        a swab without a result by then is counted in the backlog, with the stage it is in.
    turnaround_target_h
        The target for swab-to-result turnaround (the summary gives the share within it).
    """

    pool_size: int = 10
    tube_max_open_min: float | None = 60.0
    box_tubes: int = 50
    prevalence: float = 0.00003
    sensitivity: float = 1.0
    specificity: float = 1.0
    dilution: float = 0.0
    recall: RecallConfig = field(default_factory=RecallConfig)
    results_horizon_h: float = 72.0
    turnaround_target_h: float = 24.0

    def validate(self) -> None:
        require(
            whole(self.pool_size) and 1 <= self.pool_size <= limits.MAX_POOL_SIZE,
            "pool_size",
            self.pool_size,
            f"an integer from 1 to {limits.MAX_POOL_SIZE} (swabs per tube; 1 = individual "
            "tests; pooled PCR loses sensitivity beyond about 30-in-1)",
        )
        if self.tube_max_open_min is not None:
            require(
                finite(self.tube_max_open_min) and self.tube_max_open_min > 0,
                "tube_max_open_min",
                self.tube_max_open_min,
                "minutes > 0, or null (a tube closes only when full or at the end of the day)",
            )
        require(
            whole(self.box_tubes) and self.box_tubes >= 1,
            "box_tubes",
            self.box_tubes,
            "an integer >= 1 (tubes per box)",
        )
        require(
            finite(self.prevalence) and 0 <= self.prevalence <= 1,
            "prevalence",
            self.prevalence,
            "a share between 0 and 1 (e.g. 0.00003 = 3 per 100,000)",
        )
        require(
            finite(self.sensitivity) and 0 < self.sensitivity <= 1,
            "sensitivity",
            self.sensitivity,
            "a share in (0, 1]: positive swabs an individual test reports positive "
            "(1 = no false negatives; RT-PCR about 0.9-0.95)",
        )
        require(
            finite(self.specificity) and 0 < self.specificity <= 1,
            "specificity",
            self.specificity,
            "a share in (0, 1]: tubes without a positive swab reported negative "
            "(1 = no false positives)",
        )
        require(
            finite(self.dilution) and self.dilution >= 0,
            "dilution",
            self.dilution,
            "an exponent >= 0: a tube of k swabs with m positive is reported positive with "
            "probability sensitivity * (m/k)^dilution (0 = no dilution)",
        )
        with within("recall"):
            self.recall.validate()
        require(
            finite(self.results_horizon_h) and self.results_horizon_h > 0,
            "results_horizon_h",
            self.results_horizon_h,
            "hours > 0 after the last point closes",
        )
        require(
            finite(self.turnaround_target_h) and self.turnaround_target_h > 0,
            "turnaround_target_h",
            self.turnaround_target_h,
            "hours > 0",
        )

    @property
    def exact_tests(self) -> bool:
        """Whether the test is taken as exact (sensitivity 1, specificity 1, no dilution):
        no test result is drawn."""
        return self.sensitivity == 1 and self.specificity == 1 and self.dilution == 0


@dataclass(frozen=True)
class TravelBandConfig:
    """Courier travel time for point-to-lab distances up to ``up_to_km`` (straight line)."""

    up_to_km: float
    travel_min: DistributionConfig

    def validate(self) -> None:
        require(
            finite(self.up_to_km) and self.up_to_km > 0,
            "up_to_km",
            self.up_to_km,
            "kilometres > 0",
        )
        with within("travel_min"):
            self.travel_min.validate()


@dataclass(frozen=True)
class RouteConfig:
    """Courier travel time from one point to one lab (overrides the distance bands)."""

    site: str
    lab: str
    travel_min: DistributionConfig

    def validate(self) -> None:
        with within("travel_min"):
            self.travel_min.validate()


@dataclass(frozen=True)
class AssignmentConfig:
    """A point's labs for ``dispatch: fixed``, in order: the first one open is used."""

    site: str
    labs: tuple[str, ...]


@dataclass(frozen=True)
class CouriersConfig:
    """Pick-ups at the points and the vehicles that carry boxes to the labs.

    Attributes
    ----------
    vehicles
        Courier vehicles shared by the district. A trip holds a vehicle for loading, the
        drive to the lab and the same drive back.
    pickup_every_min
        Fixed pick-ups every this many minutes from each point's opening, and one after its
        last swab of the day (null: only when a box is full and at the end of the day).
    when_box_full
        Also call a courier as soon as a box is full.
    load_min
        Minutes to load the boxes at the point.
    dispatch
        ``fixed``: each point sends to its first open lab in ``assignment`` (default: its labs
        nearest first by mean travel time). ``shortest_completion``: each pick-up goes to the
        open lab where it is expected to be resulted first (travel, plus the lab's work in
        hand at its full-staff throughput, plus the run times). With either policy, a point
        that reaches no open lab sends to a lab that has not opened yet (the tubes wait
        there).
    travel_bands
        Travel time by straight-line distance from point to lab, bands in increasing
        ``up_to_km``; a point farther than the last band from a lab has no route to it.
    routes
        Travel times for named point-lab pairs (override the bands).
    assignment
        Lab order per point for ``dispatch: fixed`` (points not listed: nearest first).
    """

    vehicles: int = 8
    pickup_every_min: float | None = 60.0
    when_box_full: bool = True
    load_min: float = 5.0
    dispatch: Literal["fixed", "shortest_completion"] = "fixed"
    travel_bands: tuple[TravelBandConfig, ...] = (
        TravelBandConfig(5.0, DistributionConfig(kind="lognormal", mean=20.0, cv=0.3)),
        TravelBandConfig(15.0, DistributionConfig(kind="lognormal", mean=40.0, cv=0.3)),
        TravelBandConfig(40.0, DistributionConfig(kind="lognormal", mean=75.0, cv=0.3)),
    )
    routes: tuple[RouteConfig, ...] = ()
    assignment: tuple[AssignmentConfig, ...] = ()

    def validate(self) -> None:
        require(
            whole(self.vehicles) and self.vehicles >= 1,
            "vehicles",
            self.vehicles,
            "an integer >= 1 (courier vehicles)",
        )
        if self.pickup_every_min is not None:
            require(
                finite(self.pickup_every_min) and self.pickup_every_min > 0,
                "pickup_every_min",
                self.pickup_every_min,
                "minutes > 0, or null (pick up only when a box is full and at the day's end)",
            )
        require(
            finite(self.load_min) and self.load_min >= 0, "load_min", self.load_min, "minutes >= 0"
        )
        last = 0.0
        for i, band in enumerate(self.travel_bands):
            with within(f"travel_bands[{i}]"):
                band.validate()
            require(
                band.up_to_km > last,
                f"travel_bands[{i}].up_to_km",
                band.up_to_km,
                f"more than the band before ({last:g} km): bands in increasing distance",
            )
            last = band.up_to_km
        for i, route in enumerate(self.routes):
            with within(f"routes[{i}]"):
                route.validate()


@dataclass(frozen=True)
class LabConfig:
    """A lab: receiving, extraction in batches, PCR plate runs, staffed by a roster.

    Attributes
    ----------
    name
        Unique name.
    enabled
        Whether the lab takes part (``false`` leaves it out, e.g. ``labs.2.enabled=false`` for
        a layout without the mobile lab; routes and assignments naming it are then ignored).
    x_km, y_km
        Position, kilometres (for the courier's distance bands).
    opens_day, opens_at
        Campaign day (1 = the first day) and clock time the lab starts working (a mobile lab
        opens later; a fixed lab on day 1 at "00:00").
    receiving_desks
        Desks unpacking and registering tubes (one technician each).
    receiving_s_per_tube
        Seconds to receive one tube.
    extractors
        Nucleic-acid extractors.
    extraction_batch
        Tubes per extractor run.
    extraction_min
        Minutes per extractor run.
    pcr_machines
        PCR machines (one plate at a time each).
    plate_wells, control_wells
        Wells per plate and wells taken by controls (tubes per plate = the difference).
    pcr_min
        Minutes per plate run.
    max_batch_wait_min
        A run starts with fewer tubes than a full batch or plate once the oldest waiting tube
        has waited this long.
    retest_max_wait_min
        The same for retest tubes (which go first in every run): 0 starts a run for them at
        once; a few minutes lets retests share runs when prevalence is high.
    report_min
        Minutes from the end of the plate run to the result being out.
    machines_per_technician
        Extractors or PCR machines one technician keeps running.
    technicians
        The roster (people per shift). With fewer technicians on duty than the lab needs
        for all its desks and machines, every stage is cut in proportion.
    people_per_day, rated_pool_size
        The lab's rated capacity in people tested a day (the source's unit), at
        ``rated_pool_size``-in-1 pooling (a 10-in-1 tube is ten people); null: no rating.
        Checked against the machines: extraction and PCR at full staff for 24 hours must
        reach it. The run reports it beside what the lab achieved.
    """

    name: str = "Lab"
    enabled: bool = True
    x_km: float = 0.0
    y_km: float = 0.0
    opens_day: int = 1
    opens_at: Clock = Clock("00:00")
    receiving_desks: int = 2
    receiving_s_per_tube: float = 6.0
    extractors: int = 4
    extraction_batch: int = 96
    extraction_min: DistributionConfig = field(default_factory=lambda: _minutes(45.0))
    pcr_machines: int = 6
    plate_wells: int = 96
    control_wells: int = 2
    pcr_min: DistributionConfig = field(default_factory=lambda: _minutes(90.0))
    max_batch_wait_min: float = 60.0
    retest_max_wait_min: float = 0.0
    report_min: float = 30.0
    machines_per_technician: int = 2
    technicians: RoleRosterConfig = field(
        default_factory=lambda: RoleRosterConfig(pattern="3x8", first_start=Clock("00:00"))
    )
    people_per_day: float | None = None
    rated_pool_size: int = 10

    @property
    def opens_min(self) -> float:
        """Opening, minutes after midnight of campaign day 1."""
        return DAY_MIN * (self.opens_day - 1) + clock_to_min(self.opens_at, "opens_at")

    @property
    def tubes_per_plate(self) -> int:
        """Sample wells per plate (wells less controls)."""
        return self.plate_wells - self.control_wells

    @property
    def technicians_needed(self) -> int:
        """Technicians to keep every desk and machine running."""
        m = self.machines_per_technician
        return (
            self.receiving_desks + math.ceil(self.extractors / m) + math.ceil(self.pcr_machines / m)
        )

    @property
    def tubes_per_hour(self) -> float:
        """Full-staff throughput of the slower of extraction and PCR, tubes per hour."""
        ext = self.extractors * self.extraction_batch / self.extraction_min.expected
        pcr = self.pcr_machines * self.tubes_per_plate / self.pcr_min.expected
        return 60.0 * min(ext, pcr)

    @property
    def people_per_day_possible(self) -> float:
        """People a day the machines test at full staff around the clock, at
        ``rated_pool_size``-in-1."""
        return 24.0 * self.tubes_per_hour * self.rated_pool_size

    def validate(self) -> None:
        before = errors_so_far()
        require(
            isinstance(self.name, str) and self.name.strip() != "",
            "name",
            self.name,
            "a non-empty text string",
        )
        for name in ("x_km", "y_km"):
            require(finite(getattr(self, name)), name, getattr(self, name), "kilometres")
        require(
            whole(self.opens_day) and self.opens_day >= 1,
            "opens_day",
            self.opens_day,
            "a campaign day >= 1 (1 = the first day)",
        )
        require(
            clock_to_min(self.opens_at, "opens_at") < DAY_MIN,
            "opens_at",
            self.opens_at,
            "a time of day before '24:00'",
        )
        require(
            whole(self.receiving_desks) and self.receiving_desks >= 1,
            "receiving_desks",
            self.receiving_desks,
            "an integer >= 1",
        )
        require(
            finite(self.receiving_s_per_tube) and self.receiving_s_per_tube >= 0,
            "receiving_s_per_tube",
            self.receiving_s_per_tube,
            "seconds >= 0",
        )
        require(
            whole(self.extractors) and self.extractors >= 1,
            "extractors",
            self.extractors,
            "an integer >= 1 (a lab with no extractor can test nothing)",
        )
        require(
            whole(self.pcr_machines) and self.pcr_machines >= 1,
            "pcr_machines",
            self.pcr_machines,
            "an integer >= 1 (a lab with no PCR machine can test nothing)",
        )
        require(
            whole(self.extraction_batch) and self.extraction_batch >= 1,
            "extraction_batch",
            self.extraction_batch,
            "an integer >= 1 (tubes per extractor run)",
        )
        require(
            whole(self.plate_wells) and self.plate_wells >= 2,
            "plate_wells",
            self.plate_wells,
            "an integer >= 2",
        )
        require(
            whole(self.control_wells) and 0 <= self.control_wells < self.plate_wells,
            "control_wells",
            self.control_wells,
            f"an integer from 0 to plate_wells - 1 ({self.plate_wells - 1})",
        )
        for name in ("extraction_min", "pcr_min"):
            with within(name):
                getattr(self, name).validate()
        for name in ("max_batch_wait_min", "retest_max_wait_min", "report_min"):
            value = getattr(self, name)
            require(finite(value) and value >= 0, name, value, "minutes >= 0")
        require(
            whole(self.machines_per_technician) and self.machines_per_technician >= 1,
            "machines_per_technician",
            self.machines_per_technician,
            "an integer >= 1",
        )
        with within("technicians"):
            self.technicians.validate(self.technicians_needed)
        require(
            self.technicians.ppe_max_hours is None,
            "technicians.ppe_max_hours",
            self.technicians.ppe_max_hours,
            "null (PPE rests apply to swabbers only)",
        )
        require(
            self.technicians.pattern != "opening_hours",
            "technicians.pattern",
            self.technicians.pattern,
            "'2x12', '3x8' or 'custom' (a lab has no opening hours of its own)",
        )
        require(
            whole(self.rated_pool_size) and 1 <= self.rated_pool_size <= limits.MAX_POOL_SIZE,
            "rated_pool_size",
            self.rated_pool_size,
            f"swabs per tube from 1 to {limits.MAX_POOL_SIZE} (the pooling of people_per_day)",
        )
        rated = self.people_per_day
        rated_ok = rated is None or require(
            finite(rated) and rated > 0, "people_per_day", rated, "people a day > 0, or null"
        )
        if rated is not None and rated_ok and errors_so_far() == before:  # machines valid
            can = self.people_per_day_possible
            require(
                rated <= can * (1 + 1e-9),
                "people_per_day",
                rated,
                f"at most {can:,.0f} people a day: what the machines test at full staff "
                f"around the clock ({self.tubes_per_hour:,.1f} tubes an hour x 24 h x "
                f"{self.rated_pool_size}-in-1; add extractors or pcr_machines, or lower "
                "the rating)",
            )


def courier_routes(
    points: tuple[tuple[str, float, float], ...],
    labs: tuple[LabConfig, ...],
    couriers: CouriersConfig,
) -> list[list[DistributionConfig | None]]:
    """Travel time of each point-lab pair: ``routes[point][lab]`` (None: no route).

    Parameters
    ----------
    points
        ``(name, x_km, y_km)`` of each collection point.

    A named route wins; otherwise the first distance band that reaches the lab (straight-line
    distance), or no route when the lab is farther than the last band.
    """
    named = {(r.site, r.lab): r.travel_min for r in couriers.routes}
    out: list[list[DistributionConfig | None]] = []
    for name, x, y in points:
        row: list[DistributionConfig | None] = []
        for lab in labs:
            travel = named.get((name, lab.name))
            if travel is None:
                dist = math.hypot(x - lab.x_km, y - lab.y_km)
                travel = next(
                    (b.travel_min for b in couriers.travel_bands if dist <= b.up_to_km), None
                )
            row.append(travel)
        out.append(row)
    return out


def validate_chain(
    points: tuple[tuple[str, float, float], ...],
    labs: tuple[LabConfig, ...],
    couriers: CouriersConfig,
    last_day: int,
) -> None:
    """Check labs, routes and assignments against the points and the campaign's days.

    ``points`` are the places tubes are collected from (the collection points, then the
    mobile teams); ``labs`` are all the labs listed (those with ``enabled: false`` too);
    ``last_day`` is the campaign's last day (1-based). Fields are named from the scenario
    root.
    """
    names: dict[str, int] = {}
    for j, lab in enumerate(labs):
        with collecting() as errors, within(""):
            lab.validate()
        for err in errors:
            report(
                ConfigError(
                    f"labs[{j}].{err.field}", err.value, f"{err.allowed} (lab '{lab.name}')"
                )
            )
        require(
            lab.name not in names,
            f"labs[{j}].name",
            lab.name,
            f"a unique name (labs[{names.get(lab.name)}] has it)",
        )
        names[lab.name] = j
        require(
            not lab.enabled or lab.opens_day <= last_day,
            f"labs[{j}].opens_day",
            lab.opens_day,
            f"a day of the campaign, 1 to {last_day}, for lab '{lab.name}' (a lab that opens "
            "after the campaign ends tests nothing; or set enabled: false)",
        )
    point_names = [p[0] for p in points]
    lab_list = ", ".join(names)
    for i, route in enumerate(couriers.routes):
        require(
            route.site in point_names,
            f"couriers.routes[{i}].site",
            route.site,
            f"a collection point's name ({_some(point_names)})",
        )
        require(
            route.lab in names, f"couriers.routes[{i}].lab", route.lab, f"a lab's name ({lab_list})"
        )
    used = tuple(lab for lab in labs if lab.enabled)
    if not used:
        return  # no lab takes part: the chain is not simulated
    in_use = {lab.name: j for j, lab in enumerate(used)}
    routes = courier_routes(points, used, couriers)
    for i, a in enumerate(couriers.assignment):
        require(
            a.site in point_names,
            f"couriers.assignment[{i}].site",
            a.site,
            f"a collection point's name ({_some(point_names)})",
        )
        require(len(a.labs) >= 1, f"couriers.assignment[{i}].labs", a.labs, "at least one lab name")
        for lab_name in a.labs:
            require(
                lab_name in names,
                f"couriers.assignment[{i}].labs",
                lab_name,
                f"lab names ({lab_list})",
            )
            if lab_name not in in_use:
                continue
            require(
                routes[point_names.index(a.site)][in_use[lab_name]] is not None,
                f"couriers.assignment[{i}].labs",
                lab_name,
                f"labs with a courier route from '{a.site}' (add couriers.routes or a farther "
                "travel band)",
            )
        require(
            any(x in in_use for x in a.labs),
            f"couriers.assignment[{i}].labs",
            a.labs,
            "at least one lab in use (enabled)",
        )
    for k, row in enumerate(routes):
        if all(r is None for r in row):
            name, x, y = points[k]
            nearest = min(math.hypot(x - lab.x_km, y - lab.y_km) for lab in used)
            reach = couriers.travel_bands[-1].up_to_km if couriers.travel_bands else 0.0
            raise ConfigError(
                "couriers.travel_bands",
                f"no courier route from point '{name}' to any lab (nearest lab {nearest:.1f} km, "
                f"bands reach {reach:g} km)",
                "a band reaching every point's nearest lab, or a couriers.routes entry for "
                f"'{name}'",
            )


def _some(names: list[str]) -> str:
    return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
