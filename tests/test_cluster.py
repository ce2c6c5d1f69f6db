"""Reaching a dask cluster: a wrong address, a server that never answers, a stop while
waiting, and workers that cannot import the simulator all end the command at once
with one line, never a wait without end."""

from __future__ import annotations

import io
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Executor, Future
from typing import Any

import pytest
from helpers import DEFAULT, ROOT, cli, interrupt_cli, optional_extra, running, same_results

from sim.cluster import LEFT, PortableExecutor, check_address, check_workers, connect
from sim.errors import ScenarioError

distributed = optional_extra("distributed")

NO_SIM = """
import sys


class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "sim" or name.startswith("sim."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None


sys.meta_path.insert(0, Block())
"""


@pytest.fixture
def silent_server():
    """A server that accepts connections and never says a word (a dashboard's port,
    any service that is not a scheduler)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()


@pytest.mark.parametrize(("address", "says"), [
    ("notanaddress", "with its port"),
    ("127.0.0.1", "with its port"),
    ("http://127.0.0.1:8786", "a protocol dask speaks"),
    ("inproc://foo", "a protocol dask speaks"),
    ("tcp://127.0.0.1:99999", "Port out of range"),
    ("tcp://127.0.0.1:8786/", "a host and a port, nothing more"),
    ("tcp://user@127.0.0.1:8786", "a host and a port, nothing more"),
    ("tcp://127.0.0.1:0", "with its port"),
])
def test_an_address_dask_cannot_use_is_refused_before_connecting(address, says):
    with pytest.raises(ScenarioError, match=says):
        check_address(address)


def test_a_port_where_nothing_listens_and_an_unknown_host_are_refused_at_once():
    """dask's client retried both for its whole 20 s before saying 'Timed out'."""
    from sim.cluster import check_listening

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # bound, then freed: nothing listens there
    start = time.monotonic()
    with pytest.raises(ScenarioError, match=f"nothing listens on port {port} of 127.0.0.1 "
                       rf"\(start the scheduler first: dask scheduler --port {port}\)"):
        check_listening(f"tcp://127.0.0.1:{port}")
    with pytest.raises(ScenarioError, match=r"unknown host 'nosuchhost\.invalid'"):
        check_listening("nosuchhost.invalid:8786")
    assert time.monotonic() - start < 10
    proc = cli("run", str(DEFAULT), "--runs", "20", "--no-progress", "--dask",
               f"127.0.0.1:{port}", timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "nothing listens" in proc.stderr


def test_a_protocol_without_its_set_up_and_dask_s_version_table_are_said_in_words():
    """ucx:// and tls:// ended in dask's internal TypeErrors ('Can't instantiate abstract
    class UCXConnector'); a version mismatch printed a table a dozen lines long."""
    from sim.cluster import _protocol_need, mismatch_line

    assert "needs the ucx-py package" in _protocol_need("ucx://10.0.0.1:8786")
    assert "needs TLS certificates" in _protocol_need("tls://10.0.0.1:8786")
    assert _protocol_need("tcp://10.0.0.1:8786") == _protocol_need("10.0.0.1:8786") == ""
    table = ("Mismatched versions found\n\n+---------+--------+-----------+---------+\n"
             "| Package | Client | Scheduler | Workers |\n"
             "+---------+--------+-----------+---------+\n"
             "| numpy   | 2.4.6  | None      | None    |\n"
             "| python  | 3.11.7 | 3.11.7    | 3.12.1  |\n"
             "+---------+--------+-----------+---------+")
    assert mismatch_line(table) == (
        "warning: package versions differ between this machine and the cluster (numpy: here "
        "2.4.6, scheduler None, workers None; python: here 3.11.7, scheduler 3.11.7, workers "
        "3.12.1)")


def test_a_server_that_never_answers_is_given_up_on_in_time(silent_server):
    """dask's client waited for ever there (its timeout does not cover a silent peer)."""
    start = time.monotonic()
    with pytest.raises(ScenarioError, match="nothing there answered as a dask scheduler"):
        connect(distributed.Client, silent_server, timeout=1.0)
    assert time.monotonic() - start < 10


def test_a_server_that_answers_as_another_service_is_said_to_be_no_scheduler():
    """A web server's reply ('HTTP/1.1 403 ...') was read by dask as a message's length,
    and the refusal spoke of allocating 3.07 EiB."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def answer() -> None:
        while True:
            try:
                conn = server.accept()[0]
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n")
                conn.close()
            except OSError:
                return

    threading.Thread(target=answer, daemon=True).start()
    try:
        with pytest.raises(ScenarioError) as err:
            connect(distributed.Client, f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=5.0)
    finally:
        server.close()
    assert "something answered there, but not as a dask scheduler" in err.value.allowed
    assert "EiB" not in str(err.value)


def test_a_stop_while_connecting_ends_the_wait_at_once(silent_server):
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        connect(distributed.Client, silent_server, timeout=30.0)
    assert time.monotonic() - start < 5


def test_the_command_stops_at_a_signal_while_connecting(silent_server):
    proc = interrupt_cli(["run", str(DEFAULT), "--runs", "20", "--no-progress", "--dask",
                          silent_server], after=2.0)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr


def test_workers_that_cannot_import_the_simulator_are_refused(tmp_path):
    """Such a worker died unpacking the first work item, and the run waited for ever."""
    preload = tmp_path / "no_sim.py"
    preload.write_text(NO_SIM)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, preload=[str(preload)]) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client, \
            pytest.raises(ScenarioError, match="No module named 'sim'"):
        check_workers(client, cluster.scheduler_address)


class MixedClient:
    """A cluster where one worker of two cannot import the simulator (``Client.run``
    answers per worker; the failing one with its exception)."""

    closed = False

    def nthreads(self) -> dict[str, int]:
        return {"tcp://a:1": 1, "tcp://b:1": 1}

    def run(self, function, *args, on_error="raise"):
        assert on_error == "return"
        return {"tcp://a:1": function(*args),
                "tcp://b:1": ModuleNotFoundError("No module named 'sim'")}

    def close(self) -> None:
        self.closed = True


def test_every_worker_is_checked_not_one():
    """One probe task reached one worker: a mixed cluster passed or not by chance."""
    client = MixedClient()
    with pytest.raises(ScenarioError, match=r"1 of 2 cannot \(tcp://b:1: No module named 'sim'\)"):
        check_workers(client, "tcp://a:1")
    assert client.closed


class OtherVersionClient(MixedClient):
    """A cluster where one worker of two runs another version of the simulator."""

    def run(self, function, *args, on_error="raise"):
        return {"tcp://a:1": function(*args), "tcp://b:1": "0.0.1"}


def test_a_worker_running_another_version_is_refused():
    """Another version's model may give other results, and the run would be saved as
    this version's: a worker with 0.3.1 changed 27 rows of 3,000 with no word."""
    from sim import __version__

    client = OtherVersionClient()
    with pytest.raises(ScenarioError, match=rf"run this simulator's version {__version__}, but 1 "
                       r"of 2 run another \(tcp://b:1: 0.0.1\)"):
        check_workers(client, "tcp://a:1")
    assert client.closed


def test_a_worker_of_another_version_that_joins_later_leaves_saying_why(monkeypatch):
    """The check before a run sees only the workers there then; each work item carries
    the version that sent it, and a worker running another leaves the cluster."""
    import sim.cluster

    monkeypatch.setattr(sim.cluster, "__version__", "0.0.1")  # as if this were another version
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        executor = PortableExecutor(client.get_executor(), client)
        executor.submit(abs, -1)
        deadline = time.monotonic() + 60
        while not client.get_events(LEFT):
            assert time.monotonic() < deadline, "the worker did not leave"
            time.sleep(0.1)
        ((_, event),) = client.get_events(LEFT)
        assert event["error"] == f"it runs version {sim.__version__}, and the run needs 0.0.1"


def test_a_client_that_fails_half_made_does_not_hold_the_exit(tmp_path):
    """dask's client refusing a TLS address without TLS settings was collected at exit,
    where it waited 40 s and printed a traceback."""
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "tls://")
        start = time.monotonic()
        proc = cli("run", str(DEFAULT), "--runs", "20", "--no-progress", "--dask", address,
                   timeout=30)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and "TLS" in proc.stderr
    assert time.monotonic() - start < 20


