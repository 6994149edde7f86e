"""The processed tables in ``data/processed/``: their names, and reading and writing them.

``clusters`` (the registry with each plan's version and error), ``plan`` (tidy plan),
``facts``,
``teachers``, ``pairs``, ``enrolment``, ``organisations`` (tidy, people as pseudonymous ids),
``rejects`` (every rejected input row with its reason), ``submissions`` (every input file with
its status, row counts, ``sha256`` and ``size_bytes``), ``quality`` (rows accepted / rejected per
cluster-year) and ``validation`` (every rule of the great-expectations run: table, sheet, column,
rule, expectation, success, rows_checked, rows_failed) and ``warnings`` (facts far above their
count target, kept but flagged: cluster_id, year, indicator, programme_code, fact, target, ratio,
rule);
``cluster_years``, ``ambition`` and ``over_fulfilled`` (``metrics.national``, ``metrics.ambition``:
what the national report reads, computed once per build).
Parquet files are written to a temporary name and renamed, so a reader never sees half a table.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import AnalysisError
from analysis.reads import record as _record

TABLES = (
    "clusters",
    "plan",
    "facts",
    "teachers",
    "pairs",
    "enrolment",
    "organisations",
    "rejects",
    "submissions",
    "quality",
    "validation",
    "warnings",
    "cluster_years",
    "ambition",
    "over_fulfilled",
)


# The roster tables' columns, as ingestion writes them and the staffing metrics read them.
ORGANISATION_COLUMNS = ["cluster_id", "org_id", "org_name", "org_type"]
TEACHER_COLUMNS = [
    "cluster_id",
    "year",
    "person_id",
    "org_id",
    "employment",
    "programme_code",
    "hours",
    "training_completed",
]
PAIR_COLUMNS = [
    "cluster_id",
    "year",
    "teacher_id",
    "specialist_id",
    "specialist_org_id",
    "programme_code",
    "start",
    "end",
    "format",
]
ENROLMENT_COLUMNS = ["cluster_id", "year", "programme_code", "enrolled"]


class MissingDataError(AnalysisError):
    """The processed data a report needs has not been built."""


def table_path(data_dir: str | Path, name: str) -> Path:
    return Path(data_dir) / f"{name}.parquet"


def write_table(frame: pd.DataFrame, data_dir: str | Path, name: str) -> Path:
    path = table_path(data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(temporary, index=False)
    temporary.replace(path)
    return path


# Tables read in this process, by path and file identity: the build reads each table once in
# its parent process and every report's forked child starts with them (pandas copies on write,
# so a report changing its frame changes nobody else's).
_CACHE: dict[Path, tuple[tuple[int, int, int], pd.DataFrame]] = {}


def read_table(data_dir: str | Path, name: str) -> pd.DataFrame:
    """A processed table (cached per process); recorded when a report's reads are recorded."""
    _record(name)
    path = table_path(data_dir, name)
    try:
        return read_file(path)
    except OSError:
        raise MissingDataError(missing_message(path)) from None


def read_file(path: Path) -> pd.DataFrame:
    """A parquet file (cached per process, as ``read_table``), not recorded as a report's read."""
    return _cached(path)[1].copy(deep=False)


def _cached(path: Path) -> tuple[tuple[int, int, int], pd.DataFrame]:
    stat = path.stat()
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is None or cached[0] != identity:
        cached = _CACHE[key] = (identity, pd.read_parquet(path))
    return cached


# Where each cluster's rows are in a cached table, by path and file identity (built once per
# process; the build builds them before it forks, so a report finds its rows without scanning
# the country's).
_ROWS: dict[Path, tuple[tuple[int, int, int], dict, np.ndarray]] = {}


def cluster_rows(data_dir: str | Path, name: str, clusters, unassigned: bool = False) -> pd.DataFrame:
    """The rows of table ``name`` whose ``cluster_id`` is one of ``clusters``, in the table's
    order and with its index — what ``table[table["cluster_id"].isin(clusters)]`` gives, in time
    proportional to those rows, not to the table. ``unassigned`` adds the rows without a
    cluster (a facts file of many clusters is one submission without one). Recorded as
    ``read_table`` is."""
    _record(name)
    path = table_path(data_dir, name)
    try:
        identity, frame = _cached(path)
    except OSError:
        raise MissingDataError(missing_message(path)) from None
    where, loose = _row_index(path.resolve(), identity, frame)
    parts = [where[c] for c in dict.fromkeys(clusters) if c in where]
    if unassigned:
        parts.append(loose)
    positions = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.intp)
    return frame.take(positions)


def _row_index(key: Path, identity, frame: pd.DataFrame) -> tuple[dict, np.ndarray]:
    known = _ROWS.get(key)
    if known is None or known[0] != identity:
        ids = frame["cluster_id"]
        where = ids.groupby(ids, sort=False, observed=True).indices if len(ids) else {}
        known = _ROWS[key] = (identity, dict(where), np.flatnonzero(ids.isna().to_numpy()))
    return known[1], known[2]


def index_rows(data_dir: str | Path, names) -> None:
    """Build, now, the cluster index of each table ``names`` already cached that has a
    ``cluster_id``; reads nothing (the build's process reads no table itself: Arrow would start
    threads in it before it forks)."""
    for name in names:
        path = table_path(data_dir, name).resolve()
        cached = _CACHE.get(path)
        if cached is not None and "cluster_id" in cached[1].columns:
            _row_index(path, *cached)


def keep_table(data_dir: str | Path, name: str, frame: pd.DataFrame) -> None:
    """Remember a table read by another process (the build's helper) as if read here."""
    keep_file(table_path(data_dir, name), frame)


def keep_file(path: Path, frame: pd.DataFrame) -> None:
    """Remember a parquet file read by another process as if ``read_file`` had read it here."""
    stat = path.stat()
    _CACHE[path.resolve()] = ((stat.st_ino, stat.st_mtime_ns, stat.st_size), frame)


def missing_message(path: Path) -> str:
    """One line: the absolute path looked in, what to run, and where the project root came from."""
    path = path.absolute()
    text = (
        f"{path} does not exist: build the processed tables with `python -m analysis ingest` "
        "(or `make data` for the demonstration region)"
    )
    if path.is_relative_to(settings.project_root()):
        text += f"; {settings.root_origin()}"
    return text
