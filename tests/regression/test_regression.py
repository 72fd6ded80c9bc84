"""The same config and seed give exactly the results saved from the reference commit
(``tests/regression/data/baseline.json``, made by ``tools/regression_baseline.py``): a
refactoring (e.g. the stages of a point as data) must not change a single number. A change
meant to change results regenerates the file and says so in its commit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = json.loads((ROOT / "tests" / "regression" / "data" / "baseline.json").read_text())
sys.path.insert(0, str(ROOT / "tools"))

from regression_baseline import case  # noqa: E402


@pytest.mark.parametrize("name", sorted(BASELINE["cases"]))
def test_results_are_those_of_the_reference_commit(name: str) -> None:
    ref = BASELINE["cases"][name]
    now = json.loads(json.dumps(case(ref["overrides"], ref["seed"])))
    assert list(now["summary"]) == list(ref["summary"]), "summary keys changed"
    changed = {
        k: (ref["summary"][k], now["summary"][k])
        for k in ref["summary"]
        if now["summary"][k] != ref["summary"][k]
    }
    assert not changed, f"{name}: summary differs from {BASELINE['commit'][:10]}: {changed}"
    assert now["tables"] == ref["tables"], f"{name}: a table differs"
