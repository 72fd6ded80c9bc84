"""Save the summaries and tables the regression tests compare with (tests/regression/).

Run from the repository root on the commit whose results are the reference:

    python tools/regression_baseline.py

It writes ``tests/regression/data/baseline.json``: for each case (a list of overrides), seed
and replication, the summary of ``sim.run`` and a digest of each table (shape, columns and the
sum of each numeric column). Regenerate it only for a change that is meant to change results,
and say so in the commit.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The cases: a name, the overrides, the seed.
CASES: list[tuple[str, list[str], int]] = [
    ("default", [], 11),
    ("three_rounds", ["layout=three_rounds"], 11),
    ("busy_point", ["scenario=busy_point"], 5),
    ("single_station", ["scenario=single_station"], 5),
    ("no_barcodes", ["layout=no_barcodes"], 7),
    ("no_green_channel", ["layout=no_green_channel"], 7),
    ("pool_5_in_1", ["layout=pool_5_in_1"], 7),
    ("queue_board", ["layout=queue_board"], 7),
    ("appointments", ["layout=appointments"], 7),
]


def plain(x: object) -> object:
    """JSON-safe: NaN and infinities as strings, numpy scalars as Python numbers."""
    if hasattr(x, "item"):
        x = x.item()  # type: ignore[union-attr]
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)
    return x


def digest(frame: object) -> dict[str, object]:
    """A table's shape, columns and the sum of each numeric column (NaN left out)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    sums = {
        str(c): plain(float(frame[c].sum(skipna=True)))
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    return {"shape": list(frame.shape), "columns": [str(c) for c in frame.columns], "sums": sums}


def case(overrides: list[str], seed: int) -> dict[str, object]:
    """The summary and table digests of one run."""
    import sim

    result = sim.run(sim.load_config(overrides), seed=seed)
    return {
        "summary": {k: plain(v) for k, v in result.summary().items()},
        "tables": {name: digest(frame) for name, frame in result.tables().items()},
    }


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    out = {
        "commit": commit,
        "cases": {
            name: {"overrides": ov, "seed": seed, **case(ov, seed)} for name, ov, seed in CASES
        },
    }
    path = ROOT / "tests" / "regression" / "data" / "baseline.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n", "utf-8")
    print(f"wrote {path} ({len(CASES)} cases, commit {commit[:10]})")


if __name__ == "__main__":
    main()
