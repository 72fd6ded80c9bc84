"""The default round against another commit: is this tree slower than REF?

Times the default district round (collection alone: :func:`sim.model.district.simulate_campaign`,
313,000 residents, 40 points, seed 1) in fresh one-core child processes, alternately with this
tree and with a git worktree of ``REF`` (made in a temporary folder and removed after), so that
both see the same machine load. Each child times ``--repeat`` replications; the figure compared
is each side's best (least disturbed) time, and the median is shown beside it.

Run: ``python -m benchmarks.against REF [--repeat 3] [--rounds 3] [--target 10]``, e.g.
``python -m benchmarks.against 931e8e2`` (the commit before stages became data). Exit 1 when
this tree is more than ``--target`` percent slower than ``REF``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "@@AGAINST@@"

#: What each child runs (the same code for both trees: only ``sim`` differs).
_CHILD = """
import gc, json, sys, time
import sim
from sim.engine.streams import RandomStreams
from sim.model.district import simulate_campaign

cfg = sim.load_config([])
times = []
for k in range(int(sys.argv[1])):
    gc.collect()
    t0 = time.perf_counter()
    rounds = simulate_campaign(cfg, RandomStreams(1, k))
    times.append(time.perf_counter() - t0)
    del rounds
print("@@AGAINST@@" + json.dumps(times))
"""


def _time(tree: Path, repeat: int) -> list[float]:
    """Round times (s) of ``repeat`` replications with the ``sim`` of ``tree``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(repeat)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return [float(x) for x in json.loads(line[len(MARKER) :])]
    raise RuntimeError(f"child in {tree} failed:\n{proc.stderr[-2000:]}")


def _worktree(ref: str, into: Path) -> Path:
    """A detached worktree of ``ref`` whose ``sim.configs`` resolves to its own configs."""
    tree = into / "ref"
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "worktree", "add", "--detach", str(tree), ref],
        check=True,
        capture_output=True,
    )
    link = tree / "sim" / "configs"
    if not link.exists():  # an installed package maps sim.configs to configs/
        link.symlink_to(tree / "configs", target_is_directory=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__)
    parser.add_argument("ref", help="git commit (or branch, tag) to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="replications per child")
    parser.add_argument("--rounds", type=int, default=3, help="children per tree, alternated")
    parser.add_argument("--target", type=float, default=10.0, help="most percent slower allowed")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.rounds < 1:
        parser.error("--repeat and --rounds must be >= 1")
    here: list[float] = []
    there: list[float] = []
    with tempfile.TemporaryDirectory(prefix="masstest-against-") as tmp:
        tree = _worktree(args.ref, Path(tmp))
        try:
            for k in range(args.rounds):
                print(f"round {k + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
                there += _time(tree, args.repeat)
                here += _time(REPO_ROOT, args.repeat)
        finally:
            subprocess.run(
                ["git", "-C", str(REPO_ROOT), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    best_here, best_there = min(here), min(there)
    change = 100.0 * (best_here / best_there - 1.0)
    ok = change <= args.target
    print("\nDefault round (collection alone, 313,000 residents), seconds")
    print(f"  {'tree':<12}{'best':>8}{'median':>9}{'runs':>6}")
    print(f"  {'this tree':<12}{best_here:8.2f}{statistics.median(here):9.2f}{len(here):6d}")
    print(f"  {args.ref[:12]:<12}{best_there:8.2f}{statistics.median(there):9.2f}{len(there):6d}")
    print(
        f"  this tree vs {args.ref}: {change:+.1f}% (target: at most +{args.target:g}%) "
        + ("ok" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
