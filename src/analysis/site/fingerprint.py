"""Content digests that decide what a build must redo — never timestamps.

- the raw inputs (every file under ``data/raw/``, by path and bytes) and the code that turns
  them into processed tables decide whether ingestion runs at all;
- each processed table is digested whole and per cluster (``scope_digests``), so a report
  depends on the rows of its own cluster (a region report: of its clusters) plus the rows that
  belong to no cluster;
- a report's fingerprint adds its notebook, its parameters (paths left out: they name where,
  not what), the code it is made by and the versions of the libraries that code imports
  (``closure``: found from the import statements, not listed).

This module must stay cheap to import (no pandas at module level): a no-op build decides
everything from these digests and the manifests, without loading a table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
MANIFEST = "manifest.json"  # data/processed/manifest.json: what the tables were made from
NO_CLUSTER = ""  # the scope of rows that belong to no cluster (and of tables without cluster_id)
YEAR_SEP = "|"  # a scope of a table with a year: "<cluster>|<year>" ("<cluster>|" for rows without one)


def digest(*parts: object) -> str:
    """A short hex digest of JSON-able parts, order-sensitive."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_digest(
    root: Path, patterns: Iterable[str] = ("**/*",), skip_hidden: bool = True, leave_out: Iterable[str] = ()
) -> str:
    """One digest of every file under ``root`` matching ``patterns``: relative path and bytes;
    paths starting with one of ``leave_out`` (relative, ``/``-separated) are left out."""
    root = Path(root)
    if not root.exists():
        return digest("missing", str(root))
    h = hashlib.sha256()
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    for path in files:
        relative = path.relative_to(root)
        if skip_hidden and any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if relative.as_posix().startswith(tuple(leave_out)):
            continue
        h.update(str(relative).encode("utf-8") + b"\0" + file_digest(path).encode("ascii") + b"\n")
    return h.hexdigest()[:32]


def scope_digests(frame, owners: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Per cluster id (per ``cluster|year`` in a table with a ``year`` column), a digest of those
    rows of ``frame`` (in order); rows without a cluster, and tables without a ``cluster_id``
    column, fall in :data:`NO_CLUSTER`, which also carries the columns and their types — except a
    row of a ``source_file`` that ``owners`` gives the clusters of (a facts CSV speaks for the
    clusters it has facts of): it counts for each of those clusters instead (``cluster|``)."""
    import numpy as np
    import pandas as pd

    head = digest([str(c) for c in frame.columns], [str(t) for t in frame.dtypes])
    if frame.empty:  # as a table whose every row has a cluster: its first row re-runs only its own
        return {NO_CLUSTER: digest(head, "")}
    hashable = frame.copy()
    for column in hashable.columns:
        if hashable[column].dtype == object:
            hashable[column] = hashable[column].map(repr)
    rows = pd.util.hash_pandas_object(hashable, index=False).to_numpy()
    if "cluster_id" not in frame.columns:
        return {NO_CLUSTER: digest(head, hashlib.sha256(rows.tobytes()).hexdigest())}
    clusters = frame["cluster_id"].astype("object").where(frame["cluster_id"].notna(), NO_CLUSTER)
    clusters = clusters.map(str)
    if "year" in frame.columns:
        # A cluster's rows of one year are a scope of their own: a report on year Y reads only
        # the years up to Y, so a new 2025 form leaves the 2024 pages alone.
        years = pd.to_numeric(frame["year"], errors="coerce")
        suffix = ["" if pd.isna(y) else str(int(y)) for y in years]
        clusters = pd.Series(
            [c if c == NO_CLUSTER else f"{c}{YEAR_SEP}{y}" for c, y in zip(clusters, suffix, strict=True)],
            index=frame.index,
        )
    clusters = clusters.to_numpy(dtype=object)
    if owners and "source_file" in frame.columns:
        files = frame["source_file"].astype("object").to_numpy()
        owned_by = {
            f: [c + YEAR_SEP if "year" in frame.columns else c for c in cs] for f, cs in owners.items()
        }
        extra = [(i, c) for i in np.flatnonzero(clusters == NO_CLUSTER) for c in owned_by.get(files[i], [])]
        if extra:
            owned = {i for i, _ in extra}
            keep = np.array([i for i in range(len(clusters)) if i not in owned], dtype=int)
            index = np.concatenate([keep, np.array([i for i, _ in extra], dtype=int)])
            clusters = np.concatenate([clusters[keep], np.array([c for _, c in extra], dtype=object)])
            rows = rows[index]
    out = {}
    order = np.argsort(clusters, kind="stable")
    keys, starts = np.unique(clusters[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    for key, start, end in zip(keys, starts, bounds, strict=True):
        out[str(key)] = hashlib.sha256(rows[order[start:end]].tobytes()).hexdigest()[:32]
    out[NO_CLUSTER] = digest(head, out.get(NO_CLUSTER, ""))
    return out


def source_fingerprint(
    raw_dir: str | Path, demo_key: bool, key: str = "", cache_dir: Path | None = None
) -> str:
    """What the processed tables are made from: every raw file, the code of the ingestion and
    the libraries it imports (``closure.ingest_code``), the key mode and a digest of the key in
    use (``ingest.pseudonym.key_fingerprint``). Not the as-of date: what it decides at ingestion
    is :func:`as_of_state` of the input dates, kept beside it."""
    from analysis.site.closure import ingest_code

    return digest(tree_digest(Path(raw_dir)), ingest_code(cache_dir), bool(demo_key), key)


def as_of_state(dates: Iterable[str], as_of: date | None) -> str:
    """All that ``as_of`` decides at ingestion, given the input dates it is compared with (every
    submission date, and the dates of rows in undated submissions: ``ingest.plausibility``): the
    latest of those dates not after it (``""`` when none is). Two as-of dates with the same state
    accept and reject exactly the same rows, so a new day alone never re-ingests."""
    if as_of is None:
        as_of = date.today()
    day = as_of.isoformat()
    return max((d for d in dates if d <= day), default="")


def read_manifest(processed_dir: str | Path) -> dict:
    """The processed data's manifest: ``source`` fingerprint and per-table ``tables`` digests."""
    try:
        return json.loads((Path(processed_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_current(processed_dir: str | Path, source: str, as_of: date | None = None) -> bool:
    """True when the processed tables were made from exactly these inputs, code and key, with an
    as-of date that decided the same (:func:`as_of_state`) and the same years past their reporting
    deadline (the national summaries hold each cluster-year's state)."""
    manifest = read_manifest(processed_dir)
    dates = manifest.get("input_dates", [])
    from analysis.deadline import last_year_due

    due = last_year_due(as_of or date.today())
    return (
        manifest.get("source") == source
        and manifest.get("as_of_state") == as_of_state(dates, as_of)
        and manifest.get("years_due", due) == due
    ) and all((Path(processed_dir) / f"{name}.parquet").exists() for name in manifest.get("tables") or ["-"])
