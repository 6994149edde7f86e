"""The reports a build makes — every cluster × plan year, every region × year and the national
report of every year — with the
headline figures and the state of each cluster-year that the index shows beside its link.

Computed from the processed tables once per build (and only when they, the as-of date or the
deadline changed: the build manifest keeps the last grid), as plain JSON-able records.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from analysis.metrics import fulfilment as f
from analysis.metrics.completeness import cluster_year_states
from analysis.reports.labels import met_text, rate_text, state_text
from analysis.sources.plan import FAMILY_PLAN
from analysis.tables import read_table

NATIONAL_MIN_REGIONS = 3  # regions with reports that make a national report worth its page


def report_grid(processed_dir: str | Path, as_of: date, deadline: tuple[int, int] = (1, 20)) -> pd.DataFrame:
    """Every cluster × plan year to report on, with its headline figures.

    Columns: ``cluster_id, name, region_code, region_name, year, planned, met, answered`` (planned
    cells with a fact), ``pending``, ``rate``, ``demo``.
    """
    clusters = read_table(processed_dir, "clusters")
    plan = read_table(processed_dir, "plan")
    plan = plan[plan["family"] == FAMILY_PLAN]
    facts = read_table(processed_dir, "facts")
    cells = f.cell_status(plan, facts, as_of, deadline)
    summary = f.cluster_year_summary(cells)
    summary["answered"] = summary[f.MET] + summary[f.PARTLY_MET] + summary[f.NOT_MET]
    demo = cells.groupby(["cluster_id", "year"], as_index=False)["demo"].any()
    grid = summary.merge(demo, on=["cluster_id", "year"]).merge(
        clusters[["cluster_id", "name", "region_code", "region_name"]], on="cluster_id"
    )
    columns = [
        "cluster_id",
        "name",
        "region_code",
        "region_name",
        "year",
        "planned",
        f.MET,
        "answered",
        f.PENDING,
        "rate",
        "provisional",
        "demo",
    ]
    return grid[columns].sort_values(["region_code", "cluster_id", "year"]).reset_index(drop=True)


def _number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def grid_records(processed_dir: str | Path, as_of: date, deadline: tuple[int, int]) -> dict:
    """``{"reports": [...], "problems": [...]}``: one record per report (cluster reports first,
    then region reports, then the national reports), each with what the index needs;
    ``problems`` are the clusters whose plan could not be read (they have no reports)."""
    grid = report_grid(processed_dir, as_of, deadline)
    clusters = read_table(processed_dir, "clusters")
    states = cluster_year_states(
        grid, read_table(processed_dir, "submissions"), read_table(processed_dir, "facts"), as_of, deadline
    ).set_index(["cluster_id", "year"])
    quality = read_table(processed_dir, "quality").set_index(["cluster_id", "year"])
    records = []
    for row in grid.itertuples(index=False):
        where = (row.cluster_id, int(row.year))
        state = states.loc[where]
        rejected = int(quality["rows_rejected"].get(where, 0)) if where in quality.index else 0
        records.append(
            {
                "key": f"{row.region_code}/{row.cluster_id}/{int(row.year)}",
                "kind": "cluster",
                "title": f"{row.name}, {int(row.year)}",
                "region_code": str(row.region_code),
                "region_name": str(row.region_name),
                "cluster_id": row.cluster_id,
                "cluster_name": row.name,
                "clusters": [row.cluster_id],
                "year": int(row.year),
                "demo": bool(row.demo),
                "planned": int(row.planned),
                "met": int(row.met),
                "answered": int(row.answered),
                "pending": int(row.pending),
                "rate": _number(row.rate),
                "rate_shown": bool(state["rate_shown"]),
                "provisional": bool(row.provisional),
                "rate_text": rate_text(row.rate, bool(state["rate_shown"]), bool(row.provisional)),
                "met_text": met_text(row.met, row.planned, row.answered, row.pending, bool(row.provisional)),
                "state": state["state"],
                "state_label": state_text(state["state"]),
                "rows_rejected": rejected,
            }
        )
    regions = grid[["region_code", "region_name", "year"]].drop_duplicates()
    for code, name, year in regions.sort_values(["region_code", "year"]).itertuples(index=False):
        # A region report shows every cluster of the region in the registry, a plan or not.
        members = clusters.loc[clusters["region_code"] == code, "cluster_id"]
        records.append(
            {
                "key": f"{code}/region-{int(year)}",
                "kind": "region",
                "title": f"{code} — {name}, {int(year)}",
                "region_code": str(code),
                "region_name": str(name),
                "cluster_id": "",
                "cluster_name": "",
                "clusters": sorted(members),
                "year": int(year),
                "demo": bool(grid[(grid["region_code"] == code) & (grid["year"] == year)]["demo"].any()),
            }
        )
    # The national report of each year: every region side by side (it reads the summaries made
    # once per build, but depends on every cluster). With fewer regions than this the region
    # reports already show every cluster side by side.
    national_years = (
        sorted(grid["year"].unique()) if grid["region_code"].nunique() >= NATIONAL_MIN_REGIONS else []
    )
    for year in national_years:
        records.append(
            {
                "key": f"national-{int(year)}",
                "kind": "national",
                "title": f"Все регионы, {int(year)}",
                "region_code": "",
                "region_name": "",
                "cluster_id": "",
                "cluster_name": "",
                "clusters": sorted(clusters["cluster_id"]),
                "year": int(year),
                "demo": bool(grid[grid["year"] == year]["demo"].any()),
            }
        )
    set_aside = clusters[clusters["plan_error"] != ""]
    problems = [f"{r.name}: план не прочитан — {r.plan_error}" for r in set_aside.itertuples()]
    return {"reports": records, "problems": problems}
