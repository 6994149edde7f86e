"""Target ambition across clusters (DOMAIN.md, «Target ambition (national)»).

**Rule.** A plan cell takes part when its target is a number N > 0 (``target_kind`` ``count``)
and a fact of it was received (``fact_value`` not empty). Its ratio is fact / N, uncapped. It is
**over-fulfilled** when fact ≥ 125 % of N (ratio ≥ :data:`OVER_RATIO`). ``да`` targets, ``-`` and
empty targets, and cells without a fact take no part — a missing report is not evidence about
the target.

Per indicator and year (across all clusters with a numeric target): the cells taking part, the
share of them over-fulfilled, and the distribution of fact / plan (quartiles, 10th and 90th
percentiles). A **cluster over-fulfils an indicator** in a year when every one of its cells of that
indicator taking part is over-fulfilled (an indicator with programme rows has several). An
indicator's targets **look too low** when in two consecutive years more than half of the clusters
with a fact for it over-fulfil it (and at least :data:`MIN_CLUSTERS` clusters took part each year,
so that one or two clusters do not speak for the country).

Indicators are compared by their code (``1.6.1``): the plans of the federal project share one
tree, and the title shown is the one most clusters use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OVER_RATIO = 1.25  # fact ≥ 125 % of plan: the Accounts Chamber's measure of an unambitious target
MIN_CLUSTERS = 3  # fewer clusters with a fact than this never make a target «too low»
QUANTILES = {"q10": 0.10, "q25": 0.25, "median": 0.50, "q75": 0.75, "q90": 0.90}

CELL_COLUMNS = [
    "cluster_id",
    "year",
    "indicator",
    "programme_code",
    "target_value",
    "fact_value",
    "ratio",
    "over",
]
INDICATOR_COLUMNS = [
    "indicator",
    "indicator_title",
    "year",
    "clusters",
    "cells",
    "over_cells",
    "over_share",
    "clusters_over",
    "clusters_over_share",
    *QUANTILES,
    "max",
]


def numeric_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells taking part (a count target N > 0 and a fact), with ``ratio`` = fact / N and
    ``over`` (ratio ≥ 1.25). ``cells`` needs ``cluster_id, year, indicator, programme_code,
    target_kind, target_value, fact_value`` — the plan joined with facts, as
    ``fulfilment.cell_status`` returns it; other columns are kept."""
    taking_part = (
        (cells["target_kind"] == "count") & (cells["target_value"] > 0) & cells["fact_value"].notna()
    )
    out = cells[taking_part].copy()
    out["ratio"] = out["fact_value"].astype(float) / out["target_value"].astype(float)
    # Compared on the fact (fact ≥ 1.25 × N), so that 5 of 4 is over-fulfilled whatever the float.
    out["over"] = out["fact_value"].astype(float) >= OVER_RATIO * out["target_value"].astype(float) - 1e-9
    return out.reset_index(drop=True)


def cluster_indicator_over(cells: pd.DataFrame) -> pd.DataFrame:
    """Per cluster × indicator × year with a cell taking part: ``over`` when every one of its
    cells taking part is over-fulfilled."""
    numeric = numeric_cells(cells)
    by = ["cluster_id", "indicator", "year"]
    return numeric.groupby(by, as_index=False).agg(cells=("over", "size"), over=("over", "all"))


