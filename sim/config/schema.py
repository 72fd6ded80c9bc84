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
from dataclasses import dataclass, field
from typing import Literal

from sim.config.clock import Clock, clock_to_min
from sim.config.errors import ConfigError, require
from sim.config.shifts import staffed_schedule

DistributionKind = Literal[
    "exponential", "deterministic", "lognormal", "gamma", "triangular", "uniform", "empirical"
]

#: Which fields each distribution kind uses (all others must be left null).
DISTRIBUTION_FIELDS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean",),
    "deterministic": ("mean",),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "empirical": ("values",),
}


@dataclass(frozen=True)
class DistributionConfig:
    """A non-negative random duration; the unit is given by the field that holds it.

    Attributes
    ----------
    kind
        ``exponential`` (mean), ``deterministic`` (mean), ``lognormal`` / ``gamma`` (mean and
        coefficient of variation ``cv``), ``triangular`` (low, mode, high), ``uniform``
        (low, high), ``empirical`` (``values``: observed durations, resampled with replacement).
    """

    kind: DistributionKind = "exponential"
    mean: float | None = None
    cv: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None

    def validate(self) -> None:
        used = DISTRIBUTION_FIELDS[self.kind]
        for name in ("mean", "cv", "low", "mode", "high", "values"):
            value = getattr(self, name)
            if name in used:
                require(value is not None, name, value, f"a value (kind '{self.kind}' needs it)")
            else:
                require(
                    value is None,
                    name,
                    value,
                    f"null: kind '{self.kind}' uses only {', '.join(used)}",
                )
        if self.mean is not None:
            require(_finite(self.mean) and self.mean > 0, "mean", self.mean, "a number > 0")
        if self.cv is not None:
            require(
                _finite(self.cv) and self.cv > 0,
                "cv",
                self.cv,
                "a coefficient of variation > 0 (use kind=deterministic for no variation)",
            )
        if self.low is not None:
            require(_finite(self.low) and self.low >= 0, "low", self.low, "a number >= 0")
        if self.high is not None and self.low is not None:
            require(
                _finite(self.high) and self.high > self.low,
                "high",
                self.high,
                f"a number > low ({self.low})",
            )
        if self.mode is not None and self.low is not None and self.high is not None:
            require(
                self.low <= self.mode <= self.high,
                "mode",
                self.mode,
                f"a number between low ({self.low}) and high ({self.high})",
            )
        if self.values is not None:
            require(len(self.values) > 0, "values", self.values, "a non-empty list")
            bad = [v for v in self.values if not (_finite(v) and v >= 0)]
            require(not bad, "values", bad[:3], "finite numbers >= 0")
            require(sum(self.values) > 0, "values", self.values, "at least one value > 0")

    @property
    def expected(self) -> float:
        """The distribution's mean, in the unit of the field that holds it."""
        if self.kind in ("exponential", "deterministic", "lognormal", "gamma"):
            assert self.mean is not None
            return self.mean
        if self.kind == "triangular":
            assert self.low is not None and self.mode is not None and self.high is not None
            return (self.low + self.mode + self.high) / 3.0
        if self.kind == "uniform":
            assert self.low is not None and self.high is not None
            return (self.low + self.high) / 2.0
        assert self.values is not None
        return sum(self.values) / len(self.values)


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
            try:
                brk.validate()
            except ConfigError as err:
                raise err.within(f"breaks[{i}]") from None
            b0 = clock_to_min(brk.start, f"breaks[{i}].start")
            b1 = clock_to_min(brk.end, f"breaks[{i}].end")
            require(
                start <= b0 and b1 <= end,
                f"breaks[{i}]",
                f"{brk.start}-{brk.end}",
                f"a break inside the shift {self.start}-{self.end}",
            )
            require(
                brk.closed <= staff,
                f"breaks[{i}].closed",
                brk.closed,
                f"at most the shift's staff ({staff})",
            )


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


@dataclass(frozen=True)
class RosterConfig:
    """Staff shifts per role. An empty list means every desk/booth is staffed all opening hours."""

    registration: tuple[ShiftConfig, ...] = ()
    swab: tuple[ShiftConfig, ...] = ()


