"""``python -m sim``: run the default scenario (see :mod:`sim.cli`)."""

from sim.cli import main

main()
