"""The error raised for bad input: it names the field, the value and what is allowed."""

from __future__ import annotations

import math
from typing import Any


class ConfigError(ValueError):
    """A configuration value is invalid.

    Parameters
    ----------
    field
        Dotted path of the offending field, e.g. ``site.swab_booths``.
    value
        The value that was given.
    allowed
        Plain-language statement of what is allowed, e.g. ``"an integer >= 1"``.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(self._message())

    def _message(self) -> str:
        return f"invalid config: {self.field} = {self.value!r}; allowed: {self.allowed}"

    def within(self, prefix: str) -> ConfigError:
        """Return the same error with ``prefix`` prepended to the field path."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        return ConfigError(field, self.value, self.allowed)


def require(condition: bool, field: str, value: Any, allowed: str) -> None:
    """Raise :class:`ConfigError` unless ``condition`` holds."""
    if not condition:
        raise ConfigError(field, value, allowed)


def finite(x: object) -> bool:
    """Whether ``x`` is a finite number (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def whole(x: object) -> bool:
    """Whether ``x`` is an integer (not a bool)."""
    return isinstance(x, int) and not isinstance(x, bool)
