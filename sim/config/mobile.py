"""Configuration of mobile sampling teams that swab employees on site at enterprises.

A round of several days sends ``teams`` mobile teams through a list of enterprises (an
industrial park: firms grouped in zones). Each team travels to an enterprise, sets up, and its
``swabbers_per_team`` swabbers sample the workforce there. Teams work only between
``work_start`` and ``work_end`` on each day of the round. The enterprises are either listed
explicitly (``enterprises``) or generated (``generate``: a count of firms spread over zones with
lognormal workforces).

The simulation itself is in :mod:`sim.model.mobile_teams`; these frozen dataclasses follow the
style of :mod:`sim.config.schema`: ``validate`` raises
:class:`~sim.config.errors.ConfigError` naming the field relative to the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config import limits
from sim.config.clock import Clock, clock_to_min
from sim.config.distribution import DistributionConfig
from sim.config.errors import ConfigError, finite, require, whole, within

#: Minutes in a day; day ``d`` (0-based) of a round is offset by ``MINUTES_PER_DAY * d``.
MINUTES_PER_DAY = 1440.0


@dataclass(frozen=True)
class EnterpriseConfig:
    """One enterprise visited by the mobile teams.

    Attributes
    ----------
    name
        Unique name (the work list is ordered by zone, then name).
    zone
        Zone number (>= 0) within the park; travel within a zone is shorter.
    workforce
        Employees to sample on site (>= 1).
    """

    name: str
    zone: int
    workforce: int

    def validate(self) -> None:
        require(
            isinstance(self.name, str) and self.name.strip() != "",
            "name",
            self.name,
            "a non-empty text string",
        )
        require(whole(self.zone) and self.zone >= 0, "zone", self.zone, "an integer >= 0")
        require(
            whole(self.workforce) and self.workforce >= 1,
            "workforce",
            self.workforce,
            "an integer >= 1",
        )


@dataclass(frozen=True)
class GeneratedEnterprisesConfig:
    """Generate ``count`` enterprises instead of listing them.

    Enterprise ``i`` (0-based) is named ``E001``, ``E002``, ... (zero-padded to at least three
    digits, so name order is generation order) and placed in zone ``i * zones // count``: zones
    are contiguous blocks whose sizes differ by at most one. Workforces are lognormal with mean
    ``workforce_mean`` and coefficient of variation ``workforce_cv`` (``0``: all equal), rounded
    to whole employees and at least 1, drawn from the random stream ``mobile_enterprises``.
    """

    count: int = 137
    zones: int = 6
    workforce_mean: float = 150.0
    workforce_cv: float = 1.0

    def validate(self) -> None:
        require(whole(self.count) and self.count >= 1, "count", self.count, "an integer >= 1")
        require(
            whole(self.zones) and 1 <= self.zones <= self.count,
            "zones",
            self.zones,
            f"an integer between 1 and count ({self.count})",
        )
        require(
            finite(self.workforce_mean) and self.workforce_mean >= 1,
            "workforce_mean",
            self.workforce_mean,
            "a number >= 1 (employees per enterprise)",
        )
        require(
            finite(self.workforce_cv) and 0 <= self.workforce_cv <= limits.MAX_CV,
            "workforce_cv",
            self.workforce_cv,
            "a coefficient of variation >= 0 (0: every enterprise has workforce_mean)",
        )
        if finite(self.workforce_mean) and whole(self.count):
            require(
                self.count * self.workforce_mean <= limits.MAX_EMPLOYEES,
                "workforce_mean",
                self.workforce_mean,
                f"at most {limits.MAX_EMPLOYEES:,} employees in all over the {self.count} "
                f"enterprises (count x workforce_mean = {self.count * self.workforce_mean:,.0f})",
            )


@dataclass(frozen=True)
class MobileTeamsConfig:
    """Mobile sampling teams visiting enterprises over a round of several days.

    Attributes
    ----------
    teams
        Number of mobile teams (0: no mobile teams; nothing is simulated).
    swabbers_per_team
        Swabbers of a team sampling in parallel at an enterprise.
    swab_time_s
        Time to swab one employee, seconds.
    setup_min
        Time to set up at each enterprise before sampling starts, minutes.
    travel_same_zone_min, travel_other_zone_min
        Travel to the next enterprise within the team's current zone / to another zone
        (the first trip of the round, from the base, counts as another zone), minutes.
    work_start, work_end
        Working hours of each day of the round ("HH:MM"; ``work_end`` may pass "24:00" for a
        night shift, at most 24 hours after ``work_start``).
    enterprises
        Explicit list of enterprises, or leave empty and set ``generate``.
    generate
        Generate the enterprises (exactly one of ``enterprises`` and ``generate`` when
        ``teams > 0``).
    """

    teams: int = 0
    swabbers_per_team: int = 4
    swab_time_s: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=30.0, cv=0.3)
    )
    setup_min: float = 15.0
    travel_same_zone_min: float = 10.0
    travel_other_zone_min: float = 30.0
    work_start: Clock = Clock("08:00")
    work_end: Clock = Clock("18:00")
    enterprises: tuple[EnterpriseConfig, ...] = ()
    generate: GeneratedEnterprisesConfig | None = None

    @property
    def work_start_min(self) -> float:
        """Start of work on day 1, minutes after midnight of day 1."""
        return clock_to_min(self.work_start, "work_start")

    @property
    def work_end_min(self) -> float:
        """End of work on day 1, minutes after midnight of day 1."""
        return clock_to_min(self.work_end, "work_end")

    def validate(self) -> None:
        require(whole(self.teams) and self.teams >= 0, "teams", self.teams, "an integer >= 0")
        require(
            whole(self.swabbers_per_team) and self.swabbers_per_team >= 1,
            "swabbers_per_team",
            self.swabbers_per_team,
            "an integer >= 1",
        )
        with within("swab_time_s"):
            self.swab_time_s.validate()
        for name in ("setup_min", "travel_same_zone_min", "travel_other_zone_min"):
            value = getattr(self, name)
            require(finite(value) and value >= 0, name, value, "minutes >= 0")
        start = self.work_start_min
        end = self.work_end_min
        require(
            start < MINUTES_PER_DAY,
            "work_start",
            self.work_start,
            "a time of day before '24:00'",
        )
        require(
            end > start, "work_end", self.work_end, f"a time after work_start ({self.work_start})"
        )
        require(
            end - start <= MINUTES_PER_DAY,
            "work_end",
            self.work_end,
            f"at most 24 hours after work_start ({self.work_start})",
        )
        names: dict[str, int] = {}
        for i, ent in enumerate(self.enterprises):
            with within(f"enterprises[{i}]"):
                ent.validate()
            if ent.name in names:
                raise ConfigError(
                    f"enterprises[{i}].name",
                    ent.name,
                    f"a unique name (enterprises[{names[ent.name]}] already has it)",
                )
            names[ent.name] = i
        if self.generate is not None:
            with within("generate"):
                self.generate.validate()
        if self.teams > 0:
            if self.enterprises and self.generate is not None:
                raise ConfigError(
                    "generate",
                    "a mapping",
                    "null when enterprises are listed (give either enterprises or generate)",
                )
            require(
                bool(self.enterprises) or self.generate is not None,
                "enterprises",
                [],
                "a non-empty list of enterprises, or set generate, when teams > 0",
            )