# -- workers that join once the run has started ------------------------------------


class Recording(Executor):
    """Runs nothing: keeps the call each submit would send to a worker."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, tuple[Any, ...]]] = []
        self.keys: list[str] = []

    def submit(self, fn, /, *args, **kwargs):
        self.calls.append((fn, args))
        self.keys.append(kwargs["key"])
        return Future()


class EventsClient:
    """A cluster's event log and workers, as ``PortableExecutor.watch`` asks for them."""

    def __init__(self, events=(), workers=1) -> None:
        self.events = list(events)
        self.workers = workers

    def get_events(self, topic):
        assert topic == LEFT
        return tuple(self.events)

    def nthreads(self):
        return {f"tcp://w:{k}": 1 for k in range(self.workers)}


def test_a_work_item_travels_as_builtins_and_runs_as_itself():
    """What a worker receives names nothing of this package, and runs the item as the
    item itself would run: same results, same exceptions."""
    from sim.chunks import run_timed_chunk
    from sim.scenario import load_scenario

    geneva = load_scenario(DEFAULT)
    recording = Recording()
    PortableExecutor(recording, EventsClient()).submit(run_timed_chunk, geneva, 17, 0, 5)
    ((fn, args),) = recording.calls
    assert fn is eval
    assert recording.keys[0].startswith("run_timed_chunk-")  # as the cluster shows it
    class WithoutTheSimulator(pickle.Unpickler):
        """Unpickles as a worker without this package would."""

        def find_class(self, module, name):
            assert module.split(".")[0] != "sim", f"the call names {module}.{name}"
            return super().find_class(module, name)

    sent = WithoutTheSimulator(io.BytesIO(pickle.dumps((fn, args)))).load()  # the item: bytes
    results, _ = sent[0](*sent[1])
    same_results(results, run_timed_chunk(geneva, 17, 0, 5)[0])

    PortableExecutor(recording, EventsClient()).submit(check_address, "nowhere")
    fn, args = recording.calls[-1]
    with pytest.raises(ScenarioError, match="with its port"):
        fn(*args)


