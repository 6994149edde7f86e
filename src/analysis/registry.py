"""The cluster registry: one reviewable file listing every cluster the project reports on.

Columns: ``cluster_id`` (a short slug used in file names), ``name``, ``region_code`` (two
digits, e.g. ``63``), ``region_name``, ``industry``, ``base_college`` (may be empty when the
programme does not name it) and ``plan_file`` (the canonical plan, relative to the registry).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import Location, RegistryError, UnknownClusterError

COLUMNS = ["cluster_id", "name", "region_code", "region_name", "industry", "base_college", "plan_file"]
REQUIRED = ["cluster_id", "name", "region_code", "region_name", "industry", "plan_file"]
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REGION = re.compile(r"^\d{2}$")


def load_registry(path: str | Path) -> pd.DataFrame:
    """Read and check the registry; plan paths are resolved against the registry's folder."""
    path = Path(path)
    if not path.exists():
        raise RegistryError(
            Location(file=str(path)),
            "the cluster registry does not exist",
            "create it or pass --raw pointing at the folder that holds clusters.csv",
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise RegistryError(
            Location(file=str(path), row=1),
            f"missing columns {missing}",
            f"the header must be: {','.join(COLUMNS)}",
        )
    frame = frame[COLUMNS].apply(lambda col: col.str.strip())
    for index, row in frame.iterrows():
        where = dict(file=str(path), row=int(index) + 2)
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
    duplicated = frame["cluster_id"][frame["cluster_id"].duplicated()]
    if not duplicated.empty:
        row = int(duplicated.index[0]) + 2
        raise RegistryError(
            Location(file=str(path), row=row, column="cluster_id"),
            "cluster ids must be unique",
            value=duplicated.iloc[0],
        )
    frame["plan_path"] = [str(path.parent / p) for p in frame["plan_file"]]
    return frame.reset_index(drop=True)


def cluster_info(registry: pd.DataFrame, cluster_id: str) -> pd.Series:
    """The registry row of one cluster, or a clear error naming the known ids."""
    rows = registry[registry["cluster_id"] == cluster_id]
    if rows.empty:
        known = ", ".join(registry["cluster_id"])
        raise UnknownClusterError(f"unknown cluster {cluster_id!r}; the registry lists: {known}")
    return rows.iloc[0]
