"""Plan versus fact: the status of every plan cell and its roll-ups (DOMAIN.md, «Plan versus fact»).

Status of one plan cell (cluster, indicator, programme row, year):

===================  ==========================================  ===============
plan                 fact                                        status
===================  ==========================================  ===============
``-`` or empty       none, 0 or нет                              ``not_planned``
``-`` or empty       a positive number or да                     ``beyond_plan``
number N > 0         ≥ N                                         ``met``
number N > 0         0 < fact < N                                ``partly_met``
number N > 0         0                                           ``not_met``
``да``               да (or a positive number)                   ``met``
``да``               нет (or 0)                                  ``not_met``
a target             none, on or before the reporting deadline   ``pending``
a target             none, after the reporting deadline          ``no_data``
===================  ==========================================  ===============

**Provisional rates** (DOMAIN.md «A year in progress»). Until a year's reporting deadline has
passed its rates are provisional: they count only the planned cells with a fact received so far
(«8 из 9 полученных») and say how many are still awaited («ожидается ещё 9»), since a cell still
awaited is no failure yet. After the deadline the rate is the share of all planned cells met.
Every page, the API and ``show`` take rates from :func:`status_counts`, which applies this.

A count target of 0 plans nothing and is read like ``-``. The reporting deadline of year Y is
20 January of Y + 1 unless given otherwise; the as-of date of the report decides which side of
it we are on — never the wall clock.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.deadline import (  # noqa: F401  (re-exported: the metrics' callers use them)
    DEFAULT_DEADLINE,
    DEFAULT_DEADLINE_TEXT,
    deadline_passed,
    parse_deadline,
    reporting_deadline,
)

NOT_PLANNED = "not_planned"
BEYOND_PLAN = "beyond_plan"
MET = "met"
PARTLY_MET = "partly_met"
NOT_MET = "not_met"
PENDING = "pending"
NO_DATA = "no_data"
STATUSES = [MET, PARTLY_MET, NOT_MET, PENDING, NO_DATA, BEYOND_PLAN, NOT_PLANNED]

CELL_KEYS = ["cluster_id", "year", "indicator", "programme_code"]
PLANNED_STATUSES = [MET, PARTLY_MET, NOT_MET, PENDING, NO_DATA]


def cell_status(
    plan: pd.DataFrame, facts: pd.DataFrame, as_of: date, deadline: tuple[int, int] = DEFAULT_DEADLINE
) -> pd.DataFrame:
    """Join the tidy plan with tidy facts and give every plan cell its status.

    Adds ``fact_kind``, ``fact_value``, ``fact_raw``, ``demo``, ``planned`` (the cell has a
    target), ``status``, ``ratio`` (fact / plan, uncapped: 1.25 is 25 % over plan; 1 or 0 for a
    yes target; NaN when there is no target or no fact) and ``ratio_capped`` (ratio capped at 1).
    Facts for cells the plan does not have are ignored here; ``analysis.sources.facts`` rejects them.
    """
    fact_columns = [*CELL_KEYS, "fact_kind", "fact_value", "fact_raw", "demo"]
    cells = plan.merge(facts[fact_columns], on=CELL_KEYS, how="left", validate="one_to_one")
    cells["demo"] = cells["demo"].fillna(False).astype(bool)
    target = cells["target_value"]
    fact = cells["fact_value"]
    has_fact = fact.notna()
    is_count = (cells["target_kind"] == "count") & (target > 0)
    is_yes = cells["target_kind"] == "yes"
    planned = is_count | is_yes
    due = pd.Series([reporting_deadline(int(y), deadline) for y in cells["year"]], index=cells.index)
    missing_status = np.where(due >= as_of, PENDING, NO_DATA)
    status = np.select(
        [
            ~planned & has_fact & (fact > 0),
            ~planned,
            ~has_fact,
            is_count & (fact >= target),
            is_count & (fact > 0),
            is_yes & (fact > 0),
        ],
        [BEYOND_PLAN, NOT_PLANNED, missing_status, MET, PARTLY_MET, MET],
        default=NOT_MET,
    )
    cells["planned"] = planned
    cells["status"] = status
    cells["provisional"] = due >= as_of
    ratio = np.where(is_count, fact / target.where(is_count), np.where(fact > 0, 1.0, 0.0))
    cells["ratio"] = pd.Series(ratio, index=cells.index).where(planned & has_fact)
    cells["ratio_capped"] = cells["ratio"].clip(upper=1.0)
    return cells


def status_counts(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Count cells per status for each group, with the fulfilment rates of that group.

    ``planned`` counts cells with a target, ``received`` those of them with a fact (met, partly
    met or not met) and ``awaited`` those still expected before the deadline (pending).
    ``provisional`` — the year's deadline has not passed (any cell of the group says so): then
    ``rate`` is the share of the *received* cells met, else the share of planned cells met.
    ``weighted_rate`` counts a partly met cell by its capped ratio over the same base (reports
    label it as the weighted variant); ``reported`` is the share of planned cells with a fact.
    Rates are NaN for a group with nothing planned (or, provisional, nothing received).
    """
    # One grouping, then counting on arrays: a report calls this five times on its ~100 cells,
    # where pandas' per-operation cost (a groupby, unstack, reindex each) was most of the time.
    grouped = cells.groupby(by, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype="float64")  # NaN: a row with a missing key
    keys = grouped.size().index.to_frame(index=False)
    keyed = ~np.isnan(codes)
    group, n = codes[keyed].astype("int64"), len(keys)
    status = cells["status"].to_numpy(dtype=object)[keyed]

    def per_group(mask, weights=None) -> np.ndarray:
        chosen = None if weights is None else weights[mask]
        return np.bincount(group[mask], weights=chosen, minlength=n)

    counts = keys
    for name in STATUSES:
        counts[name] = per_group(status == name).astype("int64")
    ratio = pd.to_numeric(cells["ratio_capped"], errors="coerce").to_numpy(dtype="float64")[keyed]
    partly = per_group(status == PARTLY_MET, np.nan_to_num(ratio))
    counts["planned"] = counts[PLANNED_STATUSES].to_numpy().sum(axis=1)
    counts["received"] = counts[MET] + counts[PARTLY_MET] + counts[NOT_MET]
    counts["awaited"] = counts[PENDING]
    if "provisional" in cells.columns:
        flags = cells["provisional"].fillna(False).to_numpy(dtype=bool)[keyed]
        counts["provisional"] = per_group(flags) > 0
    else:
        counts["provisional"] = np.zeros(n, dtype=bool)
    planned = counts["planned"].to_numpy(dtype="float64")
    base = np.where(counts["provisional"], counts["received"], counts["planned"]).astype("float64")
    met = counts[MET].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["rate"] = np.where(base > 0, met / base, np.nan)
        counts["weighted_rate"] = np.where(base > 0, (met + partly) / base, np.nan)
        counts["reported"] = np.where(planned > 0, counts["received"] / planned, np.nan)
    # A group is a key with a status (the rows crosstab's table had).
    present = per_group(pd.notna(status)) > 0
    return counts if present.all() else counts[present].reset_index(drop=True)


