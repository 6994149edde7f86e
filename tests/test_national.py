"""The national level: region summaries on inline tables, the national demonstration beside real
files, and the national notebook run with papermill on a generated three-region fixture."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import nbformat
import pandas as pd
import papermill
import pytest

from analysis.demo.national import NATIONAL_RECORD, write_national_demo
from analysis.metrics.national import region_summary
from analysis.reports.tilemap import grid
from analysis.site.build import NATIONAL_NOTEBOOK
from analysis.site.prepare import prepare
from analysis.sources.plan import read_plan_file
from conftest import ROOT, SEED_PLAN, outputs_text, table

REGISTRY = table(
    """
    cluster_id,region_code,region_name
    a,63,Самарская область
    b,63,Самарская область
    c,63,Самарская область
    d,64,Саратовская область
    e,64,Саратовская область
    f,16,Республика Татарстан
    """
)
# Received on time, late, undated; one past its deadline without a report; 2025 not due yet at as_of.
CLUSTER_YEARS = table(
    """
    cluster_id,year,rate,rate_shown,received,submitted_on,employer_teachers,pairs,ambition_cells,over_cells,demo
    a,2024,0.9,True,True,2025-01-15,4,2,5,1,False
    b,2024,0.5,True,True,2025-02-10,,,3,0,False
    c,2024,0.7,True,True,,6,4,2,2,False
    d,2024,,False,False,,,,0,0,False
    e,2024,0.0,True,True,2025-01-10,0,0,1,0,False
    a,2025,,False,False,,,,0,0,False
    """
)


def cluster_years() -> pd.DataFrame:
    frame = CLUSTER_YEARS.replace("", None)
    frame = frame.astype(
        {
            "year": "int64",
            "rate": "float64",
            "employer_teachers": "float64",
            "pairs": "float64",
            "ambition_cells": "int64",
            "over_cells": "int64",
        }
    )
    for column in ("rate_shown", "received", "demo"):
        frame[column] = frame[column] == "True"
    frame["submitted_on"] = pd.to_datetime(frame["submitted_on"])
    return frame


def test_regions_side_by_side_in_one_vocabulary_and_ranked():
    got = region_summary(REGISTRY, cluster_years(), 2024, date(2025, 6, 1), (1, 20))
    columns = [
        "region_code", "clusters", "expected", "on_time", "late", "missing", "not_due",
        "received_share", "rates", "rate_median", "rate_q25", "rate_q75",
        "with_rosters", "employer_teachers_per_cluster", "over_cells", "rank",
    ]  # fmt: skip
    expected = table(
        """
        region_code,clusters,expected,on_time,late,missing,not_due,received_share,rates,rate_median,rate_q25,rate_q75,with_rosters,employer_teachers_per_cluster,over_cells,rank
        63,3,3,2,1,0,0,1.0,3,0.7,0.6,0.8,2,5.0,3,1.0
        64,2,2,1,0,1,0,0.5,1,0.0,0.0,0.0,1,0.0,0,2.0
        16,1,0,0,0,0,0,,0,,,,0,,0,
        """
    )
    for column in columns[1:]:
        kind = "float64" if column in ("received_share", "rate_median", "rate_q25", "rate_q75",
                                       "employer_teachers_per_cluster", "rank") else "int64"  # fmt: skip
        expected[column] = pd.to_numeric(expected[column]).astype(kind)
    pd.testing.assert_frame_equal(got[columns], expected[columns])


def test_a_year_not_due_counts_no_report_as_missing():
    got = region_summary(REGISTRY, cluster_years(), 2025, date(2025, 6, 1), (1, 20))
    samara = got[got["region_code"] == "63"].iloc[0]
    assert (samara["expected"], samara["not_due"], samara["missing"], samara["rates"]) == (1, 1, 0, 0)
    assert pd.isna(samara["received_share"]) and pd.isna(samara["rank"])
    # The same cluster-year after its deadline: missing.
    later = region_summary(REGISTRY, cluster_years(), 2025, date(2026, 2, 1), (1, 20))
    assert later.loc[later["region_code"] == "63", "missing"].item() == 1


@pytest.fixture(scope="module")
def three_regions(tmp_path_factory):
    """A generated national fixture of three regions, ingested."""
    root = tmp_path_factory.mktemp("national")
    raw = root / "raw"
    (raw / "plans").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "clusters.csv", raw / "clusters.csv")
    shutil.copy(SEED_PLAN, raw / "plans" / "samara-law.csv")
    written = write_national_demo(raw, read_plan_file(SEED_PLAN), n_clusters=7, n_regions=3, seed=5)
    prepare(raw, root / "processed", demo_key=True, as_of=date(2026, 2, 1))
    return root, written


def test_the_national_notebook_runs_on_three_generated_regions(three_regions, tmp_path):
    root, _ = three_regions
    registry = pd.read_csv(root / "raw" / "clusters-national.csv", dtype=str)
    assert registry["region_code"].nunique() == 3 and len(registry) == 7
    executed = papermill.execute_notebook(
        str(NATIONAL_NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters={
            "year": 2025,
            "data_dir": str(root / "processed"),
            "as_of": "2026-02-01",
            "downloads": str(tmp_path / "national-2025"),
        },
        progress_bar=False,
    )
    text = outputs_text(executed)
    assert "Сводный отчёт по образовательным кластерам за 2025 год" in text
    for code, name in registry[["region_code", "region_name"]].drop_duplicates().itertuples(index=False):
        assert f"{code} — {name}" in text
        assert f'href="{code}/region-2025.html"' in text
    # The maps: every region of the grid, the three with data named, the others «нет данных».
    alts = re.findall(r'alt="(Карта-сетка регионов[^"]*)"', text)
    assert len(alts) == 2
    for alt in alts:
        shown = re.findall(r"(?:; |\. )(\d\d) [^;—]+ — \d+%", alt)
        missing = int(re.search(r"Нет данных: (\d+) регионов\.$", alt).group(1))
        # samara-law (region 63, in the real registry) sent nothing: 0 % received, no rate.
        assert set(shown) <= {*registry["region_code"], "63"} and len(shown) + missing == len(grid())
    assert set(re.findall(r"(?:; |\. )(\d\d) [^;—]+ — \d+%", alts[0])) == set(registry["region_code"])
    assert "Перевыполнено на 25 % и более" in text
    assert "image/png" in json.dumps(nbformat.writes(executed))  # the ambition chart
    assert (tmp_path / "national-2025.xlsx").exists() and (tmp_path / "national-2025.zip").exists()
    from openpyxl import load_workbook

    sheets = load_workbook(tmp_path / "national-2025.xlsx", read_only=True).sheetnames
    assert sheets == ["Регионы", "Амбициозность", "Перевыполненные значения"]


def test_the_national_demo_never_writes_over_a_file_it_did_not_write(tmp_path):
    raw = tmp_path / "raw"
    (raw / "plans").mkdir(parents=True)
    (raw / "submissions").mkdir()
    shutil.copy(ROOT / "data" / "raw" / "clusters.csv", raw / "clusters.csv")
    shutil.copy(SEED_PLAN, raw / "plans" / "samara-law.csv")
    real = raw / "submissions" / "nat-001_2025.xlsx"
    real.write_bytes(b"a real submission, not the generator's")
    first = write_national_demo(raw, read_plan_file(SEED_PLAN), n_clusters=4, n_regions=2, seed=3)
    assert real.read_bytes() == b"a real submission, not the generator's"
    assert real not in first
    record = json.loads((raw / NATIONAL_RECORD).read_text(encoding="utf-8"))
    assert sorted(record) == sorted(p.relative_to(raw).as_posix() for p in first)
    # A generated file someone changed since is not the generator's any more: kept on the next run.
    edited = next(p for p in first if p.suffix == ".csv" and p.parent.name == "plans")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = write_national_demo(raw, read_plan_file(SEED_PLAN), n_clusters=4, n_regions=2, seed=3)
    assert real.read_bytes() == b"a real submission, not the generator's"
    assert edited.exists() and edited not in second
    assert (raw / "plans" / "samara-law.csv").read_bytes() == SEED_PLAN.read_bytes()


def test_the_floor_renders_the_same_report_without_notebook_machinery(three_regions, tmp_path):
    from analysis.bench.floor import render_floor

    root, _ = three_regions
    parameters = {"year": 2025, "data_dir": str(root / "processed"), "as_of": "2026-02-01"}
    page = render_floor(NATIONAL_NOTEBOOK, {**parameters, "downloads": str(tmp_path / "n")})
    assert "<h1>Профессионалитет: регионы страны</h1>" in page
    assert page.count('alt="Карта-сетка регионов') == 2
    assert '<img src="data:image/png;base64,' in page  # the ambition chart, with its alt text
    assert "распределение отношения факта к плану" in page
    assert (tmp_path / "n.xlsx").exists()


def test_a_build_of_three_regions_puts_the_national_report_above_them(three_regions, tmp_path, capsys):
    from analysis.cli import main

    root, _ = three_regions
    site = tmp_path / "reports"
    common = ["--raw", str(root / "raw"), "--processed", str(root / "processed"), "--out", str(site)]
    code = main(["build", *common, "--as-of", "2026-02-01", "--year", "2025", "--demo", "--jobs", "2"])
    assert code == 0, capsys.readouterr().err
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.index('href="html/national-2025.html"') < index.index("/region-2025.html")
    page = (site / "html" / "national-2025.html").read_text(encoding="utf-8")
    registry = pd.read_csv(root / "raw" / "clusters-national.csv", dtype=str)
    for code_, name in registry[["region_code", "region_name"]].drop_duplicates().itertuples(index=False):
        assert f'<a href="{code_}/region-2025.html">{code_} — {name}</a>' in page
        assert (site / "html" / code_ / "region-2025.html").exists()
    assert len(re.findall(r'alt="Карта-сетка регионов', page)) == 2
    assert (site / "html" / "national-2025.xlsx").exists()
