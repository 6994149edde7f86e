"""What a report read while it ran — the build's dependency record, like a compiler's ``.d`` file.

``tables.read_table`` notes every table it reads into the record of the report running in this
process (or in the process that started it: a report's kernel inherits the environment). The
build keeps the record beside the report's page and makes it the report's fingerprint the next
time, so no hand-kept list says which tables reports read. Cheap to import (no pandas): a no-op
build reads the records.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

READS_ENV = "ANALYSIS_RECORD_READS"


@contextlib.contextmanager
def recording(path: str | Path):
    """Record every table read inside the block, in this process and in any process started from
    it (a report's kernel); when the block ends without an exception the record replaces
    ``path`` (one table name a line) with a rename — never written in place, since the staging
    copy of the site shares its files with the published one. After an exception the earlier
    record stays as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text("", encoding="utf-8")
    before = os.environ.get(READS_ENV)
    os.environ[READS_ENV] = str(part)
    try:
        yield path
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
        if before is None:
            os.environ.pop(READS_ENV, None)
        else:
            os.environ[READS_ENV] = before


def recorded(path: str | Path) -> list[str] | None:
    """The tables a record holds, sorted and distinct; None when there is no record."""
    try:
        return sorted({line for line in Path(path).read_text(encoding="utf-8").splitlines() if line})
    except OSError:
        return None


def record(name: str) -> None:
    """Note that table ``name`` was read, when a report's reads are being recorded."""
    target = os.environ.get(READS_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(name + "\n")
