"""Build ``notebooks/02_district.ipynb`` (the district round) from the cell sources below.

Regenerate with ``python notebooks/_build_district.py``; ``tests/functional/test_notebooks.py``
checks the saved notebook matches and runs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

sys.path.insert(0, str(Path(__file__).parent))
from _build_quickstart import build_notebook

NOTEBOOK = Path(__file__).with_name("02_district.ipynb")

CELLS: list[tuple[str, str, list[str], str]] = [
    (
        "md",
        "intro",
        [],
        """
        # The district round: 313,000 residents, 40 points, two days

        The default scenario of `sim` is a whole testing round of the district in the source
        (8 sub-districts, 40 collection points). This notebook runs it, reads the headline
        figures and the tables per point, hour and shift, shows the planner's figures,
        compares layouts fairly (the same seed gives every layout the same residents and the
        same service times: common random numbers, so a difference is the layout's doing),
        and follows the swabs to their results at the labs.

        It takes a minute or two and writes nothing to disk.
        """,
    ),
    (
        "code",
        "setup",
        [],
        """
        %matplotlib inline
        import pandas as pd

        import sim

        cfg = sim.load_config()
        print(f"{len(cfg.points)} points, {len(cfg.subdistricts)} sub-districts, "
              f"{cfg.residents_per_round:,} residents, {cfg.campaign.round_days} days")
        """,
    ),
    (
        "code",
        "run",
        ["run"],
        """
        result = sim.run(cfg, seed=1)
        s = result.summary()
        keys = ["residents", "tested", "coverage", "wait_mean_min", "wait_p95_min",
                "wait_mean_min_green", "longest_queue", "longest_queue_site", "tested_day1",
                "tested_day2", "best_subdistrict_day", "best_subdistrict_day_tests",
                "staff_registration", "staff_swab", "staff_marshal", "mobile_coverage"]
        pd.Series({k: s[k] for k in keys}, name="round 1")
        """,
    ),
    (
        "md",
        "tables-md",
        [],
        """
        ## Where and when the lines are long

        `result.tables()` gives one row per point, per hour of arrival and per staff shift.
        """,
    ),
    (
        "code",
        "points",
        ["points"],
        """
        tables = result.tables()
        cols = ["site", "tested", "wait_mean_min", "wait_p95_min", "longest_queue",
                "longest_queue_m", "utilisation_registration", "utilisation_swab"]
        tables["points"].sort_values("wait_mean_min", ascending=False)[cols].head(8).round(2)
        """,
    ),
    (
        "code",
        "staff",
        ["staff"],
        """
        tables["staff"].round(2)
        """,
    ),
    (
        "code",
        "heatmap",
        ["fig-heatmap"],
        """
        sim.plots.queue_heatmap_figure(result)
        """,
    ),
    (
        "code",
        "coverage",
        ["fig-coverage"],
        """
        sim.plots.coverage_figure(result)
        """,
    ),
    (
        "md",
        "compare-md",
        [],
        """
        ## Comparing layouts

        Three replications of each layout with the same seed; `sim.paired_difference` gives the
        mean difference per replication with a 95% t interval. Mobile teams are switched off to
        save time (they do not affect the collection points).
        """,
    ),
    (
        "code",
        "compare",
        ["compare"],
        """
        base = ["mobile.teams=0"]
        runs = {name: sim.run_replications(sim.load_config([*base, *extra]), 3, seed=1)
                for name, extra in {"default": [], "no_barcodes": ["layout=no_barcodes"],
                                    "queue_board": ["layout=queue_board"]}.items()}
        rows = []
        for name in ("no_barcodes", "queue_board"):
            for metric in ("wait_mean_min", "wait_p95_min", "coverage"):
                d = sim.paired_difference(runs["default"], runs[name], metric)
                rows.append({"layout": name, "metric": metric, "difference": d.mean,
                             "ci95_low": d.low, "ci95_high": d.high})
        pd.DataFrame(rows).round(3)
        """,
    ),
    (
        "md",
        "chain-md",
        [],
        """
        ## From swab to result

        Swabs are pooled 10-in-1 into tubes at the booths; couriers take the boxes to three labs
        (two fixed labs, and a mobile lab that opens on day 2 at 08:00), which extract in
        batches and run PCR plates; a positive pool's members are swabbed again one by one.
        The summary gives the headline figures of the chain over the campaign (turnaround in
        hours from swab to final result), `tables["labs"]` one row per lab.
        """,
    ),
    (
        "code",
        "chain",
        ["chain"],
        """
        from sim.config.clock import day_clock

        keys = ["swabs", "tubes", "pool_size", "tests_per_swab", "dorfman_tests_per_swab",
                "positive_pools", "recalled", "turnaround_p50_h", "turnaround_p95_h",
                "turnaround_max_h", "target_h", "within_target", "backlog_swabs",
                "courier_trips", "courier_wait_mean_min"]
        print("last result out:", day_clock(s["last_result_min"]))
        pd.Series({k: s[k] for k in keys}, name="round 1").round(4)
        """,
    ),
    (
        "code",
        "labs",
        ["labs"],
        """
        cols = ["lab", "tubes_received", "swabs_resulted", "retest_tubes", "lab_hours_mean",
                "utilisation_extraction", "utilisation_pcr", "last_result_min"]
        labs = tables["labs"][cols].copy()
        labs["last_result"] = labs.pop("last_result_min").map(day_clock)
        labs.round(2)
        """,
    ),
    (
        "code",
        "backlog",
        ["fig-backlog"],
        """
        sim.plots.backlog_figure(result)
        """,
    ),
    (
        "code",
        "turnaround",
        ["fig-turnaround"],
        """
        sim.plots.turnaround_figure(result)
        """,
    ),
    (
        "md",
        "mobile-lab-md",
        [],
        """
        What does the mobile lab buy? The layout `no_mobile_lab` leaves it out; with the same
        seed and replications as the default runs above, the paired differences (without minus
        with) isolate its effect on turnaround.
        """,
    ),
    (
        "code",
        "mobile-lab",
        ["compare-labs"],
        """
        runs["no_mobile_lab"] = sim.run_replications(
            sim.load_config([*base, "layout=no_mobile_lab"]), 3, seed=1)
        metrics = {"turnaround_p50_h": "turnaround p50 (h)",
                   "turnaround_p95_h": "turnaround p95 (h)",
                   "within_target": "share within the 24 h target",
                   "last_result_min": "last result out (h after day 1 00:00)"}
        rows = []
        for metric, label in metrics.items():
            per = 60.0 if metric.endswith("_min") else 1.0
            d = sim.paired_difference(runs["default"], runs["no_mobile_lab"], metric)
            with_lab = sim.metric_interval(runs["default"], metric).mean
            rows.append({"metric": label, "with mobile lab": with_lab / per,
                         "without - with": d.mean / per, "ci95_low": d.low / per,
                         "ci95_high": d.high / per})
        pd.DataFrame(rows).set_index("metric").round(3)
        """,
    ),
]


def build() -> NotebookNode:
    """The district notebook, without outputs."""
    return build_notebook(CELLS)


def main() -> int:
    nbformat.write(build(), NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
