"""Build ``notebooks/01_quickstart.ipynb`` from the cell sources below.

The notebook is generated (not edited by hand) so that it stays reviewable in diffs and is
saved without outputs. After changing a cell here, regenerate it with::

    python notebooks/_build_quickstart.py

``tests/functional/test_notebooks.py`` checks that the saved notebook matches this script and
that it runs from top to bottom.
"""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = Path(__file__).with_name("01_quickstart.ipynb")

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

# (kind, id, tags, source). Ids are fixed so that regenerating gives the same file.
CELLS: list[tuple[str, str, list[str], str]] = [
    (
        "md",
        "intro",
        [],
        """
        # Quickstart: simulating one mass-testing collection point

        This notebook walks through the `sim` package (masstest-sim) the way a planner would use
        it: load a scenario, simulate a testing day, read the headline figures and the
        per-resident table, draw the standard charts and your own, compare two layouts fairly,
        and check the simulator against queueing theory.

        Everything runs in well under a minute and nothing is written to disk.

        A few words used throughout:

        * **resident**: a person coming to the collection point to be tested;
        * **registration desk**: where details are taken (a scan if the resident holds a
          pre-issued **barcode**), then the **swab booth** where the sample is taken;
        * **green channel**: priority for over-70s, disabled people, pregnant women and
          children under 8;
        * **replication**: one simulated day; the same seed and replication number always give
          the same day.
        """,
    ),
    (
        "md",
        "setup-md",
        [],
        """
        ## 1. Set up

        `%matplotlib inline` shows figures right below the cell that draws them.
        """,
    ),
    (
        "code",
        "setup",
        [],
        """
        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np
        import pandas as pd

        import sim
        import sim.plots
        from sim.experiment.result import RESIDENT_COLUMNS
        from sim.metrics import theory
        from sim.metrics.intervals import t_interval

        pd.set_option("display.precision", 2)
        pd.set_option("display.max_columns", 30)
        pd.set_option("display.max_colwidth", 100)
        print("masstest-sim", sim.__version__)
        """,
    ),
    (
        "md",
        "config-md",
        [],
        """
        ## 2. Load a scenario

        `sim.load_config(overrides=["scenario=busy_point"])` reads the shipped `busy_point`
        scenario (`configs/scenario/busy_point.yaml`): one busy collection point expecting about
        7,500 residents, open 07:00-21:00, with registration desks, swab booths, staff shifts
        with breaks and a priority green channel. It is the same configuration the command line
        uses (`python -m sim scenario=busy_point`), and it is checked on loading.

        Without `scenario=...`, `sim.load_config()` reads the shipped default
        (`configs/config.yaml`): the whole district, with its 40 collection points over a
        two-day round. This notebook stays with one point.
        """,
    ),
    (
        "code",
        "config",
        ["config"],
        """
        cfg = sim.load_config(overrides=["scenario=busy_point"])
        pd.Series(
            {
                "scenario": cfg.name,
                "residents expected": cfg.demand.residents,
                "opening hours": f"{cfg.site.open}-{cfg.site.close}",
                "registration desks": cfg.site.registration_desks,
                "swab booths": cfg.site.swab_booths,
                "green-channel share": cfg.demand.green_share,
                "barcode share": cfg.demand.barcode_share,
                "mean registration time (s)": cfg.site.registration_time_s.mean,
                "mean swab time (s)": cfg.site.swab_time_s.mean,
                "line space (m)": cfg.site.queue_space_m,
            },
            name="busy_point",
        ).to_frame()
        """,
    ),
    (
        "md",
        "override-md",
        [],
        """
        ### Changing a value: overrides

        Any value can be changed with an override string `section.field=value`, exactly as on the
        command line (`python -m sim scenario=busy_point site.swab_booths=10`). Overrides apply
        on top of the scenario picked with `scenario=<name>` (a file in `configs/scenario/`).
        """,
    ),
    (
        "code",
        "override",
        ["override"],
        """
        cfg_10 = sim.load_config(overrides=["scenario=busy_point", "site.swab_booths=10"])
        print("swab booths:", cfg.site.swab_booths, "->", cfg_10.site.swab_booths)
        """,
    ),
    (
        "md",
        "booths-vs-staff-md",
        [],
        """
        **Booths and staff.** `site.swab_booths` is the number of *physical* booths; the roster
        `site.staffing.swab` says how many swabbers are on duty, and when: a `pattern`
        (`opening_hours`, `2x12`, `3x8`) or, with `pattern: custom`, a list of `shifts` with
        breaks. The scenario's shifts say `staff: null`, one swabber per booth, so 10 booths means
        10 swabbers per shift. A shift with `staff: 6` staffs 6 booths; a shift with more
        swabbers than booths opens every booth and the spare swabbers cover PPE rests.
        `site.staffing.registration` does the same for the registration desks.

        An impossible roster, such as a shift that ends before it starts, is refused with a
        `sim.ConfigError` that names the field and what is allowed:
        """,
    ),
    (
        "code",
        "booths-vs-staff",
        ["config-error"],
        """
        same_day = {
            "8 booths": sim.run(cfg, seed=1).summary()["wait_mean_min"],
            "10 booths": sim.run(cfg_10, seed=1).summary()["wait_mean_min"],
        }
        print("mean wait (min):", {k: round(v, 2) for k, v in same_day.items()})

        try:
            sim.load_config(
                overrides=[
                    "scenario=busy_point",
                    'site.staffing.swab.shifts=[{start: "14:00", end: "07:00", staff: 6}]',
                ]
            )
        except sim.ConfigError as err:
            print("ConfigError:", err)
        """,
    ),
    (
        "md",
        "run-md",
        [],
        """
        ## 3. Simulate one day

        `sim.run(cfg, seed=1)` simulates one day (replication 0 of seed 1) and returns a
        `RunResult`, in well under a second. Running it again with the same seed gives exactly
        the same day.
        """,
    ),
    (
        "code",
        "run",
        [],
        """
        result = sim.run(cfg, seed=1)
        print(f"{result.config.name}: seed {result.seed}, replication {result.replication}")
        """,
    ),
    (
        "md",
        "summary-md",
        [],
        """
        ## 4. Headline figures

        `result.summary()` is a flat dictionary of headline metrics; as a pandas Series it prints
        as a small table. Times are in minutes, and waits count only residents who were tested:

        * `arrived`, `tested`, `coverage` (tested / arrived), and the residents who were not
          tested: `balked` (line full), `reneged` (gave up waiting), `outside_hours` (came
          after closing), `not_served_by_close`;
        * `wait_mean_min`, `wait_p95_min` (95% of tested residents queued at most this long),
          the same for the green-channel and general groups;
        * `longest_queue`: most people in the entrance line at once;
        * `utilisation_*`: share of staffed time that desks and booths were busy;
        * `last_tested_clock`: when the last resident was swabbed;
        * `staff_registration`, `staff_swab`, `staff_marshal`: people on the rosters
          (person-shifts over the round).

        The full list of keys is in the docstrings of `sim.metrics.summary.summarise` (one point)
        and `sim.metrics.district.summarise_round` (the district figures).
        """,
    ),
    (
        "code",
        "summary",
        ["summary"],
        """
        summary = pd.Series(result.summary(), name="seed 1")
        headline = [
            "arrived", "tested", "coverage", "reneged", "outside_hours",
            "wait_mean_min", "wait_p95_min", "wait_mean_min_green", "wait_mean_min_general",
            "longest_queue", "utilisation_registration_desks", "utilisation_swab_booths",
            "last_tested_clock", "staff_registration", "staff_swab", "staff_marshal",
        ]
        summary[headline].to_frame()
        """,
    ),
    (
        "md",
        "residents-md",
        [],
        """
        ## 5. One row per resident

        `result.residents` is a pandas DataFrame with one row per resident. Clock times are in
        minutes after midnight (`arrival_min = 450` is 07:30); a stage a resident never reached
        is NaN. The meaning of every column is in `sim.experiment.result.RESIDENT_COLUMNS`.
        """,
    ),
    (
        "code",
        "residents",
        ["residents"],
        """
        residents = result.residents
        residents.head()
        """,
    ),
    (
        "md",
        "residents-tested-md",
        [],
        """
        The first residents arrive at 06:00, before the line opens at 06:30, and are sent away
        (`outside_hours`). A few residents who were tested:
        """,
    ),
    (
        "code",
        "residents-tested",
        [],
        """
        residents[residents["outcome"] == "tested"].head(3)
        """,
    ),
    (
        "code",
        "columns",
        [],
        """
        pd.Series(RESIDENT_COLUMNS, name="meaning").rename_axis("column").to_frame()
        """,
    ),
    (
        "code",
        "outcomes",
        [],
        """
        residents["outcome"].value_counts()
        """,
    ),
    (
        "md",
        "figures-md",
        [],
        """
        ## 6. The standard figures

        `sim.plots` has three figures. Each takes a result and returns a matplotlib `Figure`,
        shown here because it is the last line of the cell. To put one in a report, save it:
        `fig.savefig("queue.png", dpi=150)`.

        **Queue length over the day**, per lane, with the line space (the dashed line) and
        opening hours:
        """,
    ),
    (
        "code",
        "fig-queue",
        ["figure"],
        """
        sim.plots.queue_length_figure(result)
        """,
    ),
    (
        "md",
        "fig-waits-md",
        [],
        """
        **How long residents queued**, green channel against everyone else:
        """,
    ),
    (
        "code",
        "fig-waits",
        ["figure"],
        """
        sim.plots.wait_distribution_figure(result)
        """,
    ),
    (
        "md",
        "fig-util-md",
        [],
        """
        **How busy desks and booths were** (share of staffed time, per half hour):
        """,
    ),
    (
        "code",
        "fig-util",
        ["figure"],
        """
        sim.plots.utilisation_figure(result)
        """,
    ),
    (
        "md",
        "custom-md",
        [],
        """
        ## 7. Your own analysis

        The per-resident table answers questions the standard figures do not. Here: *if I
        arrive at a given hour, how long do I wait?*, for the green-channel group and everyone
        else.
        """,
    ),
    (
        "code",
        "custom-plot",
        ["custom-plot"],
        """
        tested = residents[residents["outcome"] == "tested"]
        by_hour = (
            tested.assign(
                hour=(tested["arrival_min"] // 60).astype(int),
                group=np.where(tested["green_eligible"], "green", "general"),
            )
            .pivot_table(index="hour", columns="group", values="wait_min", aggfunc="mean")
        )

        fig, ax = plt.subplots(figsize=(10, 4))
        for group, colour in (("general", "#1f77b4"), ("green", "#2ca02c")):
            ax.plot(by_hour.index, by_hour[group], marker="o", color=colour, label=group)
        ax.set_xticks(by_hour.index)
        ax.set_xticklabels([f"{h:02d}:00" for h in by_hour.index], rotation=45)
        ax.set_xlabel("arrival hour")
        ax.set_ylabel("mean minutes queueing")
        ax.set_title("Mean wait by arrival hour (tested residents)")
        ax.grid(alpha=0.3)
        ax.legend()
        plt.show()
        """,
    ),
    (
        "md",
        "queue-md",
        [],
        """
        `result.queue_length(times, line, lane)` counts the people in a line at given times
        (minutes after midnight): `line="entrance"` is the line at the first desk, optionally per
        `lane` (`"green"` or `"general"`); `line="swab"` is the line between registration and the
        swab booths.
        """,
    ),
    (
        "code",
        "queue",
        ["queue"],
        """
        hours = np.arange(7, 22)
        times = hours * 60.0
        pd.DataFrame(
            {
                "entrance, general": result.queue_length(times, "entrance", "general"),
                "entrance, green": result.queue_length(times, "entrance", "green"),
                "swab line": result.queue_length(times, "swab"),
            },
            index=pd.Index([f"{h:02d}:00" for h in hours], name="time"),
        ).T
        """,
    ),
    (
        "md",
        "compare-md",
        [],
        """
        ## 8. Comparing two layouts fairly

        One simulated day is one draw of luck: a busy morning can hide or exaggerate the effect
        of a change. To compare two layouts:

        1. Simulate **several days (replications)** of each: `sim.run_replications(cfg, 5)` runs
           replications 0-4 with the config's seed.
        2. Use the **same seed** for both layouts (*common random numbers*): day *k* has the
           same arrivals, the same residents and the same service times in both layouts, so the
           difference between the layouts on day *k* is due to the layout, not to luck. Raising
           the barcode share only gives barcodes to more of the same residents.
        3. Compute the **difference day by day** and a 95% confidence interval of its mean with
           `sim.metrics.intervals.t_interval`.

        Registration is the bottleneck of the `busy_point` scenario (see the utilisation figure), so
        here the question is: *what if 60% of residents, rather than 40%, had a pre-issued
        barcode?*
        """,
    ),
    (
        "code",
        "compare-run",
        ["compare"],
        """
        n_days = 5
        cfg_a = sim.load_config(overrides=["scenario=busy_point", "demand.barcode_share=0.4"])
        cfg_b = sim.load_config(overrides=["scenario=busy_point", "demand.barcode_share=0.6"])
        runs_a = sim.run_replications(cfg_a, n_days, seed=1)
        runs_b = sim.run_replications(cfg_b, n_days, seed=1)

        days = pd.DataFrame(
            {
                "barcode 40%": [r.summary()["wait_mean_min"] for r in runs_a],
                "barcode 60%": [r.summary()["wait_mean_min"] for r in runs_b],
            },
            index=pd.RangeIndex(n_days, name="replication"),
        )
        days["difference"] = days["barcode 60%"] - days["barcode 40%"]
        days
        """,
    ),
    (
        "code",
        "compare-ci",
        ["compare-ci"],
        """
        def paired_difference(metric: str) -> dict:
            a = np.array([r.summary()[metric] for r in runs_a], dtype=float)
            b = np.array([r.summary()[metric] for r in runs_b], dtype=float)
            ci = t_interval(b - a, level=0.95)
            return {
                "metric": metric,
                "barcode 40%": a.mean(),
                "barcode 60%": b.mean(),
                "difference": ci.mean,
                "95% CI low": ci.low,
                "95% CI high": ci.high,
            }


        metrics = ["wait_mean_min", "wait_p95_min", "tested", "longest_queue", "reneged"]
        pd.DataFrame([paired_difference(m) for m in metrics]).set_index("metric")
        """,
    ),
    (
        "md",
        "compare-read-md",
        [],
        """
        A confidence interval that excludes 0 means the change makes a real difference, under
        the scenario's assumptions; its width says how precisely five days pin it down. Add
        replications to narrow it (`sim.run_replications(cfg, 20, n_jobs=4)` uses 4 processes).
        """,
    ),
    (
        "md",
        "theory-md",
        [],
        """
        ## 9. Checking the simulator against queueing theory

        With Poisson arrivals, exponential service times and `c` identical booths, a line is the
        textbook M/M/c queue, for which the **Erlang C** formula gives the probability of having
        to wait and the mean wait exactly (in the long run). The `single_station` scenario is
        this queue: 108 residents an hour, 2 booths, a mean swab of 60 s, no registration, open
        200 hours so that averages settle. `sim.metrics.theory` has the formulas; rates are per
        minute.

        This is a quick illustration; `tests/validation/` does it thoroughly.
        """,
    ),
    (
        "code",
        "theory",
        ["theory"],
        """
        cfg_mmc = sim.load_config(overrides=["scenario=single_station"])
        lam = cfg_mmc.demand.rate_per_hour / 60  # arrivals per minute
        mu = 60 / cfg_mmc.site.swab_time_s.mean  # swabs per minute per booth
        c = cfg_mmc.site.swab_booths
        offered = lam / mu  # offered load in Erlangs
        print(f"lambda = {lam:.2f}/min, mu = {mu:.2f}/min, c = {c}, load = {offered / c:.0%}")

        runs_mmc = sim.run_replications(cfg_mmc, 5, seed=1)
        p_wait = t_interval(
            [(r.residents.query("outcome == 'tested'")["wait_min"] > 0).mean() for r in runs_mmc]
        )
        mean_wait = t_interval([r.summary()["wait_mean_min"] for r in runs_mmc])
        util = t_interval([r.summary()["utilisation_swab_booths"] for r in runs_mmc])

        pd.DataFrame(
            {
                "theory": [
                    theory.erlang_c(c, offered),
                    theory.mmc_mean_wait(lam, mu, c),
                    offered / c,
                ],
                "simulated": [p_wait.mean, mean_wait.mean, util.mean],
                "95% CI low": [p_wait.low, mean_wait.low, util.low],
                "95% CI high": [p_wait.high, mean_wait.high, util.high],
            },
            index=["P(wait > 0)", "mean wait (min)", "booth utilisation"],
        )
        """,
    ),
    (
        "md",
        "next-md",
        [],
        """
        The theoretical values lie within (or very near) the simulated 95% intervals. At 90%
        utilisation the mean wait is noisy, which is why the scenario runs for 200 hours.

        ## Where next

        * `python -m sim --help` and `configs/config.yaml`: every setting, with comments;
        * `python -m sim scenario=busy_point demand.barcode_share=0.6` writes a run folder with
          the summary, the residents table and the figures; `python -m sim` alone runs the whole
          district;
        * a planner's own scenarios go in their own config folder:
          `sim.load_config(config_dir="my_configs", overrides=["scenario=my_site"])`.
        """,
    ),
]


def build() -> NotebookNode:
    """The quickstart notebook, without outputs."""
    return build_notebook(CELLS)


def build_notebook(spec: list[tuple[str, str, list[str], str]]) -> NotebookNode:
    """A notebook without outputs from ``(kind, id, tags, source)`` cell specs."""
    cells = []
    for kind, cell_id, tags, source in spec:
        text = dedent(source).strip("\n")
        metadata = {"tags": tags} if tags else {}
        if kind == "md":
            cells.append(new_markdown_cell(text, id=cell_id, metadata=metadata))
        else:
            cells.append(new_code_cell(text, id=cell_id, metadata=metadata))
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": dict(KERNELSPEC),
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        },
    )
    nbformat.validate(nb)
    return nb


def main() -> int:
    nbformat.write(build(), NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
