"""Capacity targets a layout must meet, and how many replications decide them.

A target is ``{metric, op, value}`` over a summary metric (``coverage >= 0.99``,
``wait_p95_min <= 30``), or a per-point form (``worst_point_wait_p95_min <= 45``: the worst
point's p95 wait). A time metric (``last_result_min``: minutes after midnight of day 1) may give
a clock time instead of a value: ``{metric: last_result_min, op: "<=", at: "72:00"}``. Each
target gets a verdict from the replications' confidence interval (:mod:`sim.metrics.targets`).

With ``replications: auto`` a run adds replications, ``precision.batch`` at a time, until every
target is decided or ``precision.max_replications`` is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sim.config.clock import clock_to_min
from sim.config.errors import did_you_mean, finite, require, whole

#: The metrics a target may name: what each measures, and whether it needs the lab chain.
#: ``worst_point_*`` are the worst value over the points (and rounds).
TARGET_METRICS: dict[str, str] = {
    "coverage": "share of residents tested by the end of the round",
    "tested": "residents tested",
    "not_served_by_close": "residents still in line when the point closed for good",
    "balked": "residents who left a full line",
    "reneged": "residents who gave up waiting",
    "outside_hours": "residents who came when the line was closed",
    "wait_mean_min": "mean wait of tested residents, minutes",
    "wait_p50_min": "median wait, minutes",
    "wait_p90_min": "90th-percentile wait, minutes",
    "wait_p95_min": "95th-percentile wait, minutes",
    "wait_max_min": "longest wait, minutes",
    "wait_mean_min_green": "mean wait in the green channel, minutes",
    "wait_p95_min_green": "95th-percentile wait in the green channel, minutes",
    "wait_mean_min_general": "mean wait outside the green channel, minutes",
    "wait_p95_min_general": "95th-percentile wait outside the green channel, minutes",
    "share_waited": "share of tested residents who waited at all",
    "longest_queue": "longest entrance line anywhere, people",
    "longest_queue_m": "longest entrance line anywhere, metres",
    "queue_mean": "time-average entrance line while open, people (a point's, on average)",
    "queue_mean_m": "time-average entrance line while open, metres",
    "utilisation_registration": "busy share of staffed registration desks",
    "utilisation_swab": "busy share of staffed swab booths",
    "last_tested_min": "when the last resident was tested (a time)",
    "mobile_coverage": "share of enterprise employees sampled by the mobile teams",
    "worst_point_wait_p95_min": "the worst point's 95th-percentile wait, minutes",
    "worst_point_wait_mean_min": "the worst point's mean wait, minutes",
    "worst_point_longest_queue_m": "the longest line at any point, metres",
    "worst_point_coverage": "the lowest share tested at any point",
    "within_target": "share of swabs with a result within samples.turnaround_target_h",
    "turnaround_p50_h": "median hours from swab to result",
    "turnaround_p95_h": "95th-percentile hours from swab to result",
    "turnaround_max_h": "longest hours from swab to result",
    "backlog_swabs": "swabs without a result at the horizon",
    "last_result_min": "when the last result was out (a time)",
}

#: Metrics that exist only when the sample chain is simulated (some lab in use).
CHAIN_METRICS = frozenset(
    {"within_target", "turnaround_p50_h", "turnaround_p95_h", "turnaround_max_h"}
    | {"backlog_swabs", "last_result_min"}
)
#: Metrics that are times (minutes after midnight of day 1): a target may give ``at``.
TIME_METRICS = frozenset({"last_tested_min", "last_result_min"})

Op = Literal["<=", ">="]


@dataclass(frozen=True)
class TargetConfig:
    """One capacity target.

    Attributes
    ----------
    metric
        A name from :data:`TARGET_METRICS`.
    op
        ``<=`` (at most) or ``>=`` (at least).
    value
        The bound, in the metric's unit.
    at
        For a time metric, the bound as a clock time (``"72:00"`` is the end of day 3) instead
        of ``value``.
    """

    metric: str
    op: Op
    value: float | None = None
    at: str | None = None  # a clock time, checked by validate (so a bad one is one error)

    @property
    def bound(self) -> float:
        """The bound in the metric's unit (minutes after midnight of day 1 for ``at``)."""
        if self.at is not None:
            return clock_to_min(self.at, "at")
        assert self.value is not None
        return self.value

    @property
    def label(self) -> str:
        """``coverage >= 0.99``, ``last_result_min <= 72:00``."""
        shown = self.at if self.at is not None else f"{self.value:g}"
        return f"{self.metric} {self.op} {shown}"

    def validate(self) -> None:
        if self.at is not None:
            clock_to_min(self.at, "at")  # raises: the clock time cannot be read
        known = list(TARGET_METRICS)
        require(
            self.metric in TARGET_METRICS,
            "metric",
            self.metric,
            f"a target metric{did_you_mean(self.metric, known)}: {', '.join(known)}",
        )
        require(
            (self.value is None) != (self.at is None),
            "value",
            self.value,
            "a number, or null when the target gives a clock time in 'at' (one of the two)",
        )
        if self.value is not None:
            require(finite(self.value), "value", self.value, "a finite number")
        if self.at is not None:
            require(
                self.metric in TIME_METRICS,
                "at",
                self.at,
                f"null: 'at' is for time metrics ({', '.join(sorted(TIME_METRICS))}); give 'value'",
            )


@dataclass(frozen=True)
class ComparisonConfig:
    """How a multirun compares its jobs (``comparison.csv`` and ``.png`` at its root).

    Attributes
    ----------
    baseline
        The job the others are compared with (paired differences): its number (``"0"``), its
        overrides (``layout=no_barcodes``) or its folder name; null: the first job.
    metrics
        Summary metrics to compare (names as in :data:`TARGET_METRICS`); empty: the headline
        metrics the runs have.
    """

    baseline: int | str | None = None
    metrics: tuple[str, ...] = ()

    def validate(self) -> None:
        known = list(TARGET_METRICS)
        for i, m in enumerate(self.metrics):
            require(
                m in TARGET_METRICS and not m.startswith("worst_point_"),
                f"metrics[{i}]",
                m,
                f"a summary metric{did_you_mean(m, known)}: "
                + ", ".join(k for k in known if not k.startswith("worst_point_")),
            )


@dataclass(frozen=True)
class PrecisionConfig:
    """How ``replications: auto`` decides how many replications to run.

    Attributes
    ----------
    min_replications
        Replications run before the first look at the targets (at least 2: an interval needs
        two).
    max_replications
        The cap: the run stops here even with targets undecided (and says so).
    batch
        Replications added at each step (run in parallel where cores allow; a fixed batch
        keeps the result the same on every machine).
    level
        Confidence level of the intervals behind the verdicts.
    """

    min_replications: int = 5
    max_replications: int = 40
    batch: int = 2
    level: float = 0.95

    def validate(self) -> None:
        require(
            whole(self.min_replications) and self.min_replications >= 2,
            "min_replications",
            self.min_replications,
            "an integer >= 2 (an interval needs two replications)",
        )
        require(
            whole(self.max_replications) and self.max_replications >= self.min_replications,
            "max_replications",
            self.max_replications,
            f"an integer >= min_replications ({self.min_replications})",
        )
        require(whole(self.batch) and self.batch >= 1, "batch", self.batch, "an integer >= 1")
        require(
            finite(self.level) and 0.5 <= self.level < 1.0,
            "level",
            self.level,
            "a confidence level from 0.5 to below 1 (e.g. 0.95)",
        )
