"""One build (or ingest) at a time: an OS file lock the kernel releases when its holder dies.

The lock file holds who has it (pid, host, start time, command) so a second build can say
which build holds it. ``fcntl.flock`` is released by the OS however the holder ends — exit,
crash, SIGKILL — so a stale lock cannot outlive its process, provided no child keeps a copy of
its descriptor: every process forked under the lock calls :func:`detach_child` first.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import socket
import sys
import time
from datetime import datetime
from pathlib import Path

from analysis.errors import AnalysisError

logger = logging.getLogger(__name__)

# Descriptors of locks this process holds: a forked report child closes them at once, so no
# child ever keeps the build's lock alive after the build has gone.
HELD: set[int] = set()


_PR_SET_PDEATHSIG = 1
# Set to 1, the build takes the paths of systems without Linux's extras (macOS, Windows) — no
# PR_SET_PDEATHSIG, no renameat2, no fork — so CI runs them on Linux through the same tests.
PORTABLE_ENV = "ANALYSIS_PORTABLE"


def portable() -> bool:
    return os.environ.get(PORTABLE_ENV, "") not in ("", "0")


def detach_child(parent: int) -> None:
    """In a process forked from ``parent`` (a report, an ingest reader): let go of the parent's
    lock descriptors (the parent keeps the lock) and ask the kernel to end this process when the
    parent dies, so that nothing outlives a killed build or holds its lock. Where the kernel
    cannot (no ``PR_SET_PDEATHSIG``), a thread watches the parent instead."""
    for fd in list(HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    HELD.clear()
    asked = False
    if not portable():
        with contextlib.suppress(OSError, AttributeError):
            asked = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    if not asked:
        watch_parent(parent)


def watch_parent(parent: int, every: float = 0.2) -> None:
    """End this process and its process group soon after ``parent`` dies (polled by a thread)."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        with contextlib.suppress(OSError, AttributeError):
            if os.getpgid(0) == os.getpid():  # a group of its own: take what it started along
                os.killpg(0, signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


WAIT_REPORT_EVERY = 30.0


def _who(holder: dict) -> str:
    if not holder:
        return "another process"
    return (
        f"the build of pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
        f"started {holder.get('started', '?')} ({holder.get('command', '?')})"
    )


class LockHeld(AnalysisError):
    """Another build holds the lock; the message says which."""

    def __init__(self, path: Path, holder: dict):
        self.path = path
        self.holder = holder
        who = (
            f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
            if holder
            else "another process"
        )
        super().__init__(
            f"another build is running ({who}; lock {path}): nothing was changed — "
            "wait for it, or pass --wait to wait for it"
        )


class BuildLock:
    """``with BuildLock(path, wait=False):`` — exclusive, or :class:`LockHeld` at once."""

    def __init__(self, path: str | Path, wait: bool = False, poll: float = 0.2):
        self.path = Path(path)
        self.wait = wait
        self.poll = poll
        self._fd: int | None = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        started, said = time.monotonic(), None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not self.wait:
                    os.close(fd)
                    raise LockHeld(self.path, self.holder()) from None
                waited = time.monotonic() - started
                if said is None or waited - said >= WAIT_REPORT_EVERY:  # --wait says whom, how long
                    said = waited
                    logger.info("waiting for %s; waited %.0f s", _who(self.holder()), waited)
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        self._fd = fd
        HELD.add(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            HELD.discard(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
