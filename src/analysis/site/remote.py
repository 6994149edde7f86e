"""Reports as tasks on a dask.distributed cluster (``--executor dask --scheduler ADDRESS``).

Each report is a task that starts ``python -m analysis.site.runner`` in a process group of its
own on a worker (a daemonic dask worker cannot fork a pool of its own); workers read the
processed data and write the staged site through a path they share with the build. The task
owns that process:

- **Bounded connection.** Before the build takes its lock, :func:`check_scheduler` opens a
  connection and asks for the scheduler's identity within ``CONNECT_SECONDS``: a closed port,
  a web server or any other peer gives one line naming the address (exit 69), never a hang.
- **Nothing outlives its build.** The build renews a lease file in the staging folder every
  ``LEASE_EVERY`` seconds; a report's process ends itself and everything it started when the
  lease is not renewed for ``LEASE_EXPIRY`` seconds (the build was SIGKILLed), the staging
  folder is removed (the build was stopped) or the worker that started it dies. A task whose
  future is cancelled kills its process group, as does a task past ``--timeout``.
- **A lost worker fails its report once.** A task claims its report in the staging folder
  (``.claims/``, created exclusively) before starting it; when the scheduler re-runs the task
  elsewhere after losing the worker, the claim is found and the report fails naming the lost
  worker — two processes never write the same report.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.site.runner import COMMAND, ReportJob, ReportResult, cell_line

logger = logging.getLogger(__name__)

CONNECT_SECONDS = 10.0
LEASE = ".lease"
CLAIMS = ".claims"
LEASE_EVERY = 1.0
LEASE_EXPIRY = 15.0
# A build whose cluster has had no worker for this long fails the reports still waiting.
NO_WORKER_SECONDS = 120.0
LOST = "рабочий процесс dask, выполнявший отчёт, потерян (отчёт не перезапускается)"


class SchedulerUnreachable(AnalysisError):
    """The address given as the dask scheduler is not one that answers; nothing was changed."""


def check_scheduler(address: str, seconds: float | None = None) -> None:
    """Raise :class:`SchedulerUnreachable` unless a dask scheduler answers at ``address``
    within ``seconds`` (connection, handshake and its identity; ``CONNECT_SECONDS`` by default)."""
    seconds = CONNECT_SECONDS if seconds is None else seconds
    hint = "запустите его (`dask scheduler`) и рабочие процессы или соберите без --executor dask"
    try:
        from distributed.comm.addressing import get_address_host_port

        host, port = get_address_host_port(address)
    except Exception as exc:  # a malformed address, an unknown scheme
        raise SchedulerUnreachable(
            f"адрес планировщика dask {address!r} не распознан ({exc}); {hint}"
        ) from None
    try:
        with socket.create_connection((host, port), timeout=seconds):
            pass
    except OSError as exc:
        raise SchedulerUnreachable(
            f"по адресу {address} никто не отвечает ({exc.strerror or type(exc).__name__}); {hint}"
        ) from None
    try:
        identity = asyncio.run(asyncio.wait_for(_identity(address, seconds), seconds))
    except Exception as exc:  # any other peer: a timeout, a protocol error, an absurd frame size
        logger.debug("no dask scheduler at %s", address, exc_info=True)
        raise SchedulerUnreachable(
            f"по адресу {address} отвечает не планировщик dask ({type(exc).__name__}); {hint}"
        ) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise SchedulerUnreachable(
            f"по адресу {address} отвечает не планировщик dask, а {identity!r:.80}; {hint}"
        )


async def _identity(address: str, seconds: float):
    from distributed.comm import connect

    comm = await connect(address, timeout=seconds)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _claim_path(site_root: Path, key: str) -> Path:
    return site_root / CLAIMS / key.replace("/", "__")


def run_task(payload: dict, site_root: str, engine: str, kernel: str, timeout: float, lease: str) -> dict:
    """A dask task: one report in a fresh Python process on the worker; a result dict."""
    started = time.monotonic()
    key, root = payload["key"], Path(site_root)
    where = _worker_name()

    def failed(why: str, cell=None) -> dict:
        return asdict(ReportResult(key, False, time.monotonic() - started, why, cell))

    claim = _claim_path(root, key)
    try:
        claim.parent.mkdir(exist_ok=True)
        fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        previous = claim.read_text(encoding="utf-8", errors="replace").strip() or "?"
        return failed(f"{LOST}: {previous}")
    except FileNotFoundError:  # the build is gone with its staging folder
        return failed("сборка завершилась до начала отчёта")
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(where)
    arguments = [json.dumps(payload), site_root, engine, kernel, str(os.getpid()), lease, str(LEASE_EXPIRY)]
    report = _Report.start(arguments, payload.get("parameters", {}).get("data_dir", ""))
    began = time.monotonic()  # --timeout counts from here: a server's warm-up is not the report's
    reader = threading.Thread(target=report.read, daemon=True)
    reader.start()
    why = ""
    while reader.is_alive():
        reader.join(0.25)
        if not reader.is_alive():
            break
        if time.monotonic() - began > timeout:
            why = f"не завершился за {timeout:g} с (--timeout)"
        elif _cancelled():
            why = "задача dask отменена"
        if why:
            report.kill()
            reader.join()
    code = report.wait()
    cell, source, result, crash = None, "", None, ""
    for message in report.messages:
        if "cell" in message:
            cell, source = message["cell"], message["source"]
        result = message.get("result", result)
        crash = message.get("crash", crash)

    def in_cell(why: str) -> str:
        return f"{why}; {cell_line(cell, source)}" if cell else why

    if why:
        return failed(in_cell(why), cell)
    if result is not None:
        return result
    if crash:
        logger.warning("the process of report %s crashed:\n%s", key, crash.rstrip())
        last = crash.strip().splitlines()[-1][:200]
        why = f"процесс отчёта завершился с ошибкой {last} (трассировка в журнале рабочего процесса {where})"
        return failed(in_cell(why), cell)
    if code is None:
        tail = "завершился, не сообщив результата"
    elif code < 0:
        tail = (
            f"убит сигналом {signal.Signals(-code).name}"
            if -code in signal.valid_signals()
            else f"код {code}"
        )
    else:
        tail = f"завершился с кодом {code}" + (f": {report.errors[-1][:200]}" if report.errors else "")
    return failed(in_cell(f"процесс отчёта на {where} {tail}"), cell)


class _Report:
    """A report's process as its task sees it: forked by this worker's warmed-up server for the
    build (:mod:`analysis.site.forkserver`) or, where it cannot fork or without a lease, a
    fresh interpreter; its JSON lines, how to kill it and how it ended."""

    def __init__(self, stream, process: subprocess.Popen | None = None, connection=None):
        self.stream, self.process, self.connection = stream, process, connection
        self.messages: list[dict] = []
        self.errors: list[str] = []  # a fresh interpreter's standard error, read by a thread
        self.stderr_reader: threading.Thread | None = None

    @classmethod
    def start(cls, arguments: list[str], data_dir: str) -> _Report:
        from analysis.site.executor import fork_available

        lease = arguments[5]
        if lease and fork_available():
            from analysis.site import forkserver

            connection = forkserver.connect(lease, data_dir, arguments[:4], LEASE_EXPIRY)
            if connection is not None:
                return cls(connection.makefile("rb"), connection=connection)
        process = _take_runner(lease)
        if process is None:
            process = _start([*COMMAND, *arguments], stdin=subprocess.DEVNULL)
        else:
            try:
                process.stdin.write((json.dumps(arguments) + "\n").encode())
                process.stdin.close()
            except OSError:  # the spare died (its lease went stale between two tasks)
                process = _start([*COMMAND, *arguments], stdin=subprocess.DEVNULL)
        report = cls(process.stdout, process)
        report.stderr_reader = threading.Thread(target=report._read_errors, daemon=True)
        report.stderr_reader.start()
        return report

    def read(self) -> None:
        """Every line until the report's output ends (run by a thread of the task)."""
        for line in self.stream:
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict):
                    self.messages.append(message)

    def _read_errors(self) -> None:
        self.errors.extend(self.process.stderr.read().decode(errors="replace").splitlines())

    def kill(self) -> None:
        """Kill the report's process group (a forked report's, once it has said its pid)."""
        pid = (
            self.process.pid
            if self.process is not None
            else next((m["pid"] for m in self.messages if "pid" in m), None)
        )
        if pid is not None:
            for target in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    target(pid, signal.SIGKILL)
                    break
        elif self.connection is not None:  # not forked yet: the server forks nothing for a closed one
            self.connection.shutdown(socket.SHUT_RDWR)

    def wait(self) -> int | None:
        """The exit code (negative: the signal) once ended; None when nothing says it."""
        self.stream.close()
        if self.process is not None:
            code = self.process.wait()
            self.stderr_reader.join()
            return code
        self.connection.close()
        status = next((m["exit"] for m in reversed(self.messages) if "exit" in m), None)
        if status is None:
            return None
        return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


