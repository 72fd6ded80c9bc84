"""Configuration of mobile sampling teams that swab employees on site at enterprises.

The enterprises (firms grouped in zones, e.g. an industrial park) are a persistent population:
drawn once per run, and screened on a schedule over the whole campaign (``screening``: every
``n`` days, or once per round; for all firms, or per zone or firm). ``teams`` mobile teams work
through the screenings that are due: each travels to an enterprise, sets up, and its
``swabbers_per_team`` swabbers sample the workforce there. Teams work between ``work_start``
and ``work_end`` on each of their ``work_days`` (any campaign day). Their swabs are pooled,
couriered and resulted like the points'. The enterprises are either listed explicitly
(``enterprises``) or generated (``generate``: a count of firms spread over zones with lognormal
workforces).

The simulation itself is in :mod:`sim.model.mobile_teams`; these frozen dataclasses follow the
style of :mod:`sim.config.schema`: ``validate`` raises
:class:`~sim.config.errors.ConfigError` naming the field relative to the object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.config import limits
from sim.config.clock import Clock, clock_to_min
from sim.config.distribution import DistributionConfig
from sim.config.errors import ConfigError, finite, require, whole, within

#: Minutes in a day; day ``d`` (0-based) of a round is offset by ``MINUTES_PER_DAY * d``.
MINUTES_PER_DAY = 1440.0


def team_name(k: int) -> str:
    """Name of mobile team ``k`` (0-based) where its tubes are collected: ``Mobile team 1``..."""
    return f"Mobile team {k + 1}"


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
    With ``fixed_total`` the draws are rescaled so that the workforces add up to
    ``count x workforce_mean`` (a known headcount, as the lognormal only shares it out).
    """

    count: int = 137
    zones: int = 6
    workforce_mean: float = 150.0
    workforce_cv: float = 1.0
    fixed_total: bool = False

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
class ScreeningRuleConfig:
    """A schedule of its own for some zones or firms (see :class:`ScreeningConfig`).

    Attributes
    ----------
    zones, firms
        The zones (numbers) and firms (names) the rule applies to; at least one of them.
    every_days
        Screen them every this many campaign days (null: once per round, on its first day).
    """

    zones: tuple[int, ...] = ()
    firms: tuple[str, ...] = ()
    every_days: int | None = None

    def validate(self) -> None:
        require(
            bool(self.zones) or bool(self.firms),
            "zones",
            list(self.zones),
            "at least one zone number or firm name (in zones or firms) for the rule to apply to",
        )
        bad = [z for z in self.zones if not (whole(z) and z >= 0)]
        require(not bad, "zones", bad[:3], "zone numbers >= 0")
        _check_interval(self.every_days)


def _check_interval(every: int | None) -> None:
    if every is not None:
        require(
            whole(every) and 1 <= every <= limits.MAX_CAMPAIGN_DAYS,
            "every_days",
            every,
            f"a number of days from 1 to {limits.MAX_CAMPAIGN_DAYS} (1: every day), or null "
            "for once per round",
        )


@dataclass(frozen=True)
class ScreeningConfig:
    """When each enterprise's workforce is due to be screened, over the campaign.

    A screening due on campaign day ``d`` joins the teams' work list at midnight of day ``d``.
    A firm that comes due again while its previous screening still waits for a team keeps
    only the new one (the old one is counted ``superseded``).

    Attributes
    ----------
    every_days
        Screen every firm every this many campaign days (1: daily), from ``first_day`` to the
        campaign's last day; null: once per round, on the round's first day.
    stagger
        How the firms' due days are spread over the interval (with ``every_days`` > 1):
        ``zone``: zone ``z`` is due on days ``first_day + (z mod every_days) + k * every_days``
        (the teams' daily load evens out); ``firm``: the same by the firm's place in the work
        list; ``none``: every firm on the same days.
    first_day
        Campaign day (1 = the first) of the first screening, with ``every_days``.
    rules
        Zones or firms on a schedule of their own (the first rule naming a firm wins).
    """

    every_days: int | None = None
    stagger: Literal["none", "zone", "firm"] = "zone"
    first_day: int = 1
    rules: tuple[ScreeningRuleConfig, ...] = ()

    def validate(self) -> None:
        _check_interval(self.every_days)
        require(
            self.stagger in ("none", "zone", "firm"),
            "stagger",
            self.stagger,
            "'zone', 'firm' or 'none'",
        )
        require(
            whole(self.first_day) and self.first_day >= 1,
            "first_day",
            self.first_day,
            "a campaign day >= 1 (1 = the first day)",
        )
        for i, rule in enumerate(self.rules):
            with within(f"rules[{i}]"):
                rule.validate()


