"""Target ambition (DOMAIN.md, «Target ambition (national)») on inline tables."""

from __future__ import annotations

import pandas as pd

from analysis.metrics.ambition import (
    cluster_over_counts,
    indicator_ambition,
    low_targets,
    numeric_cells,
    over_fulfilled_cells,
)
from analysis.sources.normalise import fact as parse_fact
from analysis.sources.plan import parse_target
from conftest import table


def cells_of(text: str) -> pd.DataFrame:
    """Plan joined with facts from an inline table: cluster, year, indicator, programme, plan, fact
    (an empty fact: none received)."""
    raw = table(text)
    targets = [parse_target(v) for v in raw["plan"]]
    facts = [parse_fact(v) if v else ("none", None) for v in raw["fact"]]
    return pd.DataFrame(
        {
            "cluster_id": raw["cluster_id"],
            "year": raw["year"].astype("int64"),
            "indicator": raw["indicator"],
            "programme_code": raw["programme_code"],
            "target_kind": [k for k, _ in targets],
            "target_value": pd.Series([v for _, v in targets], dtype="float64"),
            "fact_value": pd.Series([v if k != "none" else None for k, v in facts], dtype="float64"),
        }
    )


CELLS = """
    cluster_id,year,indicator,programme_code,plan,fact
    a,2024,1.1.4,,4,5
    a,2024,1.1.4,38.02.01,1,1
    a,2024,1.6.1,,да,да
    a,2024,1.5.1,,-,7
    a,2024,1.2.1,,10,
    b,2024,1.1.4,,4,4
    b,2024,1.1.4,38.02.01,2,3
    b,2024,1.6.1,,да,нет
    c,2024,1.1.4,,8,20
    c,2024,1.1.4,38.02.01,1,2
"""


def test_only_numeric_targets_with_a_fact_take_part():
    numeric = numeric_cells(cells_of(CELLS))
    got = numeric[["cluster_id", "indicator", "programme_code", "ratio", "over"]]
    expected = table(
        """
        cluster_id,indicator,programme_code,ratio,over
        a,1.1.4,,1.25,True
        a,1.1.4,38.02.01,1.0,False
        b,1.1.4,,1.0,False
        b,1.1.4,38.02.01,1.5,True
        c,1.1.4,,2.5,True
        c,1.1.4,38.02.01,2.0,True
        """,
        ratio="float64",
    )
    expected["over"] = expected["over"] == "True"
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_per_indicator_share_and_clusters_over():
    got = indicator_ambition(cells_of(CELLS))
    # 1.1.4 in 2024: 6 cells, 4 over; only c has every cell over (a and b each have one that is not).
    expected = table(
        """
        indicator,year,clusters,cells,over_cells,over_share,clusters_over,clusters_over_share,median,max
        1.1.4,2024,3,6,4,0.6666666666666666,1,0.3333333333333333,1.375,2.5
        """,
        year="int64",
        clusters="int64",
        cells="int64",
        over_cells="int64",
        over_share="float64",
        clusters_over="int64",
        clusters_over_share="float64",
        median="float64",
        max="float64",
    )
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected)


def test_yes_targets_and_missing_facts_make_no_row():
    only_yes = cells_of(
        """
        cluster_id,year,indicator,programme_code,plan,fact
        a,2024,1.6.1,,да,да
        a,2024,1.2.1,,10,
        a,2024,1.5.1,,-,7
        """
    )
    assert indicator_ambition(only_yes).empty
    assert over_fulfilled_cells(only_yes).empty


LOW = """
    cluster_id,year,indicator,programme_code,plan,fact
    a,2024,1.1.4,,4,5
    b,2024,1.1.4,,4,6
    c,2024,1.1.4,,4,4
    a,2025,1.1.4,,4,8
    b,2025,1.1.4,,4,5
    c,2025,1.1.4,,4,4
    a,2026,1.1.4,,4,4
    b,2026,1.1.4,,4,5
    c,2026,1.1.4,,4,4
    a,2024,1.2.1,,10,20
    b,2024,1.2.1,,10,20
    c,2024,1.2.1,,10,20
    a,2026,1.2.1,,10,20
    b,2026,1.2.1,,10,20
    c,2026,1.2.1,,10,20
    a,2024,1.4.2,,2,5
    b,2024,1.4.2,,2,5
    a,2025,1.4.2,,2,5
    b,2025,1.4.2,,2,5
"""


def test_too_low_needs_most_clusters_two_years_running():
    got = low_targets(indicator_ambition(cells_of(LOW)))
    # 1.1.4: 2 of 3 clusters over in 2024 and 2025, 1 of 3 in 2026 → flagged once, for 2024–2025.
    # 1.2.1: all over in 2024 and 2026, but 2025 has no fact: not two years running.
    # 1.4.2: every cluster over both years, but only 2 clusters took part.
    expected = table(
        """
        indicator,year,clusters,clusters_over_share_before,clusters_over_share
        1.1.4,2025,3,0.6666666666666666,0.6666666666666666
        """,
        year="int64",
        clusters="int64",
        clusters_over_share_before="float64",
        clusters_over_share="float64",
    )
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected)


def test_half_of_the_clusters_is_not_most():
    half = cells_of(
        """
        cluster_id,year,indicator,programme_code,plan,fact
        a,2024,1.1.4,,4,5
        b,2024,1.1.4,,4,5
        c,2024,1.1.4,,4,4
        d,2024,1.1.4,,4,4
        a,2025,1.1.4,,4,5
        b,2025,1.1.4,,4,5
        c,2025,1.1.4,,4,4
        d,2025,1.1.4,,4,4
        """
    )
    assert low_targets(indicator_ambition(half)).empty


def test_over_fulfilled_cells_per_cluster():
    got = over_fulfilled_cells(cells_of(CELLS))
    expected = table(
        """
        cluster_id,year,indicator,programme_code,target_value,fact_value,ratio
        a,2024,1.1.4,,4.0,5.0,1.25
        b,2024,1.1.4,38.02.01,2.0,3.0,1.5
        c,2024,1.1.4,,8.0,20.0,2.5
        c,2024,1.1.4,38.02.01,1.0,2.0,2.0
        """,
        year="int64",
        target_value="float64",
        fact_value="float64",
        ratio="float64",
    )
    pd.testing.assert_frame_equal(got, expected)
    counts = cluster_over_counts(cells_of(CELLS))
    assert counts[["cluster_id", "cells", "over_cells"]].values.tolist() == [
        ["a", 2, 1],
        ["b", 2, 1],
        ["c", 2, 2],
    ]


def test_just_below_the_threshold_is_not_over():
    edge = cells_of(
        """
        cluster_id,year,indicator,programme_code,plan,fact
        a,2024,1.1.4,,100,124.9
        a,2024,1.1.5,,3,4
        a,2024,1.1.6,,0,9
        """
    )
    numeric = numeric_cells(edge)
    # 124.9 of 100 and 4 of 3 (133 %): only the second; a target of 0 plans nothing and takes no part.
    assert numeric[["indicator", "over"]].values.tolist() == [["1.1.4", False], ["1.1.5", True]]
