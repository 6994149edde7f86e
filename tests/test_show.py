"""`python -m analysis show` on the built fixture project, and the API under it.

The fixture (conftest.make_project): samara-law's real plan; its 2025 form reports 1.1.1 /
38.02.01 = 1 (nothing planned: beyond plan), 1.1.1 / 40.02.02 = 0, 1.1.4 = 7 of a plan of 10,
1.6.1 = да; nothing else of the 19 planned values, so as of 2026-01-21 (after the deadline) the
rest are «no data». Rosters: a college teacher, two part-time employer-teachers trained in
2024, one pair; enrolment in two programmes.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

import analysis
from analysis import settings
from analysis.cli import main
from analysis.reports.cluster import heading_rows

AS_OF = "2026-01-21"


@pytest.fixture
def home(project_home, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(project_home))
    # The table's last column is cut to the terminal's width: a terminal 120 columns wide,
    # whatever runs the test (a worker process of pytest-xdist has a narrower one).
    monkeypatch.setenv("COLUMNS", "120")
    return project_home


def show(capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["show", "--cluster", "samara-law", "--year", "2025", "--as-of", AS_OF, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_shows_summary_items_staffing_and_findings(home, capsys):
    code, out, err = show(capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("samara-law — Образовательный кластер «Правоохранительная сфера и управление»")
    assert lines[1] == "2025 год, данные на 21.01.2026, срок отчёта 20.01.2026 — демонстрационные данные"
    assert lines[2] == (
        "план: выполнено 1 из 19 плановых значений (5%), взвешенный уровень 9%; выполнено частично 1, "
        "не выполнено 0, ожидается отчёт 0, нет данных 17; сверх плана 1"
    )
    assert lines[3] == "отчёт кластера за год: представлен в срок (12.01.2026); строк принято 10, отклонено 0"
    items = lines[lines.index("плановые значения") + 1 : lines.index("кадровое обеспечение (по спискам)") - 1]
    assert items[0].split()[:7] == ["код", "программа", "план", "факт", "факт/план", "статус", "мероприятие"]
    rows = {tuple(line.split()[:2]): line.split()[2:6] for line in items[1:]}
    assert rows[("1.1.1", "38.02.01")] == ["-", "1", "—", "сверх"]
    assert rows[("1.1.4", "10")] == ["7", "70%", "выполнено", "частично"]
    assert rows[("1.6.1", "да")] == ["да", "100%", "выполнено", "В"]
    assert rows[("1.2.2", "5")] == ["—", "—", "нет", "данных"]
    assert not any(key == ("1.1.1", "40.02.02") for key in rows)  # nothing planned, nothing done
    assert len(items) == 1 + 19 + 1  # the heading, the planned values, one beyond plan
    # Nothing of the internal codes: the words of the pages.
    for code in ("beyond_plan", "partly_met", "no_data", "on_time", "fact_above_roster", "employer_teachers"):
        assert code not in out, code
    staffing = lines[lines.index("кадровое обеспечение (по спискам)") + 1 :]
    figures = {line.split(maxsplit=1)[1]: line.split()[0] for line in staffing[: staffing.index("")]}
    assert figures["Преподавателей в списках, всего"] == "3"
    assert figures["из них работников организаций — совместителей (п. 1.6.1)"] == "2"
    assert figures["доля работников организаций среди преподавателей"] == "67%"
    assert figures["доля обученных среди преподавателей от работодателей"] == "100%"
    assert figures["Действующих пар «преподаватель ПОО – специалист» (п. 1.6.2)"] == "1"
    assert figures["доля преподавателей от работодателей, состоящих в паре"] == "50%"
    assert len(figures) == 10
    findings = lines[lines.index("сверка отчёта со списками и набором") + 1 :]
    assert " ".join(findings[0].split()) == "1.1.4 в отчёте больше, чем в списках в отчёте: 7; по спискам: 2"
    assert {line.split()[0] for line in findings} >= {"1.1.4", "1.6.2"}


def test_every_line_fits_the_terminal(home, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    _, out, _ = show(capsys)
    assert max(len(line) for line in out.splitlines()[4:]) <= 72


def test_csv_is_the_plan_items_for_a_pipe(home, capsys):
    code, out, _ = show(capsys, "--format", "csv", "--all")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "cluster_id",
        "year",
        "indicator",
        "programme_code",
        "plan",
        "fact",
        "fact_over_plan",
        "status",
        "status_code",
        "indicator_title",
        "programme_title",
    ]
    launched = next(r for r in rows if r["indicator"] == "1.1.4")
    assert (launched["plan"], launched["fact"], float(launched["fact_over_plan"])) == ("10", "7", 0.7)
    assert launched["status"] == "выполнено частично" and launched["status_code"] == "partly_met"
    assert launched["cluster_id"] == "samara-law"
    # --all keeps the cells with nothing planned: the whole 2025 column of the plan, less the
    # rows that only head an indicator's programme rows (no target cells: 1.1.1, 1.1.3, 1.4.1, 1.4.2).
    plan = analysis.load_tables().plan
    year = plan[(plan["cluster_id"] == "samara-law") & (plan["year"] == 2025)]
    assert heading_rows(year).sum() == 4
    assert len(rows) == len(year) - 4
    assert {"not_planned", "beyond_plan", "met", "partly_met", "no_data"} == {r["status_code"] for r in rows}
    assert {"не запланировано", "сверх плана", "выполнено", "выполнено частично", "нет данных"} == {
        r["status"] for r in rows
    }


def test_json_holds_everything_with_nulls_not_nans(home, capsys):
    code, out, _ = show(capsys, "--format", "json")
    assert code == 0
    view = json.loads(out)
    assert (view["cluster_id"], view["year"], view["as_of"], view["region_code"]) == (
        "samara-law",
        2025,
        AS_OF,
        "63",
    )
    assert view["summary"]["planned"] == 19 and view["summary"]["met"] == 1
    assert view["summary"]["weighted_rate"] == pytest.approx(1.7 / 19)
    assert view["submission"] == {
        "state": "представлен в срок",
        "state_code": "on_time",
        "rate_shown": True,
        "submitted_on": "2026-01-12",
        "rows_accepted": 10,
        "rows_rejected": 0,
    }
    assert view["staffing"]["employer_teachers"] == {
        "label": "из них работников организаций — совместителей (п. 1.6.1)",
        "value": 2,
    }
    no_fact = next(i for i in view["items"] if i["indicator"] == "1.2.2")
    assert no_fact["fact"] is None and no_fact["fact_over_plan"] is None and no_fact["plan"] == 5
    assert "NaN" not in out


def test_a_year_without_rosters_says_no_data_not_zero(home, capsys):
    code = main(["show", "--cluster", "tiny-law", "--year", "2024", "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert code == 0
    assert "кадровое обеспечение: нет списков за год (нет данных, это не 0)" in out
    assert json.loads(_json(capsys, "tiny-law", "2024"))["staffing"] is None


def _json(capsys, cluster: str, year: str) -> str:
    main(["show", "--cluster", cluster, "--year", year, "--as-of", AS_OF, "--format", "json"])
    return capsys.readouterr().out


def test_a_year_with_nothing_reported_has_no_rate(home, capsys):
    main(["show", "--cluster", "samara-law", "--year", "2026", "--as-of", AS_OF])
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith(
        "план (предварительно: срок отчёта не наступил): выполнено 0 из 0 полученных значений (нет данных)"
    )
    assert "ожидается ещё 18, взвешенный уровень нет данных;" in out[2]
    assert out[3] == "отчёт кластера за год: срок не наступил; строк принято 0, отклонено 0"


@pytest.mark.parametrize(
    ("cluster", "year", "message"),
    [
        (
            "samara-lav",
            "2025",
            "error: unknown cluster 'samara-lav'; the registry lists: tiny-law, tiny-it, samara-law",
        ),
        (
            "samara-law",
            "2023",
            "error: the plan of 'samara-law' has no year 2023; its years are [2024, 2025, 2026]",
        ),
        ("tiny-it", "2026", "error: the plan of 'tiny-it' has no year 2026; its years are [2024, 2025]"),
    ],
)
def test_unknown_cluster_or_year_exits_2_listing_the_known_ones(home, capsys, cluster, year, message):
    assert main(["show", "--cluster", cluster, "--year", year]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [message]


def test_show_runs_from_any_folder(home, tmp_path, monkeypatch, capsys):
    # tests/test_settings.py runs the real `python -m analysis` from another folder; here the
    # working directory moves under the same process.
    monkeypatch.chdir(tmp_path)
    code, out, _ = show(capsys, "--format", "csv")
    assert code == 0 and out.startswith('"cluster_id","year","indicator",')
    assert not any(tmp_path.iterdir())  # nothing written where it ran


def test_api_helpers_on_the_fixture(home):
    not_met = analysis.cells_not_met("63", 2025, as_of=AS_OF)
    assert set(not_met["status"]) == {"partly_met", "no_data"}
    assert set(not_met["cluster_id"]) == {"samara-law", "tiny-law"}
    assert len(not_met[not_met["cluster_id"] == "samara-law"]) == 18  # 19 planned, 1 met
    compared = analysis.compare_clusters("1.6.1", 2024, as_of=AS_OF)
    assert compared[["cluster_id", "status"]].to_dict("records") == [
        {"cluster_id": "tiny-law", "status": "met"},
        {"cluster_id": "tiny-it", "status": "not_met"},
        {"cluster_id": "samara-law", "status": "no_data"},
    ]
    share = analysis.compare_clusters("employer_teacher_share", data_dir="data/processed")
    assert share[["cluster_id", "year"]].to_dict("records") == [{"cluster_id": "samara-law", "year": 2025}]
    with pytest.raises(
        analysis.NotInDataError, match=r"no plan cell of indicator '9\.9' .* indicators: 1\.1\.1, "
    ):
        analysis.compare_clusters("9.9")
    history = analysis.cluster_history("samara-law", as_of=AS_OF)
    assert history["year"].tolist() == [2024, 2025, 2026]
    assert history["state"].tolist() == ["missing", "on_time", "not_due"]
    assert history["state_text"].tolist() == ["не представлен", "представлен в срок", "срок не наступил"]
    assert history["rate"].isna().tolist() == [True, False, True]  # nothing reported: no rate, not 0 %
    assert history["teachers"].isna().tolist() == [True, False, True]
    found = analysis.findings(cluster="samara-law", year=2025)
    assert set(found["check"]) <= {"fact", "federal target"}
    assert found[found["indicator"] == "1.1.4"]["status"].tolist() == ["fact_above_roster"]
    assert found[found["indicator"] == "1.1.4"]["status_text"].tolist() == ["в отчёте больше, чем в списках"]
    with pytest.raises(analysis.NotInDataError, match=r"its regions are \['63', '64'\]"):
        analysis.load_region("77", 2025)
    ry = analysis.load_region("63", 2025, as_of=AS_OF)
    assert sorted(ry.clusters["cluster_id"]) == ["samara-law", "tiny-law"]


def test_tables_read_each_table_once_and_name_the_missing_one(home):
    tables = analysis.load_tables()
    assert tables.data_dir == home / "data" / "processed"
    assert {"clusters", "plan", "facts", "staffing", "fact_checks"} <= set(tables)
    assert tables.plan is tables["plan"]
    assert isinstance(tables.clusters, pd.DataFrame) and "plan" in dir(tables)
    with pytest.raises(
        AttributeError, match=r"no table 'plann' in .*; it holds ambition, cluster_years, clusters, "
    ):
        _ = tables.plann
    assert repr(tables).startswith(f"Tables('{home}/data/processed': ambition, cluster_years, clusters, ")


def test_a_cluster_whose_plan_was_set_aside_says_why(project_home, tmp_path, monkeypatch, capsys):
    """A hostile processed folder: the registry lists a cluster whose plan ingestion could not read."""
    import shutil

    from analysis.tables import read_table, write_table

    data = shutil.copytree(project_home / "data" / "processed", tmp_path / "processed")
    clusters = read_table(data, "clusters")
    broken = clusters.iloc[[0]].assign(
        cluster_id="broken", plan_error="plans/broken.csv: row 3, column '2025': not a target"
    )
    write_table(pd.concat([clusters, broken], ignore_index=True), data, "clusters")
    assert main(["show", "--cluster", "broken", "--year", "2025", "--processed", str(data)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: the plan of 'broken' was set aside at ingestion: plans/broken.csv: row 3, column '2025': not a target"
    ]
    # The API takes the same folder relative to the project root, and a region code as a number.
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path))
    ry = analysis.load_region(63, "2025", as_of=AS_OF, data_dir="processed")
    assert ry.region_code == "63" and ry.year == 2025
    cy = analysis.load_cluster_year("samara-law", "2025", as_of=AS_OF, data_dir="processed")
    assert cy.summary["planned"] == 19
