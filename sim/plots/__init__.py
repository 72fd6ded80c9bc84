"""Figures and the run report. Figures take results and return a matplotlib Figure."""

from sim.plots.figures import queue_length_figure, utilisation_figure, wait_distribution_figure

__all__ = ["queue_length_figure", "utilisation_figure", "wait_distribution_figure"]
