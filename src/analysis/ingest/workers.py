"""Reading input files in worker processes, each file within a time and a memory limit.

The cheap structural checks of ``analysis.sources.xlsx`` stop nearly every hostile file before it
is parsed; this is the backstop for what they cannot foresee. ``Reading`` forks a few worker
processes at once (a fork starts in milliseconds) and gives each its share of the files. A worker
arms a timer before each file: past the time limit the kernel ends the worker, the file is
reported as not read in time, and a new worker takes the rest of the share. (Where the kernel
has no such timer — Windows — the parent ends a worker past the limit instead.) A worker's address
space is capped, so a reader that asks for gigabytes fails — that worker dies, the file is
reported, the others go on.

A worker writes each answer to a file of its own and tells the parent only which file it has
started and finished, so it never waits for the parent: the build reads the plans and imports
great-expectations meanwhile, and collects the answers with ``Reading.results()``.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from analysis.lock import detach_child

logger = logging.getLogger(__name__)

MEMORY_HEADROOM = 2 << 30  # bytes a worker may add to the address space it was forked with
# Where the kernel cannot end a worker by its own timer (Windows has no SIGALRM), the parent ends
# it past the time limit; ANALYSIS_READ_TIMER=parent takes that path on POSIX too (tests).
PARENT_TIMER = not hasattr(signal, "setitimer") or os.environ.get("ANALYSIS_READ_TIMER") == "parent"


@dataclass(frozen=True)
class Failed:
    """A file the worker did not read: ``reason`` says why (time limit, out of memory, crash)."""

    reason: str


@dataclass(frozen=True)
class Raised:
    """An exception the read function raised, carried back as its class and attributes (some
    project exceptions cannot be rebuilt from their ``args`` alone)."""

    kind: type
    state: dict
    message: str

    def rebuild(self) -> BaseException:
        exc = self.kind.__new__(self.kind)
        Exception.__init__(exc, self.message)
        exc.__dict__.update(self.state)
        return exc


def _answer(read: Callable, item) -> tuple:
    try:
        return ("ok", read(item))
    except MemoryError:
        return ("failed", Failed(_OUT_OF_MEMORY))
    except Exception as exc:  # carried to the parent, which decides what is expected
        return ("raised", Raised(type(exc), dict(exc.__dict__), str(exc)))


def _serve(
    share: list[tuple[int, object]],
    read: Callable,
    seconds: float,
    memory: int | None,
    conn,
    folder,
    parent: int,
):
    detach_child(parent)  # a killed build takes its readers with it; none keeps its lock
    if not PARENT_TIMER:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # past the time limit the kernel ends this process
    if not logger.isEnabledFor(logging.DEBUG):
        # A reader that dies (a Rust allocation failure aborts) prints its backtrace: the parent
        # reports the file in one line instead.
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    if memory:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        except (ImportError, ValueError, OSError):
            pass
    for index, item in share:
        conn.send_bytes(b"s%d" % index)
        if not PARENT_TIMER:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        answer = _answer(read, item)
        if not PARENT_TIMER:
            signal.setitimer(signal.ITIMER_REAL, 0)
        path = Path(folder) / f"{index}.pickle"
        try:
            path.write_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # an answer that cannot be pickled
            failed = ("raised", Raised(RuntimeError, {}, f"{type(exc).__name__}: {exc}"))
            path.write_bytes(pickle.dumps(failed))
        conn.send_bytes(b"d%d" % index)
    conn.close()


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


_OUT_OF_MEMORY = "не хватило памяти при чтении: файл слишком велик или повреждён"


class _Worker:
    def __init__(self, context, share, read, seconds, memory, folder) -> None:
        self.share = share
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve, args=(share, read, seconds, memory, child, folder, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.current: int | None = None  # the index of the file it has started and not finished
        self.started = 0.0  # when it started that file (time.monotonic)
        self.timed_out = False  # ended by the parent past the time limit
        self.done: set[int] = set()

    def drain(self) -> None:
        while self.conn.poll():
            try:
                message = self.conn.recv_bytes()
            except (EOFError, OSError):
                return
            index = int(message[1:])
            if message[:1] == b"s":
                self.current = index
                self.started = time.monotonic()
            else:
                self.done.add(index)
                self.current = None

    def remaining(self) -> list[tuple[int, object]]:
        after = self.current if self.current is not None else -1
        return [(i, item) for i, item in self.share if i not in self.done and i > after]


class Reading:
    """``read(item)`` of every item in worker processes, started at once (see the module docstring).

    ``results()`` waits for them: ``{item: value}`` where the value is what ``read`` returned, the
    exception it raised (rebuilt), or ``Failed`` when the worker ran out of time or memory.
    ``workers=0`` reads in this process when the results are asked for, with no limits.
    """

    def __init__(self, items: Iterable, read: Callable, seconds: float, workers: int = 2) -> None:
        self.items = list(items)
        self.read = read
        self.seconds = seconds
        self.answers: dict[int, object] = {}
        self.workers: list[_Worker] = []
        self.folder = None
        if workers <= 0 or not self.items:
            return
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)
        space = _address_space()
        self.memory = space + MEMORY_HEADROOM if space else None
        # the pid in the name lets the next build remove the folder of a killed ingest
        self.folder = tempfile.mkdtemp(prefix=f"analysis-read-{os.getpid()}-")
        indexed = list(enumerate(self.items))
        for n in range(min(workers, len(indexed))):
            self._start(indexed[n::workers])

    def _start(self, share: list[tuple[int, object]]) -> None:
        if share:
            self.workers.append(
                _Worker(self.context, share, self.read, self.seconds, self.memory, self.folder)
            )

    def results(self) -> dict:
        if self.folder is None:
            return {item: self._in_process(item) for item in self.items}
        try:
            while self.workers:
                wait([w.process.sentinel for w in self.workers] + [w.conn for w in self.workers], timeout=1.0)
                for worker in list(self.workers):
                    worker.drain()
                    if worker.process.is_alive():
                        late = worker.current is not None and time.monotonic() - worker.started > self.seconds
                        if PARENT_TIMER and late:
                            worker.timed_out = True
                            worker.process.kill()
                        continue
                    worker.process.join()
                    worker.drain()
                    self.workers.remove(worker)
                    worker.conn.close()
                    rest = worker.remaining()
                    if worker.current is None and worker.process.exitcode != 0 and rest:
                        # It died between files: the next one is counted as failed, so a worker
                        # that cannot even start never loops.
                        worker.current, rest = rest[0][0], rest[1:]
                    if worker.current is not None:
                        self.answers[worker.current] = self._failure(
                            worker.process.exitcode, worker.timed_out
                        )
                        logger.debug(
                            "reader of %s ended with exit code %s",
                            self.items[worker.current],
                            worker.process.exitcode,
                        )
                        self._start(rest)
            out = {}
            for index, item in enumerate(self.items):
                if index not in self.answers:
                    kind, value = pickle.loads((Path(self.folder) / f"{index}.pickle").read_bytes())
                    self.answers[index] = value.rebuild() if kind == "raised" else value
                out[item] = self.answers[index]
            return out
        finally:
            self.close()

    def _in_process(self, item):
        kind, value = _answer(self.read, item)
        return value.rebuild() if kind == "raised" else value

    def _failure(self, exitcode: int | None, timed_out: bool = False) -> Failed:
        signals = {getattr(signal, name, None): name for name in ("SIGALRM", "SIGKILL")}
        if timed_out or (exitcode is not None and exitcode < 0 and signals.get(-exitcode) == "SIGALRM"):
            return Failed(f"файл не прочитан за {self.seconds:g} с: он слишком велик или устроен необычно")
        if exitcode is not None and exitcode < 0 and signals.get(-exitcode) == "SIGKILL":
            return Failed(_OUT_OF_MEMORY)  # the kernel's out-of-memory killer
        if exitcode is not None and exitcode < 0:  # a reader that crashed (a Rust panic aborts)
            name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else -exitcode
            return Failed(
                f"чтение файла прервалось аварийно (сигнал {name}): файл повреждён или устроен "
                "необычно — откройте его в Excel и сохраните заново"
            )
        return Failed(f"чтение файла прервалось (код завершения {exitcode}): файл повреждён")

    def close(self) -> None:
        """Stop the workers still running and remove the answers' folder."""
        for worker in self.workers:
            worker.process.kill()
            worker.process.join()
            worker.conn.close()
        self.workers = []
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def read_all(items: Iterable, read: Callable, seconds: float, workers: int = 2) -> dict:
    """``Reading(items, read, seconds, workers).results()``: start and wait in one call."""
    started = time.monotonic()
    results = Reading(items, read, seconds, workers).results()
    logger.debug("read %d file(s) in %.2f s", len(results), time.monotonic() - started)
    return results
