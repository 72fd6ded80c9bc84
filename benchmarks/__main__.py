"""``python -m benchmarks``: the point benchmark (project vs SimPy vs Ciw), then the district
round. See benchmarks/README.md. Options are those of benchmarks/run.py; ``--no-district``
skips the district round."""

import sys

from benchmarks import district
from benchmarks.run import main

args = sys.argv[1:]
skip_district = "--no-district" in args
args = [a for a in args if a != "--no-district"]
code = main(args)
if not skip_district and "-h" not in args and "--help" not in args:
    code = max(code, district.main([]))
sys.exit(code)
