"""Where reports run: forked children of a warmed-up build process, or a dask cluster.

**Local** (the default). The build process imports everything a report needs and reads the
processed tables once (:func:`warm_up`), then forks one child per report, ``workers`` at a
time. The child inherits all of it, runs its one report (:func:`analysis.site.runner.run_report`)
and exits, so every report starts clean — whatever it changes dies with it — without paying
for a kernel start and a full import. The parent watches every child:

- a child reports the cell it is running over a pipe; a report running longer than
  ``timeout`` is killed and fails naming that cell;
- a child that dies (out-of-memory killer, a crash) fails its report alone, with the signal;
- on SIGTERM / SIGINT the parent kills every child's process group and raises
  :class:`Interrupted`; each child also asks the kernel to kill it if the parent dies
  (``PR_SET_PDEATHSIG``), so even a SIGKILLed build leaves no report process behind.

**Dask** (``--executor dask --scheduler ADDRESS``). Each report is a task that runs
``python -m analysis.site.runner`` in a subprocess on a worker (a daemonic dask worker cannot
fork a pool of its own); workers read the processed data and write the staged site through a
path they share with the build. A task that raises or whose worker is lost fails its report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.lock import detach_child
from analysis.site.runner import ReportJob, ReportResult, run_report

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 600.0


class Interrupted(AnalysisError):
    """The build was asked to stop (SIGTERM / SIGINT); ``signum`` says which."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


