"""Residents of one site: when they arrive and who they are (green channel, barcode).

Every attribute comes from its own named stream, drawn as one block. Eligibility and barcode
ownership compare a per-resident uniform number with the share, so raising a share in another
scenario adds residents to the group without reshuffling the others (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config.schema import DemandConfig, SiteConfig
from sim.engine.arrivals import poisson_arrivals, profile_arrivals
from sim.engine.streams import RandomStreams


@dataclass(frozen=True)
class Residents:
    """Arrival times (minutes, sorted) and attributes of the residents coming to a site."""

    arrival: np.ndarray
    green: np.ndarray
    barcode: np.ndarray

    @property
    def n(self) -> int:
        """Number of residents."""
        return len(self.arrival)


def draw_residents(
    demand: DemandConfig, site: SiteConfig, streams: RandomStreams, prefix: str = ""
) -> Residents:
    """Draw the residents who come to ``site`` in one replication.

    With ``arrivals: constant`` the Poisson process runs over the hours the site's line is open
    (from ``queue_opens_before_min`` before opening until closing).
    """
    rng = streams(prefix + "arrivals")
    if demand.arrivals == "constant":
        assert demand.rate_per_hour is not None
        start = site.open_min - site.queue_opens_before_min
        times = poisson_arrivals(rng, demand.rate_per_hour / 60.0, start, site.close_min)
    else:
        assert demand.hourly_profile is not None and demand.residents is not None
        w0, w1 = demand.window
        times = profile_arrivals(
            rng, demand.hourly_profile, w0, w1, demand.residents, demand.fixed_count
        )
    n = len(times)
    green = streams(prefix + "green").random(n) < demand.green_share
    barcode = streams(prefix + "barcode").random(n) < demand.barcode_share
    return Residents(times, green, barcode)
