from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.metrics.fulfilment import (
    STATUSES,
    cell_status,
    cluster_year_summary,
    indicator_status,
    reporting_deadline,
    status_counts,
)
from analysis.sources.normalise import fact as parse_fact
from analysis.sources.plan import parse_target
from conftest import table


def make_plan(cells: pd.DataFrame) -> pd.DataFrame:
    """A tidy plan from an inline table of indicator, programme_code, year, target_raw."""
    kinds = [parse_target(raw) for raw in cells["target_raw"]]
    return pd.DataFrame(
        {
            "cluster_id": "c",
            "year": cells["year"].astype("int64"),
            "indicator": cells["indicator"],
            "programme_code": cells["programme_code"],
            "target_raw": cells["target_raw"],
            "target_kind": [k for k, _ in kinds],
            "target_value": [v for _, v in kinds],
        }
    )


def make_facts(cells: pd.DataFrame) -> pd.DataFrame:
    """Tidy facts from the same inline table's ``fact`` column; an empty fact is no row."""
    reported = cells[cells["fact"] != ""]
    parsed = [parse_fact(raw) for raw in reported["fact"]]
    return pd.DataFrame(
        {
            "cluster_id": "c",
            "year": reported["year"].astype("int64"),
            "indicator": reported["indicator"],
            "programme_code": reported["programme_code"],
            "fact_kind": [k for k, _ in parsed],
            "fact_value": [v for _, v in parsed],
            "fact_raw": reported["fact"],
            "demo": False,
        }
    )


# One line per row of the rules table in DOMAIN.md («Plan versus fact»), with edge cases.
# The reporting deadline for 2024 is 2025-01-20.
RULES = """
    indicator,programme_code,year,target_raw,fact,as_of,status,ratio
    1.1.1,,2024,-,,2025-06-01,not_planned,
    1.1.2,,2024,,,2025-06-01,not_planned,
    1.1.3,,2024,-,0,2025-06-01,not_planned,
    1.1.4,,2024,-,нет,2025-06-01,not_planned,
    1.2.1,,2024,-,3,2025-06-01,beyond_plan,
    1.2.2,,2024,,да,2025-06-01,beyond_plan,
    1.3.1,,2024,9,9,2025-06-01,met,1.0
    1.3.2,,2024,9,12,2025-06-01,met,1.3333333333333333
    1.3.3,,2024,9,4,2025-06-01,partly_met,0.4444444444444444
    1.4.1,,2024,9,"1,5",2025-06-01,partly_met,0.16666666666666666
    1.4.2,,2024,9,0,2025-06-01,not_met,0.0
    1.4.3,,2024,да,да,2025-06-01,met,1.0
    1.4.4,,2024,Да,ДА,2025-06-01,met,1.0
    1.5.1,,2024,да,нет,2025-06-01,not_met,0.0
    1.5.2,,2024,да,2,2025-06-01,met,1.0
    1.5.3,,2024,да,0,2025-06-01,not_met,0.0
    1.6.1,,2024,9,,2024-12-31,pending,
    1.6.2,,2024,9,,2025-01-20,pending,
    1.6.3,,2024,9,,2025-01-21,no_data,
    1.6.4,,2024,да,,2025-01-20,pending,
    1.6.5,,2024,да,,2026-03-01,no_data,
    1.6.6,,2024,0,,2026-03-01,not_planned,
    1.6.7,,2024,0,2,2026-03-01,beyond_plan,
"""


@pytest.mark.parametrize(
    "row", table(RULES).to_dict("records"), ids=lambda r: f"{r['target_raw']}|{r['fact']}|{r['as_of']}"
)
def test_status_of_one_cell_follows_the_rules_table(row):
    cells = pd.DataFrame([row])
    result = cell_status(make_plan(cells), make_facts(cells), date.fromisoformat(row["as_of"])).iloc[0]
    assert result["status"] == row["status"]
    expected_ratio = float(row["ratio"]) if row["ratio"] else float("nan")
    assert result["ratio"] == pytest.approx(expected_ratio, nan_ok=True)
    if row["ratio"]:
        assert result["ratio_capped"] == pytest.approx(min(1.0, expected_ratio))


def test_the_wall_clock_never_decides_pending():
    cells = table(RULES).iloc[[16]]
    early = cell_status(make_plan(cells), make_facts(cells), date(2024, 5, 1))["status"].item()
    late = cell_status(make_plan(cells), make_facts(cells), date(2030, 5, 1))["status"].item()
    assert (early, late) == ("pending", "no_data")


def test_deadline_is_configurable():
    assert reporting_deadline(2024) == date(2025, 1, 20)
    assert reporting_deadline(2024, (3, 1)) == date(2025, 3, 1)
    cells = table(RULES).iloc[[18]]  # no fact, as of 2025-01-21: no data with the default deadline
    status = cell_status(make_plan(cells), make_facts(cells), date(2025, 1, 21), deadline=(3, 1))
    assert status["status"].item() == "pending"


