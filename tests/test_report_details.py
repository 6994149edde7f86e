"""The small things a reader notices in the reports (issue 8's loose ends)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import hostile
from analysis import reports
from analysis.reports.labels import change_points
from analysis.reports.region import label
from analysis.tables import read_table, write_table


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def test_a_change_that_rounds_to_nothing_is_zero_points_not_minus_zero():
    assert [change_points(v) for v in (-0.003, 0.0, 0.004, -0.05, 0.126, float("nan"), None)] == [
        "0 п. п.",
        "0 п. п.",
        "0 п. п.",
        "-5 п. п.",
        "+13 п. п.",
        "—",
        "—",
    ]


def test_demo_facts_are_marked_once_in_the_region_table_and_chart():
    region = "Самарская область"
    assert label("Образовательный кластер «Право» (Самарская область)", region, True) == "«Право» (демо)"
    assert (
        label("Образовательный кластер «Химия» (Самарская область) (демо)", region, True) == "«Химия» (демо)"
    )
    assert label("Образовательный кластер «ИТ» (Самарская область)", region, False) == "«ИТ»"


def test_region_report_links_each_cluster_report_and_marks_demo_facts(site):
    region = site / "reports" / "html" / hostile.REGION / "region-2024.html"
    html = region.read_text(encoding="utf-8")
    for cluster in ("evil-a", "evil-b", "calm-c", "calm-d"):
        assert f'href="{cluster}/2024.html"' in html
        assert (region.parent / cluster / "2024.html").exists()
    ry = reports.region.load(site / "processed", hostile.REGION, 2024, hostile.AS_OF)
    marked = dict(zip(ry.clusters["cluster_id"], ry.clusters["demo"], strict=True))
    assert marked == {"evil-a": False, "evil-b": True, "calm-c": False, "calm-d": False}
    assert "жирный&lt;/b&gt; (демо)" in html


def test_not_planned_counts_target_cells_only_and_split_indicators_show_their_roll_up(site):
    cy = reports.cluster.load(site / "processed", "evil-a", 2024, hostile.AS_OF)
    # 1.1.1 has programme rows and no value of its own: its own row is no target cell.
    assert not ((cy.cells["indicator"] == "1.1.1") & (cy.cells["programme_code"] == "")).any()
    items = reports.cluster._items(cy, planned_only=True)
    first = items[items["indicator"] == "1.1.1"].iloc[0]
    assert first["programme"] == reports.cluster.ROLL_UP
    assert first["status"] == cy.indicators.set_index("indicator").at["1.1.1", "status"]
    html = reports.cluster.items_table(cy, planned_only=True).to_html()
    assert "итог по программам" in html
    assert reports.cluster.ROLL_UP not in set(items.loc[items["indicator"] == "1.1.4", "programme"])


def test_the_in_pairs_share_says_it_counts_a_pair_of_any_programme(site):
    page = (site / "reports" / "html" / hostile.REGION / "evil-a" / "2024.html").read_text(encoding="utf-8")
    assert "Преподавателей ПОО в парах*" in page
    assert "в паре наставничества по любой программе" in page


def test_the_trend_stops_at_the_report_year(site, tmp_path):
    processed = Path(shutil.copytree(site / "processed", tmp_path / "processed"))
    staffing = read_table(processed, "staffing")
    later = staffing[staffing["cluster_id"] == "evil-a"].assign(year=2025, employer_teachers=0)
    write_table(pd.concat([staffing, later], ignore_index=True), processed, "staffing")
    cy = reports.cluster.load(processed, "evil-a", 2024, hostile.AS_OF)
    assert cy.staffing["year"].tolist() == [2024]


def test_headings_of_text_columns_are_left_aligned_with_their_text(site):
    cy = reports.cluster.load(site / "processed", "evil-a", 2024, hostile.AS_OF)
    html = reports.cluster.items_table(cy, planned_only=True).to_html()
    position = ["Код", "Программа", "Мероприятие", "План", "Факт", "Факт / план", "Статус"]
    for column in ("Код", "Программа", "Мероприятие", "Статус"):
        assert f"#T_items .col{position.index(column)} {{\n  text-align: left;" in html, column
    assert "#T_items .col3 {" not in html  # numbers stay right-aligned
