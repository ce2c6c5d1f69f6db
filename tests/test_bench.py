"""The benchmarks' bookkeeping: what they count and how they file profile samples.

Their figures are not tested (speed is measured, not asserted); what they count and
how they sort time into SimPy, seeding and rules is, since the per-event analysis
rests on it."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import simpy

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import event_cost  # noqa: E402
import where_time_goes  # noqa: E402

import sim.streams  # noqa: E402
from sim.model import run_replication  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

OUTER = "<module> (where_time_goes.py:99);model_time (event_cost.py:80);run_replication (sim/model.py:55)"


def test_count_matches_the_model_and_restores_simpy_and_random(monkeypatch):
    sc = load_scenario(BENCH.parent / "scenarios" / "geneva_2016.toml")
    events, streams = event_cost.count(sc, 5)
    assert simpy.Environment is event_cost.PlainEnvironment
    assert random.Random is event_cost.PlainRandom

    # the same figures counted another way: steps of SimPy's loop, and streams made
    steps, made = [0], [0]
    step, make = simpy.Environment.step, sim.streams.make_stream

    def counted_step(env):
        steps[0] += 1
        step(env)

    def counted_make(entropy, name):
        made[0] += 1
        return make(entropy, name)

    monkeypatch.setattr(simpy.Environment, "step", counted_step)
    monkeypatch.setattr(sim.streams, "make_stream", counted_make)
    for i in range(5):
        run_replication(sc, 1, i)
    assert (events, streams) == (steps[0], made[0])
    assert events > 5 and streams > 5


def test_samples_are_filed_by_their_innermost_python_or_compiled_frame():
    category = where_time_goes.category
    python = OUTER + ";Environment.step (simpy/core.py:198);Process._resume (simpy/events.py:399)"
    assert category(python.split(";")) == "SimPy"
    rule = python + ";Ceasefire.commit (sim/ceasefire.py:230);perceive (sim/rules/perception.py:60)"
    assert category(rule.split(";")) == "rules and bookkeeping"
    # a C function is charged to its caller
    assert category((python + ";heappush (_heapqmodule.c:30)").split(";")) == "SimPy"
    assert category((rule + ";math_log (mathmodule.c:10)").split(";")) == "rules and bookkeeping"
    seeded = rule + ";make_stream (sim/streams.py:30);Random.seed (random.py:164)"
    assert category(seeded.split(";")) == "seeding"
    entropy = OUTER + ";replication_entropy (sim/streams.py:22);inner (numpy/_core/_ufunc_config.py:496)"
    assert category(entropy.split(";")) == "seeding"
    draw = rule + ";Random.expovariate (random.py:628)"
    assert category(draw.split(";")) == "rules and bookkeeping"
    # compiled code called by SimPy is the model's, not SimPy's
    native = python + ";CPyDef_ceasefire___Ceasefire___commit (__native.c:100);Py_DECREF (object.h:537)"
    assert category(native.split(";")) == "rules and bookkeeping"
    # start-up and loading are not the replications' time
    assert category(["<module> (x.py:1)", "load_scenario (sim/scenario.py:300)"]) is None
