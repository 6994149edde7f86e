"""Atomic publication: a build writes the new site beside the published one and swaps it in.

The staging folder ``reports/.staging-<pid>/`` starts as a copy of the published site made of
hard links (instant, no bytes copied; nothing is ever written in place, so a link never changes
under a reader), receives the new reports, index and manifest, and is published with renames:
each folder is exchanged with the published one in one ``renameat2(RENAME_EXCHANGE)`` call,
then ``index.html`` replaces the old index. A folder swapped in always holds every report the
old index links to (reports that no longer exist are removed only after the new index is in
place), so at every instant every link of the published index resolves. A build that is
killed leaves the published site as it was; its staging folder is removed by the next build.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
from pathlib import Path

from analysis.site.leftovers import remove_dead

logger = logging.getLogger(__name__)

INDEX = "index.html"
STAGING_PREFIX = ".staging-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then the caller renames)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.renameat2
    except (OSError, AttributeError):
        return False
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def _link_tree(source: Path, target: Path) -> None:
    """Copy a folder as hard links (falling back to a copy across file systems)."""
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        here = target / Path(root).relative_to(source)
        here.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(root) / name, here / name)
            except OSError:
                shutil.copy2(Path(root) / name, here / name)


class Staging:
    """The next version of the site under ``site``; see the module docstring."""

    def __init__(self, site: str | Path):
        self.site = Path(site).resolve()  # notebooks run in their own folder: paths must be absolute
        self.root = self.site / f"{STAGING_PREFIX}{os.getpid()}"

    def remove_stale(self) -> None:
        """Staging folders of builds that were killed (their pid is gone)."""
        if self.site.exists():
            remove_dead(self.site, STAGING_PREFIX)

    def start(self) -> Path:
        """The staging folder, holding the published site as hard links."""
        self.remove_stale()
        self.root.mkdir(parents=True)
        if self.site.exists():
            for entry in self.site.iterdir():
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    _link_tree(entry, self.root / entry.name)
                else:
                    os.link(entry, self.root / entry.name)
        return self.root

    def write_text(self, relative: str, text: str) -> Path:
        """Write a file of the new site (a new file renamed into place, never in place)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        return path

    def publish(self, keep_prefixes: set[str] | None = None, folder: str = "html") -> None:
        """Swap the staged site in; then drop files of ``folder`` no kept report owns."""
        self.site.mkdir(parents=True, exist_ok=True)
        entries = sorted(
            (e for e in self.root.iterdir() if not e.name.startswith(".")),
            key=lambda e: (e.name == INDEX, not e.is_dir(), e.name),
        )
        for entry in entries:
            published = self.site / entry.name
            if entry.is_dir() and published.is_dir():
                if not _exchange(entry, published):
                    old = self.root / f".old-{entry.name}"
                    published.rename(old)
                    entry.rename(published)
            else:
                if published.is_dir():
                    shutil.rmtree(published)
                entry.replace(published)
        staged = {e.name for e in entries}
        for entry in self.site.iterdir():
            if entry.name.startswith(".") or entry.name in staged:
                continue
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        if keep_prefixes is not None:
            _prune(self.site / folder, keep_prefixes)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _prune(folder: Path, keep_prefixes: set[str]) -> None:
    """Remove files whose path (relative to ``folder``, without suffixes) is no kept report."""
    if not folder.exists():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
            continue
        relative = path.relative_to(folder)
        stem = (relative.parent / relative.name.split(".")[0]).as_posix()
        if stem not in keep_prefixes:
            path.unlink()
