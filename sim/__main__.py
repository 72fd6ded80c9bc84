"""``python -m sim``: run the default scenario (see :mod:`sim.cli`)."""

import gc

from sim.cli import main

gc.freeze()  # the imported modules stay: the collector need not walk them (faster start, exit)
main()
