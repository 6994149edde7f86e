"""Work that starts threads, done in a forked helper so the build process never has one.

Reading or writing Parquet starts Arrow's thread pools, great-expectations and the ingest
start more; a process with native threads must not fork (a lock one of them holds stays
locked in the child for ever). The build forks its reports, so it does that work — ingestion,
the grid, the validation page, reading the tables every report needs — in a child forked
for the purpose, which sends the result back pickled; the build process itself stays
single-threaded until its last report has been forked. Where the system cannot fork, or with
the portable switch, the work runs in place (reports then start as fresh interpreters).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.lock import detach_child, portable

logger = logging.getLogger(__name__)


def os_threads() -> int:
    """Threads of this process as the OS counts them (native ones included), or 0 if unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_aside(function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)`` in a forked child; its result, or the exception it raised."""
    if portable() or not hasattr(os, "fork"):
        return function(*args, **kwargs)
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_fd)
            os.setpgid(0, 0)
            detach_child(parent)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                answer = ("result", function(*args, **kwargs))
            except BaseException as exc:
                answer = ("raised", _described(exc), traceback.format_exc())
            try:
                data = pickle.dumps(answer)
            except Exception:
                data = pickle.dumps(("raised", None, traceback.format_exc()))
            with os.fdopen(write_fd, "wb") as out:
                out.write(data)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks = []
    try:
        with os.fdopen(read_fd, "rb") as answers:
            while chunk := answers.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted: the child goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        raise
    if not chunks:
        why = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"code {os.WEXITSTATUS(status)}"
        raise AnalysisError(f"the helper process of {function.__name__} ended with {why} without a result")
    try:
        answer = pickle.loads(b"".join(chunks))
    except Exception as exc:
        raise AnalysisError(f"the answer of {function.__name__} could not be read back: {exc}") from None
    if answer[0] == "result":
        return answer[1]
    exc = _rebuilt(answer[1])
    if exc is None:
        logger.error("%s failed in its helper process:\n%s", function.__name__, answer[2])
        raise AnalysisError(f"{function.__name__} failed: {answer[2].strip().splitlines()[-1]}")
    if not isinstance(exc, AnalysisError):
        logger.debug("%s failed in its helper process:\n%s", function.__name__, answer[2])
    raise exc


def _described(exc: BaseException) -> tuple:
    """An exception as plain values: its class's place and its message (and itself, pickled,
    where it comes back whole)."""
    try:
        whole = pickle.dumps(exc)
        pickle.loads(whole)
    except Exception:
        whole = None
    return type(exc).__module__, type(exc).__qualname__, str(exc), whole


def _rebuilt(described: tuple | None) -> BaseException | None:
    """The exception back, of its own class: a user-facing error keeps its type and message."""
    if described is None:
        return None
    module, name, message, whole = described
    if whole is not None:
        return pickle.loads(whole)
    try:
        import importlib

        kind = importlib.import_module(module)
        for part in name.split("."):
            kind = getattr(kind, part)
        exc = kind.__new__(kind)
        exc.args = (message,)
        return exc
    except Exception:
        return AnalysisError(message)


def read_tables(data_dir, names: list[str], files: tuple = ()) -> dict:
    """The tables ``names`` (those that exist) and the parquet ``files`` as frames, read in this
    process; keyed by table name and by file path."""
    from analysis.tables import read_file, read_table

    frames = {}
    for name in names:
        with contextlib.suppress(AnalysisError):
            frames[name] = read_table(data_dir, name)
    for path in files:
        with contextlib.suppress(OSError):
            frames[Path(path)] = read_file(Path(path))
    return frames
