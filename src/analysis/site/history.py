"""The history of builds: what each build published, kept so any two builds can be compared.

A build that changed anything writes one parquet file into ``data/history/`` (beside
``data/processed/``), named by its start time: every plan cell with its plan, fact and status;
every input file with its state; every report with its build status and headline figures; every
cluster's plan version. A build that published the same as the last one writes nothing. The
oldest files beyond the retention setting (``ANALYSIS_HISTORY_KEEP``, default 90 builds) are
removed. ``analysis.site.changes`` compares two of them.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.metrics import fulfilment as f
from analysis.reports.provenance import file_name
from analysis.sources.plan import FAMILY_PLAN
from analysis.tables import read_table

logger = logging.getLogger(__name__)

KEEP_ENV = "ANALYSIS_HISTORY_KEEP"
DEFAULT_KEEP = 90
COLUMNS = [
    "kind",  # cell, submission, report, plan
    "key",  # the report's key for a cell or a report (region/cluster/year); the file for a submission
    "region_code",
    "region_name",
    "cluster_id",
    "cluster_name",
    "year",
    "indicator",
    "programme_code",
    "title",
    "plan",
    "fact",
    "status",
    "rate",
    "provisional",
    "detail",  # a submission's date and checksum; a report's error; a plan's version
]


def history_dir(processed: str | Path) -> Path:
    """``data/history`` for ``data/processed``."""
    return Path(processed).resolve().parent / "history"


def retention() -> int:
    """How many builds the history keeps (``ANALYSIS_HISTORY_KEEP``, at least 2)."""
    try:
        return max(2, int(os.environ.get(KEEP_ENV, DEFAULT_KEEP)))
    except ValueError:
        return DEFAULT_KEEP


def snapshot(
    processed: str | Path, as_of: date, deadline: tuple[int, int], reports: list[dict]
) -> pd.DataFrame:
    """What a build publishes, as rows of :data:`COLUMNS` (all text but ``year`` and ``rate``)."""
    clusters = read_table(processed, "clusters")
    names = clusters.set_index("cluster_id")
    plan = read_table(processed, "plan")
    plan = plan[plan["family"] == FAMILY_PLAN]
    cells = f.cell_status(plan, read_table(processed, "facts"), as_of, deadline)
    cells = cells[cells["planned"] | (cells["status"] == f.BEYOND_PLAN)]
    region = cells["cluster_id"].map(names["region_code"]).astype(str)
    rows = [
        pd.DataFrame(
            {
                "kind": "cell",
                "key": region + "/" + cells["cluster_id"] + "/" + cells["year"].astype(str),
                "region_code": region,
                "region_name": cells["cluster_id"].map(names["region_name"]),
                "cluster_id": cells["cluster_id"],
                "cluster_name": cells["cluster_id"].map(names["name"]),
                "year": cells["year"],
                "indicator": cells["indicator"],
                "programme_code": cells["programme_code"],
                "title": cells["indicator_title"],
                "plan": cells["target_raw"].fillna(""),
                "fact": cells["fact_raw"].fillna("").astype(str),
                "status": cells["status"],
            }
        )
    ]
    submissions = read_table(processed, "submissions")
    known = submissions["cluster_id"].isin(names.index)
    rows.append(
        pd.DataFrame(
            {
                "kind": "submission",
                "key": [file_name(p) for p in submissions["source_file"]],
                "region_code": submissions["cluster_id"].map(names["region_code"]).where(known, ""),
                "region_name": submissions["cluster_id"].map(names["region_name"]).where(known, ""),
                "cluster_id": submissions["cluster_id"].astype(object).fillna(""),
                "cluster_name": submissions["cluster_id"].map(names["name"]).where(known, ""),
                "year": submissions["year"],
                "status": submissions["status"],
                "title": submissions["message"].fillna(""),
                "detail": [
                    f"{'' if pd.isna(d) else pd.Timestamp(d).date().isoformat()} {s or ''}".strip()
                    for d, s in zip(submissions["submitted_on"], submissions.get("sha256", ""), strict=False)
                ],
            }
        )
    )
    rows.append(
        pd.DataFrame.from_records(
            [
                {
                    "kind": "report",
                    "key": e["key"],
                    "region_code": e["region_code"],
                    "region_name": e["region_name"],
                    "cluster_id": e.get("cluster_id", ""),
                    "cluster_name": e.get("cluster_name", "") or e["title"],
                    "year": e["year"],
                    "status": e["status"],
                    "rate": e.get("rate") if e.get("rate_shown") else None,
                    "provisional": "да" if e.get("provisional") else "",
                    "detail": e.get("error", ""),
                    "title": e["title"],
                }
                for e in reports
            ]
        )
    )
    rows.append(
        pd.DataFrame(
            {
                "kind": "plan",
                "key": clusters["cluster_id"],
                "region_code": clusters["region_code"],
                "region_name": clusters["region_name"],
                "cluster_id": clusters["cluster_id"],
                "cluster_name": clusters["name"],
                "detail": clusters["plan_version"].fillna(""),
            }
        )
    )
    out = pd.concat(rows, ignore_index=True).reindex(columns=COLUMNS)
    text = [c for c in COLUMNS if c not in ("year", "rate")]
    out[text] = out[text].fillna("").astype(str)
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    out["rate"] = pd.to_numeric(out["rate"], errors="coerce").astype("float64")
    return out


def builds(folder: str | Path) -> list[Path]:
    """The history's files, oldest first."""
    folder = Path(folder)
    return sorted(folder.glob("*.parquet")) if folder.exists() else []


def load(path: str | Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def build_id(started: str) -> str:
    """``20261203T023000`` for a build started at 2026-12-03T02:30:00."""
    return datetime.fromisoformat(started).strftime("%Y%m%dT%H%M%S")


def keep(folder: str | Path, frame: pd.DataFrame, started: str, limit: int | None = None) -> Path | None:
    """Write ``frame`` as the history of the build started at ``started`` — unless the latest
    build kept published the same; prune beyond ``limit`` (default :func:`retention`). Returns
    the file written, or None."""
    folder = Path(folder)
    kept = builds(folder)
    if kept and load(kept[-1]).equals(frame):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{build_id(started)}.parquet"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(temporary, index=False)
    temporary.replace(path)
    for old in builds(folder)[: -(limit or retention())]:
        old.unlink(missing_ok=True)
        logger.debug("history: %s removed (retention)", old.name)
    return path
