"""The command line end to end: ``python -m sim`` (the default district round, every output on)
timed from the shell's point of view, with a split of where the time goes.

Each repetition runs ``python -m sim hydra.run.dir=<temp>/run<k>`` in a fresh process, in a
temporary working folder, and times it from the parent (``wall s``: interpreter start, imports,
config composition, simulation, every file of the run folder). The run folder is checked
(``summary.json`` written, the per-resident table there) and deleted.

One more run (``--no-phases``: none) goes through the same ``sim.cli.main`` in a child that
wraps the CLI's phases with timers (exclusive time: a phase nested in another is not counted
twice):

==================  ==========================================================================
phase               what is timed
==================  ==========================================================================
start, exit         the child's wall time (from the parent) minus what it timed itself: the
                    interpreter's start-up and, mostly, its exit (freeing every object)
import              ``import sim.cli`` (Hydra, numpy, the package; what ``python -m sim`` loads)
check config        composing and validating the run's config before Hydra starts
compose default     composing the default config (the report's differences)
hydra               Hydra's own work: its composition again, the job folder, logging
simulate            ``run_replications``: the round and its sample chain
summary, tables     ``RunResult.summary()``, ``RunResult.tables()``
residents           the per-resident DataFrame, then its file (``residents.parquet``/``.csv``)
figures             building the figures, then waiting for / drawing their PNGs (a helper
                    process draws some of them meanwhile: its time is not counted)
report.html         the HTML report (figures embedded)
other files         config.yaml, the CSV tables, targets, summary.json
print summary       the summary printed on stdout
other               the rest (targets' verdicts, folder checks, ...)
==================  ==========================================================================

Target: the median wall time of ``python -m sim`` <= 6 s on the 2-core development machine
(exit status 1 if not, or if a run fails).

Run: ``python -m benchmarks.cli [--repeat 3] [--no-phases] [--no-save] [--set key=value]``
(also part of ``python -m benchmarks``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._child import shown_path

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@CLI@@ "
TARGET_S = 6.0  # median wall time of `python -m sim`, every output on

PHASES = (
    "start, exit",
    "import",
    "check config",
    "compose default",
    "hydra",
    "simulate",
    "summary",
    "tables",
    "residents",
    "figures",
    "report.html",
    "other files",
    "print summary",
    "other",
)


# --------------------------------------------------------------------------- phase child


class _Clock:
    """Exclusive time per phase label: time spent in a nested timed call is its own."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._stack: list[list[float]] = []  # per open call: [time in nested timed calls]

    def timed(self, label: str | Callable[..., str], func: Callable[..., Any]) -> Callable:
        clock = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            clock._stack.append([0.0])
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                nested = clock._stack.pop()[0]
                clock.totals[name] = clock.totals.get(name, 0.0) + elapsed - nested
                if clock._stack:
                    clock._stack[-1][0] += elapsed

        wrapper.__wrapped__ = func  # type: ignore[attr-defined]
        return wrapper


def _file_phase(path: Any, *args: Any, **kwargs: Any) -> str:
    name = Path(path).name
    if name.startswith("residents."):
        return "residents"
    if name.endswith(".png"):
        return "figures"
    if name == "report.html":
        return "report.html"
    return "other files"


def _patch(clock: _Clock) -> None:
    """Wrap the CLI's phases (by attribute, so that a phase missing in a version is skipped)."""
    import functools

    import sim.cli
    import sim.plots.report as report
    import sim.runner as runner
    from sim.experiment.result import RunResult

    def wrap(obj: Any, attr: str, label: str | Callable[..., str]) -> None:
        func = getattr(obj, attr, None)
        if func is not None:
            setattr(obj, attr, clock.timed(label, func))

    wrap(sim.cli, "_check", "check config")
    wrap(sim.cli, "compose", "compose default")
    wrap(sim.cli, "_task", "other")
    wrap(runner, "run_replications", "simulate")
    wrap(runner, "format_summary", "print summary")
    wrap(runner, "write_run", "other files")
    wrap(report, "atomic_write", _file_phase)
    wrap(report, "_figure_makers", "figures")
    wrap(report, "_png_bytes", "figures")
    wrap(RunResult, "summary", "summary")
    wrap(RunResult, "tables", "tables")
    prop = RunResult.__dict__.get("residents")
    if isinstance(prop, functools.cached_property):
        timed = functools.cached_property(clock.timed("residents", prop.func))
        timed.__set_name__(RunResult, "residents")
        RunResult.residents = timed  # type: ignore[method-assign,assignment]