@dataclass(frozen=True)
class SiteConfig:
    """One collection point: optional registration desks, then swab booths.

    Attributes
    ----------
    open, close
        Opening hours ("HH:MM"). Nobody starts a new service outside them, except that desks and
        booths keep serving whoever is already in line for ``clearing_min`` after closing.
    queue_opens_before_min
        Residents may start queueing this many minutes before opening; earlier arrivals and
        arrivals after closing are turned away and counted as ``outside_hours``.
    queue_space_m
        Metres of queue line at the entrance (null: unlimited). With ``spacing_m`` metres per
        person it caps the number waiting; arrivals to a full line balk.
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
    roster: RosterConfig = field(default_factory=RosterConfig)

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

    def validate(self) -> None:
        open_min = self.open_min
        close_min = self.close_min
        require(close_min > open_min, "close", self.close, f"a time after open ({self.open})")
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
        if self.queue_space_m is not None:
            require(
                _finite(self.queue_space_m) and self.queue_space_m >= 0,
                "queue_space_m",
                self.queue_space_m,
                "metres >= 0, or null for unlimited",
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
        for role, shifts, count, noun in (
            ("registration", self.roster.registration, self.registration_desks, "desks"),
            ("swab", self.roster.swab, self.swab_booths, "booths"),
        ):
            if role == "registration" and not self.registration and shifts:
                raise ConfigError(
                    "roster.registration",
                    f"{len(shifts)} shifts",
                    "no shifts when registration is false",
                )
            self._validate_roster(role, shifts, count, noun, open_min, close_min)

    def _validate_roster(
        self,
        role: str,
        shifts: tuple[ShiftConfig, ...],
        physical: int,
        noun: str,
        open_min: float,
        close_min: float,
    ) -> None:
        if not shifts:
            return
        for i, shift in enumerate(shifts):
            try:
                shift.validate(physical)
            except ConfigError as err:
                raise err.within(f"roster.{role}[{i}]") from None
            s0 = clock_to_min(shift.start, "start")
            s1 = clock_to_min(shift.end, "end")
            require(
                s1 > open_min and s0 < close_min,
                f"roster.{role}[{i}]",
                f"{shift.start}-{shift.end}",
                f"a shift that covers some of the opening hours {self.open}-{self.close}",
            )
        # Staffed count at every change point must not exceed the physical desks/booths.
        times, counts = staffed_schedule(shifts, physical)
        field_name = "registration_desks" if role == "registration" else "swab_booths"
        peak = max(counts) if counts else 0
        require(
            peak <= physical,
            f"roster.{role}",
            f"{peak} staffed at once",
            f"at most the site's {physical} {noun} ({field_name})",
        )
        open_counts = [
            c
            for t, c, t_next in zip(times, counts, [*times[1:], math.inf], strict=True)
            if t < close_min and t_next > open_min
        ]
        require(
            any(c > 0 for c in open_counts),
            f"roster.{role}",
            "no staff while open",
            f"shifts that staff at least one {noun[:-1]} during {self.open}-{self.close}",
        )


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
            require(
                self.residents is not None and self.residents >= 1,
                "residents",
                self.residents,
                "an integer >= 1",
            )
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
            try:
                self.patience_min.validate()
            except ConfigError as err:
                raise err.within("patience_min") from None

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
    figures: bool = True
    print_summary: bool = True


@dataclass(frozen=True)
class ScenarioConfig:
    """A whole scenario: a name, the demand and the collection point, plus run settings.

    Attributes
    ----------
    seed
        Base seed. Random streams are spawned from ``SeedSequence([seed, replication, stream])``.
    replications
        Number of independent replications a command-line run performs.
    """

    name: str = "default"
    description: str = ""
    seed: int = 1
    replications: int = 1
    demand: DemandConfig = field(default_factory=DemandConfig)
    site: SiteConfig = field(default_factory=SiteConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def validate(self) -> None:
        require(self.seed >= 0, "seed", self.seed, "an integer >= 0")
        require(self.replications >= 1, "replications", self.replications, "an integer >= 1")
        for name in ("demand", "site"):
            try:
                getattr(self, name).validate()
            except ConfigError as err:
                raise err.within(name) from None
        for name in ("registration_time_s", "barcode_registration_time_s", "swab_time_s"):
            try:
                getattr(self.site, name).validate()
            except ConfigError as err:
                raise err.within(f"site.{name}") from None
        try:
            self.site.green_channel.validate()
        except ConfigError as err:
            raise err.within("site.green_channel") from None


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
