"""The city benchmark (issue 12): the 3-million-resident city on this machine, its cost per
district task, and the 10-million city's time on a 32-core cluster projected from those costs.

``sim.load_city("city_3m")``: 10 districts (each the default district scaled to its residents:
40 points and 4 mobile teams), 3,000,000 residents in one 2-day round, 6 city labs. A city is
run by :func:`sim.experiment.city.run_city`: each district's round is one task
(:func:`sim.experiment.city.run_district`, sent through ``sim.experiment.backends.run_map``),
then the parent merges the districts' swabs (:func:`sim.model.sample_chain.merge_feeds`) and
follows them through the city's couriers and labs (``sim.experiment.city._chain``).

Every case runs in a fresh subprocess that loads the city before the clock starts (except where
``load_city`` is what is timed):

``serial``
    ``run_city(city, backend="serial")``: wall and CPU time, the process's peak resident set
    (``VmHWM``), target <= 4 GB.
``processes``
    ``run_city(city, backend="processes", n_jobs=2)``: wall and CPU time (the workers' too),
    the parent's peak and the largest worker's (``RUSAGE_CHILDREN`` ``ru_maxrss``); the machine's
    peak is estimated as parent + 2 x the largest worker (an upper bound: the parent's peak may
    come after the workers have gone, and forked workers count the pages they share with it),
    target <= 4 GB. The city's summary must equal the serial one's.
``tasks``
    the per-task costs, one after another in one process: ``load_city`` (the first call, then
    again), each district's ``run_district`` alone (wall, CPU, how far it raised the resident
    set, the pickled size of its ``DistrictRun``, what crosses processes, and the time to pickle
    and unpickle it), ``merge_feeds`` and the city chain; then the same city at a third of its
    residents (every district's ``residents`` / 3: the same points, labs and teams), its
    districts and chain, for the chain's growth with the swabs (the exponent ``b`` of
    ``time ~ swabs^b`` between the two sizes); then ``load_city`` of the 10-million city.
``largest``
    the 10-million city's largest district alone (``run_district``): its time and peak memory,
    to check the projection's longest task (``--no-largest`` skips it).

The projection of the 10-million city (``configs/cities/wuhan.yaml`` when it exists, else
``city_3m``'s file with 13 districts of ~770,000 residents) on ``--cores`` cores (32)::

    T = load + districts + transfer + merge + chain
    load      = load_city of the 10-million city (measured) + the first call's extra cost
    districts = the district tasks scheduled in order on the cores, each to the first free
                core (one wave when there are no more tasks than cores: the longest task);
                a task's time = the measured cost per resident of city_3m's districts x its
                residents
    transfer  = the largest task's pickling + every result's bytes / --bandwidth (MB/s, the
                parent's link; 125 = 1 Gbit/s) + unpickling them all in the parent
    merge, chain = city_3m's, linear in the swabs (the assumption; the measured exponent is
                shown, with the projection it would give)

The 10-million city's swabs are projected as city_3m's swabs per resident (the points') x its
residents + city_3m's swabs per mobile team x its teams. The same model, on 2 cores with no
network, is compared with the measured ``processes`` run (loading excluded, as there).

Run: ``python -m benchmarks.city [--quick] [--no-largest] [--cores 32] [--bandwidth 125]
[--no-save]`` (also part of ``python -m benchmarks``; skip it there with ``--no-city``).
``--quick`` runs a 3-district city of 150,000 residents instead (a smoke test, ~30 s).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import math
import os
import pickle
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks._child import add_save_options, busy_note, report_case, run_marked, shown_path
from benchmarks.district import _render_table, _reset_peak, _rss_kib, print_checks
from benchmarks.replications import _plain, diff_summaries

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.config.city import CityConfig
    from sim.config.schema import ScenarioConfig
    from sim.experiment.backends import Backend

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@CITY@@ "
CITY = "city_3m"
TEN_MILLION = "wuhan"  # configs/cities/wuhan.yaml, when it exists
TEN_MILLION_RESIDENTS = 10_000_000  # else: city_3m's file with 13 districts of ~770,000
TEN_MILLION_DISTRICTS = 13
QUICK_DISTRICTS = 3  # --quick: city_3m's first 3 districts ...
QUICK_RESIDENTS = 50_000  # ... of 50,000 residents each
SMALL_SHARE = 3  # the chain's second size: every district's residents / 3
JOBS = 2
CORES = 32  # the cluster of the projection
BANDWIDTH_MBS = 125.0  # the parent's link in the projection, MB/s (1 Gbit/s)
TARGET_MB = 4096.0  # peak memory, serial, and parent + workers with 2 workers
REPLICATION = 0

KINDS = ("serial", "processes", "tasks", "largest")
LABELS = {
    "serial": "run_city, serial",
    "processes": f"run_city, processes, {JOBS} workers",
    "tasks": "per-task costs, one process",
    "largest": "the 10M city's largest district",
}


# --------------------------------------------------------------------------- cities


def city_overrides(quick: bool) -> list[str]:
    """Overrides of ``city_3m``'s file for the benchmark's city (none; ``--quick``: its first
    3 districts at 50,000 residents each)."""
    if not quick:
        return []
    from sim.config.city import read_city

    first = read_city(CITY)["districts"][:QUICK_DISTRICTS]
    entries = [
        {"name": d["name"], "residents": QUICK_RESIDENTS, "origin_km": list(d["origin_km"])}
        for d in first
    ]
    return [f"name={CITY}_quick", "districts=" + json.dumps(entries)]


def load_benchmark_city(quick: bool) -> CityConfig:
    import sim

    return sim.load_city(CITY, city_overrides(quick))


def small_overrides(city: CityConfig, quick: bool) -> list[str]:
    """The same city at a third of its residents (every district's)."""
    return city_overrides(quick) + [
        f"districts.{k}.residents={max(1, round((d.residents_per_round or 0) / SMALL_SHARE))}"
        for k, d in enumerate(city.districts)
    ]


def ten_million_city() -> tuple[CityConfig, str]:
    """The 10-million city and where it comes from: ``configs/cities/wuhan.yaml`` when it
    exists, else ``city_3m``'s file with 13 districts of ~770,000 residents (its labs)."""
    import sim
    from sim.config.city import city_file
    from sim.config.errors import ConfigError

    try:
        path = city_file(TEN_MILLION)
    except ConfigError:
        n = TEN_MILLION_DISTRICTS
        base = TEN_MILLION_RESIDENTS // n
        entries = [
            {
                "name": f"D{k + 1}",
                "residents": base + (TEN_MILLION_RESIDENTS - base * n if k == 0 else 0),
                "origin_km": [20 * (k % 4), 20 * (k // 4)],
            }
            for k in range(n)
        ]
        city = sim.load_city(CITY, ["name=city_10m", "districts=" + json.dumps(entries)])
        return (
            city,
            f"{CITY}.yaml with {n} districts of ~{base:,} residents (no {TEN_MILLION}.yaml)",
        )
    return sim.load_city(TEN_MILLION), str(shown_path(path))


def _layout(city: CityConfig) -> list[dict]:
    return [
        {
            "name": d.name,
            "residents": int(d.residents_per_round or 0),
            "points": len(d.points),
            "teams": int(d.mobile.teams or 0),
        }
        for d in city.districts
    ]


# --------------------------------------------------------------------------- child


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def _city_run(kind: str, quick: bool) -> dict:
    """``run_city`` serial or with 2 worker processes; the time until the last district's
    result came back is noted (``districts_s``; the rest is the merge, the chain and the
    result)."""
    from benchmarks._child import _peak_rss_kib
    from sim.experiment.city import run_city

    city = load_benchmark_city(quick)
    backend: Backend = "serial" if kind == "serial" else "processes"
    jobs = 1 if kind == "serial" else JOBS
    marks: list[float] = []

    def progress(results: Any) -> Any:
        for r in results:
            marks.append(time.perf_counter())
            yield r

    load0 = _load()
    gc.collect()
    c0, k0 = time.process_time(), _children_cpu()
    t0 = time.perf_counter()
    result = run_city(
        city, replication=REPLICATION, backend=backend, n_jobs=jobs, progress=progress
    )
    wall = time.perf_counter() - t0
    cpu, workers_cpu = time.process_time() - c0, _children_cpu() - k0
    load1 = _load()
    peak_mb = _peak_rss_kib() / 1024.0
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0 if jobs > 1 else 0
    t1 = time.perf_counter()
    summary = result.summary()
    summary_s = time.perf_counter() - t1
    chain = result.chain
    return {
        "city": city.name,
        "backend": backend,
        "jobs": jobs,
        "districts": len(city.districts),
        "points": city.n_points,
        "residents": city.residents,
        "swabs": 0 if chain is None else int(chain.swab_tube.size),
        "tubes": 0 if chain is None else int(chain.tube_size.size),
        "wall_s": wall,
        "cpu_s": cpu,
        "workers_cpu_s": workers_cpu,
        "districts_s": (marks[-1] - t0) if len(marks) == len(city.districts) else None,
        "summary_s": summary_s,
        "peak_mb": peak_mb,
        "workers_peak_mb": workers_mb,
        "machine_peak_mb": peak_mb + jobs * workers_mb if jobs > 1 else peak_mb,
        "loadavg": [load0, load1],
        "summary": {k: _plain(v) for k, v in summary.items()},
    }


def _run_districts(
    districts: Sequence[ScenarioConfig], seed: int, detail: bool
) -> tuple[list[Any], list[dict]]:
    """Every district's ``run_district`` alone, one after another (with ``detail``: how far
    each raised the resident set, its pickled size and the time to pickle and unpickle it)."""
    from benchmarks._child import _peak_rss_kib
    from sim.experiment.city import run_district

    runs, rows = [], []
    for d in districts:
        gc.collect()
        before = _rss_kib("VmRSS")
        reset = detail and _reset_peak()
        c0, t0 = time.process_time(), time.perf_counter()
        run = run_district((d, seed, REPLICATION))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        during = _peak_rss_kib()
        feed = run.feed
        row: dict[str, Any] = {
            "name": d.name,
            "residents": int(d.residents_per_round or 0),
            "points": len(d.points),
            "teams": int(d.mobile.teams or 0),
            "swabs": int(feed.time.size),
            "mobile_swabs": int((feed.round < 0).sum()),
            "wall_s": wall,
            "cpu_s": cpu,
        }
        if detail:
            row["mb"] = (during - before) / 1024.0 if reset and before is not None else None
            t0 = time.perf_counter()
            blob = pickle.dumps(run, protocol=pickle.DEFAULT_PROTOCOL)
            t1 = time.perf_counter()
            pickle.loads(blob)
            t2 = time.perf_counter()
            row.update(
                bytes=len(blob),
                dumps_s=t1 - t0,
                loads_s=t2 - t1,
                config_bytes=len(pickle.dumps((d, seed, REPLICATION))),
            )
            del blob
        runs.append(run)
        rows.append(row)
    return runs, rows


def _chain_cost(city: CityConfig, runs: list[Any]) -> dict:
    """``merge_feeds`` of the districts' swabs, then the city chain, timed."""
    from benchmarks._child import _peak_rss_kib
    from sim.experiment.city import _chain
    from sim.model.sample_chain import merge_feeds

    gc.collect()
    t0 = time.perf_counter()
    feed = merge_feeds([r.feed for r in runs], city.district_names)
    merge_s = time.perf_counter() - t0
    before = _rss_kib("VmRSS")
    reset = _reset_peak()
    c0, t0 = time.process_time(), time.perf_counter()
    chain = _chain((city.chain, feed, city.seed, REPLICATION))
    chain_s, chain_cpu = time.perf_counter() - t0, time.process_time() - c0
    during = _peak_rss_kib()
    return {
        "city": city.name,
        "residents": city.residents,
        "swabs": int(feed.time.size),
        "tubes": 0 if chain is None else int(chain.tube_size.size),
        "labs": len(city.chain.labs_in_use),
        "merge_s": merge_s,
        "chain_s": chain_s,
        "chain_cpu_s": chain_cpu,
        "chain_mb": (during - before) / 1024.0 if reset and before is not None else None,
    }


def _tasks(quick: bool) -> dict:
    import sim
    from benchmarks._child import _peak_rss_kib

    out: dict[str, Any] = {}
    load0 = _load()
    t0 = time.perf_counter()
    city = load_benchmark_city(quick)  # the first call: Hydra's set-up included
    out["load_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_benchmark_city(quick)
    out["load_again_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    big, source = ten_million_city()
    out["ten_million"] = {
        "name": big.name,
        "source": source,
        "load_s": time.perf_counter() - t0,
        "residents": big.residents,
        "points": big.n_points,
        "labs": len(big.chain.labs_in_use),
        "districts": _layout(big),
    }
    del big
    out.update(city=city.name, residents=city.residents, points=city.n_points)
    runs, rows = _run_districts(city.districts, city.seed, detail=True)
    out["districts"] = rows
    out["chain"] = _chain_cost(city, runs)
    del runs
    gc.collect()
    # the same city at a third of its residents: the chain's (and the tasks') second size
    small = sim.load_city(CITY, small_overrides(city, quick))
    runs, rows = _run_districts(small.districts, small.seed, detail=False)
    out["small"] = {"districts": rows, **_chain_cost(small, runs)}
    del runs
    out["peak_mb"] = _peak_rss_kib() / 1024.0
    out["loadavg"] = [load0, _load()]
    return out


def _largest() -> dict:
    from benchmarks._child import _peak_rss_kib

    big, source = ten_million_city()
    d = max(big.districts, key=lambda x: x.residents_per_round or 0)
    name, seed = big.name, big.seed
    del big
    gc.collect()
    load0 = _load()
    before = _peak_rss_kib() / 1024.0
    _, rows = _run_districts([d], seed, detail=True)
    return {
        "city": name,
        "source": source,
        **rows[0],
        "config_mb": before,
        "peak_mb": _peak_rss_kib() / 1024.0,
        "loadavg": [load0, _load()],
    }


def _child(kind: str, quick: bool) -> dict:
    if kind in ("serial", "processes"):
        return _city_run(kind, quick)
    if kind == "tasks":
        return _tasks(quick)
    return _largest()


def _child_main(kind: str, quick: bool) -> int:
    return report_case(MARKER, kind, lambda: _child(kind, quick))


# --------------------------------------------------------------------------- parent


def run_case(kind: str, quick: bool) -> dict:
    """Run one case in a fresh process; its stderr is kept (the tail shown on an error)."""
    cmd = [sys.executable, "-m", "benchmarks.city", "--child", kind]
    cmd += ["--quick"] if quick else []
    return run_marked(cmd, REPO_ROOT, MARKER, kind, echo=None)


def makespan(times: list[float], cores: int) -> float:
    """Wall time of ``times`` run in order, each on the first free of ``cores`` (how a worker
    pool hands out tasks); the longest task when there are no more tasks than cores."""
    free = [0.0] * max(1, cores)
    for t in times:
        k = min(range(len(free)), key=free.__getitem__)
        free[k] += t
    return max(free)


def _exponent(t1: float, t2: float, n1: float, n2: float) -> float | None:
    """``b`` of ``t ~ n^b`` through two points."""
    if min(t1, t2, n1, n2) <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def costs(tasks: dict) -> dict:
    """The per-task costs of the ``tasks`` case, as the projection uses them."""
    rows = tasks["districts"]
    residents = sum(r["residents"] for r in rows)
    swabs = sum(r["swabs"] for r in rows)
    mobile = sum(r["mobile_swabs"] for r in rows)
    teams = sum(r["teams"] for r in rows)
    total_s = sum(r["wall_s"] for r in rows)
    nbytes = sum(r["bytes"] for r in rows)
    ch, sm = tasks["chain"], tasks["small"]
    small_res = sum(r["residents"] for r in sm["districts"])
    small_s = sum(r["wall_s"] for r in sm["districts"])
    return {
        "districts_s": total_s,
        "s_per_resident": total_s / residents,
        "s_per_100k": total_s / residents * 1e5,
        "small_s_per_100k": small_s / small_res * 1e5 if small_res else None,
        "district_exponent": _exponent(small_s, total_s, small_res, residents),
        "point_swabs_per_resident": (swabs - mobile) / residents,
        "swabs_per_team": mobile / teams if teams else 0.0,
        "bytes_per_swab": nbytes / swabs,
        "bytes": nbytes,
        "dumps_s_per_byte": sum(r["dumps_s"] for r in rows) / nbytes,
        "loads_s_per_byte": sum(r["loads_s"] for r in rows) / nbytes,
        "config_bytes": statistics.fmean(r["config_bytes"] for r in rows),
        "merge_s_per_swab": ch["merge_s"] / ch["swabs"],
        "chain_s_per_swab": ch["chain_s"] / ch["swabs"],
        "chain_s_per_million": ch["chain_s"] / ch["swabs"] * 1e6,
        "small_chain_s_per_million": sm["chain_s"] / sm["swabs"] * 1e6,
        "chain_exponent": _exponent(sm["chain_s"], ch["chain_s"], sm["swabs"], ch["swabs"]),
        "swabs": ch["swabs"],
        "chain_s": ch["chain_s"],
        "load_extra_s": max(0.0, tasks["load_s"] - tasks["load_again_s"]),
    }


def project(
    c: dict,
    layout: list[dict],
    cores: int,
    bandwidth_mbs: float | None,
    load_s: float,
    largest_s: float | None = None,
) -> dict:
    """The wall time of a city of ``layout`` (name, residents, teams per district) on
    ``cores`` cores from the per-task costs ``c``; ``bandwidth_mbs`` None: no network (local
    pipes, counted in pickling and unpickling); ``largest_s``: the largest district's measured
    time instead of the scaled one."""
    task_s = [d["residents"] * c["s_per_resident"] for d in layout]
    if largest_s is not None:
        task_s[max(range(len(layout)), key=lambda k: layout[k]["residents"])] = largest_s
    swabs = [
        d["residents"] * c["point_swabs_per_resident"] + d["teams"] * c["swabs_per_team"]
        for d in layout
    ]
    total_swabs = sum(swabs)
    nbytes = [s * c["bytes_per_swab"] for s in swabs]
    net = 0.0
    if bandwidth_mbs is not None:
        net = (sum(nbytes) + len(layout) * c["config_bytes"]) / (bandwidth_mbs * 1e6)
    transfer = max(nbytes) * c["dumps_s_per_byte"] + net + sum(nbytes) * c["loads_s_per_byte"]
    merge = total_swabs * c["merge_s_per_swab"]
    chain = total_swabs * c["chain_s_per_swab"]
    b = c["chain_exponent"]
    chain_b = c["chain_s"] * (total_swabs / c["swabs"]) ** b if b is not None else None
    districts = makespan(task_s, cores)
    longest = max(range(len(layout)), key=lambda k: task_s[k])
    wall = load_s + districts + transfer + merge + chain
    return {
        "cores": cores,
        "tasks": len(layout),
        "waves": math.ceil(len(layout) / max(1, cores)),
        "residents": sum(d["residents"] for d in layout),
        "swabs": total_swabs,
        "bytes": sum(nbytes),
        "load_s": load_s,
        "districts_s": districts,
        "longest": layout[longest]["name"],
        "longest_residents": layout[longest]["residents"],
        "longest_s": task_s[longest],
        "serial_districts_s": sum(task_s),
        "transfer_s": transfer,
        "network_s": net,
        "merge_s": merge,
        "chain_s": chain,
        "wall_s": wall,
        "chain_exponent_s": chain_b,
        "wall_exponent_s": None if chain_b is None else wall - chain + chain_b,
    }


def projections(rows: dict[str, dict], cores: int, bandwidth_mbs: float) -> dict:
    """The 10-million city on ``cores`` cores (and with the largest district as measured),
    and the benchmark's city on 2 local cores, to compare with the ``processes`` case."""
    tasks = rows.get("tasks", {})
    if tasks.get("status") != "ok":
        return {}
    c = costs(tasks)
    ten = tasks["ten_million"]
    load = ten["load_s"] + c["load_extra_s"]
    out: dict[str, Any] = {
        "costs": c,
        "ten_million": {
            "name": ten["name"],
            "source": ten["source"],
            "labs": ten["labs"],
            "points": ten["points"],
            "bandwidth_mbs": bandwidth_mbs,
            **project(c, ten["districts"], cores, bandwidth_mbs, load),
        },
    }
    largest = rows.get("largest", {})
    if largest.get("status") == "ok":
        out["ten_million_largest_measured"] = project(
            c, ten["districts"], cores, bandwidth_mbs, load, largest_s=largest["wall_s"]
        )
    local = project(c, [dict(r) for r in tasks["districts"]], JOBS, None, 0.0)
    out["local"] = local
    # the local model with the districts' own measured times (not scaled per resident)
    measured = [r["wall_s"] for r in tasks["districts"]]
    out["local"]["districts_measured_s"] = makespan(measured, JOBS)
    return out


# --------------------------------------------------------------------------- report


def _load_text(r: dict) -> str:
    loads = [x for x in r.get("loadavg", []) if x is not None]
    return " -> ".join(f"{x:.1f}" for x in loads)


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def print_runs(rows: dict[str, dict]) -> None:
    """The city's runs: serial and with 2 workers."""
    headers = [
        "case",
        "residents",
        "swabs",
        "wall s",
        "districts s",
        "chain etc. s",
        "cpu s",
        "peak MB",
        "worker MB",
        "machine MB",
        "load",
    ]
    lines = []
    for kind in ("serial", "processes"):
        r = rows.get(kind)
        if r is None:
            continue
        if r["status"] != "ok":
            lines.append([LABELS[kind], r["status"].upper()] + [""] * (len(headers) - 2))
            continue
        d = r["districts_s"]
        workers = r["workers_peak_mb"]
        lines.append(
            [
                LABELS[kind],
                f"{r['residents']:,}",
                f"{r['swabs']:,}",
                f"{r['wall_s']:.2f}",
                "n/a" if d is None else f"{d:.2f}",
                "n/a" if d is None else f"{r['wall_s'] - d:.2f}",
                f"{r['cpu_s'] + r['workers_cpu_s']:.2f}",
                f"{r['peak_mb']:.0f}",
                f"{workers:.0f}" if workers else "",
                f"{r['machine_peak_mb']:.0f}",
                _load_text(r),
            ]
        )
    _render_table(headers, lines)
    print(
        "  districts s: until the last district's result came back; chain etc.: the rest "
        "(merge, city chain,\n  result); cpu: the workers' included; peak: the process's VmHWM; "
        f"worker: the largest worker's ru_maxrss;\n  machine: peak + {JOBS} x worker (an upper "
        "bound); the city is loaded before the clock starts"
    )


def print_tasks(r: dict) -> None:
    """Each district alone, then load, merge and chain."""
    rows = r["districts"]
    headers = [
        "district",
        "residents",
        "points",
        "swabs (teams')",
        "s",
        "cpu s",
        "s/100k",
        "+MB",
        "pickled",
        "pickle+unpickle s",
    ]
    lines = []
    for d in rows:
        lines.append(
            [
                d["name"],
                f"{d['residents']:,}",
                str(d["points"]),
                f"{d['swabs']:,} ({d['mobile_swabs']:,})",
                f"{d['wall_s']:.2f}",
                f"{d['cpu_s']:.2f}",
                f"{d['wall_s'] / d['residents'] * 1e5:.3f}",
                "n/a" if d["mb"] is None else f"{d['mb']:+.0f}",
                _mb(d["bytes"]),
                f"{d['dumps_s'] + d['loads_s']:.3f}",
            ]
        )
    res = sum(d["residents"] for d in rows)
    tot = sum(d["wall_s"] for d in rows)
    n = len(rows)
    lines.append(
        [
            f"all {n}",
            f"{res:,}",
            str(sum(d["points"] for d in rows)),
            f"{sum(d['swabs'] for d in rows):,} ({sum(d['mobile_swabs'] for d in rows):,})",
            f"{tot:.2f}",
            f"{sum(d['cpu_s'] for d in rows):.2f}",
            f"{tot / res * 1e5:.3f}",
            "",
            _mb(sum(d["bytes"] for d in rows)),
            f"{sum(d['dumps_s'] + d['loads_s'] for d in rows):.3f}",
        ]
    )
    print(f"\n  per-task costs ({r['city']}: each district's run_district alone, one process):")
    _render_table(headers, lines)
    print(
        f"  mean {tot / n:.2f} s per district (slowest {max(d['wall_s'] for d in rows):.2f} s), "
        f"{tot / res * 1e5:.3f} s per 100,000 residents; +MB: how far the task raised the\n"
        "  resident set; pickled: the DistrictRun a worker sends back (pickle's default protocol)"
    )
    ch, sm = r["chain"], r["small"]
    c = costs(r)
    print(
        f"  load_city({r['city']}) {r['load_s']:.2f} s (first call; again {r['load_again_s']:.2f} "
        f"s); load_city({r['ten_million']['name']}) {r['ten_million']['load_s']:.2f} s"
    )
    for label, x in (("city", ch), (f"at 1/{SMALL_SHARE} of the residents", sm)):
        chain_mb = x.get("chain_mb")
        print(
            f"  {label}: {x['residents']:,} residents, {x['swabs']:,} swabs, {x['tubes']:,} "
            f"tubes, {x['labs']} labs: merge_feeds {x['merge_s']:.2f} s, chain "
            f"{x['chain_s']:.2f} s (cpu {x['chain_cpu_s']:.2f} s, "
            f"{x['chain_s'] / x['swabs'] * 1e6:.2f} s per million swabs"
            + ("" if chain_mb is None else f", {chain_mb:+.0f} MB")
            + ")"
        )
    b, bd = c["chain_exponent"], c["district_exponent"]
    small_100k = c["small_s_per_100k"]
    print(
        "  growth between the two sizes (t ~ n^b): chain "
        + ("n/a" if b is None else f"b = {b:.2f} in the swabs")
        + "; districts "
        + ("n/a" if bd is None else f"b = {bd:.2f} in the residents")
        + ("" if small_100k is None else f" ({small_100k:.3f} s per 100k at 1/{SMALL_SHARE})")
        + f"; peak {r['peak_mb']:.0f} MB, load {_load_text(r)}"
    )


def print_largest(r: dict) -> None:
    if r["status"] != "ok":
        return
    print(
        f"\n  the 10M city's largest district alone: {r['name']}, {r['residents']:,} residents, "
        f"{r['points']} points, {r['swabs']:,} swabs: {r['wall_s']:.2f} s (cpu {r['cpu_s']:.2f} "
        f"s, {r['wall_s'] / r['residents'] * 1e5:.3f} s per 100k), peak {r['peak_mb']:.0f} MB "
        f"(the process with its config {r['config_mb']:.0f} MB), DistrictRun {_mb(r['bytes'])} "
        f"pickled; load {_load_text(r)}"
    )


def print_projection(p: dict, rows: dict[str, dict]) -> None:
    if not p:
        return
    c, t = p["costs"], p["ten_million"]
    print(
        f"\n  projection: {t['name']} ({t['source']}): {t['tasks']} districts, "
        f"{t['residents']:,} residents, {t['points']:,} points, {t['labs']} labs, "
        f"~{t['swabs'] / 1e6:.2f} million swabs (projected),\n  on {t['cores']} cores "
        f"({t['waves']} wave{'s' if t['waves'] > 1 else ''} of {t['tasks']} district tasks), "
        f"{t['bandwidth_mbs']:g} MB/s to the parent:"
    )
    print(
        "    T = load + districts + transfer + merge + chain\n"
        f"      = {t['load_s']:.2f} + {t['districts_s']:.2f} + {t['transfer_s']:.2f} + "
        f"{t['merge_s']:.2f} + {t['chain_s']:.2f} = {t['wall_s']:.1f} s"
    )
    print(
        f"    load: load_city({t['name']}) measured + the first call's extra "
        f"{c['load_extra_s']:.2f} s\n"
        f"    districts: {c['s_per_100k']:.3f} s per 100,000 residents (the city's districts, "
        f"measured) x each district's residents, in order on {t['cores']} cores\n"
        f"      = the longest task, {t['longest']} ({t['longest_residents']:,} residents): "
        f"{t['longest_s']:.2f} s (all {t['tasks']} one after another: "
        f"{t['serial_districts_s']:.1f} s)\n"
        f"    transfer: {t['bytes'] / 1e6:.0f} MB of results ({c['bytes_per_swab']:.1f} bytes "
        f"per swab): {t['network_s']:.2f} s on the link + pickling the largest + unpickling "
        "all\n"
        f"    swabs: {c['point_swabs_per_resident']:.4f} per resident + "
        f"{c['swabs_per_team']:,.0f} per mobile team (the city's)\n"
        "    merge, chain: linear in the swabs (the assumption): "
        f"{c['merge_s_per_swab'] * 1e6:.3f} and {c['chain_s_per_million']:.2f} s per million swabs"
    )
    b = c["chain_exponent"]
    if t["wall_exponent_s"] is not None:
        print(
            f"    with the chain's measured growth (b = {b:.2f}) instead of linear: chain "
            f"{t['chain_exponent_s']:.2f} s, T = {t['wall_exponent_s']:.1f} s"
        )
    m = p.get("ten_million_largest_measured")
    lg = rows.get("largest", {})
    if m is not None:
        scaled = lg["residents"] * c["s_per_resident"]
        print(
            f"    with {lg['name']} as measured ({lg['wall_s']:.2f} s; scaled {scaled:.2f} s): "
            f"districts {m['districts_s']:.2f} s, T = {m['wall_s']:.1f} s"
        )
    loc = p["local"]
    proc = rows.get("processes", {})
    if proc.get("status") == "ok":
        print(
            f"  the same model for {rows['tasks']['city']} on {JOBS} local cores (no network, "
            f"no load): {loc['wall_s']:.1f} s (districts {loc['districts_s']:.2f} s; with each "
            f"district's own time {loc['districts_measured_s']:.2f} s); measured "
            f"{proc['wall_s']:.1f} s (districts {proc['districts_s'] or float('nan'):.2f} s)"
        )


def compute_checks(rows: dict[str, dict], proj: dict) -> list[dict]:
    ok = {k: r for k, r in rows.items() if r["status"] == "ok"}
    checks: list[dict] = []
    if "serial" in ok:
        s = ok["serial"]
        checks.append(
            {
                "name": f"{s['city']} serial: wall time (info)",
                "value": s["wall_s"],
                "text": f"{s['wall_s']:.1f} s ({s['residents']:,} residents, "
                f"{s['districts']} districts; cpu {s['cpu_s']:.1f} s)"
                + busy_note(s["wall_s"], s["cpu_s"], 1),
                "target": "",
                "ok": None,
            }
        )
        checks.append(
            {
                "name": f"{s['city']} serial: peak memory",
                "value": s["peak_mb"],
                "text": f"{s['peak_mb']:.0f} MB",
                "target": f"<= {TARGET_MB:.0f} MB",
                "ok": s["peak_mb"] <= TARGET_MB,
            }
        )
    if "processes" in ok:
        p = ok["processes"]
        cpu = p["cpu_s"] + p["workers_cpu_s"]
        speed = f"; {ok['serial']['wall_s'] / p['wall_s']:.2f}x serial" if "serial" in ok else ""
        checks.append(
            {
                "name": f"{p['city']} {JOBS} workers: wall time (info)",
                "value": p["wall_s"],
                "text": f"{p['wall_s']:.1f} s (cpu {cpu:.1f} s{speed})"
                + busy_note(p["wall_s"], cpu, JOBS),
                "target": "",
                "ok": None,
            }
        )
        checks.append(
            {
                "name": f"{p['city']} {JOBS} workers: parent + {JOBS} x largest worker",
                "value": p["machine_peak_mb"],
                "text": f"{p['machine_peak_mb']:.0f} MB ({p['peak_mb']:.0f} + {JOBS} x "
                f"{p['workers_peak_mb']:.0f} MB)",
                "target": f"<= {TARGET_MB:.0f} MB",
                "ok": p["machine_peak_mb"] <= TARGET_MB,
            }
        )
    if "serial" in ok and "processes" in ok:
        d = diff_summaries([ok["serial"]["summary"]], [ok["processes"]["summary"]])
        checks.append(
            {
                "name": "city summary: serial = processes (NaN-aware)",
                "value": not d,
                "text": "yes" if not d else f"NO: {len(d)} differences, e.g. {d[0]}",
                "target": "same",
                "ok": not d,
            }
        )
    if proj:
        c, t = proj["costs"], proj["ten_million"]
        n = len(ok["tasks"]["districts"])
        checks.append(
            {
                "name": "per-district task (info)",
                "value": c["districts_s"] / n,
                "text": f"{c['districts_s'] / n:.2f} s mean of {n}; {c['s_per_100k']:.3f} s per "
                "100,000 residents",
                "target": "",
                "ok": None,
            }
        )
        b = c["chain_exponent"]
        checks.append(
            {
                "name": "city chain (info)",
                "value": c["chain_s"],
                "text": f"{c['chain_s']:.2f} s for {c['swabs']:,} swabs "
                f"({c['chain_s_per_million']:.2f} s per million; at 1/{SMALL_SHARE} of the "
                f"residents {c['small_chain_s_per_million']:.2f}; growth b = "
                + ("n/a" if b is None else f"{b:.2f}")
                + ")",
                "target": "",
                "ok": None,
            }
        )
        checks.append(
            {
                "name": f"projection: {t['name']} on {t['cores']} cores (info)",
                "value": t["wall_s"],
                "text": f"{t['wall_s']:.1f} s (longest task {t['longest']} {t['longest_s']:.1f} "
                f"s; chain {t['chain_s']:.1f} s linear"
                + (
                    ""
                    if t["wall_exponent_s"] is None
                    else f", T = {t['wall_exponent_s']:.1f} s with b = {b:.2f}"
                )
                + ")",
                "target": "",
                "ok": None,
            }
        )
        m = proj.get("ten_million_largest_measured")
        if m is not None:
            lg = ok["largest"]
            scaled = lg["residents"] * c["s_per_resident"]
            checks.append(
                {
                    "name": "projection: largest district measured / scaled (info)",
                    "value": lg["wall_s"] / scaled,
                    "text": f"{lg['name']} {lg['wall_s']:.2f} s / {scaled:.2f} s = "
                    f"x{lg['wall_s'] / scaled:.2f}; T = {m['wall_s']:.1f} s with it; "
                    f"its peak {lg['peak_mb']:.0f} MB",
                    "target": "",
                    "ok": None,
                }
            )
    return checks


def _meta(args: argparse.Namespace, argv: list[str] | None, kinds: list[str], load: Any) -> dict:
    from benchmarks.run import _version

    return {
        "timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "city": CITY,
        "quick": args.quick,
        "overrides": city_overrides(args.quick),
        "jobs": JOBS,
        "replication": REPLICATION,
        "cores": args.cores,
        "bandwidth_mbs": args.bandwidth,
        "cases": kinds,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": load,
        "loadavg_at_end": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("simpy", "numpy")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.city",
        description="Time the 3-million-resident city (city_3m) serial and with 2 worker "
        "processes, its per-task costs, and project the 10-million city on a cluster.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a {QUICK_DISTRICTS}-district city of {QUICK_DISTRICTS * QUICK_RESIDENTS:,} "
        "residents instead (smoke test; no largest-district case)",
    )
    parser.add_argument(
        "--no-largest",
        action="store_true",
        help="do not run the 10-million city's largest district alone",
    )
    parser.add_argument(
        "--cores", type=int, default=CORES, help=f"cores of the projection (default {CORES})"
    )
    parser.add_argument(
        "--bandwidth",
        type=float,
        default=BANDWIDTH_MBS,
        help=f"the parent's link in the projection, MB/s (default {BANDWIDTH_MBS:g}: 1 Gbit/s)",
    )
    add_save_options(parser, "city")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return _child_main(args.child, args.quick)
    if args.cores < 1 or args.bandwidth <= 0:
        parser.error("--cores must be >= 1 and --bandwidth > 0")
    if hasattr(sys.stdout, "reconfigure"):  # keep the report and stderr progress in order
        sys.stdout.reconfigure(line_buffering=True)

    kinds = ["serial", "processes", "tasks"]
    if not args.quick and not args.no_largest:
        kinds.append("largest")
    what = (
        f"{CITY}'s first {QUICK_DISTRICTS} districts at {QUICK_RESIDENTS:,} residents (--quick)"
        if args.quick
        else f"{CITY} (10 districts, 400 points, 3,000,000 residents, a 2-day round, 6 labs)"
    )
    print(
        f"\nCity (issue 12): {what}, seed 1, replication {REPLICATION}: run_city serial and "
        f"with {JOBS} workers,\nthe per-task costs, and the 10-million city projected on "
        f"{args.cores} cores"
    )
    start_load = os.getloadavg() if hasattr(os, "getloadavg") else None
    rows: dict[str, dict] = {}
    t_all = time.perf_counter()
    for k, kind in enumerate(kinds, 1):
        print(f"[{k}/{len(kinds)}] city {kind} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        r = run_case(kind, args.quick)
        print(
            f"[{k}/{len(kinds)}] city {kind}: {r['status']} [{time.perf_counter() - t0:.1f} s]",
            file=sys.stderr,
            flush=True,
        )
        rows[kind] = r
    print_runs(rows)
    if rows["tasks"]["status"] == "ok":
        print_tasks(rows["tasks"])
    if "largest" in rows:
        print_largest(rows["largest"])
    proj = projections(rows, args.cores, args.bandwidth)
    print_projection(proj, rows)
    for r in rows.values():
        if r["status"] != "ok":
            print(f"  note: {r['kind']} {r['status']}: {r.get('reason', '')}")
            if r.get("traceback"):
                print("    " + "\n    ".join(r["traceback"].strip().splitlines()[-6:]))
    checks = compute_checks(rows, proj)
    print()
    print_checks(checks)
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"  total city benchmark time {time.perf_counter() - t_all:.1f} s{load}")

    if not args.no_save:
        from benchmarks.run import save_case

        payload = {
            "meta": _meta(args, argv, kinds, start_load),
            "cases": list(rows.values()),
            "projection": proj,
            "checks": checks,
        }
        path = save_case("city", payload, args.results)
        print(f"city results written to {shown_path(path)}")

    failed = any(c["ok"] is False for c in checks) or any(
        r["status"] != "ok" for r in rows.values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