# One spare report process per worker process and build: it warms up (interpreter, imports,
# shell, exporter) while the task before it runs, and the next task hands it its job, so a
# report on dask does not wait for that start. It ends itself with its build's lease, as a
# report does, and on EOF when the worker goes.
_SPARE: dict[str, subprocess.Popen] = {}
_SPARE_LOCK = threading.Lock()


def _start(command: list[str], stdin=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin, start_new_session=True
    )


def _take_runner(lease: str) -> subprocess.Popen | None:
    """A warmed-up spare for this build, if there is a live one; a new spare is started for the
    next task. None without a lease (a task submitted by hand): no spare outlives it."""
    if not lease:
        return None
    with _SPARE_LOCK:
        spare = _SPARE.pop("spare", None)
        if spare is not None and (spare.poll() is not None or spare.args[-2] != lease):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(spare.pid, signal.SIGKILL)
            spare.wait()
            spare = None
        _SPARE["spare"] = _start([*COMMAND, "-", str(os.getpid()), lease, str(LEASE_EXPIRY)])
    return spare


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return f"{get_worker().address} (pid {os.getpid()})"
    except (ImportError, ValueError):
        return f"pid {os.getpid()} on {socket.gethostname()}"


def _cancelled() -> bool:
    """Whether the running task's future was cancelled or released (the client went away)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        key = worker.get_current_task()
    except (ImportError, ValueError, AttributeError):
        return False
    state = worker.state.tasks.get(key)
    return state is None or state.state not in ("executing", "long-running")


class _Lease:
    """The build's heartbeat for its report processes: a file renewed while the build lives."""

    def __init__(self, site_root: Path):
        self.path = site_root / LEASE
        self.stop = threading.Event()
        self.count = 0
        self.renew()
        self.thread = threading.Thread(target=self._run, name="lease", daemon=True)
        self.thread.start()

    def renew(self) -> None:
        self.count += 1
        temporary = self.path.with_name(f"{LEASE}.{os.getpid()}.tmp")
        temporary.write_text(f"{os.getpid()} {self.count}", encoding="utf-8")
        temporary.replace(self.path)

    def _run(self) -> None:
        while not self.stop.wait(LEASE_EVERY):
            with contextlib.suppress(OSError):  # the staging folder is being removed
                self.renew()

    def end(self) -> None:
        self.stop.set()
        self.thread.join()
        self.path.unlink(missing_ok=True)


