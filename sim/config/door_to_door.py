"""Configuration of door-to-door sampling: visiting teams swab homebound residents at home.

A share of each green-channel group (``shares``: e.g. half of the disabled, 5% of the over-70s)
is homebound: in each round these residents are drawn from the green-channel residents of the
sub-districts, and do not go to a collection point. ``teams`` visiting teams go from home to
home during their working hours (``work_start``-``work_end`` on the round's ``work_days``):
``travel_min`` to the next home, then ``visit_min`` there (the swab included). Each of a team's
``swabbers_per_team`` swabbers fills its own tubes; the teams' tubes go into the lab chain like
the mobile teams' (couriers collect them at ``x_km``, ``y_km``). ``shares`` empty (or all 0):
no door-to-door sampling, and nothing is drawn.

The simulation itself is in :mod:`sim.model.door_to_door`; this frozen dataclass follows the
style of :mod:`sim.config.schema`: ``validate`` raises :class:`~sim.config.errors.ConfigError`
naming the field relative to the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.config.clock import Clock, clock_to_min
from sim.config.distribution import DistributionConfig
from sim.config.errors import did_you_mean, finite, require, whole, within
from sim.config.mobile import check_work_hours
from sim.config.staffing import DAY_MIN

#: The green-channel groups, in the order of :class:`~sim.config.schema.GreenGroupsConfig`
#: (the codes of :attr:`sim.model.door_to_door.DoorToDoorRecords.green_group`).
GREEN_GROUPS: tuple[str, ...] = ("over_70", "disabled", "pregnant", "under_8")

#: Most visiting teams (a typo guard: far above a district's health workers).
MAX_TEAMS = 10_000


def door_team_name(k: int) -> str:
    """Name of door-to-door team ``k`` (0-based) where its tubes are collected:
    ``Door-to-door team 1``..."""
    return f"Door-to-door team {k + 1}"


@dataclass(frozen=True)
class DoorToDoorConfig:
    """Door-to-door sampling of homebound residents (off unless a share is above 0).

    Attributes
    ----------
    shares
        Share of each green-channel group's residents sampled at home instead of coming to a
        point, by group name (``over_70``, ``disabled``, ``pregnant``, ``under_8``), each
        0-1; a group not named has 0. Empty or all 0: off.
    teams
        Visiting teams (at least 1 when a share is above 0). A team visits one home at a time.
    swabbers_per_team
        Swabbers of a team: each fills its own tubes (k-in-1 pooling, as a point's booths).
    work_start, work_end
        Working hours of each working day (``"HH:MM"``; ``work_end`` may pass ``"24:00"``, at
        most 24 hours after ``work_start``).
    work_days
        Days of each round the teams work, 1 = the round's first day; null: every day of the
        round. Homebound residents not visited by the end of the round's last working day
        are not tested (``not_visited``).
    visit_min
        Minutes at a home (registration and the swab included), a distribution.
    travel_min
        Minutes to the next home (from the base for a day's first home), a distribution.
    x_km, y_km
        Where the couriers collect the teams' tubes, kilometres.
    """

    shares: dict[str, float] = field(default_factory=dict, hash=False)  # a dict: not hashable
    teams: int = 0
    swabbers_per_team: int = 2
    work_start: Clock = Clock("08:00")
    work_end: Clock = Clock("18:00")
    work_days: tuple[int, ...] | None = None
    visit_min: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=8.0, cv=0.4)
    )
    travel_min: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind="lognormal", mean=6.0, cv=0.5)
    )
    x_km: float = 0.0
    y_km: float = 0.0

    @property
    def active(self) -> bool:
        """Whether some residents are sampled at home (a share above 0)."""
        return any(finite(v) and v > 0 for v in self.shares.values())

    @property
    def chain_teams(self) -> int:
        """Teams whose tubes enter the lab chain (0 when door-to-door sampling is off)."""
        return self.teams if self.active and whole(self.teams) and self.teams > 0 else 0

    def share(self, group: str) -> float:
        """The share of green-channel group ``group`` sampled at home (0 if not named)."""
        return float(self.shares.get(group, 0.0))

    @property
    def work_start_min(self) -> float:
        """Start of work on a round's first day, minutes after its midnight."""
        return clock_to_min(self.work_start, "work_start")

    @property
    def work_end_min(self) -> float:
        """End of work on a round's first day, minutes after its midnight."""
        return clock_to_min(self.work_end, "work_end")

    def windows(self, round_days: int) -> list[tuple[float, float]]:
        """The teams' working windows ``(start, end)`` in a round of ``round_days`` days,
        minutes after midnight of the round's first day."""
        a, b = self.work_start_min, self.work_end_min
        days = range(1, round_days + 1) if self.work_days is None else sorted(self.work_days)
        return [(a + DAY_MIN * (d - 1), b + DAY_MIN * (d - 1)) for d in days if d <= round_days]

    def validate(self) -> None:
        for key, value in self.shares.items():
            named = require(
                key in GREEN_GROUPS,
                f"shares.{key}",
                value,
                f"a share for a green-channel group{did_you_mean(key, list(GREEN_GROUPS))}: "
                + ", ".join(GREEN_GROUPS),
            )
            if named:
                require(
                    finite(value) and 0.0 <= value <= 1.0,
                    f"shares.{key}",
                    value,
                    "a share of the group's residents between 0 and 1",
                )
        if require(
            whole(self.teams) and 0 <= self.teams <= MAX_TEAMS,
            "teams",
            self.teams,
            f"an integer from 0 to {MAX_TEAMS:,}",
        ):
            require(
                self.teams >= 1 or not self.active,
                "teams",
                self.teams,
                "an integer >= 1 when a share is above 0 (someone must visit the homebound "
                "residents); or shares: {} for no door-to-door sampling",
            )
        require(
            whole(self.swabbers_per_team) and self.swabbers_per_team >= 1,
            "swabbers_per_team",
            self.swabbers_per_team,
            "an integer >= 1",
        )
        for name in ("visit_min", "travel_min"):
            with within(name):
                getattr(self, name).validate()
        check_work_hours(
            self,
            days="days of the round >= 1 (1 = its first day)",
            empty="at least one day of the round, or null for every day",
            working=self.active,
        )
