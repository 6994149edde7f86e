"""Every region side by side: one row per cluster-year (computed once per build, when the processed
tables are made) and its roll-up per region and year for the national report.

The per-cluster-year table keeps what does not depend on the reporting deadline — cells planned
and met, rates, whether a report was received and when, staffing — so that the states of the day
come from the one rule (``completeness.assign_states``) when a report is made.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.metrics import completeness as c
from analysis.metrics import fulfilment as f
from analysis.metrics.ambition import cluster_over_counts

CLUSTER_YEAR_COLUMNS = [
    "cluster_id",
    "year",
    "planned",
    f.MET,
    f.PARTLY_MET,
    f.NOT_MET,
    "answered",
    "rate",
    "weighted_rate",
    "demo",
    "received",
    "submitted_on",
    "rate_shown",
    "employer_teachers",
    "pairs",
    "ambition_cells",
    "over_cells",
]


def cluster_year_table(
    cells: pd.DataFrame, submissions: pd.DataFrame, facts: pd.DataFrame, staffing: pd.DataFrame
) -> pd.DataFrame:
    """One row per cluster × plan year: ``planned``, ``met``, ``partly_met``, ``not_met``,
    ``answered`` (planned cells with a fact), ``rate`` and ``weighted_rate``
    (``fulfilment.status_counts``), ``demo`` (any fact is demonstration data), the receipt of its
    report (``received``, ``submitted_on``, ``rate_shown``: ``completeness.cluster_year_states``),
    ``employer_teachers`` and ``pairs`` (NaN without rosters), ``ambition_cells`` (cells with a
    numeric target and a fact) and ``over_cells`` (of them, fact ≥ 125 % of plan).

    ``cells`` is ``fulfilment.cell_status`` over the plan of measures; the deadline it was given
    does not matter here (no column kept depends on it)."""
    keys = ["cluster_id", "year"]
    # The summary's own ``received`` counts cells with a fact (the provisional rule); here
    # ``received`` is whether the year's report came, from the states below.
    summary = f.cluster_year_summary(cells).drop(columns=["received", "awaited"], errors="ignore")
    summary["answered"] = summary[f.MET] + summary[f.PARTLY_MET] + summary[f.NOT_MET]
    demo = cells.groupby(keys, as_index=False)["demo"].any()
    # Any as-of date will do: only the receipt is kept, the state is taken when a report is made.
    states = c.cluster_year_states(summary[keys], submissions, facts, date(2000, 1, 1))
    over = cluster_over_counts(cells).rename(columns={"cells": "ambition_cells"})
    staff = staffing[[*keys, "employer_teachers", "pairs"]] if len(staffing) else None
    out = summary.merge(demo, on=keys, how="left").merge(
        states[[*keys, "received", "submitted_on", "rate_shown"]], on=keys, how="left"
    )
    out = out.merge(over[[*keys, "ambition_cells", "over_cells"]], on=keys, how="left")
    if staff is not None:
        out = out.merge(staff, on=keys, how="left")
    else:
        out["employer_teachers"] = np.nan
        out["pairs"] = np.nan
    out[["ambition_cells", "over_cells"]] = out[["ambition_cells", "over_cells"]].fillna(0).astype("int64")
    out["demo"] = out["demo"].fillna(False).astype(bool)
    out = out.astype({"employer_teachers": "float64", "pairs": "float64", "year": "int64"})
    return out[CLUSTER_YEAR_COLUMNS].sort_values(keys).reset_index(drop=True)


REGION_COLUMNS = [
    "region_code",
    "region_name",
    "year",
    "clusters",
    "expected",
    c.ON_TIME,
    c.LATE,
    c.NOT_DUE,
    c.MISSING,
    c.REFUSED,
    "received_share",
    "rates",
    "rate_median",
    "rate_q25",
    "rate_q75",
    "rate_min",
    "rate_max",
    "with_rosters",
    "employer_teachers_per_cluster",
    "pairs_per_cluster",
    "ambition_cells",
    "over_cells",
    "demo",
    "rank",
]


def region_summary(
    registry: pd.DataFrame, cluster_years: pd.DataFrame, year: int, as_of: date, deadline: tuple[int, int]
) -> pd.DataFrame:
    """Per region of the registry, for ``year``:

    - ``clusters`` in the registry; ``expected`` — those whose plan has the year (a report is
      expected only of them); their reports ``on_time``, ``late``, ``not_due``, ``missing``
      (``completeness.assign_states`` at ``as_of``); ``received_share`` — received of those due
      (on time + late + missing), NaN when none is due yet;
    - fulfilment: ``rates`` — clusters whose rate may be shown (a received report with a fact;
      never a 0 % for a report not received), their ``rate_median``, quartiles and range;
    - staffing: ``with_rosters`` — clusters with roster data, ``employer_teachers_per_cluster`` and
      ``pairs_per_cluster`` — the mean over those clusters (NaN when none);
    - ambition: ``ambition_cells`` and ``over_cells`` summed;
    - ``rank`` — 1 for the highest median rate; regions without a rate to show come last, unranked
      (NaN); ties share the better rank.
    """
    year_rows = cluster_years[cluster_years["year"] == int(year)]
    states = c.assign_states(year_rows, as_of, deadline)
    members = registry[["cluster_id", "region_code", "region_name"]]
    rows = members.merge(states, on="cluster_id", how="left")
    rows["expected"] = rows["year"].notna()
    for state in c.STATES:
        rows[state] = rows["expected"] & (rows["state"] == state)
    rows["shown_rate"] = rows["rate"].where(rows["rate_shown"].astype("boolean").fillna(False).astype(bool))
    rows["rostered"] = rows["employer_teachers"].notna()
    grouped = rows.groupby(["region_code"], sort=True)
    out = grouped.agg(
        region_name=("region_name", "first"),
        clusters=("cluster_id", "nunique"),
        expected=("expected", "sum"),
        **{state: (state, "sum") for state in c.STATES},
        rates=("shown_rate", "count"),
        rate_median=("shown_rate", "median"),
        rate_q25=("shown_rate", lambda r: r.quantile(0.25)),
        rate_q75=("shown_rate", lambda r: r.quantile(0.75)),
        rate_min=("shown_rate", "min"),
        rate_max=("shown_rate", "max"),
        with_rosters=("rostered", "sum"),
        employer_teachers_per_cluster=("employer_teachers", "mean"),
        pairs_per_cluster=("pairs", "mean"),
        ambition_cells=("ambition_cells", "sum"),
        over_cells=("over_cells", "sum"),
        demo=("demo", lambda d: bool(d.fillna(False).astype(bool).any())),
    ).reset_index()
    due = out[c.ON_TIME] + out[c.LATE] + out[c.MISSING] + out[c.REFUSED]
    out["received_share"] = ((out[c.ON_TIME] + out[c.LATE]) / due.where(due > 0)).astype("float64")
    out["year"] = int(year)
    out["rank"] = out["rate_median"].rank(ascending=False, method="min")
    counts = ["clusters", "expected", *c.STATES, "rates", "with_rosters", "ambition_cells", "over_cells"]
    out[counts] = out[counts].astype("int64")
    out = out.sort_values(["rank", "region_code"], na_position="last")
    return out[REGION_COLUMNS].reset_index(drop=True)
