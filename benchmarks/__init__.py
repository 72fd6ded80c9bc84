"""Benchmarks for masstest-sim: project engine vs plain SimPy vs Ciw. See README.md."""
