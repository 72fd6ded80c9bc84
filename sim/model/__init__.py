"""The testing domain: residents, collection points, rosters, and a run that wires them."""
