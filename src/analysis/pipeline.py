"""From ``data/raw`` to ``data/processed``: read the registry, plans and facts, check them once
per build and write the tidy tables the reports read."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import facts as facts_module
from analysis import plan as plan_module
from analysis.registry import load_registry
from analysis.tables import write_table

logger = logging.getLogger(__name__)

REGISTRY_FILE = "clusters.csv"
FACTS_DIR = "facts"


@dataclass
class PrepareResult:
    """What a data build read and wrote, for the summary a user sees."""

    clusters: int
    plan_cells: int
    fact_rows_read: int
    facts_accepted: int
    rejects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def prepare(raw_dir: str | Path, processed_dir: str | Path) -> PrepareResult:
    """Build every processed table from ``raw_dir``; bad fact rows go to ``fact_rejects``."""
    raw_dir = Path(raw_dir)
    registry = load_registry(raw_dir / REGISTRY_FILE)
    warnings, plans = [], []
    versions = []
    for row in registry.itertuples(index=False):
        rows = plan_module.read_plan_file(row.plan_path)
        warnings += plan_module.plan_warnings(rows, row.plan_path)
        plans.append(plan_module.tidy_plan(rows, row.cluster_id))
        versions.append(plan_module.plan_version(row.plan_path))
    plan = pd.concat(plans, ignore_index=True)
    clusters = registry.assign(plan_version=versions).drop(columns=["plan_path", "registry_row"])
    fact_files = sorted((raw_dir / FACTS_DIR).glob("*.csv"))
    facts, rejects = facts_module.load_facts(fact_files, plan)
    for name, frame in [("clusters", clusters), ("plan", plan), ("facts", facts), ("fact_rejects", rejects)]:
        write_table(frame, processed_dir, name)
    for line in warnings:
        logger.warning(line)
    result = PrepareResult(
        clusters=len(registry),
        plan_cells=len(plan),
        fact_rows_read=len(facts) + len(rejects),
        facts_accepted=len(facts),
        rejects=facts_module.reject_lines(rejects),
        warnings=warnings,
    )
    logger.info(
        "data: %d clusters, %d plan cells, %d of %d fact rows accepted, written to %s",
        result.clusters,
        result.plan_cells,
        result.facts_accepted,
        result.fact_rows_read,
        processed_dir,
    )
    return result


def report_grid(processed_dir: str | Path, as_of) -> pd.DataFrame:
    """Every cluster × plan year to report on, with its headline figures for the index.

    Columns: ``cluster_id, name, region_code, region_name, year, planned, met, answered`` (planned
    cells with a fact), ``pending``, ``rate``, ``demo``.
    """
    from analysis.fulfilment import MET, NOT_MET, PARTLY_MET, PENDING, cell_status, cluster_year_summary
    from analysis.tables import read_table

    clusters = read_table(processed_dir, "clusters")
    plan = read_table(processed_dir, "plan")
    plan = plan[plan["family"] == plan_module.FAMILY_PLAN]
    facts = read_table(processed_dir, "facts")
    cells = cell_status(plan, facts, as_of)
    summary = cluster_year_summary(cells)
    summary["answered"] = summary[MET] + summary[PARTLY_MET] + summary[NOT_MET]
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
        MET,
        "answered",
        PENDING,
        "rate",
        "demo",
    ]
    return grid[columns].sort_values(["region_code", "cluster_id", "year"]).reset_index(drop=True)
