"""How far an adaptive (``--precision``) run goes unless told otherwise.

These live apart from :mod:`sim.runner`, which uses them, so that the command line can
show them in ``--help`` without loading the simulator and the packages it needs.
"""

DEFAULT_MIN_RUNS = 1000
"""Fewest runs an adaptive (``--precision``) run makes unless told otherwise."""
DEFAULT_MAX_RUNS = 200_000
"""Most runs an adaptive run makes unless told otherwise."""