def indicator_status(cells: pd.DataFrame) -> pd.DataFrame:
    """Roll plan cells up to one status per cluster × year × indicator.

    All of an indicator's planned cells count — its own target and its programme rows (1.2.1
    has both). Met when every planned cell is met; pending or no data when any planned cell
    still lacks a fact; otherwise partly met when at least one cell is met or partly met, and
    not met when none is. With nothing planned it is beyond plan when any cell has a positive
    fact, else not planned.
    """
    by = ["cluster_id", "year", "indicator"]
    counts = status_counts(cells, by)
    conditions = [
        (counts["planned"] == 0) & (counts[BEYOND_PLAN] > 0),
        counts["planned"] == 0,
        counts[MET] == counts["planned"],
        counts[PENDING] > 0,
        counts[NO_DATA] > 0,
        counts[MET] + counts[PARTLY_MET] > 0,
    ]
    choices = [BEYOND_PLAN, NOT_PLANNED, MET, PENDING, NO_DATA, PARTLY_MET]
    counts["status"] = np.select(conditions, choices, default=NOT_MET)
    return counts[
        [*by, "status", "planned", MET, PARTLY_MET, NOT_MET, PENDING, NO_DATA, BEYOND_PLAN, "weighted_rate"]
    ]


def cluster_year_summary(cells: pd.DataFrame) -> pd.DataFrame:
    """Status counts and fulfilment rates per cluster × year (cells of every indicator)."""
    return status_counts(cells, ["cluster_id", "year"])
