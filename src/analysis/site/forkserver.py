"""A warmed-up report server per dask worker and build: reports on dask forked, as locally.

Started on a worker by the first report task of a build (:func:`connect`), the server imports
everything a report needs and reads the build's processed tables once (:func:`~analysis.site.
executor.warm_up`, the local build's own warm-up), then listens on a Unix socket in a folder of
its own under the temporary folder. Each report task of that build on that worker connects,
sends its job as one JSON line, and the server forks a child that runs the report exactly as the
local executor's children do (:func:`~analysis.site.executor._child`): the child's lines — its
pid first, each cell as it starts, the result or the traceback of a crash — come back over the
same connection, and the server adds the child's exit status when it has reaped it. So a report
on dask costs what it costs locally instead of a fresh interpreter's start and a read of every
table.

Nothing outlives its build: the server ends (killing its reports' process groups) when the
worker that started it dies, the build's lease file is not renewed for ``expiry`` seconds or the
staging folder is gone; each report also dies with the server (``PR_SET_PDEATHSIG`` or a watch
of its parent). A task whose report must stop (its ``--timeout``, a cancelled future) kills the
report's process group by the pid it was sent. Where the worker cannot fork, tasks start a
fresh interpreter per report instead (:mod:`analysis.site.remote`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from analysis.site.leftovers import REPORT_PREFIX

logger = logging.getLogger(__name__)

COMMAND = [sys.executable, "-c", "import sys; from analysis.site.forkserver import main; sys.exit(main())"]
# A task gives up on a server that has not said it is ready in this long (a national build's
# tables take seconds to read) and starts its report as a fresh interpreter instead.
READY_SECONDS = 300.0
# A connection that does not send its job within this long is dropped.
JOB_SECONDS = 10.0

# This worker process's servers, by (lease file, data folder).
_SERVERS: dict[tuple[str, str], tuple[subprocess.Popen, str]] = {}
_LOCK = threading.Lock()


def connect(lease: str, data_dir: str, arguments: list[str], expiry: float) -> socket.socket | None:
    """A connection to this worker's server for the build of ``lease`` (started and warmed up
    first if there is none yet) with the job ``arguments`` (``JOB_JSON SITE_ROOT ENGINE KERNEL``)
    sent; None when no server could be had (the task then starts a fresh process)."""
    path = _server(lease, data_dir, expiry)
    if path is None:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        connection.sendall((json.dumps(arguments) + "\n").encode())
    except OSError:
        logger.warning("the report server at %s did not take a job", path, exc_info=True)
        connection.close()
        return None
    return connection


def _server(lease: str, data_dir: str, expiry: float) -> str | None:
    with _LOCK:
        for key, (process, _path) in list(_SERVERS.items()):
            if process.poll() is not None:
                process.stdout.close()
                del _SERVERS[key]
        if (lease, data_dir) in _SERVERS:
            return _SERVERS[lease, data_dir][1]
        command = [*COMMAND, str(os.getpid()), lease, str(expiry), data_dir]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
        )
        ready = _ready(process)
        if ready is None:
            logger.warning("the report server did not start (exit %s)", process.poll())
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            process.stdout.close()
            return None
        _SERVERS[lease, data_dir] = (process, ready)
        return ready


def _ready(process: subprocess.Popen) -> str | None:
    """The socket path the server prints when it is ready (after whatever else its imports may
    print), or None: it died or took longer than ``READY_SECONDS``."""
    deadline = time.monotonic() + READY_SECONDS
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    try:
        while selector.select(max(deadline - time.monotonic(), 0)):
            line = process.stdout.readline()
            if not line:
                return None
            with contextlib.suppress(ValueError, KeyError, TypeError):
                return json.loads(line)["ready"]
        return None
    finally:
        selector.close()


# --- the server's side ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``COMMAND PARENT LEASE EXPIRY DATA_DIR``: warm up, print ``{"ready": SOCKET}``, serve."""
    from analysis.site.executor import warm_up

    argv = sys.argv[1:] if argv is None else argv
    parent, lease, expiry, data_dir = int(argv[0]), Path(argv[1]), float(argv[2]), argv[3]
    tables = sorted(p.stem for p in Path(data_dir).glob("*.parquet")) if data_dir else []
    warm_up(data_dir or None, tables)
    folder = tempfile.mkdtemp(prefix=f"{REPORT_PREFIX}{os.getpid()}-")
    path = os.path.join(folder, "socket")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    children: dict[int, socket.socket] = {}
    try:
        print(json.dumps({"ready": path}), flush=True)
        # Nothing reads the pipe after this line: what a report prints must not fill it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
        _serve(listener, children, parent, lease, expiry)
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _serve(listener: socket.socket, children: dict, parent: int, lease: Path, expiry: float) -> None:
    """Fork a report for each connection until the worker, the lease or the site is gone."""
    site_root = lease.parent
    seen, renewed = None, time.monotonic()
    while True:
        if os.getppid() != parent or not site_root.is_dir():
            return
        try:
            text = lease.read_text(encoding="utf-8")
        except OSError:
            return
        if text != seen:
            seen, renewed = text, time.monotonic()
        elif time.monotonic() - renewed > expiry:
            return
        readable, _, _ = _select([listener], 0.25)
        if readable:
            connection, _ = listener.accept()
            _fork(connection, children, listener)
        _reap(children)


def _select(sockets, seconds):
    import select

    try:
        return select.select(sockets, [], [], seconds)
    except InterruptedError:
        return [], [], []


def _fork(connection: socket.socket, children: dict, listener: socket.socket) -> None:
    connection.settimeout(JOB_SECONDS)
    data = b""
    try:
        while not data.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
        arguments = json.loads(data)
    except (OSError, ValueError):
        logger.warning("a connection sent no job", exc_info=True)
        connection.close()
        return
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        listener.close()
        _report(connection, arguments, children, server)
    children[pid] = connection


def _report(connection: socket.socket, arguments: list[str], children: dict, server: int) -> None:
    """The forked report's body: its pid, then what :func:`executor._child` writes; never returns."""
    try:
        from analysis.site.executor import _child
        from analysis.site.runner import ReportJob

        for other in children.values():
            other.close()
        connection.settimeout(None)
        fd = os.dup(connection.fileno())
        connection.close()
        os.setpgid(0, 0)  # before the pid is sent: the task kills the group it names
        os.write(fd, (json.dumps({"pid": os.getpid()}) + "\n").encode())
        payload = json.loads(arguments[0])
        payload["clusters"] = tuple(payload.get("clusters", ()))
        job = ReportJob(**payload)
        _child(job, Path(arguments[1]), arguments[2], arguments[3], fd, server)
    finally:
        os._exit(70)


def _reap(children: dict) -> None:
    """Tell each finished report's task its exit status, and close its connection."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is None:
            continue
        with contextlib.suppress(OSError):
            connection.settimeout(1.0)
            connection.sendall((json.dumps({"exit": status}) + "\n").encode())
        connection.close()
