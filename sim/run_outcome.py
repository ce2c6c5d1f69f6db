"""What a run of many replications produced, and the one failure that is neither bad
input nor a bug: a worker process lost part way."""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import ScenarioError
from sim.records import Results


class WorkerLostError(RuntimeError):
    """A pool worker died mid-run (killed, or out of memory). Neither bad input nor a
    bug of the model, so it is reported in one line, with the finished work kept."""

    def advised(self, finish: str) -> str:
        """The message with its general advice (:data:`RESUME_ADVICE`) made the command
        line that finishes the work (``finish``), as a stop by Ctrl-C gives it."""
        return str(self).replace(RESUME_ADVICE, f"{finish} finishes it")


RESUME_ADVICE = "--resume with --out finishes the run"
"""What a lost worker's message advises, before the command line is known."""


@dataclass
class RunOutcome:
    """What a run produced."""

    results: Results
    """Finished replications in index order."""
    interrupted: bool
    """Stopped by Ctrl-C before reaching its target."""
    wall_seconds: float
    target: int
    """Runs asked for (or, with a precision target, where the run stopped)."""
    precision_met: bool | None = None
    """With a precision target: whether it was reached before the maximum."""
    ran: int = 0
    """Replications run by this call (fewer than ``results`` when resuming)."""
    error: ScenarioError | WorkerLostError | None = None
    """What stopped the run part way: a replication the scenario's own limits refuse
    (``ceasefire.max_acts``), or a worker process that died; the replications finished
    before it are in ``results``."""

    beyond: int = 0
    """Saved replications (``--resume``) at or past where this run stopped, left out of
    ``results``: an adaptive run can stop before a saved run's last replication."""

    @property
    def partial(self) -> bool:
        """Stopped before its target: by a stop signal, a scenario error or a lost
        worker."""
        return self.interrupted or self.error is not None


def spawn_hint(received: int) -> str:
    """Why workers that died before any item came back may have died, where processes
    start afresh ('spawn', 'forkserver': the default off Linux): each imports the
    script that made the pool, and a script without a main guard starts them again."""
    import multiprocessing

    if received or multiprocessing.get_start_method(allow_none=True) not in ("spawn",
                                                                             "forkserver"):
        return ""
    return ("; or, in a script of your own started under the 'spawn' or 'forkserver' "
            "method, for want of an \"if __name__ == '__main__':\" guard around the run")
