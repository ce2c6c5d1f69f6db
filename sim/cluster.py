"""Runners for the command line: a local process pool, or a dask.distributed cluster.

The cluster is reached through its ``concurrent.futures`` executor
(``Client.get_executor()``), so the runner treats it like any other executor. dask is
an optional extra, imported only when ``--dask`` is given.
"""

from __future__ import annotations

import gc
import logging
import pickle
import threading
import time
import uuid
import warnings
from concurrent.futures import Executor, Future
from typing import Any
from urllib.parse import urlsplit

from sim import __version__
from sim.errors import ScenarioError
from sim.progress import warn
from sim.runner import Runner
from sim.signals import deferred_stop

SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
"""Protocols of a scheduler's address (dask's in-process one cannot be reached from here)."""
ADDRESS_HELP = "the address of a running dask scheduler, such as tcp://127.0.0.1:8786"
INSTALL = ("install it, the same version as here, on every worker node, in the environment "
           "'dask worker' runs in (pip install -e '.[distributed]', which installs dask worker "
           "too)")
"""What to do about a worker that cannot import this simulator."""


def check_listening(address: str, timeout: float = 3.0) -> None:
    """Refuse at once a TCP address where nothing listens, or whose host is unknown:
    dask's client retries such an address until its whole timeout (20 s) has passed.
    A host that does not answer within ``timeout`` is left to the client to judge."""
    import socket

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme == "ucx" or parts.hostname is None or parts.port is None:
        return
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return
    except ConnectionRefusedError:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP}: nothing listens on port "
                            f"{parts.port} of {parts.hostname} (start the scheduler first: "
                            f"dask scheduler --port {parts.port})") from None
    except socket.gaierror as exc:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP}: unknown host "
                            f"{parts.hostname!r} ({exc.strerror or exc})") from None
    except OSError:  # no answer in time, or unreachable: dask's client says which
        return


def check_address(address: str) -> None:
    """Refuse at once an empty address, one without a port or one whose port cannot
    exist: connecting would wait out the whole timeout (and dask's client, refusing an
    address without a port, was left to time out as it was collected)."""
    if not address:
        raise ScenarioError("--dask", "", address, ADDRESS_HELP)
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in SCHEMES:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} (a protocol dask speaks "
                            f"across machines: {', '.join(SCHEMES)})")
    try:
        port = parts.port
    except ValueError as exc:  # port out of range, or not a number
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} ({exc})") from None
    if not port:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} (with its port)")
    if parts.username is not None or parts.path or parts.query or parts.fragment:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} (a host and a port, nothing "
                            "more)")


CONNECT_SECONDS = 20.0
"""How long to wait for the scheduler to answer."""


def connect(client_type: Any, address: str, timeout: float = CONNECT_SECONDS) -> Any:
    """A client of the scheduler at ``address``, made in a thread of its own.

    dask's own timeout does not cover a server that accepts the connection and never
    answers (the scheduler's dashboard port, any other service): its client then waits
    for ever, and from the main thread it would not even see Ctrl-C. Here the command
    waits at most ``timeout`` seconds (and a little more for dask to report its own
    timeout), and a stop signal ends the wait at once. A connection left hanging is
    abandoned in its thread, which ends with the program.

    Raises:
        ScenarioError: nothing answered as a scheduler in time, or dask refused the
            address.
    """
    made: dict[str, Any] = {}
    done = threading.Event()

    def attempt() -> None:
        try:
            # not the process's default client: nothing is left for dask's exit hook
            # to close (a Ctrl-C while connecting made it print a traceback)
            made["client"] = client_type(address, timeout=timeout, set_as_default=False)
        except Exception as exc:  # handed to the main thread as its type and message
            made["error"] = (type(exc), str(exc))
        done.set()
        # a client that failed half made waits 40 s to close when it is collected: let
        # that happen here, in a thread the program does not wait for, not at its exit
        gc.collect()

    threading.Thread(target=attempt, name="dask-connect", daemon=True).start()
    with deferred_stop() as stop:
        deadline = time.monotonic() + timeout + 2.0
        while not done.wait(0.05) and time.monotonic() < deadline:
            stop.check()
        stop.check()
    if "client" in made:
        return made["client"]
    if "error" not in made:
        raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP}: nothing there answered as "
                            f"a dask scheduler within {timeout:g} s (is it the scheduler's "
                            "port, 8786 by default, and not its dashboard's, 8787?)")
    kind, message = made["error"]
    # (dask's errors of a protocol it lacks the set-up for are TypeErrors of its insides)
    why = (_protocol_need(address) if kind is TypeError else "") or f"{kind.__name__}: {message}"
    if issubclass(kind, (MemoryError, OverflowError)):  # a reply read as a length: "HTTP/1.1 4"
        why = ("something answered there, but not as a dask scheduler: another service, whose "
               "reply dask read as a message of absurd length (is it the scheduler's port, 8786 "
               "by default?)")
    raise ScenarioError("--dask", "", address, f"{ADDRESS_HELP} ({why})")


