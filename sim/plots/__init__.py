"""Figures and the run report. Figures take results and return a matplotlib Figure."""

from sim.plots.district_figures import (
    coverage_figure,
    district_figure_set,
    queue_heatmap_figure,
    staff_utilisation_figure,
    waits_by_lane_figure,
)
from sim.plots.figures import queue_length_figure, utilisation_figure, wait_distribution_figure
from sim.plots.lab_figures import (
    backlog_figure,
    lab_figure_set,
    lab_utilisation_figure,
    turnaround_figure,
)

__all__ = [
    "backlog_figure",
    "coverage_figure",
    "district_figure_set",
    "lab_figure_set",
    "lab_utilisation_figure",
    "queue_heatmap_figure",
    "queue_length_figure",
    "staff_utilisation_figure",
    "turnaround_figure",
    "utilisation_figure",
    "wait_distribution_figure",
    "waits_by_lane_figure",
]
