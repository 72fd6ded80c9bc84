"""``python -m benchmarks``: the point benchmark (project vs SimPy vs Ciw), then the district
round, its mobile teams and sample chain, and the twelve-day campaign, then ``python -m sim``
end to end, then the staffing planner (one point, then the whole district: several minutes),
then many replications serial, in 2 worker processes and on Ray (about 3.5 minutes), then the
3-million-resident city and the 10-million city's projection (about 2 minutes), saved into the
same results file. See benchmarks/README.md. Options are those of benchmarks/run.py;
``--no-district`` skips the district benchmark (the campaign with it), ``--no-campaign`` the
twelve-day campaign alone, ``--no-cli`` the command line end to end, ``--no-staffing`` the
staffing planner, ``--no-replications`` the replications benchmark, ``--no-city`` the city
benchmark."""

import sys

from benchmarks import city, cli, district, replications, staffing
from benchmarks.run import benchmark

OWN = (
    "--no-district",
    "--no-campaign",
    "--no-cli",
    "--no-staffing",
    "--no-replications",
    "--no-city",
)

args = sys.argv[1:]
skip_district = "--no-district" in args
skip_campaign = "--no-campaign" in args
skip_cli = "--no-cli" in args
skip_staffing = "--no-staffing" in args
skip_replications = "--no-replications" in args
skip_city = "--no-city" in args
args = [a for a in args if a not in OWN]
code, path = benchmark(args)
if "-h" not in args and "--help" not in args:
    extra = ["--no-save"] if path is None else ["--results", str(path)]
    if not skip_district:
        code = max(code, district.main(extra + (["--no-campaign"] if skip_campaign else [])))
    if not skip_cli:
        code = max(code, cli.main(extra))
    if not skip_staffing:
        code = max(code, staffing.main(extra))
    if not skip_replications:
        code = max(code, replications.main(extra))
    if not skip_city:
        code = max(code, city.main(extra))
sys.exit(code)
