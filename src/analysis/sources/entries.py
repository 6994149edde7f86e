"""What an entry of a raw folder is, found with ``lstat`` before anything opens it.

A shared drive holds more than files: a named pipe (FIFO) or a link to ``/dev/zero`` named like a
submission blocks or never ends when it is opened and read; a link to a file elsewhere would be
read as if it had been sent in. So every entry is looked at first (``examine``):

- a regular file or a folder is taken as it is;
- a symbolic link is followed only when it resolves inside the project's raw folder
  (``data/raw/``) to a regular file or a folder; the entry then records the resolved path;
- a dangling link, a link leading out of the raw folder, a pipe, a socket or a device is named
  in one line and skipped.

Opening is non-blocking and checked again on the open descriptor (``read_regular``): whatever was
swapped in between, only a regular file of bounded size is read.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

# What an entry that is neither a regular file nor a folder is, in the words of the one line.
_KINDS = (
    (stat.S_ISFIFO, "именованный канал (FIFO)"),
    (stat.S_ISSOCK, "сокет"),
    (stat.S_ISCHR, "символьное устройство"),
    (stat.S_ISBLK, "блочное устройство"),
)


class NotRegular(OSError):
    """An entry that is not a regular file where a file was to be read; ``str`` says what it is."""


def kind_name(mode: int) -> str:
    """The name of a special file's kind (``именованный канал (FIFO)``, ``устройство`` …)."""
    return next((name for test, name in _KINDS if test(mode)), "не обычный файл")


@dataclass(frozen=True)
class Entry:
    """One entry of a raw folder as ``examine`` found it.

    ``kind`` is ``file``, ``folder`` or ``skip``; ``resolved`` the real path of a file or folder
    (the link's target for a link), ``via_link`` true when the entry is a link, and ``reason`` why
    a skipped entry is skipped (a whole phrase, in Russian)."""

    path: Path
    kind: str
    resolved: Path | None = None
    via_link: bool = False
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.kind != "skip"


def examine(path: str | Path, root: str | Path) -> Entry:
    """What ``path`` is, by ``lstat`` (and, for a link, by its target inside ``root``)."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except OSError as exc:
        return Entry(path, "skip", reason=f"не открывается ({exc.strerror})")
    if stat.S_ISREG(info.st_mode):
        return Entry(path, "file", path)
    if stat.S_ISDIR(info.st_mode):
        return Entry(path, "folder", path)
    if not stat.S_ISLNK(info.st_mode):
        return Entry(path, "skip", reason=f"{kind_name(info.st_mode)}, а не файл: пропущен")
    try:
        target = Path(os.readlink(path))
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Entry(
            path, "skip", via_link=True, reason="ссылка ведёт в никуда (файла, на который она указывает, нет)"
        )
    info = os.stat(resolved)
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        return Entry(
            path,
            "skip",
            resolved,
            True,
            f"ссылка на {kind_name(info.st_mode)} ({target}), а не на файл: пропущена",
        )
    if not resolved.is_relative_to(Path(root).resolve()):
        return Entry(
            path,
            "skip",
            resolved,
            True,
            f"ссылка ведёт за пределы папки исходных данных ({target}): не читается — положите "
            "сам файл в папку",
        )
    return Entry(path, "file" if stat.S_ISREG(info.st_mode) else "folder", resolved, True)


def relative_to_root(path: Path | None, root: str | Path) -> str:
    """``path`` relative to the raw folder, ``/``-separated (``submissions/x.xlsx``); "" if none."""
    if path is None:
        return ""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return str(path)


def open_regular(path: str | Path) -> int:
    """A descriptor of ``path`` opened for reading without blocking, checked to be a regular file
    (a pipe opened so does not wait for a writer; a device is refused before a byte is read)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"{kind_name(mode)}, а не файл")
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


class TooLarge(OSError):
    """A regular file above the size it may have; ``size`` is what it holds."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


def read_regular(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file (``open_regular``); ``TooLarge`` above ``max_bytes``."""
    descriptor = open_regular(path)
    with os.fdopen(descriptor, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if max_bytes is not None and size > max_bytes:
            raise TooLarge(size)
        data = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:  # it grew while it was read
        raise TooLarge(len(data))
    return data
