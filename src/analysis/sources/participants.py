"""Participant organisations of each cluster: the colleges and employers it is made of.

Participants file (CSV, UTF-8): ``data/raw/participants.csv`` and any ``participants-<name>.csv``
beside it (the demonstration region writes ``participants-demo.csv``), read together. Columns:
``cluster_id, organisation, org_type`` and optionally ``demo`` (``1`` for demonstration rows).
``organisation`` is the name as the cluster writes it (quotes «» or "" kept); ``org_type`` is
``college`` (a ПОО) or ``employer`` (an organisation of the industry).

The collection form copies a cluster's participants into its «Организации» sheet for reference,
showing the types in Russian (``TYPE_LABELS``).
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, Location
from analysis.sources import normalise
from analysis.sources.workbook import read_csv_table

logger = logging.getLogger(__name__)

PARTICIPANTS_FILE = "participants.csv"
COLUMNS = ["cluster_id", "organisation", "org_type"]
ORG_TYPES = ("college", "employer")
TYPE_LABELS = {"college": "ПОО", "employer": "работодатель"}


def participant_files(raw_dir: str | Path) -> list[Path]:
    """``participants.csv`` (when present) and its ``participants-*.csv`` siblings, in order."""
    raw_dir = Path(raw_dir)
    main = raw_dir / PARTICIPANTS_FILE
    siblings = sorted(raw_dir.glob("participants-*.csv"))
    return [main, *siblings] if main.exists() else siblings


def load_participants(raw_dir: str | Path) -> pd.DataFrame:
    """Every participants file under ``raw_dir`` as one table; ``demo`` is a boolean column.

    No files at all gives an empty table with the same columns.
    """
    frames = [_load_one(path) for path in participant_files(raw_dir)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS}).assign(demo=pd.Series(dtype=bool))
    return pd.concat(frames, ignore_index=True)


def _load_one(path: Path) -> pd.DataFrame:
    frame = read_csv_table(path, COLUMNS)
    for row, value in zip(frame["source_row"], frame["org_type"], strict=True):
        if value not in ORG_TYPES:
            raise InputError(
                Location(file=str(path), row=int(row), column="org_type"),
                f"org_type must be one of {ORG_TYPES}",
                value=value,
            )
    frame, warning = normalise.visible_columns(frame, ["organisation"], str(path), frame["source_row"])
    if warning:
        logger.warning(warning)
    return frame.drop(columns="source_row")


def cluster_participants(participants: pd.DataFrame, cluster_id: str) -> pd.DataFrame:
    """One cluster's organisations, colleges first, each kind in file order."""
    mine = participants[participants["cluster_id"] == cluster_id]
    order = mine["org_type"].map({t: i for i, t in enumerate(ORG_TYPES)})
    return mine.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def write_participants(frame: pd.DataFrame, path: str | Path) -> None:
    """Write participant rows (the columns above plus ``demo``) as UTF-8 CSV with LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, "demo"])
    writer.writerows(frame[[*COLUMNS, "demo"]].astype(str).itertuples(index=False, name=None))
    Path(path).write_text(buffer.getvalue(), encoding="utf-8", newline="")
