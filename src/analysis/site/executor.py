"""Where reports run: forked children of a warmed-up build process, or a dask cluster.

**Local** (the default). The build process imports everything a report needs and has the
processed tables read once (:func:`warm_up`, by a helper: it stays single-threaded), then forks
one child per report, ``workers`` at a time. The child inherits all of it, runs its one report
(:func:`analysis.site.runner.run_report`) and exits, so every report starts clean — whatever
it changes dies with it — without paying for a kernel start and a full import. The parent
watches every child:

- a child reports the cell it is running over a pipe; a report running longer than
  ``timeout`` is killed and fails naming that cell;
- a child that dies (out-of-memory killer, a crash) fails its report alone, with the signal,
  or with the last line of the traceback it sent back (the whole one goes to the log);
- on SIGTERM / SIGINT the parent kills every child's process group and raises
  :class:`Interrupted`; each child also asks the kernel to kill it if the parent dies
  (``PR_SET_PDEATHSIG``), or where there is no such request, watches its parent.

Where the system cannot fork (or with ``ANALYSIS_PORTABLE=1``, which CI uses to run the
portable paths on Linux), each report starts as a fresh interpreter instead
(:data:`analysis.site.runner.COMMAND`), with the same pipe, watch and kill.

**Dask** (``--executor dask --scheduler ADDRESS``): :mod:`analysis.site.remote`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.lock import detach_child, portable
from analysis.site.runner import COMMAND, ReportJob, ReportResult, SiteGone, cell_line, run_report

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
    import analysis.reports  # the notebooks' own imports
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
    # The code's version, which every page's provenance names (three `git` calls), found once.
    analysis.reports.provenance.code_version()
    if data_dir is not None:
        from analysis.reports.cluster import latest_history
        from analysis.site.aside import read_tables, run_aside
        from analysis.tables import index_rows, keep_file, keep_table

        # Read in a helper process (Arrow starts threads to read): this one stays single-threaded.
        # The newest kept history too: each cluster report compares itself with it.
        history = latest_history(data_dir)
        files = (history,) if history is not None else ()
        for name, frame in run_aside(read_tables, data_dir, tables, files).items():
            if isinstance(name, Path):
                keep_file(name, frame)
            else:
                keep_table(data_dir, name, frame)
        index_rows(data_dir, tables)  # where each cluster's rows are, found once for every report


def fork_available() -> bool:
    """Reports run in forked children where the system forks and the portable switch is off;
    else each starts as ``python -m analysis.site.runner`` (slower: no warmed-up parent)."""
    return hasattr(os, "fork") and not portable()


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
    out = None
    try:
        os.setpgid(0, 0)
        detach_child(parent)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        out = os.fdopen(write_fd, "w", buffering=1, encoding="utf-8")

        def on_cell(number: int, source: str) -> None:
            out.write(json.dumps({"cell": number, "source": source}) + "\n")

        result = _profiled(run_report, job, site_root, engine, kernel_name, on_cell)
        out.write(json.dumps({"result": asdict(result)}) + "\n")
        out.flush()
    except SiteGone:
        code = 1
    except BaseException:  # the parent logs the traceback and names its last line
        code = 70
        with contextlib.suppress(BaseException):
            if out is not None:
                out.write(json.dumps({"crash": traceback.format_exc()}) + "\n")
                out.flush()
    finally:
        os._exit(code)


def _profiled(run, job: ReportJob, *args):
    """``run(job, *args)``; under ``ANALYSIS_PROFILE_DIR`` (a developer's switch) profiled with
    cProfile into ``<dir>/<report key with / as ~>.prof`` (read with ``python -m pstats``)."""
    folder = os.environ.get("ANALYSIS_PROFILE_DIR")
    if not folder:
        return run(job, *args)
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(run, job, *args)
    finally:
        Path(folder).mkdir(parents=True, exist_ok=True)
        profile.dump_stats(Path(folder) / (job.key.replace("/", "~") + ".prof"))


def _spawn(job: ReportJob, site_root: Path, engine: str, kernel_name: str) -> subprocess.Popen:
    """A report in a fresh interpreter (no fork): its own process group, ending itself when
    this process dies (:func:`analysis.site.runner.main`)."""
    payload = json.dumps({**asdict(job), "clusters": list(job.clusters)})
    command = [*COMMAND, payload, str(site_root), engine, kernel_name]
    command += [str(os.getpid()), "", "0"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)


class _Running:
    def __init__(self, job: ReportJob, pid: int, fd: int, process: subprocess.Popen | None = None):
        self.job, self.pid, self.fd, self.process = job, pid, fd, process
        self.started = time.monotonic()
        self.buffer = b""
        self.cell: int | None = None
        self.source = ""
        self.result: ReportResult | None = None
        self.crash = ""

    def feed(self, data: bytes) -> None:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            self.take(line)

    def take(self, line: bytes | str) -> None:
        try:
            message = json.loads(line)
        except ValueError:  # not ours (a library printing to stdout in a spawned report)
            return
        if not isinstance(message, dict):
            return
        if "cell" in message:
            self.cell, self.source = message["cell"], message["source"]
        elif "result" in message:
            self.result = ReportResult(**message["result"])
        elif "crash" in message:
            self.crash = message["crash"]


def _signal_name(status: int) -> str:
    try:
        return signal.Signals(status).name
    except ValueError:
        return str(status)


def exit_reason(task: _Running, status: int) -> str:
    """Why a report's process ended without a result, in Russian, naming its cell."""
    if os.WIFSIGNALED(status):
        why = f"процесс отчёта убит сигналом {_signal_name(os.WTERMSIG(status))}"
        if os.WTERMSIG(status) == signal.SIGKILL:
            why += " (не хватило памяти?)"
    elif task.crash:
        logger.warning("the process of report %s crashed:\n%s", task.job.key, task.crash.rstrip())
        last = task.crash.strip().splitlines()[-1][:200]
        why = f"процесс отчёта завершился с ошибкой {last} (трассировка в журнале сборки)"
    else:
        why = f"процесс отчёта завершился с кодом {os.WEXITSTATUS(status)}, не сообщив результата"
    return _in_cell(why, task)


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
        forking = fork_available()
        try:
            while pending or running:
                if caught:
                    raise Interrupted(caught[0])
                while pending and len(running) < self.workers:
                    job = pending.popleft()
                    if forking:
                        read_fd, write_fd = os.pipe()
                        pid = os.fork()
                        if pid == 0:
                            os.close(read_fd)
                            _child(job, site_root, self.engine, kernel_name, write_fd, parent)
                        os.close(write_fd)
                        task = _Running(job, pid, read_fd)
                    else:
                        process = _spawn(job, site_root, self.engine, kernel_name)
                        task = _Running(job, process.pid, process.stdout.fileno(), process)
                    os.set_blocking(task.fd, False)
                    running[task.pid] = task
                    selector.register(task.fd, selectors.EVENT_READ, task)
                for key, _ in selector.select(timeout=0.1):
                    self._drain(key.data)
                yield from self._reap(running, selector)
                yield from self._expire(running, selector)
        finally:
            for task in running.values():
                _kill(task.pid)
            for task in list(running.values()):
                _wait(task.pid)
                self._close(task, selector)
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

    @staticmethod
    def _close(task: _Running, selector) -> None:
        selector.unregister(task.fd)
        if task.process is not None:
            task.process.returncode = 0  # reaped here with waitpid
            task.process.stdout.close()
        else:
            os.close(task.fd)

    def _finish(self, task: _Running, running: dict, selector) -> None:
        self._drain(task)
        if task.buffer:
            task.take(task.buffer)
        self._close(task, selector)
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
            yield ReportResult(task.job.key, False, seconds, exit_reason(task, status), task.cell)

    def _expire(self, running: dict[int, _Running], selector) -> Iterator[ReportResult]:
        now = time.monotonic()
        for pid, task in list(running.items()):
            if now - task.started <= self.timeout:
                continue
            _kill(pid)
            _wait(pid)
            self._finish(task, running, selector)
            why = timeout_reason(self.timeout)
            yield ReportResult(task.job.key, False, now - task.started, _in_cell(why, task), task.cell)


def timeout_reason(timeout: float) -> str:
    return f"не завершился за {timeout:g} с (--timeout)"


def _in_cell(why: str, task) -> str:
    if task.cell is None:
        return why
    return f"{why}; {cell_line(task.cell, task.source)}"


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            continue


def _wait(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def make_executor(kind: str, workers: int, timeout: float, engine: str, scheduler=None):
    if kind == "dask":
        from analysis.site.remote import DaskExecutor

        if not scheduler:
            raise AnalysisError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return DaskExecutor(scheduler, timeout, engine)
    return LocalExecutor(workers, timeout, engine)
