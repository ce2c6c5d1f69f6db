"""Runners for the command line: a local process pool, or a dask.distributed cluster.

The cluster is reached through its ``concurrent.futures`` executor
(``Client.get_executor()``), so the runner treats it like any other executor. dask is
an optional extra, imported only when ``--dask`` is given.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sim.errors import ScenarioError
from sim.runner import Runner

ADDRESS_HELP = "the address of a running dask scheduler, such as tcp://127.0.0.1:8786"


def check_address(address: str) -> None:
    """Refuse at once an empty address, one without a port or one whose port cannot
    exist: connecting would wait out the whole timeout (and dask's client, refusing an
    address without a port, was left to time out as it was collected)."""
    if not address:
        raise ScenarioError("--dask", "", address, ADDRESS_HELP)
    try:
        port = urlsplit(address if "://" in address else f"tcp://{address}").port
    except ValueError as exc:  # port out of range, or not a number
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} ({exc})") from None
    if port is None:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} (with its port)")


def make_runner(workers: int | None, dask: str | None, progress: bool) -> Runner:
    """A Runner on a local pool of ``workers`` processes, or on the dask cluster at
    ``dask`` with ``workers`` items at once (default: the cluster's threads)."""
    if dask is None:
        return Runner(workers=workers, progress=progress)
    check_address(dask)
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError("--dask", "", dask,
                            "install the 'distributed' extra: pip install -e '.[distributed]'"
                            ) from None
    try:
        # not the process's default client: nothing is left for dask's exit hook to
        # close (a Ctrl-C while connecting made it print a traceback)
        client = Client(dask, timeout=20, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address
        raise ScenarioError("--dask", "", dask, f"{ADDRESS_HELP} ({exc})") from None
    # enough work in flight for every thread of the cluster
    threads = sum(client.nthreads().values())  # none yet on a cluster that scales up
    return Runner(workers=workers or threads or None, executor=client.get_executor(),
                  progress=progress)