def test_the_watch_warns_once_of_each_worker_that_left_and_stops_when_none_is_left(capsys):
    earlier = (1.0, {"worker": "tcp://old:1", "error": "ModuleNotFoundError: x"})
    client = EventsClient([earlier], workers=2)
    watching = PortableExecutor(Recording(), client)
    watching.watch()  # an earlier run's event is not this run's
    assert capsys.readouterr().err == ""
    client.events += [(2.0, {"worker": "tcp://bad:1", "error": "ModuleNotFoundError: sim"}),
                      (2.5, {"worker": "tcp://bad:1", "error": "ModuleNotFoundError: sim"})]
    watching.watch()
    watching.watch()
    assert capsys.readouterr().err == (
        "warning: tcp://bad:1 cannot run this simulator's work (ModuleNotFoundError: sim) and "
        "left the cluster; the run goes on without it (install it, the same version as here, "
        "on every worker node, in the environment 'dask worker' runs in (pip install -e "
        "'.[distributed]', which installs dask worker too))\n")
    client.workers = 0
    client.events.append((3.0, {"worker": "tcp://worse:1", "error": "AttributeError: y"}))
    with pytest.raises(RuntimeError, match=r"^tcp://worse:1 cannot run this simulator's work "
                       r"\(AttributeError: y\) and left the cluster, and no worker is left: "
                       "install it"):
        watching.watch()
    assert capsys.readouterr().err == ""  # not 'the run goes on', as it stops


def test_the_watch_says_once_that_a_cluster_without_workers_is_waited_for(capsys):
    """All workers lost (killed, or none joined yet): the run waited in silence, for as
    long as none came back. It still waits (one may join), but says so, once for each
    time the cluster empties."""
    client = EventsClient(workers=0)
    watching = PortableExecutor(Recording(), client)
    watching.watch()
    watching.watch()
    said = ("warning: the cluster has no worker: the run waits for one to join (Ctrl-C stops "
            "it, keeping the finished runs; with --out, --resume finishes it)\n")
    assert capsys.readouterr().err == said
    client.workers = 1
    watching.watch()
    assert capsys.readouterr().err == ""
    client.workers = 0
    watching.watch()
    assert capsys.readouterr().err == said


