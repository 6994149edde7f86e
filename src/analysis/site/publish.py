"""Atomic publication: a build writes the new site beside the published one and swaps it in
with one rename.

The published site is a version folder, ``reports/.site-<n>/``, behind one pointer: the
symbolic link ``reports/.current``. Every name a reader uses — ``reports/index.html``,
``build.json``, ``validation.html``, ``html/`` — is a fixed link through that pointer
(``html -> .current/html``). A build stages the next version in ``reports/.staging-<pid>/``,
first as hard links to the published one (instant, no bytes copied; nothing is ever written in
place, so a link never changes under a reader), writes its reports, validation page, manifest
and index there, renames it to a version folder and then replaces the pointer with one
``rename`` — atomic on every POSIX system, with no ``renameat2``. At every instant a reader
sees one whole build: the index, the manifest and every page of the same version. A build that
is killed leaves the published site as it was; the next build removes its staging folder and
any version no pointer names.

A site published by an earlier version of this code (real folders in ``reports/``) is turned
into links once; where symbolic links cannot be made (Windows without the privilege) the
site is published with renames instead: each folder exchanged in one ``renameat2`` call where
Linux has it, else renamed out and in.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import time
from pathlib import Path

from analysis.lock import portable
from analysis.site.leftovers import remove_dead

logger = logging.getLogger(__name__)

INDEX = "index.html"
STAGING_PREFIX = ".staging-"
VERSION_PREFIX = ".site-"
CURRENT = ".current"
FAILED = "failed"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot (then the caller renames)."""
    if portable():
        return False
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


def write_file(path: Path, text: str) -> Path:
    """Write ``path`` as a new file renamed into place; an OS error (a full disk) names it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return path


def _replace_link(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target`` with one rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, path)


def symlinks_work(folder: Path) -> bool:
    probe = folder / f".symlink-probe-{os.getpid()}"
    try:
        probe.unlink(missing_ok=True)
        os.symlink(CURRENT, probe)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


class Staging:
    """The next version of the site under ``site``; see the module docstring."""

    def __init__(self, site: str | Path):
        self.site = Path(site).resolve()  # notebooks run in their own folder: paths must be absolute
        self.root = self.site / f"{STAGING_PREFIX}{os.getpid()}"

    @property
    def published(self) -> Path:
        """The folder holding the published site's files (its version, or ``site`` itself)."""
        current = self.site / CURRENT
        return current.resolve() if current.is_symlink() else self.site

    def remove_stale(self) -> None:
        """Staging folders of builds that were killed (their pid is gone), and versions no
        pointer names (a build killed between renaming its version and dropping the old one)."""
        if not self.site.exists():
            return
        remove_dead(self.site, STAGING_PREFIX)
        current = self.published
        for version in self.site.glob(f"{VERSION_PREFIX}*"):
            if version != current:
                shutil.rmtree(version, ignore_errors=True)

    def start(self) -> Path:
        """The staging folder, holding the published site as hard links."""
        self.root.mkdir(parents=True)
        published = self.published
        if published.exists():
            for entry in published.iterdir():
                if entry.name.startswith(".") or entry.is_symlink():
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
        return write_file(path, text)

    def publish(self, keep_prefixes: set[str] | None = None, folder: str = "html") -> None:
        """Swap the staged site in; files of ``folder`` no kept report owns are left out."""
        if keep_prefixes is not None:
            _prune(self.root / folder, keep_prefixes)
        _drop_empty(self.root / FAILED)  # reports save their notebook there while they run
        self.site.mkdir(parents=True, exist_ok=True)
        if not symlinks_work(self.site):
            self._publish_by_renames()
            return
        old = self.published
        version = self.site / f"{VERSION_PREFIX}{time.time_ns()}"
        self.root.rename(version)
        names = {e.name for e in version.iterdir() if not e.name.startswith(".")}
        legacy = old == self.site
        if legacy:  # once: the pointer first, then each real entry becomes its link
            _replace_link(self.site / CURRENT, version.name)
        for name in sorted(names, key=lambda n: n == INDEX):
            path = self.site / name
            if path.is_symlink():
                continue
            if path.is_dir():
                _replace_folder_with_link(path, f"{CURRENT}/{name}")
            else:
                _replace_link(path, f"{CURRENT}/{name}")
        if not legacy:
            _replace_link(self.site / CURRENT, version.name)  # the one swap
        for entry in self.site.iterdir():  # names the new version no longer has
            if entry.name.startswith(".") or entry.name in names:
                continue
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        if not legacy:
            shutil.rmtree(old, ignore_errors=True)

    def _publish_by_renames(self) -> None:
        """Where no symbolic link can be made: each folder exchanged (or renamed out and in),
        then the files, the index last."""
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
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _replace_folder_with_link(path: Path, target: str) -> None:
    """A real folder of an older site becomes a link (exchanged in one call where Linux can)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.link")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    if _exchange(temporary, path):
        shutil.rmtree(temporary)
        return
    aside = path.with_name(f".{path.name}.{os.getpid()}.old")
    path.rename(aside)
    os.replace(temporary, path)
    with contextlib.suppress(OSError):
        shutil.rmtree(aside)


def _drop_empty(folder: Path) -> None:
    """Remove the empty folders under ``folder``, and ``folder`` itself if it ends up empty."""
    if not folder.is_dir():
        return
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            path.rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()


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