def indicator_ambition(cells: pd.DataFrame) -> pd.DataFrame:
    """Per indicator × year: ``clusters`` with a fact for a numeric target, ``cells`` taking part,
    ``over_cells`` and ``over_share`` (the share of cells over-fulfilled), ``clusters_over`` and
    ``clusters_over_share`` (clusters over-fulfilling the indicator, see the module docstring), the
    fact / plan distribution (``q10 q25 median q75 q90 max``). Indicators with no cell taking part
    that year have no row. ``indicator_title`` is taken when ``cells`` has it."""
    numeric = numeric_cells(cells)
    if numeric.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in INDICATOR_COLUMNS}).astype(
            {"indicator": "object", "indicator_title": "object", "year": "int64"}
        )
    by = ["indicator", "year"]
    grouped = numeric.groupby(by)["ratio"]
    out = numeric.groupby(by).agg(
        clusters=("cluster_id", "nunique"), cells=("over", "size"), over_cells=("over", "sum")
    )
    out["over_share"] = out["over_cells"] / out["cells"]
    per_cluster = cluster_indicator_over(cells)
    out["clusters_over"] = per_cluster.groupby(by)["over"].sum()
    out["clusters_over_share"] = out["clusters_over"] / out["clusters"]
    for name, q in QUANTILES.items():
        out[name] = grouped.quantile(q)
    out["max"] = grouped.max()
    out = out.reset_index()
    out["indicator_title"] = out["indicator"].map(_titles(numeric))
    out = out.astype({"year": "int64", "clusters": "int64", "cells": "int64", "over_cells": "int64"})
    out["clusters_over"] = out["clusters_over"].astype("int64")
    return out[INDICATOR_COLUMNS].sort_values(["indicator", "year"], key=_code_order).reset_index(drop=True)


def _titles(numeric: pd.DataFrame) -> dict[str, str]:
    if "indicator_title" not in numeric.columns:
        return {code: "" for code in numeric["indicator"]}
    counts = numeric.groupby(["indicator", "indicator_title"]).size().reset_index(name="n")
    counts = counts.sort_values(["indicator", "n", "indicator_title"], ascending=[True, False, True])
    return counts.drop_duplicates("indicator").set_index("indicator")["indicator_title"].to_dict()


def _code_order(column: pd.Series) -> pd.Series:
    """Indicator codes in the plan's order (1.2.1 before 1.10.1); other columns as they are."""
    if column.name != "indicator":
        return column
    return column.map(
        lambda code: tuple(int(p) if p.isdigit() else 0 for p in str(code).strip(".").split("."))
    )


def low_targets(per_indicator: pd.DataFrame, min_clusters: int = MIN_CLUSTERS) -> pd.DataFrame:
    """Indicators whose targets look too low: in two consecutive years more than half of the
    clusters with a fact over-fulfil them, with at least ``min_clusters`` clusters each year.

    Takes :func:`indicator_ambition`'s table; one row per indicator and pair of years
    (``year`` is the second of the two), with both years' ``clusters_over_share`` and
    ``over_share``."""
    frame = per_indicator.copy()
    frame["most"] = (frame["clusters_over_share"] > 0.5) & (frame["clusters"] >= min_clusters)
    before = frame[["indicator", "year", "most", "clusters_over_share", "over_share"]].copy()
    before["year"] = before["year"] + 1
    paired = frame.merge(before, on=["indicator", "year"], suffixes=("", "_before"))
    hits = paired[paired["most"] & paired["most_before"]]
    columns = [
        "indicator",
        "indicator_title",
        "year",
        "clusters",
        "clusters_over_share_before",
        "clusters_over_share",
        "over_share_before",
        "over_share",
    ]
    return hits[columns].sort_values(["indicator", "year"], key=_code_order).reset_index(drop=True)


def over_fulfilled_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Every over-fulfilled cell, per cluster: ``cluster_id, year, indicator, programme_code,
    target_value, fact_value, ratio`` — most over-fulfilled first within a cluster-year."""
    numeric = numeric_cells(cells)
    over = numeric[numeric["over"]]
    columns = [c for c in CELL_COLUMNS if c != "over"]
    out = over[columns].sort_values(
        ["cluster_id", "year", "ratio", "indicator", "programme_code"],
        ascending=[True, True, False, True, True],
    )
    return out.reset_index(drop=True)


def cluster_over_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """Per cluster × year: ``cells`` taking part, ``over_cells`` over-fulfilled, ``over_share``."""
    numeric = numeric_cells(cells)
    out = numeric.groupby(["cluster_id", "year"], as_index=False).agg(
        cells=("over", "size"), over_cells=("over", "sum")
    )
    out["over_cells"] = out["over_cells"].astype("int64")
    out["over_share"] = np.where(out["cells"] > 0, out["over_cells"] / out["cells"], np.nan)
    return out
