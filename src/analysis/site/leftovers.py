"""What killed processes leave behind, removed by the next build or ingest of any kind.

A killed build cannot clean up after itself, so everything it makes outside the published
site carries its maker's pid in its name and is removed once that process is gone: staging
folders (``reports/.staging-<pid>``), unpublished site versions, the ingest readers' answer
folders (``$TMPDIR/analysis-read-<pid>-…``) and report processes' temporary folders, where a
kernel's connection file lives (``$TMPDIR/analysis-report-<pid>-…``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

READER_PREFIX = "analysis-read-"
REPORT_PREFIX = "analysis-report-"


def pid_of(name: str, prefix: str) -> int | None:
    """The pid a leftover's name carries (``<prefix><pid>[-…]``), or None."""
    if not name.startswith(prefix):
        return None
    head = name[len(prefix) :].split("-")[0]
    return int(head) if head.isdigit() else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_dead(folder: Path, prefix: str) -> list[Path]:
    """Remove the entries of ``folder`` named ``<prefix><pid>…`` whose process is gone."""
    removed = []
    try:
        entries = list(folder.glob(f"{prefix}*"))
    except OSError:
        return removed
    for path in entries:
        pid = pid_of(path.name, prefix)
        if pid is None or pid == os.getpid() or alive(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    if removed:
        logger.debug("removed what killed processes left: %s", ", ".join(map(str, removed)))
    return removed


def remove_temporary() -> list[Path]:
    """Temporary folders of ingest readers and report processes that were killed."""
    base = Path(tempfile.gettempdir())
    return remove_dead(base, READER_PREFIX) + remove_dead(base, REPORT_PREFIX)
