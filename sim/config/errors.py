"""The errors raised for bad input: each names the field, the value and what is allowed.

A config is checked in one pass that reports **every** error at once
(:func:`sim.config.build.build_config`). The checks themselves are written as plain
statements, ``require(condition, field, value, allowed)`` and ``with within("demand"): ...``:
outside a collecting pass the first failed check raises :class:`ConfigError`; inside one
(:func:`collecting`) each failed check is recorded with its full dotted path and the checking
goes on, so a config with five mistakes gets five messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
        return f"invalid config: {self.field} = {_shown(self.value)}; allowed: {self.allowed}"

    @property
    def line(self) -> str:
        """The error on one line, without the ``invalid config:`` lead."""
        return f"{self.field} = {_shown(self.value)}; allowed: {self.allowed}"

    @property
    def errors(self) -> list[ConfigError]:
        """The errors this exception stands for (itself, for a single error)."""
        return [self]

    def within(self, prefix: str) -> ConfigError:
        """Return the same error with ``prefix`` prepended to the field path."""
        return ConfigError(_join(prefix, self.field), self.value, self.allowed)


class ConfigErrors(ConfigError):
    """Several configuration errors, reported together.

    ``field``, ``value`` and ``allowed`` are those of the first error; ``errors`` lists all of
    them in the order the config was checked.
    """

    def __init__(self, errors: list[ConfigError]) -> None:
        if not errors:
            raise ValueError("ConfigErrors needs at least one error")
        self._errors = list(errors)
        first = errors[0]
        super().__init__(first.field, first.value, first.allowed)

    @property
    def errors(self) -> list[ConfigError]:
        return list(self._errors)

    def _message(self) -> str:
        if len(self._errors) == 1:
            return self._errors[0]._message()
        lines = [f"invalid config: {len(self._errors)} errors:"]
        lines += [f"  {e.line}" for e in self._errors]
        return "\n".join(lines)

    def within(self, prefix: str) -> ConfigError:
        return ConfigErrors([e.within(prefix) for e in self._errors])


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _join(prefix: str, field: str) -> str:
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"


class _Collector:
    """The errors of one collecting pass, and the path of the object being checked."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []
        self.path: list[str] = []

    def add(self, err: ConfigError) -> None:
        for e in err.errors:
            field = e.field
            for prefix in reversed(self.path):
                field = _join(prefix, field)
            self.errors.append(ConfigError(field, e.value, e.allowed))


_COLLECTOR: ContextVar[_Collector | None] = ContextVar("config_error_collector", default=None)


@contextmanager
def collecting() -> Iterator[list[ConfigError]]:
    """Record failed checks instead of raising at the first; yields the list of errors."""
    collector = _Collector()
    token = _COLLECTOR.set(collector)
    try:
        yield collector.errors
    finally:
        _COLLECTOR.reset(token)


def errors_so_far() -> int:
    """How many errors the current collecting pass has recorded (0 outside one)."""
    collector = _COLLECTOR.get()
    return 0 if collector is None else len(collector.errors)


def reported_under(prefix: str) -> bool:
    """Whether the current collecting pass has an error at ``prefix`` or below it."""
    collector = _COLLECTOR.get()
    return collector is not None and any(
        e.field == prefix or e.field.startswith((prefix + ".", prefix + "["))
        for e in collector.errors
    )


def report(err: ConfigError) -> None:
    """Record ``err`` in a collecting pass, or raise it outside one."""
    collector = _COLLECTOR.get()
    if collector is None:
        raise err
    collector.add(err)


def require(condition: bool, field: str, value: Any, allowed: str) -> bool:
    """Check ``condition``: raise (or, while collecting, record) a :class:`ConfigError`.

    Returns whether the condition held, so that a check that depends on it can be skipped.
    """
    if condition:
        return True
    report(ConfigError(field, value, allowed))
    return False


@contextmanager
def within(prefix: str) -> Iterator[None]:
    """Check a part of the config whose fields are named relative to ``prefix``.

    Outside a collecting pass, an error raised inside gets ``prefix`` prepended. While
    collecting, failed checks inside are recorded under ``prefix``; an error *raised* inside
    ends the checks of this part (they are recorded, and the checking goes on after the
    block), and so does any other exception once an error of this part was recorded (a check
    that tripped over a value already reported).
    """
    collector = _COLLECTOR.get()
    if collector is None:
        try:
            yield
        except ConfigError as err:
            raise err.within(prefix) from None
        return
    collector.path.append(prefix)
    before = len(collector.errors)
    try:
        yield
    except ConfigError as err:
        collector.add(err)
    except Exception:
        if len(collector.errors) == before:
            raise
    finally:
        collector.path.pop()


def did_you_mean(name: object, names: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``names`` to ``name``, or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def finite(x: object) -> bool:
    """Whether ``x`` is a finite number (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def whole(x: object) -> bool:
    """Whether ``x`` is an integer (not a bool)."""
    return isinstance(x, int) and not isinstance(x, bool)


_INDEX = re.compile(r"\[(\d+)\]")


def dotted(field: str) -> str:
    """``sites[3].swab_booths`` as a command-line key: ``sites.3.swab_booths``."""
    return _INDEX.sub(r".\1", field)
