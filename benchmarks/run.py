"""Benchmark runner: the project's engine vs a plain SimPy baseline vs Ciw.

Usage (from the repository root)::

    python -m benchmarks                      # full run, ~300 000 residents per case
    python -m benchmarks --scale 0.05         # quick check
    python benchmarks/run.py --cases normal --engines project simpy

Every (case, engine) pair runs all its points serially in a fresh subprocess
(``benchmarks._child``), so wall time excludes imports and peak RSS is per
engine and case. See benchmarks/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks._child import ENGINES, MARKER  # noqa: E402
from benchmarks.workload import CASES, n_points, utilisation  # noqa: E402

ENGINE_ORDER = ("project", "simpy", "ciw")
CASE_ORDER = ("normal", "overload")
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Targets (all timing ratios use wall time per arrived resident).
TARGET_SIMPY_OVER_PROJECT = 6.0  # at the "normal" case
TARGET_CIW_OVER_PROJECT = 10.0  # at every case run
TARGET_PROJECT_OVERLOAD_OVER_NORMAL = 1.5
TARGET_PROJECT_PEAK_MB = 500.0

DEFAULT_SEED = 20_240_101


# --------------------------------------------------------------------------- running


def run_child(engine: str, rate: float, points: int, seed: int, timeout: float | None) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks._child",
        "--engine",
        engine,
        "--rate",
        repr(rate),
        "--points",
        str(points),
        "--seed",
        str(seed),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    base = {"engine": engine, "rate_per_min": rate, "points": points}
    try:
        proc = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {**base, "status": "timeout", "reason": f"no result within {timeout:g} s"}
    payload = None
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            payload = json.loads(line[len(MARKER) :])
    if payload is None:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return {
            **base,
            "status": "error",
            "reason": f"child exited with code {proc.returncode} and no result",
            "traceback": tail,
        }
    if proc.returncode != 0 and payload.get("status") == "ok":
        payload["status"] = "error"
        payload["reason"] = f"child exited with code {proc.returncode}"
    return payload


# --------------------------------------------------------------------------- statistics


def t_quantile(df: float) -> float:
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def mean_ci(values: list[float]) -> tuple[float, float, int]:
    """Mean and 95 % t half-width across points (nan half-width with < 2 points)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, 0
    m = statistics.fmean(values)
    if n < 2:
        return m, math.nan, n
    return m, t_quantile(n - 1) * statistics.stdev(values) / math.sqrt(n), n


def diff_ci(a: list[float], b: list[float]) -> tuple[float, float]:
    """Difference of means a - b and its 95 % Welch half-width."""
    if len(a) < 2 or len(b) < 2:
        if a and b:
            return statistics.fmean(a) - statistics.fmean(b), math.nan
        return math.nan, math.nan
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    se2 = va + vb
    d = statistics.fmean(a) - statistics.fmean(b)
    if se2 == 0:
        return d, 0.0
    df = se2**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return d, t_quantile(df) * math.sqrt(se2)


def point_means(run: dict, cls: str) -> list[float]:
    """Per-point mean wait of a class (points with no tested resident of the class are skipped)."""
    return [p[f"wait_sum_{cls}"] / p[f"n_{cls}"] for p in run["per_point"] if p[f"n_{cls}"] > 0]


def summarise(run: dict) -> dict:
    pts = run["per_point"]
    residents = sum(p["n_arrived"] for p in pts)
    row = {
        "residents": residents,
        "tested": sum(p["n_tested"] for p in pts),
        "wall_s": run["wall_s"],
        "cpu_s": run["cpu_s"],
        "us_per_resident": run["wall_s"] / residents * 1e6 if residents else math.nan,
        "cpu_us_per_resident": run["cpu_s"] / residents * 1e6 if residents else math.nan,
        "peak_mb": run["peak_rss_kib"] / 1024.0,
    }
    for cls in ("green", "general"):
        m, h, n = mean_ci(point_means(run, cls))
        row[f"wait_{cls}"] = m
        row[f"wait_{cls}_ci"] = h
        row[f"wait_{cls}_npoints"] = n
    return row


# --------------------------------------------------------------------------- formatting


def fmt_ci(m: float, h: float) -> str:
    if math.isnan(m):
        return "n/a"
    digits = 3 if abs(m) < 10 else 1
    if math.isnan(h):
        return f"{m:.{digits}f} ± n/a"
    return f"{m:.{digits}f} ± {h:.{digits}f}"


def fmt_num(x: float, spec: str) -> str:
    return "n/a" if x is None or math.isnan(x) else format(x, spec)


