"""One build (or ingest) at a time: an OS file lock the kernel releases when its holder dies.

The lock file holds who has it (pid, host, start time, command) so a second build can say
which build holds it. The lock is the operating system's, on Linux, macOS and Windows alike,
behind one interface (:func:`try_lock`, :func:`unlock`): ``fcntl.flock`` on POSIX,
``msvcrt.locking`` of one byte far past the holder's note on Windows (a Windows lock is
mandatory, so it must not cover the bytes a waiting build reads). Either is released by the OS
however the holder ends — exit, crash, SIGKILL, a closed console — so a stale lock cannot
outlive its process, provided no child keeps a copy of its descriptor: every process forked
under the lock calls :func:`detach_child` first. Neither module is imported before a lock is
taken, so the analyst's side imports nothing platform-specific.
"""

from __future__ import annotations

import contextlib
import ctypes
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

# Windows: the byte locked, beyond any holder's note (a region past the end may be locked).
_WINDOWS_REGION = 1 << 30
NOTICE_SECONDS = 30.0  # a waiting build says whom it waits for, and for how long, this often


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without blocking; False when another process holds it."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WINDOWS_REGION, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock(fd: int) -> None:
    """Let go of the lock :func:`try_lock` took on ``fd``."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WINDOWS_REGION, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _write_note(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def describe(holder: dict) -> str:
    """Who holds a lock, from its note: pid, host, start time (and command when known)."""
    if not holder:
        return "another process"
    who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
    return who + (f", `{holder['command']}`" if holder.get("command") else "")


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
        with contextlib.suppress(OSError, AttributeError, TypeError):  # TypeError: no CDLL(None) on Windows
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


class LockHeld(AnalysisError):
    """Another build holds the lock; the message says which."""

    def __init__(self, path: Path, holder: dict):
        self.path = path
        self.holder = holder
        super().__init__(
            f"another build is running ({describe(holder)}; lock {path}): nothing was changed — "
            "wait for it, or pass --wait to wait for it"
        )


class BuildLock:
    """``with BuildLock(path, wait=False):`` — exclusive, or :class:`LockHeld` at once.

    With ``wait`` it waits for the holder instead, and logs whom it waits for and for how long,
    at once and every ``notice`` seconds."""

    def __init__(
        self, path: str | Path, wait: bool = False, poll: float = 0.2, notice: float = NOTICE_SECONDS
    ):
        self.path = Path(path)
        self.wait = wait
        self.poll = poll
        self.notice = notice
        self._fd: int | None = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        since = time.monotonic()
        told = None
        while not try_lock(fd):
            if not self.wait:
                os.close(fd)
                raise LockHeld(self.path, self.holder())
            now = time.monotonic()
            if told is None or now - told >= self.notice:
                told = now
                logger.info(
                    "waiting for the build that holds %s (%s): %s so far",
                    self.path,
                    describe(self.holder()),
                    _duration(now - since),
                )
            time.sleep(self.poll)
        if told is not None:
            logger.info(
                "the lock %s is free after %s: going on", self.path, _duration(time.monotonic() - since)
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        _write_note(fd, json.dumps(info))
        self._fd = fd
        HELD.add(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            unlock(self._fd)
            os.close(self._fd)
            HELD.discard(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
