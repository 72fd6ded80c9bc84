"""Population groups: residents who turn out at their own hours (market traders, shift workers).

A group is a share of each sub-district's residents (``share``, or the sub-district's own figure
in ``subdistricts[k].groups``) who come by the group's own ``hourly_profile`` (weights over the
same window as ``demand.hourly_profile``) and, optionally, on their own ``daily_shares``. The
residents in no group are the ``general`` population, who follow the demand's profile.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.config.errors import require

#: Name of the residents in no group (reserved: a group may not take it).
GENERAL = "general"

#: Most groups a scenario may have (group codes are 8-bit integers in the records).
MAX_GROUPS = 100

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class PopulationGroupConfig:
    """A population group with its own turnout hours.

    Attributes
    ----------
    name
        Identifier-like name (letters, digits, ``_``; not ``general``): the key of
        ``subdistricts[k].groups`` and of the ``group_<name>_*`` summary figures.
    share
        Share of each sub-district's residents in the group (0 to 1), unless the sub-district
        gives its own in ``groups``.
    hourly_profile
        Relative turnout weight of each hour of ``demand.window_start``-``window_end`` (as many
        weights as ``demand.hourly_profile``; >= 0, some > 0). A weight of 0: nobody of the
        group sets out in that hour.
    daily_shares
        Share of the group turning out on each day of the round (null: ``demand.daily_shares``).
    """

    name: str
    share: float
    hourly_profile: tuple[float, ...]
    daily_shares: tuple[float, ...] | None = None

    def validate(self, hours: int | None, window: str, days: int) -> None:
        """Check the group's fields.

        Parameters
        ----------
        hours
            Hours in the demand's arrival window (None: not known, the length is not checked).
        window
            The window as text, e.g. ``06:00-22:00`` (for the messages).
        days
            Days of the round (the length of ``demand.daily_shares``).
        """
        require(
            isinstance(self.name, str)
            and _NAME.fullmatch(self.name) is not None
            and self.name != GENERAL,
            "name",
            self.name,
            "an identifier-like name (letters, digits and '_', not starting with a digit), "
            f"not '{GENERAL}' (the residents in no group)",
        )
        require(
            _finite(self.share) and 0.0 <= self.share <= 1.0,
            "share",
            self.share,
            "a share of each sub-district's residents between 0 and 1",
        )
        profile = self.hourly_profile
        if hours is not None:
            require(
                len(profile) == hours,
                "hourly_profile",
                f"{len(profile)} values",
                f"exactly {hours} weights, one per hour of {window} (as demand.hourly_profile)",
            )
        bad = [w for w in profile if not (_finite(w) and w >= 0)]
        require(not bad, "hourly_profile", bad[:3], "weights >= 0")
        if not bad:
            require(
                sum(profile) > 0,
                "hourly_profile",
                profile,
                "at least one weight > 0 (the group must be able to come at some hour)",
            )
        shares = self.daily_shares
        if shares is not None:
            require(
                len(shares) == days,
                "daily_shares",
                shares,
                f"one share per day of the round ({days} values, as demand.daily_shares), "
                "or null for demand.daily_shares",
            )
            bad = [x for x in shares if not (_finite(x) and x >= 0)]
            require(not bad, "daily_shares", shares, "shares >= 0")
            if not bad:
                require(
                    abs(sum(shares) - 1.0) < 1e-6,
                    "daily_shares",
                    shares,
                    f"shares that sum to 1 (they sum to {sum(shares):.4g})",
                )


def group_shares(
    groups: Sequence[PopulationGroupConfig], overrides: Mapping[str, float] | None
) -> tuple[float, ...]:
    """Share of a sub-district's residents in each group: its own figure in ``overrides``
    (a sub-district's ``groups``), else the group's ``share``."""
    own = overrides or {}
    return tuple(float(own.get(g.name, g.share)) for g in groups)


def describe_shares(names: Sequence[str], shares: Sequence[float]) -> str:
    """``a: 0.3, b: 0.8`` (for messages)."""
    return ", ".join(f"{n}: {s:g}" for n, s in zip(names, shares, strict=True))


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


__all__ = ["GENERAL", "MAX_GROUPS", "PopulationGroupConfig", "describe_shares", "group_shares"]
