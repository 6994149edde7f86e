"""One vocabulary of cluster-year states, from one function, said the same on every page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import hostile
from analysis.metrics.completeness import cluster_year_states
from analysis.reports.labels import NO_RATE, STATE_RU
from conftest import table

AS_OF = date(2025, 3, 1)

SUBMISSIONS = table(
    """
    source_file,cluster_id,year,submitted_on,status
    s/on-time_2024.xlsx,on-time,2024,2025-01-20,read
    s/late_2024.xlsx,late,2024,2025-01-21,read
    s/undated_2024.xlsx,undated,2024,,read
    s/old_2024.xlsx,twice,2024,2025-01-10,superseded
    s/new_2024.xlsx,twice,2024,2025-02-01,read
    s/broken.xlsx,,,,unreadable
    s/future_2025.xlsx,early,2025,2025-02-15,read
    s/empty_2024.xlsx,empty,2024,2025-01-15,read
    facts/extra.csv,,,,read
    """
).assign(
    year=lambda t: pd.to_numeric(t["year"]).astype("Int64"),
    submitted_on=lambda t: pd.to_datetime(t["submitted_on"]),
    cluster_id=lambda t: t["cluster_id"].replace("", None),
)
FACTS = table(
    """
    cluster_id,year,fact_kind,source_file
    on-time,2024,number,s/on-time_2024.xlsx
    late,2024,yes,s/late_2024.xlsx
    undated,2024,no,s/undated_2024.xlsx
    twice,2024,number,s/new_2024.xlsx
    csv-only,2024,number,facts/extra.csv
    early,2025,number,s/future_2025.xlsx
    empty,2024,none,s/empty_2024.xlsx
    """,
    year="int64",
)
GRID = table(
    """
    cluster_id,year
    on-time,2024
    late,2024
    undated,2024
    twice,2024
    csv-only,2024
    early,2025
    empty,2024
    nothing,2024
    nothing,2025
    """,
    year="int64",
)


def test_each_cluster_year_gets_its_state_and_whether_a_rate_may_be_shown():
    states = cluster_year_states(GRID, SUBMISSIONS, FACTS, AS_OF)
    shown = states[["cluster_id", "year", "state", "received", "dated", "rate_shown"]].astype(
        {"received": str, "dated": str, "rate_shown": str}
    )
    expected = table(
        """
        cluster_id,year,state,received,dated,rate_shown
        csv-only,2024,on_time,True,False,True
        early,2025,on_time,True,True,True
        empty,2024,on_time,True,True,False
        late,2024,late,True,True,True
        nothing,2024,missing,False,False,False
        nothing,2025,not_due,False,False,False
        on-time,2024,on_time,True,True,True
        twice,2024,late,True,True,True
        undated,2024,on_time,True,False,True
        """,
        year="int64",
    )
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)


def test_the_submission_that_counts_is_named_with_its_date_and_the_deadline():
    states = cluster_year_states(GRID, SUBMISSIONS, FACTS, AS_OF).set_index("cluster_id")
    assert states.at["twice", "source_file"] == "s/new_2024.xlsx"
    assert states.at["twice", "submitted_on"] == pd.Timestamp("2025-02-01")
    assert states.at["on-time", "deadline"] == pd.Timestamp("2025-01-20")  # on the day is on time
    assert states.at["csv-only", "source_file"] == "" and pd.isna(states.at["csv-only", "submitted_on"])


def test_the_deadline_moves_the_states():
    later = cluster_year_states(GRID, SUBMISSIONS, FACTS, AS_OF, deadline=(2, 1)).set_index(
        ["cluster_id", "year"]
    )
    assert later.at[("late", 2024), "state"] == "on_time"
    assert later.at[("twice", 2024), "state"] == "on_time"  # dated on the deadline day
    assert later.at[("nothing", 2024), "state"] == "missing"
    assert later.at[("nothing", 2025), "state"] == "not_due"


def test_a_deadline_on_the_as_of_day_is_not_yet_passed():
    grid = pd.DataFrame({"cluster_id": ["x"], "year": [2024]})
    none = SUBMISSIONS.iloc[0:0]
    on_the_day = cluster_year_states(grid, none, FACTS.iloc[0:0], date(2025, 1, 20))
    next_day = cluster_year_states(grid, none, FACTS.iloc[0:0], date(2025, 1, 21))
    assert on_the_day["state"].tolist() == ["not_due"]
    assert next_day["state"].tolist() == ["missing"]


def test_every_state_has_its_words():
    assert set(STATE_RU) == {"on_time", "late", "not_due", "missing", "refused"}
    assert STATE_RU["missing"] == "не представлен" and STATE_RU["not_due"] == "срок не наступил"
    assert STATE_RU["refused"] == "получен, не принят"


def test_a_file_refused_whole_makes_its_cluster_year_received_but_not_taken():
    grid = pd.DataFrame({"cluster_id": ["a", "a", "b"], "year": [2024, 2025, 2024]})
    submissions = pd.DataFrame(
        {
            "cluster_id": ["a", "a", "b"],
            "year": [2024, 2025, 2024],
            "status": ["rejected", "unreadable", "read"],
            "submitted_on": [pd.NaT, pd.NaT, pd.Timestamp("2025-01-10")],
            "source_file": ["a_2024.xlsx", "a_2025.xls", "b_2024.xlsx"],
        }
    )
    states = cluster_year_states(grid, submissions, FACTS.iloc[0:0], date(2026, 6, 1))
    assert states["state"].tolist() == ["refused", "refused", "on_time"]
    assert not states["received"].iloc[0] and not states["rate_shown"].iloc[0]


# The same fixture through the real build: the cluster report and the region report say the
# same state for each cluster-year, and neither gives a rate where none may be shown.


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def visible(html: str) -> str:
    """The text of a page, roughly as a reader sees it (tags dropped, entities decoded)."""
    from html import unescape

    without_style = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", without_style)).split())


def region_rows(html: str) -> dict[str, str]:
    """The «Отчёт за год» words of each cluster row of the region table, keyed by cluster link."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html.split('id="T_clusters"')[1], flags=re.S):
        link = re.search(r'href="([^"]+)"', row)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if link and cells:
            rows[link.group(1)] = [visible(c) for c in cells]
    return rows