def _peak_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _child_main(argv: list[str]) -> int:
    """Run ``sim.cli.main(argv)`` with the phases timed; JSON on stdout after MARKER."""
    t_start = time.perf_counter()
    clock = _Clock()
    payload: dict[str, Any] = {}
    code = 0
    try:
        t0 = time.perf_counter()
        import sim.cli

        clock.totals["import"] = time.perf_counter() - t0
        _patch(clock)
        sys.argv = ["sim", *argv]
        try:
            clock.timed("hydra", sim.cli.main)(argv)
        except SystemExit as exc:  # Hydra exits 0 after the job, the CLI 1/2 on failure
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        payload["status"] = "ok" if code == 0 else "error"
        if code:
            payload["reason"] = f"sim exited with status {code}"
    except Exception as exc:
        payload.update(status="error", reason=f"{type(exc).__name__}: {exc}")
        payload["traceback"] = traceback.format_exc()
        code = 1
    payload["timed_s"] = time.perf_counter() - t_start
    payload["phases"] = clock.totals
    payload["peak_mb"] = _peak_mb()
    sys.stdout.flush()
    print(MARKER + json.dumps(payload), flush=True)
    return code


# --------------------------------------------------------------------------- parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _folder_facts(folder: Path) -> dict[str, Any]:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {
        "files": [p.name for p in files],
        "mb": sum(p.stat().st_size for p in files) / 1e6,
        "complete": (folder / "summary.json").is_file(),
        "residents": next((p.name for p in files if p.name.startswith("residents.")), None),
    }


def run_once(work: Path, k: int, overrides: list[str], keep: bool) -> dict[str, Any]:
    """``python -m sim`` once, in ``work``, into ``work/run<k>``: wall time and the folder."""
    folder = work / f"run{k}"
    cmd = [sys.executable, "-m", "sim", f"hydra.run.dir={folder}", *overrides]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {"wall_s": wall, "returncode": proc.returncode}
    if folder.is_dir():
        out.update(_folder_facts(folder))
        if not keep:
            shutil.rmtree(folder)
    if proc.returncode != 0 or not out.get("complete"):
        out["status"] = "error"
        out["reason"] = f"exit status {proc.returncode}" + (
            "" if out.get("complete") else ", no summary.json"
        )
        out["stderr"] = proc.stderr[-3000:]
    else:
        out["status"] = "ok"
    return out


def run_phases(work: Path, overrides: list[str]) -> dict[str, Any]:
    """One more run in a child that times the CLI's phases."""
    folder = work / "phases"
    cmd = [sys.executable, "-m", "benchmarks.cli", "--child", f"hydra.run.dir={folder}"]
    cmd += overrides
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if folder.is_dir():
        shutil.rmtree(folder)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            payload: dict[str, Any] = json.loads(line[len(MARKER) :])
            payload["wall_s"] = wall
            payload["phases"] = {"start, exit": wall - payload["timed_s"], **payload["phases"]}
            return payload
    return {
        "status": "error",
        "wall_s": wall,
        "reason": f"child exited with code {proc.returncode} and no result",
        "traceback": proc.stderr[-3000:],
    }


