"""Sizes a config may ask for, so that a typo cannot ask for a terabyte.

Each bound is far above any real district (the source's was 313,000 residents, 40 points,
3 rounds in 12 days) and below what this machine class (24 GiB) can hold; a larger area is run
as several districts (a city). A value past a bound is a :class:`~sim.config.errors.ConfigError`
naming the bound; a value that is allowed but unusual is a warning in the run's log and
summary (:func:`sim.config.cautions.config_warnings`).
"""

from __future__ import annotations

#: Residents of one district's round (about 0.9 KB each while simulated).
MAX_RESIDENTS = 10_000_000
#: Returns per resident in a round.
MAX_RETRIES = 100
#: Replications of one run.
MAX_REPLICATIONS = 10_000
#: Last day of a campaign (days from 1).
MAX_CAMPAIGN_DAYS = 366
#: People an entrance line may hold (queue_space_m / spacing_m).
MAX_LINE_PEOPLE = 1_000_000
#: Employees the mobile teams' enterprises may have in all (expected, when generated).
MAX_EMPLOYEES = 5_000_000
#: Swabs in one pooled tube (PCR dilution makes large pools pointless).
MAX_POOL_SIZE = 64
#: Pool sizes above this are allowed but unusual (published practice: 5, 10, 20-in-1).
USUAL_POOL_SIZE = 20
#: Coefficient of variation of a duration: above the bound is surely a typo...
MAX_CV = 10.0
#: ... and above this, allowed but unusual for a service or travel time.
USUAL_CV = 3.0
#: A point's opening hours on one day, at most (minutes).
MAX_OPEN_MIN = 1440.0