# An indicator with only programme rows (its own cells empty), and the 1.2.1 shape: its own
# target and programme targets. Everything as of 2026-03-01, after the 2024 deadline.
INDICATORS = """
    indicator,programme_code,year,target_raw,fact
    1.1.1,,2024,,
    1.1.1,38.02.01,2024,1,1
    1.1.1,40.02.02,2024,1,1
    1.1.3,,2024,,
    1.1.3,38.02.01,2024,да,да
    1.1.3,40.02.02,2024,да,нет
    1.4.1,,2024,,
    1.4.1,38.02.01,2024,да,да
    1.4.1,40.02.02,2024,да,
    1.4.2,,2024,,
    1.4.2,38.02.01,2024,1,0
    1.4.2,40.02.02,2024,да,нет
    1.2.1,,2024,9,9
    1.2.1,38.02.01,2024,1,1
    1.2.1,40.02.02,2024,1,1
    1.2.2,,2024,9,12
    1.2.2,38.02.01,2024,1,0
    1.2.2,40.02.02,2024,-,
    1.4.4,,2024,-,
    1.4.4,38.02.01,2024,-,2
    1.4.5,,2024,-,
"""

INDICATORS_EXPECTED = """
    indicator,status,planned,met,partly_met,not_met,no_data
    1.1.1,met,2,2,0,0,0
    1.1.3,partly_met,2,1,0,1,0
    1.2.1,met,3,3,0,0,0
    1.2.2,partly_met,2,1,0,1,0
    1.4.1,no_data,2,1,0,0,1
    1.4.2,not_met,2,0,0,2,0
    1.4.4,beyond_plan,0,0,0,0,0
    1.4.5,not_planned,0,0,0,0,0
"""


def test_indicator_roll_up_covers_programme_rows_and_own_targets():
    cells = table(INDICATORS)
    result = indicator_status(cell_status(make_plan(cells), make_facts(cells), date(2026, 3, 1)))
    columns = ["indicator", "status", "planned", "met", "partly_met", "not_met", "no_data"]
    expected = table(
        INDICATORS_EXPECTED,
        planned="int64",
        met="int64",
        partly_met="int64",
        not_met="int64",
        no_data="int64",
    )
    pd.testing.assert_frame_equal(result[columns].reset_index(drop=True), expected, check_dtype=False)


def test_indicator_with_a_pending_row_is_pending():
    cells = table(INDICATORS).iloc[6:9]
    result = indicator_status(cell_status(make_plan(cells), make_facts(cells), date(2024, 12, 1)))
    assert result["status"].tolist() == ["pending"]


def test_rates_count_met_cells_and_weight_partly_met_by_ratio():
    cells = table("""
        indicator,programme_code,year,target_raw,fact
        1.1.1,,2024,10,10
        1.1.2,,2024,10,5
        1.1.3,,2024,да,нет
        1.1.4,,2024,4,
        1.1.5,,2024,-,1
        1.1.6,,2024,-,
    """)
    summary = cluster_year_summary(cell_status(make_plan(cells), make_facts(cells), date(2026, 1, 1))).iloc[0]
    assert summary[
        ["planned", "met", "partly_met", "not_met", "no_data", "beyond_plan", "not_planned"]
    ].tolist() == [4, 1, 1, 1, 1, 1, 1]
    assert summary["rate"] == pytest.approx(1 / 4)
    assert summary["weighted_rate"] == pytest.approx(1.5 / 4)
    assert summary["reported"] == pytest.approx(3 / 4)


def test_rates_are_undefined_when_nothing_is_planned():
    cells = table("""
        indicator,programme_code,year,target_raw,fact
        1.1.1,,2024,-,
    """)
    counts = status_counts(cell_status(make_plan(cells), make_facts(cells), date(2026, 1, 1)), ["year"])
    assert counts["planned"].item() == 0
    assert pd.isna(counts["rate"].item())


# Four planned cells of 2024 (deadline 20.01.2025): two met, one not met, one without a fact.
YEAR_IN_PROGRESS = table(
    """
    indicator,programme_code,year,target_raw,fact
    1.1.1,,2024,5,5
    1.1.2,,2024,да,да
    1.1.3,,2024,3,0
    1.1.4,,2024,2,
    """,
    programme_code=str,
    fact=str,
)