class DaskExecutor:
    """Runs jobs as tasks on a ``dask.distributed`` cluster at ``scheduler`` (or a ``Client``)."""

    def __init__(self, scheduler, timeout: float, engine: str = "inprocess"):
        self.scheduler = scheduler
        self.timeout = timeout
        self.engine = engine

    def _client(self):
        from distributed import Client

        if isinstance(self.scheduler, Client):
            return self.scheduler
        check_scheduler(self.scheduler)
        try:
            return Client(self.scheduler, timeout=CONNECT_SECONDS)
        except Exception as exc:
            raise SchedulerUnreachable(
                f"планировщик dask {self.scheduler} не принял подключение ({type(exc).__name__}: {exc})"
            ) from None

    def run(self, jobs: list[ReportJob], site_root: Path, kernel_name: str) -> Iterator[ReportResult]:
        from distributed import as_completed

        client = self._client()
        lease = _Lease(site_root)
        futures = {}
        try:
            for job in jobs:
                payload = {**asdict(job), "clusters": list(job.clusters)}
                future = client.submit(
                    run_task,
                    payload,
                    str(site_root),
                    self.engine,
                    kernel_name,
                    self.timeout,
                    str(lease.path),
                    key=f"report-{job.key}-{job.fingerprint}-{time.time_ns()}",
                    pure=False,
                    retries=0,
                )
                futures[future] = job
            finished = as_completed(futures)
            lonely, checked = None, 0.0
            while not finished.is_empty():
                batch = finished.next_batch(block=False)
                for future in batch:
                    yield self._result(future, futures[future])
                if batch:
                    continue
                time.sleep(0.05)
                if time.monotonic() - checked < 1.0:
                    continue
                checked = time.monotonic()
                if client.scheduler_info(n_workers=-1).get("workers"):
                    lonely = None
                    continue
                lonely = lonely or checked
                if checked - lonely > NO_WORKER_SECONDS:
                    why = f"у планировщика dask нет рабочих процессов уже {NO_WORKER_SECONDS:g} с"
                    for future, job in futures.items():
                        if not future.done():
                            yield ReportResult(job.key, False, 0.0, why)
                    return
        finally:
            lease.end()
            client.cancel(list(futures))
            shutil.rmtree(site_root / CLAIMS, ignore_errors=True)
            if client is not self.scheduler:
                client.close()

    @staticmethod
    def _result(future, job: ReportJob) -> ReportResult:
        try:
            return ReportResult(**future.result())
        except Exception as exc:  # the task raised, or its workers kept dying (KilledWorker)
            from distributed import KilledWorker

            if isinstance(exc, KilledWorker):
                return ReportResult(job.key, False, 0.0, LOST)
            return ReportResult(
                job.key, False, 0.0, f"задача dask не выполнена: {type(exc).__name__}: {exc}"[:300]
            )