def print_report(runs: list[dict[str, Any]], phases: dict[str, Any] | None) -> None:
    for k, r in enumerate(runs):
        extra = (
            f"{len(r.get('files', []))} files, {r.get('mb', 0.0):.1f} MB"
            f", {r.get('residents') or 'no residents table'}"
            if r["status"] == "ok"
            else f"{r['status'].upper()}: {r['reason']}"
        )
        print(f"  run {k}: {r['wall_s']:6.2f} s  ({extra})")
        if r["status"] != "ok" and r.get("stderr"):
            print("    " + "\n    ".join(r["stderr"].strip().splitlines()[-8:]))
    if phases is None:
        return
    if phases["status"] != "ok":
        print(f"  phases: {phases['status'].upper()}: {phases.get('reason', '')}")
        if phases.get("traceback"):
            print("    " + "\n    ".join(phases["traceback"].strip().splitlines()[-8:]))
        return
    times = phases["phases"]
    total = phases["wall_s"]
    peak = phases.get("peak_mb")
    print(
        f"\n  where the time goes (one more run, timed inside: {total:.2f} s"
        + (f", peak {peak:.0f} MB" if peak else "")
        + ")"
    )
    names = [p for p in PHASES if p in times] + sorted(set(times) - set(PHASES))
    for name in names:
        t = times[name]
        print(f"    {name:<16}{t:7.2f} s  {t / total:6.1%}")


def compute_checks(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ok = [r["wall_s"] for r in runs if r["status"] == "ok"]
    if not ok or len(ok) < len(runs):
        return [
            {
                "name": "python -m sim end to end",
                "value": None,
                "text": f"{len(runs) - len(ok)} of {len(runs)} runs failed",
                "target": f"<= {TARGET_S:g} s",
                "ok": False,
            }
        ]
    median = statistics.median(ok)
    return [
        {
            "name": "python -m sim end to end (median)",
            "value": median,
            "text": f"{median:.2f} s (best {min(ok):.2f} s, worst {max(ok):.2f} s)",
            "target": f"<= {TARGET_S:g} s",
            "ok": median <= TARGET_S,
        }
    ]


def _meta(args: argparse.Namespace, argv: list[str] | None) -> dict[str, Any]:
    from benchmarks.run import _version

    return {
        "timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "repeat": args.repeat,
        "overrides": args.set,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "versions": {d: _version(d) for d in ("numpy", "pandas", "pyarrow", "matplotlib")},
    }


def save(payload: dict[str, Any], into: Path | None) -> Path:
    """Add ``payload`` as ``cli`` to the results file ``into``, or write a new one."""
    from benchmarks.run import save_case

    return save_case("cli", payload, into)


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        return _child_main(args_in[1:])
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cli",
        description="Time `python -m sim` (the default round, every output on) end to end.",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs timed (default 3)")
    parser.add_argument("--no-phases", action="store_true", help="skip the phase split run")
    parser.add_argument("--no-save", action="store_true", help="do not write results JSON")
    parser.add_argument("--keep", action="store_true", help="keep the run folders (printed)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an override passed to python -m sim (repeatable)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help="add the results to this results file (default: write a new one)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        "\nCommand line end to end: python -m sim (default round, all outputs), "
        f"{args.repeat} run(s)"
        + (f", overrides {' '.join(args.set)}" if args.set else "")
        + f"; load average at start {load:.2f} on {os.cpu_count()} cores"
    )
    work = Path(tempfile.mkdtemp(prefix="masstest-cli-bench-"))
    t_all = time.perf_counter()
    try:
        runs = []
        for k in range(args.repeat):
            print(f"[{k + 1}/{args.repeat}] python -m sim ...", end="", flush=True, file=sys.stderr)
            r = run_once(work, k, args.set, args.keep)
            print(f" {r['status']} [{r['wall_s']:.1f} s]", file=sys.stderr)
            runs.append(r)
        phases = None if args.no_phases else run_phases(work, args.set)
    finally:
        if args.keep:
            print(f"  run folders kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_report(runs, phases)
    checks = compute_checks(runs)
    print()
    for c in checks:
        print(f"  {c['name']}  {c['text']}  {c['target']}: {'PASS' if c['ok'] else 'FAIL'}")
    print(f"  total CLI benchmark time {time.perf_counter() - t_all:.1f} s")

    if not args.no_save:
        payload = {"meta": _meta(args, argv), "runs": runs, "phases": phases, "checks": checks}
        path = save(payload, args.results)
        print(f"CLI results written to {shown_path(path)}")
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