def _protocol_need(address: str) -> str:
    """What a protocol dask speaks only with more set up needs ("" for the others): its
    client's own errors for them are internal (an abstract class, a missing argument)."""
    scheme = urlsplit(address).scheme if "://" in address else "tcp"
    if scheme == "tls" or scheme == "wss":
        return (f"{scheme}:// needs TLS certificates in dask's configuration "
                "(distributed.comm.tls), which this machine's dask does not have; or use tcp://")
    if scheme == "ucx":
        return "ucx:// needs the ucx-py package on this machine and the workers; or use tcp://"
    return ""


def mismatch_line(message: str) -> str:
    """dask's table of packages whose versions differ between this machine, the
    scheduler and the workers, as one warning line (``numpy: here 2.4.6, scheduler
    MISSING``): the table took a dozen lines before the command's own one-line answer."""
    rows = []
    for line in message.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] and cells[0] != "Package" and not set(cells[0]) <= set("+-"):
            rows.append(f"{cells[0]}: here {cells[1]}, scheduler {cells[2]}, workers {cells[3]}")
    return ("warning: package versions differ between this machine and the cluster"
            + (f" ({'; '.join(rows)})" if rows else ""))


def check_workers(client: Any, address: str) -> None:
    """Refuse a cluster where a worker cannot import the simulator, or runs another
    version of it (whose model may give other results, saved as this version's).

    A worker that cannot unpack a work item (its function lives in this package) dies,
    and with no worker left the run waits for ever. So every worker first imports the
    package, through a call that needs nothing but Python's builtins (``Client.run``
    runs it on each worker, outside the task queue). A cluster with no workers yet is
    not held up; a worker that joins later and cannot import it leaves the cluster at
    the first item it is given, with a warning (:class:`PortableExecutor`).
    """
    if not client.nthreads():
        return
    try:
        answers = client.run(eval, "__import__('sim.chunks') and __import__('sim').__version__",
                             on_error="return")
    except Exception:  # lost meanwhile: the run will tell
        return
    failed = {w: a for w, a in answers.items() if isinstance(a, BaseException)}
    # another version's model gives other results, and its runs would be saved as this one's
    other = {w: a for w, a in answers.items() if w not in failed and a != __version__}
    for bad, wanted, said in ((failed, "can import this simulator", "cannot"),
                              (other, f"run this simulator's version {__version__}", "run another")):
        if bad:
            client.close()
            worker, answer = next(iter(bad.items()))
            raise ScenarioError("--dask", "", address, f"a cluster whose workers {wanted}, but "
                                f"{len(bad)} of {len(answers)} {said} ({worker}: {answer}): "
                                f"{INSTALL}")


LEFT = "ceasefire-simulator-left"
"""The topic of the cluster's event log under which a worker that cannot import this
simulator says so, as it leaves."""

UNPACK = f"""
def run(blob):
    import pickle
    try:
        function, args, version = pickle.loads(blob)
    except Exception as exc:
        leave(f"{{type(exc).__name__}}: {{exc}}")
    import sim
    if sim.__version__ != version:
        leave(f"it runs version {{sim.__version__}}, and the run needs {{version}}")
    return function(*args)


def leave(error):
    from distributed import Reschedule, get_worker
    worker = get_worker()
    worker.log_event({LEFT!r}, {{"worker": worker.address, "error": error}})
    worker.loop.add_callback(worker.close, nanny=True, executor_wait=False,
                             reason="cannot import the simulator")
    raise Reschedule()
"""
"""The code a cluster's worker runs each work item with, sent as text: it unpacks the
item (a function of this package, its arguments and the version of this simulator that
sent it) where a failure can be handled. A worker that cannot unpack it, or runs
another version (whose model may give other results), says why in the cluster's event
log, hands the item back to the scheduler, and leaves the cluster."""