def check_work_hours(team: Any, days: str, empty: str, working: bool) -> None:
    """Check a visiting team's ``work_start``, ``work_end``, ``x_km``, ``y_km`` and
    ``work_days`` (the mobile teams', the door-to-door teams'): ``days`` says what a work day
    is, ``empty`` what an empty list should be instead; ``working``: the teams are in use."""
    start = team.work_start_min
    end = team.work_end_min
    require(start < MINUTES_PER_DAY, "work_start", team.work_start, "a time of day before '24:00'")
    if require(
        end > start, "work_end", team.work_end, f"a time after work_start ({team.work_start})"
    ):
        require(
            end - start <= MINUTES_PER_DAY,
            "work_end",
            team.work_end,
            f"at most 24 hours after work_start ({team.work_start})",
        )
    for name in ("x_km", "y_km"):
        require(finite(getattr(team, name)), name, getattr(team, name), "kilometres")
    if team.work_days is not None:
        bad = [d for d in team.work_days if not (whole(d) and d >= 1)]
        require(not bad, "work_days", bad[:3], days)
        require(
            len(set(team.work_days)) == len(team.work_days),
            "work_days",
            list(team.work_days),
            "each day once",
        )
        require(len(team.work_days) >= 1 or not working, "work_days", [], empty)


@dataclass(frozen=True)
class MobileTeamsConfig:
    """Mobile sampling teams screening enterprises over the campaign.

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
        Working hours of each working day ("HH:MM"; ``work_end`` may pass "24:00" for a
        night shift, at most 24 hours after ``work_start``).
    work_days
        Campaign days (1 = the first) the teams work; null: every day of the campaign.
    x_km, y_km
        Where the enterprises are (the park), kilometres: couriers carry the teams' tubes
        from there to the labs.
    screening
        When each enterprise is due (every ``n`` days or once per round, per zone or firm).
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
    work_days: tuple[int, ...] | None = None
    x_km: float = 0.0
    y_km: float = 0.0
    screening: ScreeningConfig = field(default_factory=ScreeningConfig)
    enterprises: tuple[EnterpriseConfig, ...] = ()
    generate: GeneratedEnterprisesConfig | None = None

    def firm_names(self) -> list[str] | None:
        """Names of the enterprises (generated ones: ``E001``...); None if neither is set."""
        if self.enterprises:
            return [e.name for e in self.enterprises]
        if self.generate is not None and whole(self.generate.count) and self.generate.count >= 1:
            width = max(3, len(str(self.generate.count)))
            return [f"E{i + 1:0{width}d}" for i in range(self.generate.count)]
        return None

    def zone_numbers(self) -> set[int] | None:
        """Zones of the enterprises; None if neither ``enterprises`` nor ``generate`` is set."""
        if self.enterprises:
            return {e.zone for e in self.enterprises}
        if self.generate is not None and whole(self.generate.zones):
            return set(range(self.generate.zones))
        return None

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
        check_work_hours(
            self,
            days="campaign days >= 1 (1 = the first day)",
            empty="at least one campaign day, or null for every day",
            working=self.teams != 0,
        )
        with within("screening"):
            self.screening.validate()
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
        firms = self.firm_names()
        zones = self.zone_numbers()
        for i, rule in enumerate(self.screening.rules):
            where = f"screening.rules[{i}]"
            if zones is not None:
                bad = [z for z in rule.zones if whole(z) and z not in zones]
                require(
                    not bad,
                    f"{where}.zones",
                    bad[:3],
                    f"zones of the enterprises ({_span(sorted(zones))})",
                )
            if firms is not None:
                known = set(firms)
                bad_names = [f for f in rule.firms if f not in known]
                require(
                    not bad_names,
                    f"{where}.firms",
                    bad_names[:3],
                    f"names of enterprises ({_span(firms)})",
                )


def _span(names: Sequence[object]) -> str:
    """A short list of names: all of them, or the first and last few."""
    shown = [str(x) for x in names]
    if len(shown) <= 8:
        return ", ".join(shown)
    return ", ".join(shown[:3]) + ", ..., " + ", ".join(shown[-2:])