def print_table(rows: list[dict]) -> None:
    headers = [
        "engine",
        "case",
        "points",
        "residents",
        "tested",
        "wall s",
        "cpu s",
        "µs/resident",
        "peak MB",
        "wait green min (95% CI)",
        "wait general min (95% CI)",
    ]
    lines = []
    for r in rows:
        if r["status"] != "ok":
            lines.append([r["engine"], r["case"], str(r["points"]), r["status"].upper()] + [""] * 7)
            continue
        s = r["summary"]
        lines.append(
            [
                r["engine"],
                r["case"],
                str(r["points"]),
                f"{s['residents']:,}",
                f"{s['tested']:,}",
                f"{s['wall_s']:.2f}",
                f"{s['cpu_s']:.2f}",
                f"{s['us_per_resident']:.1f}",
                f"{s['peak_mb']:.0f}",
                fmt_ci(s["wait_green"], s["wait_green_ci"]),
                fmt_ci(s["wait_general"], s["wait_general_ci"]),
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    left = {0, 1}

    def render(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(render(headers))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(render(line))
    for r in rows:
        if r["status"] != "ok":
            print(f"  note: {r['engine']}/{r['case']} {r['status']}: {r.get('reason', '')}")
            if r.get("traceback"):
                print("    " + "\n    ".join(r["traceback"].strip().splitlines()[-6:]))


# --------------------------------------------------------------------------- checks


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def compute_checks(results: dict[tuple[str, str], dict]) -> dict:
    """Ratios, targets and wait agreement; results maps (engine, case) -> row."""

    def us(engine: str, case: str, key: str = "us_per_resident") -> float | None:
        r = results.get((engine, case))
        if r is None or r["status"] != "ok":
            return None
        return r["summary"][key]

    def ratio_of(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b is not None and b > 0 else None

    cases = [c for c in CASE_ORDER if any(k[1] == c for k in results)]
    speed, scaling, memory, agreement = [], [], [], []

    for other, target in (("simpy", TARGET_SIMPY_OVER_PROJECT), ("ciw", TARGET_CIW_OVER_PROJECT)):
        for case in cases:
            if (other, case) not in results or ("project", case) not in results:
                continue  # only compare engines that were both asked for
            ratio = ratio_of(us(other, case), us("project", case))
            cpu_ratio = ratio_of(
                us(other, case, "cpu_us_per_resident"), us("project", case, "cpu_us_per_resident")
            )
            applies = other == "ciw" or case == "normal"
            ok = None if ratio is None or not applies else ratio >= target
            speed.append(
                {
                    "name": f"{other}/project",
                    "case": case,
                    "ratio": ratio,
                    "cpu_ratio": cpu_ratio,
                    "target": f">= {target:g}x" if applies else "(info)",
                    "verdict": verdict(ok) if applies else "",
                    "ok": ok,
                }
            )

    if "normal" in cases and "overload" in cases:
        for engine in ENGINE_ORDER:
            if (engine, "normal") not in results or (engine, "overload") not in results:
                continue
            ratio = ratio_of(us(engine, "overload"), us(engine, "normal"))
            cpu_ratio = ratio_of(
                us(engine, "overload", "cpu_us_per_resident"),
                us(engine, "normal", "cpu_us_per_resident"),
            )
            is_target = engine == "project"
            ok = ratio <= TARGET_PROJECT_OVERLOAD_OVER_NORMAL if is_target and ratio else None
            scaling.append(
                {
                    "name": engine,
                    "ratio": ratio,
                    "cpu_ratio": cpu_ratio,
                    "target": f"<= {TARGET_PROJECT_OVERLOAD_OVER_NORMAL:g}"
                    if is_target
                    else "(info)",
                    "verdict": verdict(ok) if is_target else "",
                    "ok": ok,
                }
            )

    for case in cases:
        r = results.get(("project", case))
        if r is None:
            continue
        mb = r["summary"]["peak_mb"] if r["status"] == "ok" else None
        ok = None if mb is None else mb < TARGET_PROJECT_PEAK_MB
        memory.append(
            {
                "case": case,
                "peak_mb": mb,
                "target": f"< {TARGET_PROJECT_PEAK_MB:g} MB",
                "verdict": verdict(ok),
                "ok": ok,
            }
        )

    for case in cases:
        ok_engines = [e for e in ENGINE_ORDER if results.get((e, case), {}).get("status") == "ok"]
        for i, a in enumerate(ok_engines):
            for b in ok_engines[i + 1 :]:
                for cls in ("green", "general"):
                    d, h = diff_ci(
                        point_means(results[(a, case)], cls), point_means(results[(b, case)], cls)
                    )
                    ref = results[(b, case)]["summary"][f"wait_{cls}"]
                    if math.isnan(d) or math.isnan(h):
                        label = "n/a (< 2 points)"
                    else:
                        label = "agree" if abs(d) <= h else "DIFFER"
                    agreement.append(
                        {
                            "case": case,
                            "class": cls,
                            "pair": f"{a} - {b}",
                            "diff": d,
                            "ci": h,
                            "rel": d / ref if ref else math.nan,
                            "label": label,
                        }
                    )

    return {"speed": speed, "scaling": scaling, "memory": memory, "agreement": agreement}


def print_checks(checks: dict) -> None:
    def cpu(c: dict, unit: str = "") -> str:
        return "" if c["cpu_ratio"] is None else f"(cpu {c['cpu_ratio']:.2f}{unit})"

    print("\nSpeed ratios (wall time per arrived resident, other engine / project):")
    if not checks["speed"]:
        print("  (need the project and another engine on the same case)")
    for c in checks["speed"]:
        ratio = "n/a" if c["ratio"] is None else f"{c['ratio']:.2f}x"
        print(
            f"  {c['name']:<15} {c['case']:<9} {ratio:>9}   {c['target']:<9} "
            f"{c['verdict']:<5} {cpu(c, 'x')}"
        )

    print("\nScaling (wall µs per resident, overload / normal):")
    if not checks["scaling"]:
        print("  (need both cases)")
    for c in checks["scaling"]:
        ratio = "n/a" if c["ratio"] is None else f"{c['ratio']:.2f}"
        print(f"  {c['name']:<15} {ratio:>9}   {c['target']:<9} {c['verdict']:<5} {cpu(c)}")
    print("  (targets are judged on wall time; the cpu ratio is less sensitive to a busy machine)")

    print("\nProject peak memory (RSS of the child process):")
    if not checks["memory"]:
        print("  (project not run)")
    for c in checks["memory"]:
        mb = "n/a" if c["peak_mb"] is None else f"{c['peak_mb']:.0f} MB"
        print(f"  {c['case']:<15} {mb:>9}   {c['target']:<9} {c['verdict']}")

    print("\nAgreement of mean waits (a - b, min, 95% Welch CI across points):")
    if not checks["agreement"]:
        print("  (need at least two engines)")
    for c in checks["agreement"]:
        if math.isnan(c["diff"]):
            diff = "n/a"
        elif math.isnan(c["ci"]):
            diff = f"{c['diff']:+.3f} ± n/a"
        else:
            diff = f"{c['diff']:+.3f} ± {c['ci']:.3f}"
        rel = "" if math.isnan(c["rel"]) else f"({c['rel']:+.1%})"
        print(f"  {c['case']:<9} {c['class']:<8} {c['pair']:<16} {diff:>20} {rel:>9}  {c['label']}")
    if checks["agreement"]:
        print("  (at 95 % about 1 comparison in 20 shows DIFFER by chance alone)")


# --------------------------------------------------------------------------- main


def _split(values: list[str]) -> list[str]:
    return [v for item in values for v in item.split(",") if v]


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def save_results(payload: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    for k in range(1000):
        path = RESULTS_DIR / (f"{stamp}.json" if k == 0 else f"{stamp}-{k}.json")
        try:
            with path.open("x", encoding="utf-8") as fh:  # never overwrite
                json.dump(payload, fh, indent=2, allow_nan=True)
                fh.write("\n")
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"could not find a free file name in {RESULTS_DIR}")


def main(argv: list[str] | None = None) -> int:
    """Run the point benchmark; the exit status (see ``--strict``)."""
    return benchmark(argv)[0]


def benchmark(argv: list[str] | None = None) -> tuple[int, Path | None]:
    """Run the point benchmark: the exit status and the results file written (None with
    ``--no-save``)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark the project's engine against plain SimPy and Ciw.",
        epilog="python -m benchmarks then runs the district benchmark (python -m "
        "benchmarks.district: the default round, its mobile teams and sample chain, the "
        "twelve-day campaign), python -m sim end to end (python -m benchmarks.cli) and the "
        "staffing planner (python -m benchmarks.staffing: one point, then the whole district, "
        "several minutes) and the replications (python -m benchmarks.replications: 20 "
        "replications serial, with 2 worker processes and on Ray, then 100; about 3.5 minutes), "
        "into the same results file; skip them with --no-district, --no-campaign (the campaign "
        "alone), --no-cli, --no-staffing, --no-replications.",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the number of points per case (default 1.0 = ~300 000 residents)",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=list(CASE_ORDER),
        metavar="CASE",
        help="cases to run: normal, overload (space or comma separated; default both)",
    )
    parser.add_argument(
        "--engines",
        nargs="+",
        default=list(ENGINE_ORDER),
        metavar="ENGINE",
        help="engines to run: project, simpy, ciw (default all)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="point i of every run uses seed + i"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds allowed per (engine, case) subprocess (default: no limit)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not write results JSON")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 if a target fails or an engine run errors",
    )
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):  # keep table and stderr progress in order
        sys.stdout.reconfigure(line_buffering=True)

    cases = _split(args.cases)
    engines = _split(args.engines)
    for c in cases:
        if c not in CASES:
            parser.error(f"unknown case {c!r}; choose from {', '.join(CASES)}")
    for e in engines:
        if e not in ENGINES:
            parser.error(f"unknown engine {e!r}; choose from {', '.join(ENGINE_ORDER)}")
    if args.scale <= 0:
        parser.error("--scale must be > 0")
    cases = [c for c in CASE_ORDER if c in cases]
    engines = [e for e in ENGINE_ORDER if e in engines]

    print(
        f"masstest-sim benchmark  scale={args.scale:g}  seed={args.seed}  "
        f"python {platform.python_version()}  {platform.machine()}  "
        f"cpus={os.cpu_count()}"
    )
    print(
        "versions: "
        + ", ".join(f"{d}={_version(d) or 'not installed'}" for d in ("simpy", "ciw", "numpy"))
    )
    for case in cases:
        rate = CASES[case]
        print(
            f"case {case}: rate {rate:g}/min ({rate * 60:.0f}/h) per point, "
            f"utilisation {utilisation(rate):.2f}, {n_points(rate, args.scale)} points"
        )
    print()

    results: dict[tuple[str, str], dict] = {}
    rows = []
    total = len(cases) * len(engines)
    k = 0
    t_all = time.perf_counter()
    for case in cases:
        rate = CASES[case]
        points = n_points(rate, args.scale)
        for engine in engines:
            k += 1
            print(
                f"[{k}/{total}] {engine:<8} {case:<9} {points} points ...",
                end="",
                flush=True,
                file=sys.stderr,
            )
            t0 = time.perf_counter()
            run = run_child(engine, rate, points, args.seed, args.timeout)
            run["case"] = case
            if run["status"] == "ok":
                msg = f" {run['wall_s']:.1f} s"
            else:
                msg = f" {run['status']} ({run.get('reason', '')})"
            print(f"{msg}  [child total {time.perf_counter() - t0:.1f} s]", file=sys.stderr)
            results[(engine, case)] = run
            rows.append(run)

    # Statistics (scipy) only after all children ran: keeps this parent process small.
    for run in rows:
        if run["status"] == "ok":
            run["summary"] = summarise(run)

    print()
    print_table(rows)
    checks = compute_checks(results)
    print_checks(checks)
    print(f"\ntotal benchmark time {time.perf_counter() - t_all:.1f} s")

    path: Path | None = None
    if not args.no_save:
        payload = {
            "meta": {
                "timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
                "argv": sys.argv[1:] if argv is None else argv,
                "scale": args.scale,
                "seed": args.seed,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpu_count": os.cpu_count(),
                "versions": {d: _version(d) for d in ("simpy", "ciw", "numpy", "scipy")},
                "cases": {
                    c: {"rate_per_min": CASES[c], "points": n_points(CASES[c], args.scale)}
                    for c in cases
                },
            },
            "runs": rows,
            "checks": checks,
        }
        path = save_results(payload)
        print(f"results written to {path.relative_to(REPO_ROOT)}")

    if args.strict:
        failed = any(
            c.get("ok") is False for group in ("speed", "scaling", "memory") for c in checks[group]
        )
        errored = any(r["status"] in ("error", "timeout") for r in rows)
        return (1 if failed or errored else 0), path
    return 0, path


if __name__ == "__main__":
    sys.exit(main())


def save_case(key: str, payload: dict, into: Path | None) -> Path:
    """Add ``payload`` under ``key`` to the results file ``into``, or write a new one."""
    if into is None:
        return save_results({"meta": payload["meta"], key: payload})
    data = json.loads(into.read_text(encoding="utf-8"))
    data[key] = payload
    tmp = into.with_name(into.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, allow_nan=True)
        fh.write("\n")
    os.replace(tmp, into)
    return into
