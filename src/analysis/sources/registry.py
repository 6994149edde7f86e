"""The cluster registry: one reviewable file listing every cluster the project reports on.

Columns: ``cluster_id`` (a short slug used in file names), ``name``, ``region_code`` (two
digits, e.g. ``63``), ``region_name``, ``industry``, ``base_college`` (may be empty when the
programme does not name it) and ``plan_file`` (the canonical plan, relative to the registry);
optionally ``demo`` (``1`` for demonstration clusters, which reports label as such).

Beside ``clusters.csv`` there may be more registries named ``clusters-<name>.csv`` — the
generated demonstration region writes ``clusters-demo.csv`` — read together as one.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from analysis.errors import Location, RegistryError, UnknownClusterError
from analysis.sources import normalise
from analysis.sources.workbook import read_csv_table

COLUMNS = ["cluster_id", "name", "region_code", "region_name", "industry", "base_college", "plan_file"]
REQUIRED = ["cluster_id", "name", "region_code", "region_name", "industry", "plan_file"]
logger = logging.getLogger(__name__)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REGION = re.compile(r"^\d{2}$")


def load_registry(path: str | Path) -> pd.DataFrame:
    """Read and check the registry and its ``clusters-*.csv`` siblings as one table.

    Plan paths are resolved against the registry's folder; ``demo`` is a boolean column.
    """
    path = Path(path)
    frames = [_load_one(p) for p in [path, *sorted(path.parent.glob(f"{path.stem}-*.csv"))]]
    frame = pd.concat(frames, ignore_index=True)
    duplicated = frame[frame["cluster_id"].duplicated()]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise RegistryError(
            Location(file=first["registry_file"], row=int(first["registry_row"]), column="cluster_id"),
            "cluster ids must be unique across the registry files",
            value=first["cluster_id"],
        )
    return frame


def _load_one(path: Path) -> pd.DataFrame:
    frame = read_csv_table(
        path, COLUMNS, RegistryError, "create it or pass --raw pointing at the folder that holds clusters.csv"
    )
    for row in frame.to_dict("records"):
        where = dict(file=str(path), row=int(row["source_row"]))
        for column in REQUIRED:
            if not row[column]:
                raise RegistryError(Location(**where, column=column), "a required value is empty")
        if not _SLUG.match(row["cluster_id"]):
            raise RegistryError(
                Location(**where, column="cluster_id"),
                "cluster ids are lowercase latin letters, digits and '-'",
                value=row["cluster_id"],
            )
        if not _REGION.match(row["region_code"]):
            raise RegistryError(
                Location(**where, column="region_code"),
                "region codes are two digits",
                value=row["region_code"],
            )
        if not (path.parent / row["plan_file"]).exists():
            raise RegistryError(
                Location(**where, column="plan_file"),
                "the plan file does not exist",
                "import it with `python -m analysis import-plan` or fix the path",
                value=row["plan_file"],
            )
    text_columns = ["name", "region_name", "industry", "base_college"]
    frame, warning = normalise.visible_columns(frame, text_columns, str(path), frame["source_row"])
    if warning:
        logger.warning(warning)
    frame["plan_path"] = [str(path.parent / p) for p in frame["plan_file"]]
    frame["registry_file"] = str(path)
    return frame.rename(columns={"source_row": "registry_row"})


def cluster_info(registry: pd.DataFrame, cluster_id: str) -> pd.Series:
    """The registry row of one cluster, or a clear error naming the known ids."""
    rows = registry[registry["cluster_id"] == cluster_id]
    if rows.empty:
        known = ", ".join(registry["cluster_id"])
        raise UnknownClusterError(f"unknown cluster {cluster_id!r}; the registry lists: {known}")
    return rows.iloc[0]
