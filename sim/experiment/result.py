"""The result of one replication: records, the per-resident table, and the summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.schema import ScenarioConfig
from sim.metrics import queues
from sim.metrics.lines import entrance_line, swab_line
from sim.metrics.summary import summarise
from sim.model import records as rec

if TYPE_CHECKING:
    import pandas as pd

#: Columns of :attr:`RunResult.residents`, with their meaning (times in minutes after midnight
#: of day 1, waits in minutes; NaN where not reached).
RESIDENT_COLUMNS: dict[str, str] = {
    "resident": "resident number at this site, in order of arrival",
    "site": "collection point name",
    "green_eligible": "eligible for the green channel (over 70, disabled, pregnant, under 8)",
    "barcode": "holds a pre-issued barcode (registration is a scan)",
    "lane": "lane used: 'green' or 'general'",
    "arrival_min": "arrival at the point",
    "reg_start_min": "registration starts",
    "reg_end_min": "registration ends",
    "swab_start_min": "swab starts",
    "swab_end_min": "swab ends (tested)",
    "reg_wait_min": "minutes in the registration line",
    "swab_wait_min": "minutes in the swab line",
    "wait_min": "total minutes queueing (tested residents only)",
    "outcome": "tested, balked, reneged, outside_hours or not_served_by_close",
    "left_at": "stage where a resident not tested left ('' if tested)",
    "exit_min": "when a resident not tested left",
    "reg_station": "registration station that served the resident ('' if none)",
    "swab_station": "swab station that served the resident ('' if none)",
}


@dataclass
class RunResult:
    """One replication of a scenario.

    Attributes
    ----------
    config
        The scenario that was run.
    seed, replication
        Identify the random streams used.
    site
        Records of the collection point.
    """

    config: ScenarioConfig
    seed: int
    replication: int
    site: rec.SiteRun
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"RunResult(scenario={self.config.name!r}, seed={self.seed}, "
            f"replication={self.replication}, arrived={s['arrived']}, tested={s['tested']}, "
            f"wait_mean_min={s['wait_mean_min']:.1f})"
        )

    def summary(self) -> dict[str, Any]:
        """Flat dict of headline metrics (see :func:`sim.metrics.summary.summarise`)."""
        if self._summary is None:
            self._summary = {
                "scenario": self.config.name,
                "seed": self.seed,
                "replication": self.replication,
                **summarise(self.site),
            }
        return dict(self._summary)

    @cached_property
    def residents(self) -> pd.DataFrame:
        """One row per resident; columns documented in :data:`RESIDENT_COLUMNS`."""
        import pandas as pd

        r = self.site.residents
        cat = _categorical

        def station(stage: str, pool: np.ndarray) -> pd.Categorical[str]:
            labels = {st.pool: st.name for st in self.site.stations if st.stage == stage}
            names = ["", *(labels.get(k, "") for k in range(max(labels, default=-1) + 1))]
            return cat(pool.astype(np.int64) + 1, names)

        frame = pd.DataFrame(
            {
                "resident": np.arange(r.n),
                "site": cat(np.zeros(r.n), [self.site.name]),
                "green_eligible": r.green,
                "barcode": r.barcode,
                "lane": cat(r.lane, rec.LANES),
                "arrival_min": r.arrival,
                "reg_start_min": r.reg_start,
                "reg_end_min": r.reg_end,
                "swab_start_min": r.swab_start,
                "swab_end_min": r.swab_end,
                "reg_wait_min": r.reg_wait,
                "swab_wait_min": r.swab_wait,
                "wait_min": r.wait,
                "outcome": cat(r.outcome, rec.OUTCOMES),
                "left_at": pd.Categorical(r.left_at.astype(str)),
                "exit_min": r.exit,
                "reg_station": station(rec.REGISTRATION, r.reg_pool),
                "swab_station": station(rec.SWAB, r.swab_pool),
            }
        )
        return frame

    def queue_length(
        self, times: np.ndarray, line: str = "entrance", lane: str | None = None
    ) -> np.ndarray:
        """Number of residents in a line at each of ``times`` (minutes).

        Parameters
        ----------
        line
            ``entrance`` (the line at the first desk or booth) or ``swab`` (behind registration).
        lane
            ``green`` or ``general`` to count one lane of the entrance line; None for all.
        """
        if line == "entrance":
            lane_code = None if lane is None else rec.LANES.index(lane)
            entry, exit_ = entrance_line(self.site, lane_code)
        elif line == "swab":
            entry, exit_ = swab_line(self.site)
        else:
            raise ValueError(f"line must be 'entrance' or 'swab', got {line!r}")
        return queues.length_at(entry, exit_, np.asarray(times, dtype=float))


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[str]:
    """A pandas categorical column from integer codes (compact and fast for 300k rows)."""
    import pandas as pd

    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(categories))
    )
