"""Simulation building blocks with no testing-specific words: random streams, distributions,
arrival processes, capacity schedules and the tandem multi-server queue kernel."""
