"""The result of one replication: records, the per-resident table, and the summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.config.door_to_door import GREEN_GROUPS, door_team_name
from sim.config.schema import ScenarioConfig
from sim.metrics import queues
from sim.metrics.district import (
    ROUND_METRICS,
    campaign_totals,
    group_table,
    hour_table,
    point_table,
    round_metrics,
    staff_table,
    summarise_round,
)
from sim.metrics.door_to_door import door_to_door_summary, door_to_door_table
from sim.metrics.lines import entrance_line, swab_line
from sim.metrics.mobile import mobile_summary, screening_table, team_table
from sim.metrics.turnaround import backlog_table, lab_table, returns_summary, summarise_chain
from sim.model import records as rec
from sim.model.door_to_door import DoorToDoorRecords
from sim.model.mobile_teams import MobileRecords

if TYPE_CHECKING:
    import pandas as pd

#: Columns of :attr:`RunResult.residents`, with their meaning (times in minutes after midnight
#: of day 1, waits in minutes; NaN where not reached).
RESIDENT_COLUMNS: dict[str, str] = {
    "round": "round of the campaign (1 = first)",
    "resident": "resident number in the round",
    "subdistrict": "sub-district the resident lives in",
    "group": "population group: 'general', or a name of demand.groups (own turnout hours)",
    "site": (
        "collection point of the resident's last attempt (door-to-door sampling: the visiting "
        "team, 'Door-to-door team <k>', of a homebound resident)"
    ),
    "green_eligible": "eligible for the green channel (over 70, disabled, pregnant, under 8)",
    "barcode": "holds a pre-issued barcode (registration is a scan)",
    "lane": "lane used: 'green' or 'general' ('home': sampled at home, door-to-door)",
    "arrival_min": "arrival at the point",
    "reg_start_min": "registration starts",
    "reg_end_min": "registration ends",
    "swab_start_min": "swab starts",
    "swab_end_min": "swab ends (tested)",
    "reg_wait_min": "minutes in the registration line",
    "swab_wait_min": "minutes in the swab line",
    "wait_min": "total minutes queueing (tested residents only)",
    "outcome": (
        "tested, balked, reneged, outside_hours or not_served_by_close (last attempt); a "
        "homebound resident: tested, or not_visited (no team came by the end of the round)"
    ),
    "attempts": (
        "arrivals at a point in the round (1 + returns after leaving untested); a homebound "
        "resident: 1 if visited, else 0"
    ),
    "first_arrival_min": "arrival of the first attempt",
    "left_at": "stage where a resident not tested left ('' if tested)",
    "exit_min": "when a resident not tested left",
    "reg_station": "registration station that served the resident ('' if none)",
    "swab_station": "swab station that served the resident ('' if none)",
}

#: Columns added for each stage of a point's own (``site.stages`` other than registration and
#: swab), ``<stage>`` its name, after ``swab_wait_min`` (times) and ``swab_station``.
STAGE_COLUMNS: dict[str, str] = {
    "<stage>_start_min": "service at the stage starts",
    "<stage>_end_min": "the resident leaves the stage's desk (or place)",
    "<stage>_wait_min": "minutes in the stage's line",
    "<stage>_station": "the stage's station that served the resident ('' if none)",
}

#: Columns of :attr:`RunResult.residents` with door-to-door sampling (``door_to_door``): one
#: row per homebound resident follows the points' residents of each round (``lane`` 'home';
#: ``arrival_min`` and ``swab_start_min`` the team's arrival, ``swab_end_min`` the swab at the
#: end of the visit; no waits, registration or station), with this column added.
DOOR_TO_DOOR_COLUMNS: dict[str, str] = {
    "green_group": (
        "a homebound resident's green-channel group (over_70, disabled, pregnant, under_8; "
        "'' for residents who went to a point)"
    ),
}

#: Columns added when the scenario has labs (times in minutes after midnight of the round's
#: first day, like the others; NaN for residents not tested or without a result by the end).
CHAIN_COLUMNS: dict[str, str] = {
    "tube": "pooled tube the swab went into (-1 if not tested)",
    "lab": "lab that tested the tube ('' if it never reached one)",
    "positive": "the resident's swab is positive (the truth)",
    "recalled": "member of a pool reported positive, recalled for an individual retest",
    "retest_swab_min": "when the retest swab is taken (recalled residents)",
    "result_min": "when the final result is out (the pool's, or the retest's if recalled)",
    "turnaround_h": "hours from the swab to the final result",
    "result_positive": (
        "the final result the lab reports is positive (false if not out by the end; differs "
        "from `positive` only with an imperfect test: samples.sensitivity, specificity)"
    ),
}


@dataclass
class RunResult:
    """One replication of a scenario: every round of the campaign.

    Attributes
    ----------
    config
        The scenario that was run.
    seed, replication
        Identify the random streams used.
    rounds
        Records of each round (times in minutes after midnight of the round's first day).
    chain
        The chain from swab to result over the campaign (None without labs); times in
        minutes after midnight of campaign day 1.
    mobile
        The mobile teams' screenings of the enterprises over the campaign (None without
        teams); times in minutes after midnight of campaign day 1.
    """

    config: ScenarioConfig
    seed: int
    replication: int
    rounds: list[rec.RoundRun]
    chain: rec.ChainRun | None = None
    mobile: MobileRecords | None = None
    _summary: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    _tables: dict[str, pd.DataFrame] | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"RunResult(scenario={self.config.name!r}, seed={self.seed}, "
            f"replication={self.replication}, residents={s['residents']}, "
            f"tested={s['tested']}, wait_mean_min={s['wait_mean_min']:.1f})"
        )

    @property
    def site(self) -> rec.SiteRun:
        """The collection point's records (scenarios with one point; first round: round ``k``'s
        are ``result.rounds[k - 1].points[0]``)."""
        points = self.rounds[0].points
        if len(points) != 1:
            raise ValueError(
                f"this scenario has {len(points)} points: use result.point(name) or "
                "result.rounds[k].points"
            )
        return points[0]

    def point(self, name: str, round: int = 1) -> rec.SiteRun:
        """Records of the point called ``name`` in round ``round`` (1-based)."""
        if not 1 <= round <= len(self.rounds):
            raise ValueError(f"round must be between 1 and {len(self.rounds)}, got {round}")
        for p in self.rounds[round - 1].points:
            if p.name == name:
                return p
        names = ", ".join(p.name for p in self.rounds[round - 1].points)
        raise KeyError(f"no point {name!r}; points: {names}")

    def summary(self) -> dict[str, Any]:
        """Flat dict of headline metrics (see :func:`sim.metrics.district.summarise_round`).

        The unprefixed metrics (``coverage``, ``wait_p95_min``, ...) are those of the **first
        round** (targets are judged on them). With several rounds, ``rounds`` follows, then for
        each round ``k`` (1-based) ``round<k>_<key>`` for each key of
        :data:`sim.metrics.district.ROUND_METRICS` (``round2_coverage``,
        ``round2_wait_p95_min``, ``round2_finish_clock``, ...), then the campaign totals of
        :data:`sim.metrics.district.CAMPAIGN_METRICS` (``campaign_tested``,
        ``campaign_residents``, ``campaign_coverage``, ``campaign_days``, ...). With labs,
        the chain's figures over the campaign follow (see
        :func:`sim.metrics.turnaround.summarise_chain`). With mobile teams, their figures
        over the campaign (:func:`sim.metrics.mobile.mobile_summary`) come before the chain's.
        With door-to-door sampling, the homebound residents count in ``residents``,
        ``tested`` (``tested_at_points`` the points' alone) and ``coverage``, and the visits'
        figures (:func:`sim.metrics.door_to_door.door_to_door_summary`) come before the
        mobile teams'.
        """
        if self._summary is None:
            first = summarise_round(self.rounds[0], self.config.warmup_min)
            out: dict[str, Any] = {
                "scenario": self.config.name,
                "seed": self.seed,
                "replication": self.replication,
                **first,
            }
            if len(self.rounds) > 1:
                out["rounds"] = len(self.rounds)
                rows = []
                for run in self.rounds:
                    s = (
                        first
                        if run is self.rounds[0]
                        else summarise_round(run, self.config.warmup_min)
                    )
                    row = round_metrics(run, s)
                    rows.append(row)
                    k = row["round"]
                    for key in ROUND_METRICS:
                        out[f"round{k}_{key}"] = row[key]
                out.update(campaign_totals(rows))
            if self.rounds[0].door_to_door is not None:
                out.update(door_to_door_summary(self.rounds))
            if self.mobile is not None:
                out.update(mobile_summary(self.mobile, len(self.rounds)))
            if self.chain is not None:
                out.update(summarise_chain(self.chain))
                if self.config.samples.recall.mode == "point":
                    out.update(returns_summary(self.rounds, self.chain))
            self._summary = out
        return dict(self._summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Per-point, per-hour and per-shift tables over all rounds (a ``round`` column,
        1-based), per round (``rounds``: one row per round with the columns of
        :data:`sim.metrics.district.ROUND_METRICS`; only with several rounds), and per lab and
        per lab and hour (``labs`` and ``lab_backlog``: only when the scenario has labs), and
        with population groups one row per round and group (``groups``, see
        :func:`sim.metrics.district.group_table`), with mobile teams one row per enterprise
        screening (``screenings``, see
        :func:`sim.metrics.mobile.screening_table`) and per team and round
        (``mobile_teams``), with door-to-door sampling one row per round and visiting team
        (``door_to_door``, see :func:`sim.metrics.door_to_door.door_to_door_table`), as
        DataFrames.

        Computed once per result (like :meth:`summary`); each call returns copies, so a
        caller may change what it gets without changing what the next caller sees.
        """
        if self._tables is None:
            import pandas as pd

            out = {
                "points": pd.DataFrame([row for r in self.rounds for row in point_table(r)]),
                "hours": pd.DataFrame([row for r in self.rounds for row in hour_table(r)]),
                "staff": pd.DataFrame([row for r in self.rounds for row in staff_table(r)]),
            }
            if len(self.rounds) > 1:
                s = self.summary()
                out["rounds"] = pd.DataFrame(
                    [
                        {"round": k, **{key: s[f"round{k}_{key}"] for key in ROUND_METRICS}}
                        for k in range(1, len(self.rounds) + 1)
                    ]
                )
            if len(self.rounds[0].groups) > 1:
                out["groups"] = pd.DataFrame([row for r in self.rounds for row in group_table(r)])
            if self.rounds[0].door_to_door is not None:
                out["door_to_door"] = pd.DataFrame(door_to_door_table(self.rounds))
            if self.mobile is not None:
                out["screenings"] = pd.DataFrame(screening_table(self.mobile))
                out["mobile_teams"] = pd.DataFrame(team_table(self.mobile))
            if self.chain is not None:
                out["labs"] = pd.DataFrame(lab_table(self.chain))
                out["lab_backlog"] = pd.DataFrame(backlog_table(self.chain))
            self._tables = out
        # small tables (a row per point, hour, shift, lab): a deep copy costs microseconds
        return {name: frame.copy() for name, frame in self._tables.items()}

    @cached_property
    def residents(self) -> pd.DataFrame:
        """One row per resident and round; columns documented in :data:`RESIDENT_COLUMNS`
        (and :data:`DOOR_TO_DOOR_COLUMNS`, with door-to-door sampling)."""
        import pandas as pd

        frames = [self._round_frame(run) for run in self.rounds]
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def _round_frame(self, run: rec.RoundRun) -> pd.DataFrame:
        import pandas as pd

        r = run.residents
        cat = _categorical
        reg_names = sorted(
            {st.name for p in run.points for st in p.stations if st.stage == rec.REGISTRATION}
        )
        swab_names = sorted(
            {st.name for p in run.points for st in p.stations if st.stage == rec.SWAB}
        )

        def station(stage: str, pool: np.ndarray, names: list[str]) -> pd.Categorical[str]:
            codes = np.zeros(r.n, dtype=np.int64)
            for point_index, point in enumerate(run.points):
                for st in point.stations:
                    if st.stage != stage:
                        continue
                    mine = (r.site == point_index) & (pool == st.pool)
                    codes[mine] = names.index(st.name) + 1
            return cat(codes, ["", *names])

        site = r.site if r.site is not None else np.zeros(r.n)
        sub = r.subdistrict if r.subdistrict is not None else np.zeros(r.n)
        group = r.group if r.group is not None else np.zeros(r.n)
        h = run.door_to_door
        sites = [p.name for p in run.points]
        lanes: Sequence[str] = rec.LANES
        outcomes: Sequence[str] = rec.OUTCOMES
        if h is not None:  # the homebound residents' rows follow: their teams, lane, outcome
            sites += [door_team_name(k) for k in range(h.teams)]
            lanes = (*rec.LANES, rec.HOME_LANE)
            outcomes = (*rec.OUTCOMES, rec.NOT_VISITED)
        frame = pd.DataFrame(
            {
                "round": np.full(r.n, run.round + 1),
                "resident": np.arange(r.n),
                "subdistrict": cat(sub, list(run.subdistricts)),
                "group": cat(group, list(run.groups)),
                "site": cat(site, sites),
                "green_eligible": r.green,
                "barcode": r.barcode,
                "lane": cat(r.lane, lanes),
                "arrival_min": r.arrival,
                "reg_start_min": r.reg_start,
                "reg_end_min": r.reg_end,
                "swab_start_min": r.swab_start,
                "swab_end_min": r.swab_end,
                "reg_wait_min": r.reg_wait,
                "swab_wait_min": r.swab_wait,
                "wait_min": r.wait,
                "outcome": cat(r.outcome, outcomes),
                "attempts": r.attempts if r.attempts is not None else np.ones(r.n, dtype=int),
                "first_arrival_min": (
                    r.first_arrival if r.first_arrival is not None else r.arrival
                ),
                "left_at": pd.Categorical(r.left_at.astype(str)),
                "exit_min": r.exit,
                "reg_station": station(rec.REGISTRATION, r.reg_pool, reg_names),
                "swab_station": station(rec.SWAB, r.swab_pool, swab_names),
            }
        )
        own = [s for s in r.stages if s not in rec.BUILT_IN]
        if own:  # a point's own stages: their times after the swab's, their stations last
            waits = r.stage_waits()
            at = list(frame.columns).index("swab_wait_min") + 1
            for stage in own:
                k = r.stages.index(stage)
                for suffix, values in (
                    ("start_min", r.start[k]),
                    ("end_min", r.end[k]),
                    ("wait_min", waits[k]),
                ):
                    frame.insert(at, f"{stage}_{suffix}", values)
                    at += 1
            for stage in own:
                names = sorted(
                    {st.name for p in run.points for st in p.stations if st.stage == stage}
                )
                frame[f"{stage}_station"] = station(stage, r.stage_pool(stage), names)
        if h is not None:
            frame = _with_home_rows(frame, run, h)
        if self.chain is not None:
            for name, column in self._chain_columns(run).items():
                frame[name] = column
        return frame

    def _chain_columns(self, run: rec.RoundRun) -> dict[str, Any]:
        chain = self.chain
        assert chain is not None
        n = run.n_residents
        mine = chain.swab_round == run.round
        who = chain.swab_resident[mine]
        off = run.offset_min
        tube = np.full(n, -1, dtype=np.int64)
        tube[who] = chain.swab_tube[mine]
        lab = np.full(n, -1, dtype=np.int64)
        lab[who] = chain.tube_lab[chain.swab_tube[mine]]
        out: dict[str, Any] = {"tube": tube, "lab": _categorical(lab + 1, ["", *chain.labs])}
        flags = {
            "positive": chain.swab_positive[mine],
            "recalled": chain.retest_tube[mine] >= 0,
        }
        for name, values in flags.items():
            col = np.zeros(n, dtype=bool)
            col[who] = values
            out[name] = col
        times = {
            "retest_swab_min": chain.retest_time[mine] - off,
            "result_min": chain.result[mine] - off,
            "turnaround_h": (chain.result[mine] - chain.swab_time[mine]) / 60.0,
        }
        for name, values in times.items():
            col = np.full(n, np.nan)
            col[who] = values
            out[name] = col
        said = np.zeros(n, dtype=bool)
        said[who] = chain.swab_result_positive[mine] & np.isfinite(chain.result[mine])
        out["result_positive"] = said
        return out

    def queue_length(
        self,
        times: np.ndarray,
        line: str = "entrance",
        lane: str | None = None,
        site: str | None = None,
        round: int = 1,
    ) -> np.ndarray:
        """Number of residents in a line at each of ``times`` (minutes after midnight of the
        round's first day) in round ``round`` (1-based; the first by default).

        Parameters
        ----------
        line
            ``entrance`` (the line at the first desk or booth) or ``swab`` (behind registration).
        lane
            ``green`` or ``general`` to count one lane of the entrance line; None for all.
        site
            A point's name; None for the only point (or all points together).
        round
            The round of the campaign, 1-based.
        """
        if not 1 <= round <= len(self.rounds):
            raise ValueError(f"round must be between 1 and {len(self.rounds)}, got {round}")
        run = self.rounds[round - 1]
        point: rec.SiteRun
        if site is not None:
            point = self.point(site, round)
        elif len(run.points) == 1:
            point = run.points[0]
        else:
            point = rec.SiteRun("all", run.residents, (), True, 0.0, 0.0, run.end_min, None, 1.0)
        if line == "entrance":
            lane_code = None if lane is None else rec.LANES.index(lane)
            entry, exit_ = entrance_line(point, lane_code)
        elif line == "swab":
            entry, exit_ = swab_line(point)
        else:
            raise ValueError(f"line must be 'entrance' or 'swab', got {line!r}")
        return queues.length_at(entry, exit_, np.asarray(times, dtype=float))


#: What a replication keeps (``run_replications(..., keep=...)``): ``all`` its records
#: (:class:`RunResult`), ``tables`` its summary and tables, ``residents`` those and the
#: per-resident table (:class:`CompactResult`).
Keep = Literal["all", "tables", "residents"]


@dataclass
class CompactResult:
    """A replication kept small: its summary and tables (and, if asked, the per-resident
    table), without the records behind them; what a worker process sends back for
    ``run_replications(..., keep="tables")`` (a few hundred kB instead of tens of MB).

    ``summary()`` and ``tables()`` equal the full result's; ``residents`` is there only with
    ``keep="residents"``. Comparisons, targets and summary frames take these as they take
    :class:`RunResult`; figures and the run folder need the full records.
    """

    config: ScenarioConfig
    seed: int
    replication: int
    _summary: dict[str, Any]
    _tables: dict[str, pd.DataFrame]
    _residents: pd.DataFrame | None = None

    def summary(self) -> dict[str, Any]:
        """The replication's headline metrics (as :meth:`RunResult.summary`)."""
        return dict(self._summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The replication's tables (as :meth:`RunResult.tables`), copies."""
        return {name: frame.copy() for name, frame in self._tables.items()}

    @property
    def residents(self) -> pd.DataFrame:
        """The per-resident table, when it was kept (``keep="residents"``)."""
        if self._residents is None:
            raise ValueError(
                "this compact result has no per-resident table: run the replications with "
                "keep='residents' (or keep='all' for the full records)"
            )
        return self._residents

    def __repr__(self) -> str:
        s = self._summary
        return (
            f"CompactResult(scenario={self.config.name!r}, seed={self.seed}, "
            f"replication={self.replication}, residents={s.get('residents')}, "
            f"tested={s.get('tested')})"
        )


#: A replication's result, full or compact: what comparisons and targets take.
AnyResult = RunResult | CompactResult


def compact(result: RunResult, residents: bool = False) -> CompactResult:
    """``result`` without its records: its summary, tables and (``residents``) the
    per-resident table."""
    return CompactResult(
        result.config,
        result.seed,
        result.replication,
        result.summary(),
        result.tables(),
        result.residents if residents else None,
    )


def _with_home_rows(frame: pd.DataFrame, run: rec.RoundRun, h: DoorToDoorRecords) -> pd.DataFrame:
    """The round's per-resident ``frame`` (the points' residents) followed by one row per
    homebound resident (door-to-door sampling), with a ``green_group`` column."""
    import pandas as pd

    m = h.n
    nan = np.full(m, np.nan)
    visited = h.visited
    n_points = len(run.points)
    cats = {c: frame[c].cat.categories for c in frame.columns if frame[c].dtype == "category"}

    def same(column: str, codes: np.ndarray) -> pd.Categorical[str]:
        return _categorical(codes, list(cats[column]))

    def code_of(column: str, value: str) -> np.ndarray:
        return np.full(m, list(cats[column]).index(value), dtype=np.int64)

    groups = ["", *GREEN_GROUPS]
    home = pd.DataFrame(
        {
            "round": np.full(m, run.round + 1),
            "resident": h.resident,
            "subdistrict": same("subdistrict", h.subdistrict),
            "group": same("group", h.group),
            "site": same("site", n_points + h.team.astype(np.int64)),
            "green_eligible": np.ones(m, dtype=bool),
            "barcode": h.barcode,
            "lane": same("lane", code_of("lane", rec.HOME_LANE)),
            "arrival_min": h.visit_start,
            "reg_start_min": nan,
            "reg_end_min": nan,
            "swab_start_min": h.visit_start,
            "swab_end_min": h.visit_end,
            "reg_wait_min": nan,
            "swab_wait_min": nan,
            "wait_min": nan,
            "outcome": same(
                "outcome", np.where(visited, rec.TESTED, len(rec.OUTCOMES)).astype(np.int64)
            ),
            "attempts": visited.astype(np.int64),
            "first_arrival_min": h.visit_start,
            "left_at": "",
            "exit_min": nan,
            "reg_station": "",
            "swab_station": "",
        }
    )
    for column in frame.columns:  # a point's own stages: nobody at home passes them
        if column not in home.columns:
            home[column] = "" if column.endswith("_station") else nan
    out = pd.concat([frame, home[list(frame.columns)]], ignore_index=True)
    stations = [c for c in frame.columns if c.endswith("_station")]
    for column in ("left_at", *stations):  # categories merged
        out[column] = out[column].astype(str).astype("category")
    out["green_group"] = _categorical(
        np.concatenate([np.zeros(frame.shape[0], dtype=np.int64), h.green_group + 1]), groups
    )
    return out


def _categorical(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical[str]:
    """A pandas categorical column from integer codes (compact and fast for 300k rows)."""
    import pandas as pd

    return pd.Categorical.from_codes(
        np.asarray(codes, dtype=np.int64), categories=pd.Index(list(categories))
    )
