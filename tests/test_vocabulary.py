"""One vocabulary everywhere: the API, `show` and the downloads say what the pages say — the
same states, statuses and «нет данных» for a rate, from the same functions — on the hostile
fixture, where ``calm-d`` sent nothing for 2024 (past its deadline) and each cluster's plan names
indicator 1.6.1 in its own words."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import analysis
import hostile
from analysis.cli import main
from analysis.reports.labels import STATE_RU, STATUS_RU

MISSING = "calm-d"  # its 2024 report was never received


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


@pytest.fixture(scope="module")
def processed(site) -> str:
    return str(site / "processed")


def _page(site: Path, key: str) -> str:
    return (site / "reports" / "html" / f"{key}.html").read_text(encoding="utf-8")


def test_a_region_frame_has_no_rate_where_the_page_says_no_data(site, processed):
    ry = analysis.load_region(hostile.REGION, 2024, as_of=hostile.AS_OF, data_dir=processed)
    rows = ry.clusters.set_index("cluster_id")
    assert pd.isna(rows.at[MISSING, "rate"]) and pd.isna(rows.at[MISSING, "weighted_rate"])
    assert rows.at[MISSING, "state_text"] == "не представлен" and rows.at[MISSING, "state"] == "missing"
    assert ry.clusters["cluster_id"].iloc[-1] == MISSING  # not first as the "worst"
    assert rows.loc[rows["rate_shown"], "rate"].notna().all()
    assert "не представлен" in _page(site, "63/region-2024")


def test_compare_clusters_keeps_each_plans_title_and_no_rate_for_a_missing_report(processed):
    compared = analysis.compare_clusters("1.6.1", 2024, as_of=hostile.AS_OF, data_dir=processed)
    plans = analysis.plan_cells(year=2024, data_dir=processed, as_of=hostile.AS_OF)
    own = plans[plans["indicator"] == "1.6.1"].drop_duplicates("cluster_id")
    expected = dict(zip(own["cluster_id"], own["indicator_title"], strict=True))
    assert dict(zip(compared["cluster_id"], compared["indicator_title"], strict=True)) == expected
    assert len(set(expected.values())) > 1  # the plans do name it differently
    row = compared.set_index("cluster_id").loc[MISSING]
    assert pd.isna(row["weighted_rate"]) and row["state_text"] == "не представлен"
    assert compared["cluster_id"].iloc[-1] == MISSING
    assert set(compared["status_text"]) <= set(STATUS_RU.values())
    assert list(compared.columns).index("status_text") < list(compared.columns).index("status")


def test_frames_carry_the_pages_words_beside_the_codes(processed):
    cells = analysis.plan_cells(region=hostile.REGION, year=2024, as_of=hostile.AS_OF, data_dir=processed)
    assert (cells["status_text"] == cells["status"].map(STATUS_RU)).all()
    history = analysis.cluster_history(MISSING, as_of=hostile.AS_OF, data_dir=processed)
    assert "submission" not in history  # one name per concept: the state, as everywhere
    assert (history["state_text"] == history["state"].map(STATE_RU)).all()
    assert history["rate"].isna().all()
    cy = analysis.load_cluster_year("evil-a", 2024, as_of=hostile.AS_OF, data_dir=processed)
    assert cy.staffing["year"].tolist() == [2024]  # a cluster-year frame holds its year only
    assert (cy.cells["status_text"] == cy.cells["status"].map(STATUS_RU)).all()


def test_show_says_what_the_page_says(site, processed, capsys):
    code = main(
        ["show", "--cluster", MISSING, "--year", "2024", "--as-of", hostile.AS_OF, "--processed", processed]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "отчёт кластера за год: не представлен" in out and "(нет данных)" in out
    assert "missing" not in out and "no_data" not in out and "0%" not in out
    page = _page(site, f"63/{MISSING}/2024")
    assert "не представлен" in page and "нет данных" in page
    main(["show", "--cluster", MISSING, "--year", "2024", "--as-of", hostile.AS_OF, "--processed", processed,
          "--format", "json"])  # fmt: skip
    view = json.loads(capsys.readouterr().out)
    assert view["summary"]["rate"] is None and view["submission"]["state"] == "не представлен"
    assert {i["status"] for i in view["items"]} == {"нет данных"}


def test_show_csv_is_inert(processed, capsys):
    main(["show", "--cluster", "evil-a", "--year", "2024", "--as-of", hostile.AS_OF, "--processed", processed,
          "--format", "csv"])  # fmt: skip
    out = capsys.readouterr().out
    assert "\"'" + hostile.PAYLOADS["formula"].replace('"', '""') + '"' in out
    assert "\n=" not in out and ",=" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "--cluster", "evil-a", "--year", "2019"], "its years are [2024]"),
        (["template", "--cluster", "evil-a", "--year", "2019"], "its years are 2024"),
    ],
)
def test_an_unknown_year_is_a_usage_error_listing_plain_years(
    site, processed, argv, message, capsys, tmp_path
):
    extra = (
        ["--processed", processed]
        if argv[0] == "show"
        else ["--raw", str(site / "raw"), "--out", str(tmp_path / "f.xlsx")]
    )
    assert main([*argv, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "np." not in err and "int64" not in err


def test_build_of_an_unknown_year_is_a_usage_error(site, tmp_path, capsys):
    done = hostile.build(site / "raw", tmp_path, "--year", "2019")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no plan has year(s) 2019; the reports cover 2024, 2025" in done.stderr
    done = hostile.build(site / "raw", tmp_path, "--cluster", "evil-a", "--year", "2025")
    assert (
        done.returncode == 2 and "no plan of evil-a has year(s) 2025; the reports cover 2024" in done.stderr
    )