def index_rows(html: str) -> dict[str, str]:
    """The visible text of each index row, by the report page it links to."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        link = re.search(r'href="html/[^/]+/([^"]+)"', row)
        if link:
            rows[link.group(1)] = visible(row)
    return rows


def test_the_index_and_the_cluster_and_region_reports_say_the_same_state(site):
    reports = site / "reports" / "html" / hostile.REGION
    index = index_rows((site / "reports" / "index.html").read_text(encoding="utf-8"))
    for (cluster, year), state in hostile.STATES.items():
        row = index[f"{cluster}/{year}.html"]
        assert STATE_RU[state] in row, (cluster, year, row)
        if state in ("missing", "not_due"):
            assert NO_RATE in row and "%" not in row, (cluster, year, row)
    for year in (2024, 2025):
        rows = region_rows((reports / f"region-{year}.html").read_text(encoding="utf-8"))
        for (cluster, y), state in hostile.STATES.items():
            if y != year:
                continue
            words = STATE_RU[state]
            own = visible((reports / cluster / f"{year}.html").read_text(encoding="utf-8"))
            assert f"Отчёт кластера за год: {words}" in own, (cluster, year, state)
            cells = rows[f"{cluster}/{year}.html"]
            assert cells[-1].startswith(words), (cluster, year, cells)


def test_no_rate_where_the_report_did_not_come(site):
    reports = site / "reports" / "html" / hostile.REGION
    missing = visible((reports / "calm-d" / "2024.html").read_text(encoding="utf-8"))
    assert f"Уровень выполнения: {NO_RATE}." in missing
    assert not re.search(r"Выполнено \d+ из \d+", missing)
    assert not re.search(r"\b0 ?%", missing.replace("это не 0 %", "").replace("а не 0 %", ""))
    row = region_rows((reports / "region-2024.html").read_text(encoding="utf-8"))["calm-d/2024.html"]
    assert row[1:4] == ["—", NO_RATE, NO_RATE], row
    due = region_rows((reports / "region-2025.html").read_text(encoding="utf-8"))["calm-c/2025.html"]
    assert due[1:4] == ["—", NO_RATE, NO_RATE] and due[-1] == STATE_RU["not_due"], due


def test_the_processed_data_agrees_with_the_fixture(site):
    from analysis.tables import read_table

    processed = site / "processed"
    grid = pd.DataFrame(list(hostile.STATES), columns=["cluster_id", "year"])
    states = cluster_year_states(
        grid,
        read_table(processed, "submissions"),
        read_table(processed, "facts"),
        date.fromisoformat(hostile.AS_OF),
    )
    keys = zip(states["cluster_id"], states["year"], strict=True)
    assert dict(zip(keys, states["state"], strict=True)) == hostile.STATES
