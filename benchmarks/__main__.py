"""``python -m benchmarks``: the point benchmark (project vs SimPy vs Ciw), then the district
round and its sample chain, saved into the same results file. See benchmarks/README.md.
Options are those of benchmarks/run.py; ``--no-district`` skips the district round."""

import sys

from benchmarks import district
from benchmarks.run import benchmark

args = sys.argv[1:]
skip_district = "--no-district" in args
args = [a for a in args if a != "--no-district"]
code, path = benchmark(args)
if not skip_district and "-h" not in args and "--help" not in args:
    extra = ["--no-save"] if path is None else ["--results", str(path)]
    code = max(code, district.main(extra))
sys.exit(code)
