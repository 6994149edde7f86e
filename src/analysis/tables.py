"""The processed tables in ``data/processed/``: their names, and reading and writing them.

``clusters`` (the registry with each plan's version and error), ``plan`` (tidy plan),
``facts``,
``teachers``, ``pairs``, ``enrolment``, ``organisations`` (tidy, people as pseudonymous ids),
``rejects`` (every rejected input row with its reason), ``submissions`` (every input file with
its status, row counts, ``sha256`` and ``size_bytes``), ``quality`` (rows accepted / rejected per
cluster-year) and ``validation`` (every rule of the great-expectations run: table, sheet, column,
rule, expectation, success, rows_checked, rows_failed) and ``warnings`` (facts far above their
count target, kept but flagged: cluster_id, year, indicator, programme_code, fact, target, ratio,
rule).
Parquet files are written to a temporary name and renamed, so a reader never sees half a table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError

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


def read_table(data_dir: str | Path, name: str) -> pd.DataFrame:
    path = table_path(data_dir, name)
    if not path.exists():
        raise MissingDataError(
            f"{path} does not exist: build the data first with `python -m analysis prepare` (or `make data`)"
        )
    return pd.read_parquet(path)
