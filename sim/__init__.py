"""Negotiation and ceasefire simulator for the 2016 Syrian talks.

The public entry points: :func:`sim.scenario.load_scenario` reads a scenario file,
:func:`sim.model.run_replication` simulates one replication, :mod:`sim.runner` runs
many, and :mod:`sim.stats` summarises them with intervals.
"""

__version__ = "0.4.0"
