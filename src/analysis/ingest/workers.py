"""Reading input files in worker processes, each file within a time and a memory limit.

The cheap structural checks of ``analysis.sources.xlsx`` stop nearly every hostile file before it
is parsed; this is the backstop for what they cannot foresee. A few long-lived worker processes
(forked, so they start in milliseconds) take one file at a time. A worker that runs past the
time limit is killed and replaced, and the file is reported as not read in time; a worker that
dies (its address space is capped, so a reader that asks for gigabytes fails instead of taking
the machine) is replaced the same way. Every other file is read as usual.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

logger = logging.getLogger(__name__)

MEMORY_HEADROOM = 2 << 30  # bytes a worker may add to the address space it was forked with


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


def _serve(conn: Connection, read: Callable, memory: int | None) -> None:
    if memory:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        except (ImportError, ValueError, OSError):
            pass
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        try:
            answer = ("ok", read(item))
        except Exception as exc:  # carried to the parent, which decides what is expected
            answer = ("raised", Raised(type(exc), dict(exc.__dict__), str(exc)))
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            conn.send(("raised", Raised(RuntimeError, {}, f"{type(exc).__name__}: {exc}")))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class _Worker:
    def __init__(self, context, read: Callable, memory: int | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, read, memory), daemon=True)
        self.process.start()
        child.close()
        self.item = None
        self.deadline = 0.0

    def give(self, item, seconds: float) -> None:
        self.item = item
        self.deadline = time.monotonic() + seconds
        self.conn.send(item)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def read_all(items: Iterable, read: Callable, seconds: float, workers: int = 2) -> dict:
    """``{item: read(item)}`` for every item, each read in a worker process within ``seconds``.

    The value is what ``read`` returned, the exception it raised (rebuilt), or ``Failed`` when the
    worker ran out of time or died. ``workers=0`` reads in this process, with no limits.
    """
    items = list(items)
    results: dict = {}
    if workers <= 0 or not items:
        for item in items:
            try:
                results[item] = read(item)
            except Exception as exc:
                results[item] = exc
        return results
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    space = _address_space()
    memory = space + MEMORY_HEADROOM if space else None
    pending = list(reversed(items))
    busy: dict[Connection, _Worker] = {}
    idle: list[_Worker] = []
    try:
        while pending or busy:
            while pending and len(busy) < workers:
                worker = idle.pop() if idle else _Worker(context, read, memory)
                worker.give(pending.pop(), seconds)
                busy[worker.conn] = worker
            soonest = min(w.deadline for w in busy.values())
            ready = wait(list(busy), timeout=max(0.0, soonest - time.monotonic()))
            for conn in ready:
                worker = busy.pop(conn)
                try:
                    kind, value = conn.recv()
                except (EOFError, OSError):
                    results[worker.item] = Failed(
                        "чтение файла прервалось (не хватило памяти или сбой чтения): файл слишком "
                        "велик или повреждён"
                    )
                    worker.stop(kill=True)
                    continue
                results[worker.item] = value.rebuild() if kind == "raised" else value
                idle.append(worker)
            now = time.monotonic()
            for conn, worker in list(busy.items()):
                if conn not in ready and now >= worker.deadline:
                    del busy[conn]
                    worker.stop(kill=True)
                    results[worker.item] = Failed(
                        f"файл не прочитан за {seconds:g} с: он слишком велик или устроен необычно"
                    )
                    logger.debug("killed the reader of %s after %.0f s", worker.item, seconds)
    finally:
        for worker in [*idle, *busy.values()]:
            worker.stop(kill=worker in busy.values())
    return results