def test_a_worker_that_joins_without_the_simulator_leaves_and_the_run_goes_on(tmp_path):
    """It died receiving its first item, and was restarted to die again. Now it says
    why, hands the item back and leaves; the others finish the same runs."""
    preload = tmp_path / "no_sim.py"
    preload.write_text(NO_SIM)
    out = tmp_path / "run"
    runs = "16000"  # some seconds: the worker joins while it runs
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            running([sys.executable, str(ROOT / "run_sim.py"), "--runs", runs, "--no-progress",
                     "--dask", cluster.scheduler_address, "--out", str(out)],
                    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        while not cluster.scheduler.tasks:  # workers checked, the run started
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        with running([sys.executable, "-m", "distributed.cli.dask_worker",
                      cluster.scheduler_address, "--nthreads", "1", "--no-dashboard",
                      "--preload", str(preload)], stderr=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL) as late:
            _, err = proc.communicate(timeout=180)
            late.wait(timeout=60)  # it left the cluster
    assert proc.returncode == 0, err
    assert err.count("warning: ") == 1
    assert "cannot run this simulator's work (ModuleNotFoundError: No module named 'sim') and " \
        "left the cluster; the run goes on without it" in err
    assert cli("run", str(DEFAULT), "--runs", runs, "--no-progress",
               "--out", str(tmp_path / "local")).returncode == 0
    assert (out / "runs.csv").read_bytes() == (tmp_path / "local" / "runs.csv").read_bytes()


def test_a_run_whose_only_worker_joins_late_without_the_simulator_stops_saying_so(tmp_path):
    """The check before the run found no worker to check; the worker that joined then
    died on the first item, and the run waited for ever with no worker left."""
    preload = tmp_path / "no_sim.py"
    preload.write_text(NO_SIM)
    with distributed.LocalCluster(n_workers=0, threads_per_worker=1, processes=True,
                                  dashboard_address=None, preload=[str(preload)]) as cluster, \
            running([sys.executable, str(ROOT / "run_sim.py"), "--runs", "200", "--no-progress",
                     "--dask", cluster.scheduler_address], stderr=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, text=True) as proc:
        time.sleep(3)  # connected, workers checked: none yet
        cluster.scale(1)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "the run goes on without it" not in err
    # while none had joined, the run said it waited for one (as the only warning)
    assert err.count("warning") == 1 and "warning: the cluster has no worker: the run waits " \
        "for one to join" in err
    assert "error: the cluster failed (RuntimeError: tcp://" in err
    assert "cannot run this simulator's work (ModuleNotFoundError: No module named 'sim') and " \
        "left the cluster, and no worker is left: install it, the same version as here, on " \
        "every worker node" in err


def test_a_scenario_error_in_a_large_item_reaches_the_run_from_a_cluster():
    """A work item stopped by a replication its scenario refuses carries the runs it
    finished; its text held their whole table, and dask's worker rebuilt an exception
    that long as a string: the run ended in a traceback and kept nothing."""
    from sim.chunks import StoppedChunkError
    from sim.runner import Runner
    from sim.scenario import load_scenario

    tight = load_scenario(DEFAULT, ["ceasefire.max_acts=120"])
    local = Runner(workers=1, chunk=250).run(tight, 3000, 2016, keep_on_error=True)
    assert local.error is not None and 0 < len(local.results) < 3000
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        remote = Runner(executor=PortableExecutor(client.get_executor(), client), workers=1,
                        chunk=250).run(tight, 3000, 2016, keep_on_error=True)
    assert isinstance(remote.error, ScenarioError)
    assert remote.error.message() == local.error.message()
    same_results(remote.results, local.results)
    stopped = StoppedChunkError(local.results, local.error, 7)
    assert len(str(stopped)) < 1000 and "ceasefire.max_acts" in str(stopped)


def test_dask_s_own_loggers_are_silenced_each_one():
    """dask gives distributed.client a level of its own, so silencing 'distributed'
    left its "Couldn't gather 1 keys, rescheduling" warning in the middle of a run's
    output when workers were killed."""
    import logging

    from sim.cluster import _quiet_dask

    names = [n for n in logging.root.manager.loggerDict if n.startswith("distributed")]
    assert "distributed.client" in names
    levels = {n: logging.getLogger(n).level for n in ["distributed", *names]}
    try:
        _quiet_dask()
        assert all(logging.getLogger(n).getEffectiveLevel() == logging.CRITICAL for n in levels)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
