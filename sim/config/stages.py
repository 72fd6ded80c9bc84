"""The stages of a collection point, in order: what a resident passes through.

A point is an ordered list of stages (``site.stages``). Without a list a point has the two
stages of a testing round: ``registration`` (when ``registration: true``) then ``swab``. Those
two *built-in* stages take their desks/booths, service times and green-channel reservations
from the point's own fields (``registration_desks``, ``registration_time_s``,
``barcode_registration_time_s``, ``swab_booths``, ``swab_time_s``,
``green_channel.dedicated_desks``/``dedicated_booths``) and their staff from
``staffing.registration``/``staffing.swab``; list them by name (``- name: swab``) to place them
among other stages. Any other stage gives its own:

.. code-block:: yaml

    stages:
      - {name: health_code_check, role: checker, servers: 2,
         service_s: {kind: lognormal, mean: 12, cv: 0.5}, space_after_m: 20, blocking: true}
      - name: registration
      - name: swab

A stage's ``role`` names the roster that staffs it: ``registration``, ``swab`` or a roster of
``staffing.roles`` (e.g. ``staffing.roles.checker``); ``null`` for places that need no staff
(chairs of an observation area: open while the point serves). The ``swab`` stage is where the
sample is taken: a point without one (a vaccination clinic) sends nothing to the labs.

``space_after_m`` is the room between a stage and the next (metres of line at the point's
``spacing_m``; null: unlimited). With ``blocking: true`` a full space blocks the stage before
it: a resident who has finished there stays at the desk until a place frees, so the desk serves
nobody else. Without blocking the space is a planning figure: the summary reports how often it
overflowed (``space_over_<stage>_min``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.config.distribution import DistributionConfig
from sim.config.errors import did_you_mean, require, within

#: The stages a testing point has without a stage list, with the point fields they use.
REGISTRATION, SWAB = "registration", "swab"
BUILT_IN = (REGISTRATION, SWAB)

#: Names a stage may not take: its columns (``<name>_start_min``...) would be registration's.
RESERVED_NAMES = ("reg",)

#: The stage where the sample (swab) is taken: its end is the swab time the labs see.
SAMPLE_STAGE = SWAB


@dataclass(frozen=True)
class StageConfig:
    """One stage of a collection point.

    Attributes
    ----------
    name
        Stage name (snake_case: it names columns such as ``<name>_wait_min``).
        ``registration`` and ``swab`` are the built-in stages (see the module docstring).
    role
        The roster that staffs it: ``registration``, ``swab``, a key of ``staffing.roles``,
        or null for places without staff (open while the point serves). Built-in stages:
        their own role (leave unset).
    servers
        Desks, booths or places (chairs) of the stage. Built-in stages: from the point.
    service_s
        Service time (seconds): at the desk, or how long a resident stays in a place (an
        observation chair). Built-in stages: from the point.
    barcode_service_s
        Service time of residents holding a pre-issued barcode (null: as ``service_s``).
    dedicated_servers
        With ``green_channel.mode: dedicated``: servers reserved for the green channel (0:
        none reserved, the green lane goes first at shared servers). Built-in stages: from
        ``green_channel``.
    space_after_m
        Metres of room between this stage and the next (null: unlimited). Not on the last
        stage.
    blocking
        Whether a full space after the stage blocks it (residents who finished stay at the
        desk until a place frees). Needs ``space_after_m``.
    """

    name: str
    role: str | None = None
    servers: int | None = None
    service_s: DistributionConfig | None = None
    barcode_service_s: DistributionConfig | None = None
    dedicated_servers: int | None = None
    space_after_m: float | None = None
    blocking: bool = False

    @property
    def built_in(self) -> bool:
        """Whether this is the built-in ``registration`` or ``swab`` stage."""
        return self.name in BUILT_IN

    def validate(self, roles: tuple[str, ...]) -> None:
        """Check the stage's own fields; ``roles`` are the rosters the point has."""
        require(
            isinstance(self.name, str)
            and self.name.isidentifier()
            and self.name.islower()
            and self.name not in RESERVED_NAMES,
            "name",
            self.name,
            "a snake_case stage name (lower-case letters, digits, _), e.g. health_code_check, "
            "other than " + ", ".join(RESERVED_NAMES) + " (the registration stage's columns)",
        )
        if self.built_in:
            where = "registration_desks/registration_time_s/barcode_registration_time_s"
            if self.name == SWAB:
                where = "swab_booths/swab_time_s"
            for field_name in ("role", "servers", "service_s", "barcode_service_s"):
                value = getattr(self, field_name)
                require(
                    value is None,
                    field_name,
                    value if not isinstance(value, DistributionConfig) else value.kind,
                    f"unset: the built-in stage '{self.name}' takes it from the point "
                    f"({where}, staffing.{self.name})",
                )
            require(
                self.dedicated_servers is None,
                "dedicated_servers",
                self.dedicated_servers,
                f"unset: the built-in stage '{self.name}' takes it from green_channel."
                + ("dedicated_desks" if self.name == REGISTRATION else "dedicated_booths"),
            )
        else:
            require(
                self.role is None or self.role in roles,
                "role",
                self.role,
                "a staffing role: " + ", ".join(roles) + ", or null for places without staff"
                " (add a roster under staffing.roles.<role>)"
                + did_you_mean(self.role, list(roles)),
            )
            require(
                isinstance(self.servers, int)
                and not isinstance(self.servers, bool)
                and self.servers >= 1,
                "servers",
                self.servers,
                "an integer >= 1 (desks, booths or places of the stage)",
            )
            require(
                self.service_s is not None,
                "service_s",
                self.service_s,
                "a service-time distribution in seconds, e.g. {kind: lognormal, mean: 30, cv: 0.5}",
            )
            for field_name in ("service_s", "barcode_service_s"):
                value = getattr(self, field_name)
                if value is not None:
                    with within(field_name):
                        value.validate()
            if self.dedicated_servers is not None:
                require(
                    isinstance(self.dedicated_servers, int) and self.dedicated_servers >= 0,
                    "dedicated_servers",
                    self.dedicated_servers,
                    "an integer >= 0",
                )
        if self.space_after_m is not None:
            require(
                math.isfinite(self.space_after_m) and self.space_after_m >= 0,
                "space_after_m",
                self.space_after_m,
                "metres >= 0, or null for unlimited room",
            )
        require(
            not self.blocking or self.space_after_m is not None,
            "blocking",
            self.blocking,
            "false, or a space_after_m to fill (unlimited room never blocks)",
        )


def default_stages(registration: bool) -> tuple[StageConfig, ...]:
    """A testing point's stages without a stage list: registration (if any), then swab."""
    swab = StageConfig(SWAB)
    return (StageConfig(REGISTRATION), swab) if registration else (swab,)
