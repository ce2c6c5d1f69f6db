"""The replications a run has finished, gathered as its chunks come back, and the
checkpoints that save them while it goes on.

A run's finished work arrives in chunks, in whatever order the workers finish them. It
is held as a list of blocks and joined into one sorted block only when needed (a
precision check, a checkpoint, the end), so joining stays linear in the runs however
many chunks came back. A checkpoint saves every replication finished so far about
every ``every`` seconds, so a process killed outright loses at most that much.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from sim.records import Results

__all__ = ["Finished"]


class Finished:
    """Replications finished so far (those of a resumed run included), and when they
    are next saved.

    Args:
        empty: makes a table of the scenario's layout with no runs (joined with the
            blocks, so that a run with none still has its columns).
        existing: replications a resumed run already holds; kept, never rerun.
        checkpoint: called with every replication finished so far when a save comes
            due; None saves nothing.
        every: seconds between saves. A save that takes long pushes the next one back
            to at least ten times its own length, so a large run does not spend its
            time saving.
    """

    def __init__(self, empty: Callable[[], Results], existing: Results | None,
                 checkpoint: Callable[[Results], None] | None, every: float) -> None:
        self._empty = empty
        self._blocks: list[Results] = [existing] if existing is not None and len(existing) else []
        self.held = frozenset(existing.columns["replication"].tolist() if existing is not None
                              else ())
        """The replications of ``existing``: saved by an earlier session, never rerun."""
        self._checkpoint = checkpoint
        self._every = every
        self._save_at = time.perf_counter() + every if checkpoint is not None else math.inf
        self._unsaved = False  # replications kept since the last save
        self.ran = 0
        """Replications this run finished (those of ``existing`` not counted)."""

    def keep(self, chunk: Results) -> None:
        """Add a chunk that came back, and save if a checkpoint is due."""
        self._blocks.append(chunk)
        self.ran += len(chunk)
        self._unsaved = True
        self.save_if_due()

    def save_if_due(self) -> None:
        """Save everything finished if the checkpoint is due and something is new.
        Called as chunks arrive and at every poll between them: a cluster that stalls
        (its workers lost) must not hold finished work unsaved for long."""
        if self._checkpoint is None or not self._unsaved or time.perf_counter() < self._save_at:
            return
        self._save_at = math.inf  # a save that fails is not retried at every chunk
        block = self.collect()
        began = time.perf_counter()
        self._unsaved = False
        self._checkpoint(block)
        spent = time.perf_counter() - began
        self._save_at = time.perf_counter() + max(self._every, 10 * spent)

    def collect(self) -> Results:
        """Every replication finished so far, in index order, as one block (which
        replaces the blocks held, so collecting again costs little)."""
        block = self._empty().concat(*self._blocks).sorted()
        self._blocks = [block]
        return block

    def before(self, failed: int) -> Results:
        """The replications a run stopped by replication ``failed`` keeps: those before
        it, and those an earlier session saved (:attr:`held`). Which of the ones after it
        had finished depends on how the work was spread over the workers; without them,
        the run keeps the same replications for any number of local workers, and a
        resume stops at the same replication again. (A cluster's scheduler need not start
        items in order, so there the runner keeps whatever finished, as after a stop.)"""
        block = self.collect()
        reps = block.columns["replication"]
        return block.among(reps[(reps < failed) | np.isin(reps, list(self.held))])
