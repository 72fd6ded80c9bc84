"""masstest-sim's Ray launcher for Hydra: ``hydra/launcher=ray`` runs each job of a multirun as
a Ray task, on a local Ray or a running cluster (README, "Ray launcher").

Hydra finds it in the ``hydra_plugins`` namespace; it needs Ray
(``pip install 'masstest-sim[ray]'``), imported only when a multirun uses it.
"""

__version__ = "0.1.0"
