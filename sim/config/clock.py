"""Clock times in config ("HH:MM") and their conversion to simulation minutes.

The simulation clock counts minutes from midnight at the start of day 1. Hours may run past 24
("26:30" is 02:30 on day 2), which is how long validation horizons are written.
"""

from __future__ import annotations

import math
import re
from typing import NewType

from sim.config.errors import ConfigError

#: A clock time field in the schema: a ``"HH:MM"`` string, checked when the config is built.
Clock = NewType("Clock", str)

_CLOCK = re.compile(r"^(\d{1,4}):([0-5]\d)$")


def clock_to_min(value: object, field: str = "time") -> float:
    """Convert ``"HH:MM"`` to minutes after midnight of day 1.

    Raises
    ------
    ConfigError
        If ``value`` is not a ``"HH:MM"`` string.
    """
    if not isinstance(value, str):
        raise ConfigError(
            field,
            value,
            "a clock time as a quoted 'HH:MM' string (YAML reads unquoted 07:00 as a number)",
        )
    m = _CLOCK.match(value.strip())
    if m is None:
        raise ConfigError(field, value, "a clock time 'HH:MM', e.g. '07:30' (hours may exceed 24)")
    return float(int(m.group(1)) * 60 + int(m.group(2)))


def min_to_clock(minutes: float) -> str:
    """Format simulation minutes as ``"HH:MM"`` (hours may exceed 24)."""
    total = round(minutes)
    return f"{total // 60:02d}:{total % 60:02d}"


def day_clock(minutes: float, sep: str = " ") -> str:
    """``"day 1 08:00"`` for minutes after midnight of the first day (day 2 starts at 1440)."""
    day = math.floor(minutes / 1440.0)
    return f"day {day + 1}{sep}{min_to_clock(minutes - 1440.0 * day)}"