class PortableExecutor(Executor):
    """A cluster's executor whose work items any worker can receive, with this package
    installed or not; it watches for workers that cannot import the package.

    A work item sent as it is names functions of this package, and a worker that cannot
    import them dies receiving it; with no other worker the run waited for ever.
    :func:`check_workers` refuses such a cluster before the run, but workers may join
    it later. So each item is sent pickled, with code made of Python's builtins alone
    (:data:`UNPACK`, run by ``eval``), which unpickles it on the worker. One that
    cannot leaves the cluster, and its item goes to another worker: the run warns once
    about it and goes on, unless no worker is left (:meth:`watch`)."""

    def __init__(self, inner: Executor, client: Any) -> None:
        self.inner, self.client = inner, client
        self._seen = {self._key(event) for event in self._events()}  # an earlier run's
        self.left: dict[str, str] = {}
        """The workers that left the cluster during this run, and why."""
        self.idle_said = False
        """Whether the user has been told the cluster has no worker (until one joins)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args)`` on the cluster (keyword arguments go to the cluster's own
        ``submit``, as dask's executor takes them)."""
        blob = pickle.dumps((fn, args, __version__), protocol=pickle.DEFAULT_PROTOCOL)
        # named after the function, not 'eval', in the cluster's dashboard and logs
        kwargs.setdefault("key", f"{getattr(fn, '__name__', 'item')}-{uuid.uuid4().hex}")
        return self.inner.submit(eval, "exec(code, space) or space['run'](blob)",
                                 {"code": UNPACK, "space": {}, "blob": blob}, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait)

    def watch(self) -> None:
        """Warn once of each worker that left for want of this simulator, and stop the
        run (raising RuntimeError, which the runner reports with the runs it kept) when
        no worker is left: its items would wait for ever. A cluster without workers for
        another reason (they died, or none has joined yet) may get one back: the run
        waits, and the user is told so once, rather than watching nothing happen."""
        new: dict[str, str] = {}
        for event in self._events():
            if self._key(event) not in self._seen:
                self._seen.add(self._key(event))
                worker = str(event[1].get("worker"))
                if worker not in self.left:
                    new[worker] = self.left[worker] = str(event[1].get("error"))
        if self.left and not self.client.nthreads():
            worker, error = next(reversed(self.left.items()))
            raise RuntimeError(f"{worker} cannot run this simulator's work ({error}) and left the "
                               f"cluster, and no worker is left: {INSTALL}")
        for worker, error in new.items():
            warn(f"warning: {worker} cannot run this simulator's work ({error}) and left the "
                 f"cluster; the run goes on without it ({INSTALL})")
        idle = not self._threads()
        if idle and not self.idle_said:
            warn("warning: the cluster has no worker: the run waits for one to join (Ctrl-C "
                 "stops it, keeping the finished runs; with --out, --resume finishes it)")
        self.idle_said = idle

    def _threads(self) -> int:
        """The cluster's worker threads (taken as some when the cluster cannot say: a
        cluster lost is for the run to report, not this check)."""
        try:
            return sum(self.client.nthreads().values())
        except Exception:
            return 1

    def _events(self) -> list[tuple[float, dict[str, Any]]]:
        """The cluster's events of workers that left it (:data:`LEFT`)."""
        try:
            return list(self.client.get_events(LEFT))
        except Exception:  # the cluster lost meanwhile: the run will tell
            return []

    @staticmethod
    def _key(event: tuple[float, dict[str, Any]]) -> tuple[float, str]:
        return event[0], str(event[1].get("worker"))


def _quiet_dask() -> None:
    """Silence dask's own log below CRITICAL: the command reports a lost cluster in one
    line, which dask's tracebacks and 'Couldn't gather' warnings would bury. dask's
    logging configuration gives some of its loggers (``distributed.client``) a level of
    their own, so each is set, not only their parent."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    for name in ["distributed", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


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
    check_listening(dask)  # (after the extra: installing it is needed whatever the address)
    _quiet_dask()
    with warnings.catch_warnings(record=True) as caught:  # (the filters as they were)
        client = connect(Client, dask)
        _quiet_dask()  # (loggers made as it connected)
        check_workers(client, dask)
    for said in caught:  # dask's version table, in one line; its other warnings as they were
        if type(said.message).__name__ == "VersionMismatchWarning":
            warn(mismatch_line(str(said.message)))
        else:
            warnings.showwarning(said.message, said.category, said.filename, said.lineno)
    # enough work in flight for every thread of the cluster
    threads = sum(client.nthreads().values())  # none yet on a cluster that scales up
    return Runner(workers=workers or threads or None,
                  executor=PortableExecutor(client.get_executor(), client), progress=progress)