def warm_up(data_dir: str | Path | None, tables: list[str]) -> None:
    """Import and read, once, what every report needs, so forked children start with it."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    import tqdm

    # No thread may run when the build forks: tqdm's monitor (started by any earlier bar, such as
    # great-expectations' during ingestion) is stopped and not started again.
    from tqdm._monitor import TMonitor

    tqdm.tqdm.monitor_interval = 0  # inherited by tqdm.auto's classes
    for thread in threading.enumerate():
        if isinstance(thread, TMonitor):
            thread.exit()
    import analysis.reports  # noqa: F401  (the notebooks' own imports)
    from analysis.site import engine
    from analysis.site.runner import exporter

    engine.warm_up()
    exporter()
    _warm_export()
    # Fonts are looked up and cached on first use: pay it once, here.
    figure = plt.figure(figsize=(1, 1))
    figure.text(0.5, 0.5, "Выполнено 0 %")
    figure.savefig(os.devnull, format="png")
    plt.close(figure)
    if data_dir is not None:
        from analysis.tables import read_table

        for name in tables:
            with contextlib.suppress(AnalysisError):
                read_table(data_dir, name)


def _warm_export() -> None:
    """Export a small notebook once, so that what nbconvert builds on first use — its Jinja2
    templates, nbformat's schema validator, the HTML sanitiser's selectors — is built here and
    not again in every forked report (about a third of a report's CPU time otherwise)."""
    import base64

    import nbformat

    from analysis.site.runner import export_html

    pixel = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<table><tr><td>0</td></tr></table>", "text/plain": "x"}
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": base64.b64encode(pixel).decode("ascii"), "text/plain": "x"},
            metadata={"image/png": {"alt": "x"}},
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## x\n\n- x"), cell])
    nbformat.validate(notebook)
    export_html(notebook, "warm-up")


def _child(
    job: ReportJob, site_root: Path, engine: str, kernel_name: str, write_fd: int, parent: int
) -> None:
    """The body of a report's forked process; never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        detach_child(parent)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        out = os.fdopen(write_fd, "w", buffering=1, encoding="utf-8")

        def on_cell(index: int, source: str) -> None:
            line = source.strip().splitlines()[0][:80] if source.strip() else ""
            out.write(json.dumps({"cell": index, "source": line}) + "\n")

        result = run_report(job, site_root, engine, kernel_name, on_cell)
        out.write(json.dumps({"result": asdict(result)}) + "\n")
        out.flush()
    except BaseException:  # the parent turns a silent exit into the report's failure
        code = 70
    finally:
        os._exit(code)


class _Running:
    def __init__(self, job: ReportJob, pid: int, fd: int):
        self.job, self.pid, self.fd = job, pid, fd
        self.started = time.monotonic()
        self.buffer = b""
        self.cell: int | None = None
        self.source = ""
        self.result: ReportResult | None = None

    def feed(self, data: bytes) -> None:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            message = json.loads(line)
            if "cell" in message:
                self.cell, self.source = message["cell"], message["source"]
            elif "result" in message:
                self.result = ReportResult(**message["result"])


def _signal_name(status: int) -> str:
    try:
        return signal.Signals(status).name
    except ValueError:
        return str(status)


class LocalExecutor:
    """Runs jobs as forked children, ``workers`` at a time; see the module docstring."""

    def __init__(self, workers: int = 1, timeout: float = DEFAULT_TIMEOUT, engine: str = "inprocess"):
        self.workers = max(1, workers)
        self.timeout = timeout
        self.engine = engine

    def run(self, jobs: list[ReportJob], site_root: Path, kernel_name: str) -> Iterator[ReportResult]:
        pending = deque(jobs)
        running: dict[int, _Running] = {}
        selector = selectors.DefaultSelector()
        caught: list[int] = []
        previous = {
            s: signal.signal(s, lambda signum, frame: caught.append(signum))
            for s in (signal.SIGTERM, signal.SIGINT)
        }
        parent = os.getpid()
        try:
            while pending or running:
                if caught:
                    raise Interrupted(caught[0])
                while pending and len(running) < self.workers:
                    job = pending.popleft()
                    read_fd, write_fd = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.close(read_fd)
                        _child(job, site_root, self.engine, kernel_name, write_fd, parent)
                    os.close(write_fd)
                    os.set_blocking(read_fd, False)
                    running[pid] = _Running(job, pid, read_fd)
                    selector.register(read_fd, selectors.EVENT_READ, running[pid])
                for key, _ in selector.select(timeout=0.1):
                    self._drain(key.data)
                yield from self._reap(running, selector)
                yield from self._expire(running, selector)
        finally:
            for task in running.values():
                _kill(task.pid)
            for task in list(running.values()):
                _wait(task.pid)
                selector.unregister(task.fd)
                os.close(task.fd)
            selector.close()
            for s, handler in previous.items():  # last: a second Ctrl-C cannot skip the clean-up
                signal.signal(s, handler)

    @staticmethod
    def _drain(task: _Running) -> None:
        while True:
            try:
                data = os.read(task.fd, 65536)
            except BlockingIOError:
                return
            if not data:
                return
            task.feed(data)

    def _finish(self, task: _Running, running: dict, selector) -> None:
        self._drain(task)
        selector.unregister(task.fd)
        os.close(task.fd)
        del running[task.pid]

    def _reap(self, running: dict[int, _Running], selector) -> Iterator[ReportResult]:
        for pid, task in list(running.items()):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0
            if not done:
                continue
            self._finish(task, running, selector)
            if task.result is not None:
                yield task.result
                continue
            seconds = time.monotonic() - task.started
            if os.WIFSIGNALED(status):
                why = f"the report's process was killed by {_signal_name(os.WTERMSIG(status))}"
                if os.WTERMSIG(status) == signal.SIGKILL:
                    why += " (out of memory?)"
            else:
                why = f"the report's process exited with code {os.WEXITSTATUS(status)} without a result"
            yield ReportResult(task.job.key, False, seconds, _in_cell(why, task), task.cell)

    def _expire(self, running: dict[int, _Running], selector) -> Iterator[ReportResult]:
        now = time.monotonic()
        for pid, task in list(running.items()):
            if now - task.started <= self.timeout:
                continue
            _kill(pid)
            _wait(pid)
            self._finish(task, running, selector)
            why = f"timed out after {self.timeout:g} s"
            yield ReportResult(task.job.key, False, now - task.started, _in_cell(why, task), task.cell)


def _in_cell(why: str, task: _Running) -> str:
    if task.cell is None:
        return why
    return f"{why}, in cell {task.cell}: {task.source}"


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            continue


def _wait(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def run_in_subprocess(payload: dict, site_root: str, engine: str, kernel: str, timeout: float) -> dict:
    """A dask task: one report in a fresh Python process on the worker; a result dict."""
    started = time.monotonic()
    command = [sys.executable, "-m", "analysis.site.runner", json.dumps(payload), site_root, engine, kernel]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return asdict(ReportResult(payload["key"], False, timeout, f"timed out after {timeout:g} s"))
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    return asdict(ReportResult(payload["key"], False, time.monotonic() - started, tail[:300]))


class DaskExecutor:
    """Runs jobs as tasks on a ``dask.distributed`` cluster at ``scheduler`` (or a ``Client``)."""

    def __init__(self, scheduler, timeout: float = DEFAULT_TIMEOUT, engine: str = "inprocess"):
        self.scheduler = scheduler
        self.timeout = timeout
        self.engine = engine

    def run(self, jobs: list[ReportJob], site_root: Path, kernel_name: str) -> Iterator[ReportResult]:
        from distributed import Client, as_completed

        try:
            client = self.scheduler
            if not isinstance(client, Client):
                client = Client(self.scheduler, timeout=30)
        except (OSError, TimeoutError, ValueError) as exc:
            raise AnalysisError(
                f"cannot reach the dask scheduler at {self.scheduler}: {exc} — start it (`dask scheduler`) "
                "and its workers, or build without --executor dask"
            ) from None
        futures = {}
        for job in jobs:
            payload = {**asdict(job), "clusters": list(job.clusters)}
            future = client.submit(
                run_in_subprocess,
                payload,
                str(site_root),
                self.engine,
                kernel_name,
                self.timeout,
                key=f"report-{job.key}-{job.fingerprint}-{time.time_ns()}",
                pure=False,
                retries=0,
            )
            futures[future] = job
        try:
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield ReportResult(**future.result())
                except Exception as exc:  # the task raised or its worker was lost
                    yield ReportResult(job.key, False, 0.0, f"{type(exc).__name__}: {exc}"[:300])
        finally:
            client.cancel(list(futures))
            if client is not self.scheduler:
                client.close()


def make_executor(kind: str, workers: int, timeout: float, engine: str, scheduler=None):
    if kind == "dask":
        if not scheduler:
            raise AnalysisError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskExecutor(scheduler, timeout, engine)
    return LocalExecutor(workers, timeout, engine)