@pytest.mark.parametrize(
    "as_of, provisional, received, awaited, rate",
    [
        # Before the deadline, and on its day: 2 of the 3 received cells met; one still awaited.
        ("2024-12-31", True, 3, 1, 2 / 3),
        ("2025-01-20", True, 3, 1, 2 / 3),
        # The day after: the awaited cell is «нет данных» and counts against the rate.
        ("2025-01-21", False, 3, 0, 2 / 4),
    ],
)
def test_a_rate_before_its_deadline_is_provisional_over_the_cells_received(
    as_of, provisional, received, awaited, rate
):
    plan = make_plan(YEAR_IN_PROGRESS.fillna(""))
    facts = make_facts(YEAR_IN_PROGRESS.fillna(""))
    summary = cluster_year_summary(cell_status(plan, facts, date.fromisoformat(as_of))).iloc[0]
    assert bool(summary["provisional"]) is provisional
    assert (summary["received"], summary["awaited"]) == (received, awaited)
    assert summary["rate"] == pytest.approx(rate)
    assert summary["reported"] == pytest.approx(3 / 4)  # the share received, either way


def test_a_year_in_progress_with_nothing_received_has_no_rate():
    plan = make_plan(YEAR_IN_PROGRESS.fillna("").assign(fact=""))
    facts = make_facts(YEAR_IN_PROGRESS.fillna("").assign(fact=""))
    summary = cluster_year_summary(cell_status(plan, facts, date(2024, 6, 1))).iloc[0]
    assert summary["provisional"] and summary["awaited"] == 3 + 1 and pd.isna(summary["rate"])


# --- status_counts on arrays, against the pandas formulation it replaced -----------------------


def _status_counts_by_pandas(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``status_counts`` as it was written with pandas operations (a crosstab's table), kept as
    the reference the array version must equal."""
    from analysis.metrics.fulfilment import MET, NOT_MET, PARTLY_MET, PENDING, PLANNED_STATUSES, STATUSES

    counts = (  # ``pd.crosstab``'s table (cells without a key left out), at a third of its cost
        cells.groupby([*by, "status"], observed=True)
        .size()
        .unstack("status", fill_value=0)
        .reindex(columns=STATUSES, fill_value=0)
    )
    counts.columns.name = None
    partly = (
        cells[cells["status"] == PARTLY_MET]
        .groupby(by)["ratio_capped"]
        .sum()
        .reindex(counts.index, fill_value=0.0)
    )
    counts["planned"] = counts[PLANNED_STATUSES].sum(axis=1)
    counts["received"] = counts[MET] + counts[PARTLY_MET] + counts[NOT_MET]
    counts["awaited"] = counts[PENDING]
    if "provisional" in cells.columns:
        provisional = cells.groupby(by)["provisional"].any().reindex(counts.index, fill_value=False)
    else:
        provisional = pd.Series(False, index=counts.index)
    counts["provisional"] = provisional.astype(bool)
    planned = counts["planned"].where(counts["planned"] > 0)
    base = counts["received"].where(counts["provisional"], counts["planned"])
    base = base.where(base > 0)
    counts["rate"] = counts[MET] / base
    counts["weighted_rate"] = (counts[MET] + partly) / base
    counts["reported"] = counts["received"] / planned
    return counts.reset_index()


_STATUS_OR_NONE = st.sampled_from([*STATUSES, None, "unknown"])


@st.composite
def _cells(draw):
    rows = draw(st.integers(0, 30))
    cells = pd.DataFrame(
        {
            "cluster_id": draw(st.lists(st.sampled_from(["a", "b", None]), min_size=rows, max_size=rows)),
            "year": draw(st.lists(st.sampled_from([2024, 2025]), min_size=rows, max_size=rows)),
            "group": draw(st.lists(st.sampled_from(["1", "2", "3"]), min_size=rows, max_size=rows)),
            "status": draw(st.lists(_STATUS_OR_NONE, min_size=rows, max_size=rows)),
            "ratio_capped": draw(
                st.lists(st.one_of(st.none(), st.floats(0, 1, allow_nan=False)), min_size=rows, max_size=rows)
            ),
        }
    ).astype({"ratio_capped": "float64", "year": "int64"})
    if draw(st.booleans()):
        cells["provisional"] = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
    return cells


@settings(max_examples=150, deadline=None)
@given(_cells(), st.sampled_from([["cluster_id", "year"], ["group"], ["cluster_id", "year", "group"]]))
def test_status_counts_equal_the_pandas_formulation(cells, by):
    """Every count, flag and rate of every group, on random cells: statuses missing or unknown,
    keys missing, with and without the provisional column."""
    expected = _status_counts_by_pandas(cells, by)
    got = status_counts(cells, by)
    if expected.empty:
        assert got.empty and list(got.columns) == list(expected.columns)
        return
    # Groups come in the order of their keys (the pandas version's unstack did not always keep it).
    assert list(got[by].itertuples(index=False)) == sorted(got[by].itertuples(index=False))
    expected = expected.sort_values(by, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
