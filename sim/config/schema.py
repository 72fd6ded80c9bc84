"""Typed, frozen configuration objects: the schema of every scenario.

YAML files (composed by Hydra) only pick values; :func:`sim.config.build.build_config` turns the
composed mapping into these objects and validates them. Each class has a ``validate`` method that
checks its own fields and raises :class:`~sim.config.errors.ConfigError` with the field name
relative to the object; the builder prefixes the full dotted path.

Units are part of the field names: ``_s`` seconds, ``_min`` minutes, ``_m`` metres,
``_per_hour`` per hour. Clock times are ``"HH:MM"`` strings.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from sim.config import limits
from sim.config.clock import Clock, clock_to_min, min_to_clock
from sim.config.distribution import DISTRIBUTION_FIELDS, DistributionConfig, DistributionKind
from sim.config.door_to_door import GREEN_GROUPS, DoorToDoorConfig, door_team_name
from sim.config.errors import (
    ConfigError,
    did_you_mean,
    errors_so_far,
    finite,
    reported_under,
    require,
    whole,
    within,
)
from sim.config.groups import MAX_GROUPS, PopulationGroupConfig, describe_shares, group_shares
from sim.config.labs import CouriersConfig, LabConfig, SamplesConfig, validate_chain
from sim.config.mobile import MobileTeamsConfig, team_name
from sim.config.staffing import (
    DAY_MIN,
    MAX_UNSTAFFED_MIN,
    BreakConfig,
    ShiftConfig,
    StaffingConfig,
    staffed_spans,
    unstaffed_stretches,
)
from sim.config.stages import BUILT_IN, REGISTRATION, SWAB, StageConfig, default_stages
from sim.config.targets import (
    CHAIN_METRICS,
    ComparisonConfig,
    PrecisionConfig,
    TargetConfig,
)

# Re-exported: these live in their own modules but are part of the scenario schema.
__all__ = [
    "DISTRIBUTION_FIELDS",
    "BreakConfig",
    "CouriersConfig",
    "DistributionConfig",
    "DistributionKind",
    "DoorToDoorConfig",
    "LabConfig",
    "RoundOverrideConfig",
    "SamplesConfig",
    "ScenarioConfig",
    "ShiftConfig",
    "SiteConfig",
    "StaffingConfig",
    "StageConfig",
]


@dataclass(frozen=True)
class GreenChannelConfig:
    """The green channel (priority lane for people over 70, disabled, pregnant, under 8).

    Attributes
    ----------
    mode
        ``none``: everyone shares one first-come first-served line.
        ``priority``: one shared line in which green residents go first (non-preemptive).
        ``dedicated``: separate green line served by ``dedicated_desks`` / ``dedicated_booths``
        reserved for it (taken out of the site's desks and booths).
    serve_general_when_idle
        In ``dedicated`` mode, a reserved desk/booth whose green line is empty serves the
        general line.
    """

    mode: Literal["none", "priority", "dedicated"] = "priority"
    dedicated_desks: int = 1
    dedicated_booths: int = 1
    serve_general_when_idle: bool = True

    def validate(self) -> None:
        require(
            self.dedicated_desks >= 0, "dedicated_desks", self.dedicated_desks, "an integer >= 0"
        )
        require(
            self.dedicated_booths >= 1 or self.mode != "dedicated",
            "dedicated_booths",
            self.dedicated_booths,
            "an integer >= 1 when mode is 'dedicated'",
        )


def _check_hours(open_min: float, close_min: float, open_: str, close: str) -> None:
    require(
        open_min < limits.MAX_OPEN_MIN,
        "open",
        open_,
        "a time of day before '24:00' (opening hours repeat every day)",
    )
    require(close_min > open_min, "close", close, f"a time after open ({open_})")
    require(
        close_min <= limits.MAX_CAMPAIGN_DAYS * limits.MAX_OPEN_MIN,
        "close",
        close,
        f"a time within {limits.MAX_CAMPAIGN_DAYS} days of day 1 (hours past 24 run into the "
        "next days: a long single window is how steady-state runs are written)",
    )


@dataclass(frozen=True)
class DayHoursConfig:
    """Opening hours of one day of the round ("HH:MM", clock times of that day)."""

    open: Clock
    close: Clock

    def validate(self) -> None:
        o = clock_to_min(self.open, "open")
        c = clock_to_min(self.close, "close")
        _check_hours(o, c, self.open, self.close)


@dataclass(frozen=True)
class SiteConfig:
    """One collection point: its stages in order (by default optional registration desks, then
    swab booths).

    Attributes
    ----------
    stages
        The stages residents pass, in order (null: ``registration`` if ``registration`` is
        true, then ``swab``); see :mod:`sim.config.stages`.
    open, close
        Opening hours ("HH:MM"). Nobody starts a new service outside them, except that desks and
        booths keep serving whoever is already in line for ``clearing_min`` after closing.
    queue_opens_before_min
        Residents may start queueing this many minutes before opening; earlier arrivals and
        arrivals after closing are turned away and counted as ``outside_hours``.
    queue_space_m
        Metres of queue line at the entrance (null: unlimited). With ``spacing_m`` metres per
        person it caps the number waiting; arrivals to a full line balk.
    daily_hours
        Hours that differ by day: one ``{open, close}`` per day of the round (empty: ``open``
        and ``close`` every day).
    """

    name: str = "Collection point"
    open: Clock = Clock("07:00")
    close: Clock = Clock("21:00")
    queue_opens_before_min: float = 30.0
    clearing_min: float = 120.0
    registration: bool = True
    registration_desks: int = 4
    swab_booths: int = 4
    registration_time_s: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=90.0, cv=0.5)
    )
    barcode_registration_time_s: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=10.0, cv=0.5)
    )
    swab_time_s: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=35.0, cv=0.4)
    )
    queue_space_m: float | None = None
    spacing_m: float = 1.0
    green_channel: GreenChannelConfig = field(default_factory=GreenChannelConfig)
    staffing: StaffingConfig = field(default_factory=StaffingConfig)
    x_km: float = 0.0
    y_km: float = 0.0
    daily_hours: tuple[DayHoursConfig, ...] = ()
    stages: tuple[StageConfig, ...] | None = None

    @property
    def stage_list(self) -> tuple[StageConfig, ...]:
        """The stages in order (the built-in ones when ``stages`` is null)."""
        return self.stages if self.stages is not None else default_stages(self.registration)

    @property
    def stage_names(self) -> tuple[str, ...]:
        """Names of the stages in order."""
        return tuple(s.name for s in self.stage_list)

    def stage_servers(self, stage: StageConfig) -> int:
        """Desks, booths or places of a stage."""
        if stage.name == REGISTRATION:
            return self.registration_desks
        if stage.name == SWAB:
            return self.swab_booths
        assert stage.servers is not None
        return stage.servers

    def stage_role(self, stage: StageConfig) -> str | None:
        """The roster staffing a stage (None: places without staff)."""
        return stage.name if stage.built_in else stage.role

    def stage_service_s(
        self, stage: StageConfig
    ) -> tuple[DistributionConfig, DistributionConfig | None]:
        """Service time (seconds) of a stage, and of barcode holders (None: the same)."""
        if stage.name == REGISTRATION:
            return self.registration_time_s, self.barcode_registration_time_s
        if stage.name == SWAB:
            return self.swab_time_s, None
        assert stage.service_s is not None
        return stage.service_s, stage.barcode_service_s

    def stage_dedicated(self, stage: StageConfig) -> int:
        """Servers of a stage reserved for the green channel (``dedicated`` mode)."""
        gc = self.green_channel
        if stage.name == REGISTRATION:
            return gc.dedicated_desks
        if stage.name == SWAB:
            return gc.dedicated_booths
        return stage.dedicated_servers or 0

    def space_after(self, stage: StageConfig) -> int | None:
        """Residents who fit in the room after a stage (None: unlimited)."""
        if stage.space_after_m is None:
            return None
        return math.floor(stage.space_after_m / self.spacing_m + 1e-9)

    @property
    def has_sample_stage(self) -> bool:
        """Whether residents are swabbed here (a ``swab`` stage; not at a clinic)."""
        return SWAB in self.stage_names

    def hours_on(self, day: int) -> tuple[float, float]:
        """Opening and closing on ``day`` (0-based), minutes after midnight of that day."""
        if self.daily_hours:
            h = self.daily_hours[day]
            return clock_to_min(h.open, "open"), clock_to_min(h.close, "close")
        return self.open_min, self.close_min

    @property
    def open_min(self) -> float:
        """Opening time, minutes after midnight of day 1."""
        return clock_to_min(self.open, "open")

    @property
    def close_min(self) -> float:
        """Closing time, minutes after midnight of day 1."""
        return clock_to_min(self.close, "close")

    @property
    def queue_limit(self) -> int | None:
        """Most residents that fit in the entrance line (null: unlimited)."""
        if self.queue_space_m is None:
            return None
        return math.floor(self.queue_space_m / self.spacing_m + 1e-9)

    def _validate_stages(self) -> None:
        """The stage list: not empty, unique names, the built-ins as the point says."""
        if self.stages is None:
            return
        if not require(
            len(self.stages) >= 1,
            "stages",
            [],
            "at least one stage (or null for registration then swab)",
        ):
            return
        roles = (REGISTRATION, SWAB, *self.staffing.roles)
        seen: set[str] = set()
        for i, stage in enumerate(self.stages):
            with within(f"stages[{i}]"):
                stage.validate(roles)
            require(
                stage.name not in seen,
                f"stages[{i}].name",
                stage.name,
                "a name no other stage of the point has",
            )
            seen.add(stage.name)
            if stage.dedicated_servers is not None and not stage.built_in:
                require(
                    stage.servers is None or stage.dedicated_servers < stage.servers,
                    f"stages[{i}].dedicated_servers",
                    stage.dedicated_servers,
                    f"fewer than the stage's servers ({stage.servers}) so the general line has one",
                )
        last = self.stages[-1]
        require(
            last.space_after_m is None,
            f"stages[{len(self.stages) - 1}].space_after_m",
            last.space_after_m,
            "null: nothing comes after the last stage",
        )
        names = [s.name for s in self.stages]
        require(
            (REGISTRATION in names) == self.registration,
            "stages",
            names,
            "a list with a 'registration' stage when registration is true, without one when "
            "it is false (set registration to match)",
        )
        for i, stage in enumerate(self.stages):
            if stage.space_after_m is not None and self.spacing_m > 0:
                people = stage.space_after_m / self.spacing_m
                require(
                    people <= limits.MAX_LINE_PEOPLE,
                    f"stages[{i}].space_after_m",
                    stage.space_after_m,
                    f"room for at most {limits.MAX_LINE_PEOPLE:,} people at spacing_m = "
                    f"{self.spacing_m:g} m (null for unlimited)",
                )

    def validate(self) -> None:
        require(self.name.strip() != "", "name", self.name, "a non-empty name for the point")
        for axis in ("x_km", "y_km"):
            value = getattr(self, axis)
            require(finite(value), axis, value, "a finite position in km")
        open_min = self.open_min
        close_min = self.close_min
        _check_hours(open_min, close_min, self.open, self.close)
        for i, day in enumerate(self.daily_hours):
            with within(f"daily_hours[{i}]"):
                day.validate()
        require(
            _finite(self.queue_opens_before_min) and self.queue_opens_before_min >= 0,
            "queue_opens_before_min",
            self.queue_opens_before_min,
            "minutes >= 0",
        )
        require(
            _finite(self.clearing_min) and self.clearing_min >= 0,
            "clearing_min",
            self.clearing_min,
            "minutes >= 0",
        )
        require(
            self.registration_desks >= 1,
            "registration_desks",
            self.registration_desks,
            "an integer >= 1",
        )
        require(self.swab_booths >= 1, "swab_booths", self.swab_booths, "an integer >= 1")
        require(
            _finite(self.spacing_m) and self.spacing_m > 0,
            "spacing_m",
            self.spacing_m,
            "metres > 0",
        )
        if (
            self.queue_space_m is not None
            and require(
                _finite(self.queue_space_m) and self.queue_space_m >= 0,
                "queue_space_m",
                self.queue_space_m,
                "metres >= 0, or null for unlimited",
            )
            and _finite(self.spacing_m)
            and self.spacing_m > 0
        ):
            people = self.queue_space_m / self.spacing_m
            require(
                people <= limits.MAX_LINE_PEOPLE,
                "queue_space_m",
                self.queue_space_m,
                f"a line of at most {limits.MAX_LINE_PEOPLE:,} people at spacing_m = "
                f"{self.spacing_m:g} m (null for unlimited)",
            )
        gc = self.green_channel
        if gc.mode == "dedicated":
            require(
                gc.dedicated_booths < self.swab_booths,
                "green_channel.dedicated_booths",
                gc.dedicated_booths,
                f"fewer than swab_booths ({self.swab_booths}) so the general line has a booth",
            )
            if self.registration:
                require(
                    gc.dedicated_desks < self.registration_desks,
                    "green_channel.dedicated_desks",
                    gc.dedicated_desks,
                    f"fewer than registration_desks ({self.registration_desks})",
                )
        with within("staffing"):
            self.staffing.validate(
                self.registration_desks if self.registration else None, self.swab_booths
            )
        self._validate_stages()
        for role, roster in (
            ("registration", self.staffing.registration),
            ("swab", self.staffing.swab),
            *((f"roles.{k}", v) for k, v in self.staffing.roles.items()),
        ):
            if roster.pattern != "custom" or (role == "registration" and not self.registration):
                continue
            for i, shift in enumerate(roster.shifts):
                s0 = clock_to_min(shift.start, "start")
                s1 = clock_to_min(shift.end, "end")
                require(
                    s1 > open_min and s0 < close_min,
                    f"staffing.{role}.shifts[{i}]",
                    f"{shift.start}-{shift.end}",
                    f"a shift that covers some of the opening hours {self.open}-{self.close}",
                )


@dataclass(frozen=True)
class RetryConfig:
    """Residents who leave untested may come back.

    Attributes
    ----------
    share
        Probability that a resident who leaves untested (balked, reneged, turned away, or still
        in line at closing) comes back; drawn afresh at each failure.
    delay_min
        Minutes before coming back. A return that falls outside the point's hours moves to its
        next opening (the next day); after the round's end there is no return.
    max_retries
        Most returns per resident in a round.
    """

    share: float = 0.0
    delay_min: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="exponential", mean=120.0)
    )
    max_retries: int = 2

    def validate(self) -> None:
        require(
            _finite(self.share) and 0.0 <= self.share <= 1.0,
            "share",
            self.share,
            "a probability between 0 and 1",
        )
        require(
            0 <= self.max_retries <= limits.MAX_RETRIES,
            "max_retries",
            self.max_retries,
            f"an integer from 0 to {limits.MAX_RETRIES}",
        )
        with within("delay_min"):
            self.delay_min.validate()


@dataclass(frozen=True)
class AppointmentsConfig:
    """Appointment slots (as building-by-building slots were used in practice).

    With ``enabled``, each point gives its residents of a day evenly spaced slots over its
    opening hours; a resident arrives at the slot time plus a normal error with standard
    deviation ``punctuality_sd_min`` (minutes).
    """

    enabled: bool = False
    punctuality_sd_min: float = 10.0

    def validate(self) -> None:
        require(
            _finite(self.punctuality_sd_min) and self.punctuality_sd_min >= 0,
            "punctuality_sd_min",
            self.punctuality_sd_min,
            "minutes >= 0",
        )


@dataclass(frozen=True)
class GreenGroupsConfig:
    """Shares of a sub-district's residents in each green-channel group (assumed disjoint)."""

    over_70: float = 0.0
    disabled: float = 0.0
    pregnant: float = 0.0
    under_8: float = 0.0

    @property
    def total(self) -> float:
        """Share eligible for the green channel."""
        return self.over_70 + self.disabled + self.pregnant + self.under_8

    def validate(self) -> None:
        for name in ("over_70", "disabled", "pregnant", "under_8"):
            v = getattr(self, name)
            require(_finite(v) and 0.0 <= v <= 1.0, name, v, "a share between 0 and 1")
        require(self.total <= 1.0, "total", self.total, "group shares summing to at most 1")


@dataclass(frozen=True)
class CatchmentConfig:
    """Share of a sub-district's residents assigned to one collection point."""

    site: str
    share: float


@dataclass(frozen=True)
class SubdistrictConfig:
    """A sub-district (town / street office): its residents and where they go.

    Attributes
    ----------
    population
        Residents to test in each round.
    catchment
        Which share of the residents is assigned to which point (shares sum to 1).
    green_groups
        Shares in each green-channel group (null: ``demand.green_share``).
    barcode_share
        Share holding a pre-issued barcode (null: ``demand.barcode_share``).
    groups
        Share of the residents in each population group of ``demand.groups``, by group name,
        where it differs from the group's ``share`` (null: every group's ``share``). Ignored
        (with a warning) when ``demand.groups`` is empty, so that groups can be switched off
        with ``demand.groups=[]`` alone.
    """

    name: str
    population: int
    catchment: tuple[CatchmentConfig, ...]
    green_groups: GreenGroupsConfig | None = None
    barcode_share: float | None = None
    groups: dict[str, float] | None = field(default=None, hash=False)  # a dict: not hashable

    def group_shares(self, groups: tuple[PopulationGroupConfig, ...]) -> tuple[float, ...]:
        """Share of the residents in each of ``groups`` (``demand.groups``)."""
        return group_shares(groups, self.groups)

    def validate(
        self, site_names: set[str], groups: tuple[PopulationGroupConfig, ...] = ()
    ) -> None:
        require(self.name.strip() != "", "name", self.name, "a non-empty name")
        require(self.population >= 1, "population", self.population, "an integer >= 1")
        require(
            len(self.catchment) >= 1,
            "catchment",
            self.catchment,
            "at least one {site, share} entry",
        )
        seen: set[str] = set()
        for i, c in enumerate(self.catchment):
            require(
                c.site in site_names,
                f"catchment[{i}].site",
                c.site,
                "the name of a collection point in `sites`: " + ", ".join(sorted(site_names)),
            )
            require(c.site not in seen, f"catchment[{i}].site", c.site, "each point once")
            seen.add(c.site)
            require(
                _finite(c.share) and 0.0 < c.share <= 1.0,
                f"catchment[{i}].share",
                c.share,
                "a share in (0, 1]",
            )
        total = sum(c.share for c in self.catchment)
        require(
            abs(total - 1.0) < 1e-6,
            "catchment",
            f"shares summing to {total:.6g}",
            "shares that sum to 1",
        )
        if self.green_groups is not None:
            with within("green_groups"):
                self.green_groups.validate()
        if self.barcode_share is not None:
            require(
                _finite(self.barcode_share) and 0.0 <= self.barcode_share <= 1.0,
                "barcode_share",
                self.barcode_share,
                "a probability between 0 and 1, or null",
            )
        self._validate_groups(groups)

    def _validate_groups(self, groups: tuple[PopulationGroupConfig, ...]) -> None:
        if not groups:  # groups switched off (demand.groups: []): entries ignored, a caution
            return
        names = list(dict.fromkeys(g.name for g in groups))
        # a default share out of range is reported at demand.groups: no sums with it
        ok = all(_finite(g.share) and 0.0 <= g.share <= 1.0 for g in groups)
        for key, share in (self.groups or {}).items():
            known = require(
                key in names,
                f"groups.{key}",
                share,
                f"a share for a group named in demand.groups{did_you_mean(key, names)}: "
                + ", ".join(names),
            )
            ok = (
                require(
                    _finite(share) and 0.0 <= share <= 1.0,
                    f"groups.{key}",
                    share,
                    "a share of the sub-district's residents between 0 and 1",
                )
                and known
                and ok
            )
        shares = self.group_shares(groups)
        # without entries of its own the shares are demand.groups's (checked there)
        if ok and self.groups and all(_finite(x) for x in shares):
            total = sum(shares)
            require(
                total <= 1.0 + 1e-9,
                "groups",
                f"shares summing to {total:.4g} "
                f"({describe_shares([g.name for g in groups], shares)})",
                f"group shares of sub-district '{self.name}' summing to at most 1 (the rest "
                "is the general population; a group without an entry here has its "
                "demand.groups share)",
            )


@dataclass(frozen=True)
class SiteChoiceConfig:
    """How residents pick a collection point.

    Attributes
    ----------
    rule
        ``assigned``: their catchment point. ``queue_board``: among the ``candidates`` points
        nearest to their catchment point, the one whose line posted on the live queue board
        (refreshed every ``board_refresh_min``) is shortest when they leave home; walking
        ``walk_min_per_km`` minutes per km to get there.
    """

    rule: Literal["assigned", "queue_board"] = "assigned"
    candidates: int = 3
    board_refresh_min: float = 5.0
    walk_min_per_km: float = 12.0

    def validate(self) -> None:
        require(self.candidates >= 1, "candidates", self.candidates, "an integer >= 1")
        require(
            _finite(self.board_refresh_min) and self.board_refresh_min > 0,
            "board_refresh_min",
            self.board_refresh_min,
            "minutes > 0",
        )
        require(
            _finite(self.walk_min_per_km) and self.walk_min_per_km >= 0,
            "walk_min_per_km",
            self.walk_min_per_km,
            "minutes >= 0",
        )


#: Fields of a collection point that a round may change (``campaign.round_overrides``): its
#: hours, desks and booths, service times, line and staffing. Its name and position, its
#: stages (``registration``) and its lanes (``green_channel.mode``) are the same every round.
ROUND_SITE_FIELDS: tuple[str, ...] = (
    "open",
    "close",
    "daily_hours",
    "queue_opens_before_min",
    "clearing_min",
    "registration_desks",
    "swab_booths",
    "registration_time_s",
    "barcode_registration_time_s",
    "swab_time_s",
    "queue_space_m",
    "spacing_m",
    "green_channel",
    "staffing",
)
#: Fields of ``demand`` that a round may change: barcodes and the green channel, the turnout
#: over the round's days and hours, patience, returns and appointment slots. Who the
#: residents are (how many, how arrivals are drawn, population groups) is the campaign's.
ROUND_DEMAND_FIELDS: tuple[str, ...] = (
    "green_share",
    "barcode_share",
    "daily_shares",
    "window_start",
    "window_end",
    "hourly_profile",
    "patience_min",
    "retry",
    "appointments",
)
ROUND_FIELDS_TEXT = (
    "site.<field>, site_types.<type>.<field> or sites.<i>.<field> with <field> one of "
    + ", ".join(ROUND_SITE_FIELDS)
    + " (not green_channel.mode); demand.<field> with <field> one of "
    + ", ".join(ROUND_DEMAND_FIELDS)
)


def round_set_items(values: Mapping[Any, Any]) -> Iterator[tuple[str, Any]]:
    """The ``set`` of a round override as ``(dotted field, value)`` pairs: a mapping value
    stands for its fields one by one (``site.staffing: {swab: {staff: 3}}`` is
    ``site.staffing.swab.staff: 3``), so that it merges into the field, as a layout file does;
    a list is one value."""
    for key, value in values.items():
        if isinstance(value, Mapping):
            yield from ((f"{key}.{sub}", v) for sub, v in round_set_items(value))
        else:
            yield str(key), value


def round_field_problem(key: str) -> str | None:
    """What is allowed instead when the dotted field ``key`` cannot differ between rounds;
    None for a field a round may change, and for one the schema does not know (reported,
    with the closest name, when the round's config is built)."""
    parts = key.split(".")
    head = parts[0]
    if head in ("site", "site_types", "sites"):
        rest = parts[1:] if head == "site" else parts[2:]
        if head == "sites" and len(parts) == 1:
            return _not_per_round("the points themselves (sites) are the same every round")
        if not rest or rest[0] not in {f.name for f in fields(SiteConfig)}:
            return None
        if rest[0] in ROUND_SITE_FIELDS and rest[:2] != ["green_channel", "mode"]:
            return None
        what = ".".join(rest[:2] if rest[0] == "green_channel" else rest[:1])
        return _not_per_round(f"a point's {what} is the same every round")
    if head == "demand":
        if len(parts) == 1 or parts[1] not in {f.name for f in fields(DemandConfig)}:
            return None
        if parts[1] in ROUND_DEMAND_FIELDS:
            return None
        return _not_per_round(f"demand.{parts[1]} is the campaign's: the same residents")
    if head in {f.name for f in fields(ScenarioConfig)}:
        return _not_per_round(f"{head} is campaign-wide")
    return None


def _not_per_round(why: str) -> str:
    return f"a field a round can change ({why}, not per round): {ROUND_FIELDS_TEXT}"


@dataclass(frozen=True)
class RoundOverrideConfig:
    """Fields that differ in some rounds of the campaign (``campaign.round_overrides``).

    Attributes
    ----------
    rounds
        The rounds it applies to, 1-based (1 is the first round): e.g. ``[2, 3]``.
    set
        ``{dotted field: value}`` as on the command line: ``site.swab_booths``,
        ``site_types.standard.swab_booths``, ``sites.3.swab_booths``, ``site.staffing.swab``,
        ``demand.barcode_share`` (the fields of :data:`ROUND_SITE_FIELDS` of the template, a
        type or a point, a point's ``type``, and :data:`ROUND_DEMAND_FIELDS`); a mapping value
        merges into the field. Each round's config is built and checked like any config
        (:func:`sim.config.build.build_config`). In a built config a change made through
        ``site_types`` or the template ``site`` is listed point by point
        (``sites.<i>.<field>``), so that the config rebuilds as it ran.
    """

    rounds: tuple[int, ...]
    set: dict[str, Any] = field(default_factory=dict, hash=False)  # a dict: not hashable

    def validate(self, n_rounds: int) -> None:
        rounds = list(self.rounds)
        span = (
            f"a round from 1 to {n_rounds} (1-based: campaign.start_days has {n_rounds} "
            f"round{'s' if n_rounds != 1 else ''})"
        )
        if require(bool(rounds), "rounds", rounds, f"at least one round, each {span}"):
            bad = [r for r in rounds if not 1 <= r <= n_rounds]
            require(
                not bad,
                "rounds",
                rounds,
                f"{span} in each entry; there is no round {', '.join(str(r) for r in bad)}",
            )
            require(len(set(rounds)) == len(rounds), "rounds", rounds, "each round once")
        for key, value in round_set_items(self.set):
            problem = round_field_problem(key)
            require(problem is None, f"set.{key}", value, problem or "")


@dataclass(frozen=True)
class CampaignConfig:
    """Rounds of testing: each round lasts ``round_days`` days from its start day.

    ``start_days`` are days of the campaign (1 = the first day); the source ran three rounds
    in twelve days. ``days`` is the campaign's length in days (null: to the end of the last
    round); mobile teams may work, and enterprises be screened, on any campaign day.
    ``round_overrides`` change points and turnout in some rounds
    (:class:`RoundOverrideConfig`; :meth:`ScenarioConfig.round_config` is a round's scenario):
    ``[{rounds: [2, 3], set: {site_types.standard.swab_booths: 5}}]``. Several may name a
    round: they apply in list order, a later one's values winning.
    """

    round_days: int = 1
    start_days: tuple[int, ...] = (1,)
    days: int | None = None
    round_overrides: tuple[RoundOverrideConfig, ...] = ()

    @property
    def rounds_end_day(self) -> int:
        """Last day of the last round (1 = the first day)."""
        return max(self.start_days) + self.round_days - 1

    @property
    def last_day(self) -> int:
        """Last day of the campaign (``days``, or the last round's last day)."""
        return self.days if self.days is not None else self.rounds_end_day

    def round_of_day(self, day: int) -> int:
        """Round (0-based) whose days include campaign ``day`` (1-based); -1 between rounds."""
        for k, start in enumerate(self.start_days):
            if start <= day < start + self.round_days:
                return k
        return -1

    def validate(self) -> None:
        require(
            self.round_days >= 1,
            "round_days",
            self.round_days,
            "an integer >= 1 (a round needs at least one day)",
        )
        require(
            len(self.start_days) >= 1, "start_days", self.start_days, "at least one round start day"
        )
        require(all(d >= 1 for d in self.start_days), "start_days", self.start_days, "days >= 1")
        if self.start_days and self.round_days >= 1:
            last = max(self.start_days) + self.round_days - 1
            require(
                last <= limits.MAX_CAMPAIGN_DAYS,
                "start_days",
                self.start_days,
                f"rounds that end by day {limits.MAX_CAMPAIGN_DAYS} (these end on day {last:,})",
            )
        for a, b in zip(self.start_days, self.start_days[1:], strict=False):
            require(
                b >= a + self.round_days,
                "start_days",
                self.start_days,
                f"increasing start days at least round_days ({self.round_days}) apart",
            )
        if self.days is not None and self.start_days and whole(self.round_days):
            end = self.rounds_end_day
            require(
                whole(self.days) and end <= self.days <= limits.MAX_CAMPAIGN_DAYS,
                "days",
                self.days,
                f"a number of days from the last round's end (day {end}) to "
                f"{limits.MAX_CAMPAIGN_DAYS}, or null (the campaign ends with its last round)",
            )
        for i, override in enumerate(self.round_overrides):
            with within(f"round_overrides[{i}]"):
                override.validate(len(self.start_days))


@dataclass(frozen=True)
class DemandConfig:
    """Who comes to the point and when.

    Attributes
    ----------
    arrivals
        ``profile``: a non-homogeneous Poisson process over ``window_start``-``window_end`` whose
        rate follows ``hourly_profile`` (relative weights, one per hour of the window), scaled so
        that ``residents`` arrive on average (exactly, if ``fixed_count``).
        ``constant``: a Poisson process at ``rate_per_hour`` over the site's queueing hours.
    green_share
        Share of residents eligible for the green channel.
    barcode_share
        Share of residents holding a pre-issued barcode (their registration is a scan).
    patience_min
        How long a resident waits in the entrance line before giving up (null: never reneges).
    daily_shares
        Share of the residents turning out on each day of a round (one per day, summing to 1).
    retry
        Whether residents who leave untested (balked, reneged, turned away, not served by
        closing) come back later.
    appointments
        Building-by-building time slots instead of free turnout.
    groups
        Population groups who turn out at their own hours (e.g. market traders outside
        trading hours), each a share of every sub-district's residents with its own
        ``hourly_profile`` over the same window (see
        :class:`~sim.config.groups.PopulationGroupConfig`); the rest are the general
        population, who follow ``hourly_profile``. Only with ``arrivals: profile`` and no
        appointments.
    """

    arrivals: Literal["profile", "constant"] = "profile"
    residents: int | None = 6000
    fixed_count: bool = True
    window_start: Clock | None = Clock("06:00")
    window_end: Clock | None = Clock("22:00")
    hourly_profile: tuple[float, ...] | None = None
    rate_per_hour: float | None = None
    green_share: float = 0.12
    barcode_share: float = 0.5
    patience_min: DistributionConfig | None = None
    daily_shares: tuple[float, ...] = (1.0,)
    retry: RetryConfig = field(default_factory=lambda: RetryConfig())
    appointments: AppointmentsConfig = field(default_factory=lambda: AppointmentsConfig())
    groups: tuple[PopulationGroupConfig, ...] = ()

    def validate(self) -> None:
        for name in ("green_share", "barcode_share"):
            value = getattr(self, name)
            require(
                _finite(value) and 0.0 <= value <= 1.0, name, value, "a probability between 0 and 1"
            )
        if self.arrivals == "profile":
            require(
                self.rate_per_hour is None,
                "rate_per_hour",
                self.rate_per_hour,
                "null when arrivals is 'profile' (set demand.residents instead)",
            )
            if self.residents is not None:  # null: the sub-districts' populations
                require(self.residents >= 1, "residents", self.residents, "an integer >= 1")
            require(self.window_start is not None, "window_start", None, "a clock time 'HH:MM'")
            require(self.window_end is not None, "window_end", None, "a clock time 'HH:MM'")
            w0 = clock_to_min(self.window_start, "window_start")
            w1 = clock_to_min(self.window_end, "window_end")
            require(
                w1 > w0,
                "window_end",
                self.window_end,
                f"a time after window_start ({self.window_start})",
            )
            hours = math.ceil((w1 - w0) / 60.0 - 1e-9)
            profile = self.hourly_profile
            require(
                profile is not None,
                "hourly_profile",
                None,
                f"a list of {hours} weights, one per hour {self.window_start}-{self.window_end}",
            )
            assert profile is not None
            require(
                len(profile) == hours,
                "hourly_profile",
                f"{len(profile)} values",
                f"exactly {hours} weights, one per hour of {self.window_start}-{self.window_end}",
            )
            bad = [w for w in profile if not (_finite(w) and w >= 0)]
            require(not bad, "hourly_profile", bad[:3], "weights >= 0")
            require(sum(profile) > 0, "hourly_profile", profile, "at least one weight > 0")
        else:
            require(
                self.rate_per_hour is not None
                and _finite(self.rate_per_hour)
                and self.rate_per_hour > 0,
                "rate_per_hour",
                self.rate_per_hour,
                "residents per hour > 0 when arrivals is 'constant'",
            )
            require(
                self.residents is None,
                "residents",
                self.residents,
                "null when arrivals is 'constant' (the rate sets the numbers)",
            )
            require(
                self.hourly_profile is None,
                "hourly_profile",
                "a list",
                "null when arrivals is 'constant'",
            )
        if self.patience_min is not None:
            with within("patience_min"):
                self.patience_min.validate()
        shares = self.daily_shares
        require(len(shares) >= 1, "daily_shares", shares, "one share per day of the round")
        bad = [x for x in shares if not (_finite(x) and x >= 0)]
        require(not bad, "daily_shares", shares, "shares >= 0")
        require(
            abs(sum(shares) - 1.0) < 1e-6,
            "daily_shares",
            shares,
            f"shares that sum to 1 (they sum to {sum(shares):.4g})",
        )
        for name in ("retry", "appointments"):
            with within(name):
                getattr(self, name).validate()
        if self.groups:
            self._validate_groups()

    def _validate_groups(self) -> None:
        names = [g.name for g in self.groups]
        require(
            self.arrivals == "profile",
            "groups",
            names,
            "no groups when arrivals is 'constant' (a group turns out by its own hourly_profile: "
            "use arrivals: profile, or groups: [])",
        )
        require(
            not self.appointments.enabled,
            "groups",
            names,
            "no groups when appointments.enabled is true (slots set everyone's arrival time: "
            "use groups: [], or appointments.enabled: false)",
        )
        require(
            len(self.groups) <= MAX_GROUPS,
            "groups",
            f"{len(self.groups)} groups",
            f"at most {MAX_GROUPS} groups",
        )
        hours: int | None = None
        window = f"{self.window_start}-{self.window_end}"
        if self.arrivals == "profile":
            try:
                w0, w1 = self.window
            except ConfigError:  # reported above
                pass
            else:
                if w1 > w0:
                    hours = math.ceil((w1 - w0) / 60.0 - 1e-9)
        seen: set[str] = set()
        for i, group in enumerate(self.groups):
            with within(f"groups[{i}]"):
                group.validate(hours, window, len(self.daily_shares))
            require(
                group.name not in seen,
                f"groups[{i}].name",
                group.name,
                "a name no other group has",
            )
            seen.add(group.name)
        shares = [g.share for g in self.groups]
        if all(_finite(x) and 0.0 <= x <= 1.0 for x in shares):
            total = sum(shares)
            require(
                total <= 1.0 + 1e-9,
                "groups",
                f"shares summing to {total:.4g} ({describe_shares(names, shares)})",
                "group shares summing to at most 1 (the rest is the general population)",
            )

    @property
    def window(self) -> tuple[float, float]:
        """Arrival window of the ``profile`` process, minutes after midnight of day 1."""
        return clock_to_min(self.window_start, "window_start"), clock_to_min(
            self.window_end, "window_end"
        )


@dataclass(frozen=True)
class OutputConfig:
    """What a command-line run writes into its run folder."""

    residents_table: bool = True
    residents_format: Literal["parquet", "csv"] = "parquet"
    figures: bool = True
    print_summary: bool = True


@dataclass(frozen=True)
class ExecutionConfig:
    """Where a command-line run's replications run (they give the same results anywhere).

    Attributes
    ----------
    backend
        ``serial`` (one process), ``processes`` (``n_jobs`` local workers) or ``ray`` (Ray
        tasks: the optional extra ``masstest-sim[ray]``).
    n_jobs
        Workers (null: every core of this machine).
    address
        A Ray cluster, ``host:port`` or ``ray://host:port`` (null: a local Ray); ``ray`` only.
    """

    backend: Literal["serial", "processes", "ray"] = "processes"
    n_jobs: int | None = None
    address: str | None = None

    def validate(self) -> None:
        require(
            self.backend in ("serial", "processes", "ray"),
            "backend",
            self.backend,
            "'serial', 'processes' or 'ray'",
        )
        if self.n_jobs is not None:
            require(
                whole(self.n_jobs) and self.n_jobs >= 1,
                "n_jobs",
                self.n_jobs,
                "an integer >= 1 (workers), or null for every core",
            )
        if self.address is not None:
            require(
                self.backend == "ray",
                "address",
                self.address,
                "null unless backend is 'ray' (the address of a Ray cluster)",
            )


@dataclass(frozen=True)
class ScenarioConfig:
    """A whole scenario: who comes, the collection points, staff, rounds and run settings.

    Attributes
    ----------
    seed
        Base seed. Random streams are spawned from ``SeedSequence([seed, replication, stream])``.
    replications
        Number of independent replications a run performs, or ``auto``: as many as it takes
        to decide every target (see ``precision``).
    site
        The template every collection point inherits (and the only point when ``sites`` is
        empty).
    sites
        The collection points: each entry overrides fields of ``site`` (in YAML, an entry may
        also name a ``type`` from ``site_types``, whose fields come between the two).
    subdistricts
        Sub-districts with populations and catchments. Empty: one area of
        ``demand.residents`` residents spread over the points in proportion to their booths.
    door_to_door
        Homebound residents (a share of each green-channel group) sampled at home by visiting
        teams instead of queueing at a point (:mod:`sim.config.door_to_door`; off by default).
    samples, couriers, labs
        The chain from swab to result (see :mod:`sim.config.labs`); simulated when some lab is
        listed and enabled.
    targets
        Capacity targets the layout must meet (:mod:`sim.config.targets`); each gets a verdict
        from the replications' confidence interval, and ``masstest-sim check`` exits 1 when
        one is missed or undecided.
    precision
        How ``replications: auto`` adds replications until the targets are decided.
    comparison
        How a multirun compares its jobs (baseline, metrics).
    warmup_min
        Minutes after the first opening left out of the summary's waits, lines and
        utilisation (a warm-up cut for steady-state studies; coverage counts everyone).
    execution
        Where a command-line run's replications run (:class:`ExecutionConfig`).
    objective
        A numeric summary metric (e.g. ``wait_p95_min``) that a command-line run returns, mean
        over its replications, so that a Hydra sweeper (Optuna) can minimise it; null: none.
    """

    name: str = "default"
    description: str = ""
    seed: int = 1
    replications: int | Literal["auto"] = 1
    demand: DemandConfig = field(default_factory=DemandConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    sites: tuple[SiteConfig, ...] = ()
    subdistricts: tuple[SubdistrictConfig, ...] = ()
    site_choice: SiteChoiceConfig = field(default_factory=SiteChoiceConfig)
    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    mobile: MobileTeamsConfig = field(default_factory=MobileTeamsConfig)
    door_to_door: DoorToDoorConfig = field(default_factory=DoorToDoorConfig)
    samples: SamplesConfig = field(default_factory=SamplesConfig)
    couriers: CouriersConfig = field(default_factory=CouriersConfig)
    labs: tuple[LabConfig, ...] = ()
    output: OutputConfig = field(default_factory=OutputConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    objective: str | None = None
    warmup_min: float = 0.0
    targets: tuple[TargetConfig, ...] = ()
    precision: PrecisionConfig = field(default_factory=PrecisionConfig)
    comparison: ComparisonConfig = field(default_factory=ComparisonConfig)

    @property
    def points(self) -> tuple[SiteConfig, ...]:
        """The collection points of the scenario (``sites``, or the template alone)."""
        return self.sites if self.sites else (self.site,)

    @property
    def stage_names(self) -> tuple[str, ...]:
        """Every stage of the district's points, in the order residents pass them (each
        point passes its own stages in this order; checked with the config)."""
        return merged_stage_order([p.stage_names for p in self.points]) or ()

    @property
    def chain_sites(self) -> tuple[tuple[str, float, float], ...]:
        """Where tubes are collected, as (name, x_km, y_km): the collection points, then one
        entry per mobile team (at the enterprises' ``mobile.x_km``, ``mobile.y_km``), then,
        with door-to-door sampling, one per visiting team (at ``door_to_door.x_km``,
        ``y_km``)."""
        points = tuple((p.name, p.x_km, p.y_km) for p in self.points)
        m = self.mobile
        teams = m.teams if whole(m.teams) and m.teams > 0 else 0
        mobile = tuple((team_name(k), m.x_km, m.y_km) for k in range(teams))
        h = self.door_to_door
        homes = tuple((door_team_name(k), h.x_km, h.y_km) for k in range(h.chain_teams))
        return points + mobile + homes

    @property
    def labs_in_use(self) -> tuple[LabConfig, ...]:
        """The labs that take part (``enabled``); empty: the sample chain is not simulated."""
        return tuple(lab for lab in self.labs if lab.enabled)

    @property
    def judged_targets(self) -> tuple[TargetConfig, ...]:
        """The targets a run judges: those on results only when some lab is in use."""
        return tuple(t for t in self.targets if self.labs_in_use or t.metric not in CHAIN_METRICS)

    def round_config(self, k: int) -> ScenarioConfig:
        """The scenario as round ``k`` runs it (``k`` 0-based: 0 is the first round, as in
        ``RoundRun.round``): with the ``campaign.round_overrides`` that name round ``k + 1``
        applied, in list order. The same object when none does (nothing is rebuilt). Built
        with the config (:func:`sim.config.build.build_config`); a config changed with
        ``dataclasses.replace`` builds its rounds on first use. A round's config has no round
        overrides of its own.

        Raises
        ------
        IndexError
            If ``k`` is not a round of the campaign.
        """
        n = len(self.campaign.start_days)
        if not (whole(k) and 0 <= k < n):
            raise IndexError(
                f"round must be from 0 to {n - 1} (0-based: the campaign has {n} rounds), got {k!r}"
            )
        if not self.campaign.round_overrides:
            return self
        rounds: tuple[ScenarioConfig, ...] | None = getattr(self, "_rounds", None)
        if rounds is None:
            from sim.config.build import round_configs

            rounds = round_configs(self)
        return rounds[k]

    @property
    def residents_per_round(self) -> int | None:
        """Residents to test per round (None with constant-rate arrivals)."""
        if self.subdistricts:
            return sum(sd.population for sd in self.subdistricts)
        return self.demand.residents if self.demand.arrivals == "profile" else None

    def validate(self) -> None:
        require(self.seed >= 0, "seed", self.seed, "an integer >= 0")
        require(
            finite(self.warmup_min) and self.warmup_min >= 0,
            "warmup_min",
            self.warmup_min,
            "minutes >= 0 (0: no warm-up cut)",
        )
        if self.objective is not None:
            require(
                self.objective.strip() != "",
                "objective",
                self.objective,
                "the name of a numeric summary metric (e.g. wait_p95_min), or null",
            )
        if self.replications == "auto":
            require(
                bool(self.judged_targets) or reported_under("targets"),  # one failed to build
                "replications",
                "auto",
                "a number of replications, or 'auto' with targets to decide (targets is empty)",
            )
        else:
            require(
                1 <= self.replications <= limits.MAX_REPLICATIONS,
                "replications",
                self.replications,
                f"an integer >= 1 (at most {limits.MAX_REPLICATIONS:,}), or 'auto'",
            )
        with within("comparison"):
            self.comparison.validate()
        with within("precision"):
            self.precision.validate()
            require(
                self.precision.max_replications <= limits.MAX_REPLICATIONS,
                "max_replications",
                self.precision.max_replications,
                f"at most {limits.MAX_REPLICATIONS:,}",
            )
        for i, target in enumerate(self.targets):
            with within(f"targets[{i}]"):
                target.validate()
        total = self.residents_per_round
        if total is not None:
            require(
                total <= limits.MAX_RESIDENTS,
                "subdistricts" if self.subdistricts else "demand.residents",
                total if not self.subdistricts else f"{total:,} residents in all",
                f"at most {limits.MAX_RESIDENTS:,} residents in a district's round (run a "
                "larger area as several districts)",
            )
        campaign_ok = False
        for name in (
            "demand",
            "campaign",
            "site_choice",
            "mobile",
            "door_to_door",
            "samples",
            "couriers",
            "execution",
        ):
            before = errors_so_far()
            with within(name):
                getattr(self, name).validate()
            if name == "campaign":
                campaign_ok = errors_so_far() == before and bool(self.campaign.start_days)
        if campaign_ok and self.mobile.teams > 0:
            _check_mobile_days(self.mobile, self.campaign.last_day)
        if self.door_to_door.active and not reported_under("door_to_door"):
            _check_door_to_door(self, campaign_ok)
        before = errors_so_far()
        _validate_site(self.site, "site", self.campaign.round_days)
        clean = {"site": errors_so_far() == before}
        names: set[str] = set()
        for k, site in enumerate(self.sites):
            before = errors_so_far()
            _validate_site(site, f"sites[{k}]", self.campaign.round_days)
            clean[f"sites[{k}]"] = errors_so_far() == before
            require(
                site.name not in names, f"sites[{k}].name", site.name, "a name no other point has"
            )
            names.add(site.name)
        if all(clean.values()) and merged_stage_order([p.stage_names for p in self.points]) is None:
            require(
                False,
                "sites",
                {p.name: list(p.stage_names) for p in self.points},
                "points whose shared stages come in the same order (a stage before another at "
                "one point is before it at every point)",
            )
        days = self.campaign.round_days
        days_ok = whole(days) and 1 <= days <= limits.MAX_CAMPAIGN_DAYS
        for k, point in enumerate(self.points):
            where = f"sites[{k}]" if self.sites else "site"
            if not days_ok:
                break
            hours_ok = require(
                not point.daily_hours or len(point.daily_hours) == days,
                f"{where}.daily_hours",
                f"{len(point.daily_hours)} days",
                f"one {{open, close}} per day of the round ({days}, campaign.round_days) or []",
            )
            if hours_ok and clean[where]:  # a point's own errors first
                with within(where):
                    _check_staffed(point, days)
        if days_ok:
            require(
                len(self.demand.daily_shares) == days,
                "demand.daily_shares",
                self.demand.daily_shares,
                f"one share per day of the round ({days} values, campaign.round_days)",
            )
        point_names = {p.name for p in self.points}
        sd_names: set[str] = set()
        for k, sd in enumerate(self.subdistricts):
            with within(f"subdistricts[{k}]"):
                sd.validate(point_names, self.demand.groups)
            require(
                sd.name not in sd_names,
                f"subdistricts[{k}].name",
                sd.name,
                "a name no other sub-district has",
            )
            sd_names.add(sd.name)
        if self.subdistricts:
            require(
                self.demand.arrivals == "profile",
                "demand.arrivals",
                self.demand.arrivals,
                "'profile' when sub-districts are given",
            )
            require(
                self.demand.residents is None,
                "demand.residents",
                self.demand.residents,
                "null when sub-districts are given (their populations add up)",
            )
        elif self.demand.arrivals == "profile":
            require(
                self.demand.residents is not None,
                "demand.residents",
                None,
                "an integer >= 1 (or sub-districts with populations)",
            )
        placed = all(finite(p.x_km) and finite(p.y_km) for p in self.points)
        if days_ok and all(clean.values()) and finite(self.warmup_min):
            first = min(p.hours_on(0)[0] for p in self.points)
            last = max(p.hours_on(0)[1] for p in self.points)
            require(
                self.warmup_min < last - first,
                "warmup_min",
                self.warmup_min,
                f"minutes shorter than the first day's opening hours ({last - first:g} min): "
                "a longer warm-up leaves nobody to measure",
            )
        if self.labs and days_ok and campaign_ok and placed:  # else reported above
            validate_chain(self.chain_sites, self.labs, self.couriers, self.campaign.last_day)
        if self.site_choice.rule == "queue_board":
            modes = {p.green_channel.mode for p in self.points}
            require(
                len(modes) == 1,
                "site_choice.rule",
                self.site_choice.rule,
                "'assigned' unless every point has the same green_channel.mode "
                f"(found {sorted(modes)})",
            )


def _check_mobile_days(mobile: MobileTeamsConfig, last_day: int) -> None:
    """The teams' working days and first screening within the campaign (days 1-``last_day``)."""
    if mobile.work_days is not None:
        outside = [d for d in mobile.work_days if whole(d) and d > last_day]
        require(
            not outside,
            "mobile.work_days",
            outside[:3],
            f"days of the campaign (1-{last_day}; campaign.days makes it longer)",
        )
    first = mobile.screening.first_day
    require(
        not whole(first) or first <= last_day,
        "mobile.screening.first_day",
        first,
        f"a day of the campaign (1-{last_day})",
    )


def _check_door_to_door(config: ScenarioConfig, campaign_ok: bool) -> None:
    """Door-to-door sampling fits the district: the teams' days are days of a round, and every
    sub-district gives the sizes of the green-channel groups the shares name."""
    d2d = config.door_to_door
    days = config.campaign.round_days
    if campaign_ok and d2d.work_days is not None:
        outside = [d for d in d2d.work_days if whole(d) and d > days]
        require(
            not outside,
            "door_to_door.work_days",
            outside[:3],
            f"days of a round (1-{days}, campaign.round_days; 1 = the round's first day)",
        )
    named = [g for g in GREEN_GROUPS if d2d.share(g) > 0]
    if not config.subdistricts:
        require(
            False,
            "door_to_door.shares",
            dict(d2d.shares),
            "shares of green-channel groups only with sub-districts that give the groups' sizes "
            "(subdistricts[i].green_groups): without sub-districts the residents' groups are "
            "not known; or shares: {} for no door-to-door sampling",
        )
        return
    missing = [sd.name for sd in config.subdistricts if sd.green_groups is None]
    require(
        not missing,
        "door_to_door.shares",
        dict(d2d.shares),
        f"shares of green-channel groups ({', '.join(named)}) only when every sub-district "
        "gives the groups' sizes: subdistricts[i].green_groups is null for "
        + ", ".join(repr(n) for n in missing[:3])
        + (f" and {len(missing) - 3} more" if len(missing) > 3 else ""),
    )


def merged_stage_order(lists: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    """One order of all the stages that keeps each list's own order (stages in order of
    first appearance where free), or None when two lists disagree."""
    names: list[str] = []
    for names_k in lists:
        for name in names_k:
            if name not in names:
                names.append(name)
    after: dict[str, set[str]] = {n: set() for n in names}
    for names_k in lists:
        for i, a in enumerate(names_k):
            after[a].update(names_k[i + 1 :])
    out: list[str] = []
    left = list(names)
    while left:
        free = [n for n in left if not any(n in after[m] for m in left if m != n)]
        if not free:
            return None
        out.append(free[0])
        left.remove(free[0])
    return tuple(out)


def _check_staffed(site: SiteConfig, days: int) -> None:
    """Each role's roster must have someone on duty whenever the point is open (gaps up to
    :data:`~sim.config.staffing.MAX_UNSTAFFED_MIN`, hand-overs and breaks, aside)."""
    rosters = {
        REGISTRATION: site.staffing.registration,
        SWAB: site.staffing.swab,
        **site.staffing.roles,
    }
    checks = []
    for stage in site.stage_list:
        role = site.stage_role(stage)
        if role is None or role not in rosters:  # places without staff; an unknown role is
            continue  # reported by the stage's own check
        noun = {REGISTRATION: "registration desk", SWAB: "swab booth"}.get(
            stage.name, f"{stage.name} server"
        )
        where = role if role in BUILT_IN else f"roles.{role}"
        checks.append((where, rosters[role], site.stage_servers(stage), noun))
    for role, roster, physical, noun in checks:
        windows = []
        for day in range(days):
            a, b = site.hours_on(day)
            windows.append((a + DAY_MIN * day, b + DAY_MIN * day))
        spans = staffed_spans(roster, max(physical, 1), windows[0][0], windows[-1][1])
        found = [(d, gap) for d, w in enumerate(windows) for gap in unstaffed_stretches(spans, w)]
        if not found:
            continue
        day, (g0, g1) = found[0]
        more = len({d for d, _ in found}) - 1
        a, b = site.hours_on(day)
        require(
            False,
            f"staffing.{role}",
            f"no {role.removeprefix('roles.')} staff "
            f"{min_to_clock(g0 - DAY_MIN * day)}-{min_to_clock(g1 - DAY_MIN * day)}"
            f" on day {day + 1}" + (f" (and on {more} other days)" if more else ""),
            f"a roster that staffs at least one {noun} while '{site.name}' is open "
            f"({min_to_clock(a)}-{min_to_clock(b)}); gaps of up to {MAX_UNSTAFFED_MIN:g} min "
            "(hand-overs, breaks) are allowed",
        )


def _validate_site(site: SiteConfig, prefix: str, round_days: int) -> None:
    with within(prefix):
        site.validate()
        if isinstance(round_days, int) and round_days > 1:  # days must not run into each other
            require(
                site.close_min - site.open_min <= limits.MAX_OPEN_MIN,
                "close",
                site.close,
                f"at most 24 hours after open ({site.open}) in a round of several days",
            )
        for name in ("registration_time_s", "barcode_registration_time_s", "swab_time_s"):
            with within(name):
                getattr(site, name).validate()
        with within("green_channel"):
            site.green_channel.validate()


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
