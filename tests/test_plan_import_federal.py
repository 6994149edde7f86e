"""Federal performance indicators from the operator's .xlsx, built here with openpyxl."""

from __future__ import annotations

import inspect
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.cli import main
from analysis.sources.federal import load_federal, read_federal_file, tidy_federal, write_federal_file
from analysis.sources.plan import TIDY_COLUMNS, read_plan_file, tidy_plan
from analysis.sources.plan_import.assemble import SourceError
from analysis.sources.plan_import.federal import read_federal_xlsx

CANONICAL = Path(__file__).resolve().parents[1] / "data" / "raw" / "plans" / "samara-law.csv"
INDICATORS = [
    ("1. Численность обучающихся по программам ФП «Профессионалитет»", "чел."),
    ("2. Количество программ, реализуемых под запросы партнеров", "ед."),
    ("3. Численность педагогов с актуальными навыками", "чел."),
    ("4. Численность работников организаций — преподавателей по совместительству", "чел."),
    ("5. Численность обучающихся с наставником от работодателя", "чел."),
    ("6. Количество договоров о целевом обучении с гарантией трудоустройства", "ед."),
    ("7. Объем финансирования учредителей", "млн руб."),
    ("8. Объем внебюджетных средств участников", "млн руб."),
]


def federal_xlsx(path: Path, rows: dict[str, list[object]], units=True, years=(2024, 2025, 2026)) -> Path:
    """The layout the importer documents: titles and units merged over their years, then a year row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Приложение 5"
    sheet.cell(1, 1, "cluster_id")
    sheet.cell(1, 2, "Кластер")
    year_row = 3 if units else 2
    for i, (title, unit) in enumerate(INDICATORS):
        first = 3 + i * len(years)
        last = first + len(years) - 1
        sheet.cell(1, first, title if units else f"{title} ({unit})")
        sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=last)
        if units:
            sheet.cell(2, first, unit)
            sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
        for j, year in enumerate(years):
            sheet.cell(year_row, first + j, year)
    for r, (cluster, values) in enumerate(rows.items(), start=year_row + 1):
        sheet.cell(r, 1, cluster)
        sheet.cell(r, 2, f"Кластер {cluster}")
        for c, value in enumerate(values, start=3):
            sheet.cell(r, c, value)
    book.save(path)
    return path


SAMARA = [
    350,
    420,
    480,
    3,
    4,
    4,
    20,
    25,
    30,
    12,
    15,
    18,
    100,
    150,
    200,
    40,
    "50",
    60,
    1.5,
    2,
    "2,5",
    0.75,
    "-",
    None,
]
OTHER = [1] * 24


def test_one_cluster_row_becomes_the_canonical_federal_file(tmp_path):
    book = federal_xlsx(tmp_path / "p5.xlsx", {"other": OTHER, "samara-law": SAMARA})
    result = read_federal_xlsx(book, "samara-law")
    expected = (
        inspect.cleandoc("""
        code,title,unit,2024,2025,2026
        F1,Численность обучающихся по программам ФП «Профессионалитет»,чел.,350,420,480
        F2,"Количество программ, реализуемых под запросы партнеров",ед.,3,4,4
        F3,Численность педагогов с актуальными навыками,чел.,20,25,30
        F4,Численность работников организаций — преподавателей по совместительству,чел.,12,15,18
        F5,Численность обучающихся с наставником от работодателя,чел.,100,150,200
        F6,Количество договоров о целевом обучении с гарантией трудоустройства,ед.,40,50,60
        F7,Объем финансирования учредителей,млн руб.,1.5,2,"2,5"
        F8,Объем внебюджетных средств участников,млн руб.,0.75,-,
    """)
        + "\n"
    )
    assert write_federal_file(result.plan) == expected
    assert result.cells_read == 23
    assert result.warnings == ["p5.xlsx: у F8 нет значения за 2026"]


def test_units_may_come_from_the_titles_and_the_file_round_trips(tmp_path):
    book = federal_xlsx(tmp_path / "p5.xlsx", {"samara-law": SAMARA}, units=False, years=(2025, 2026, 2027))
    result = read_federal_xlsx(book, "samara-law")
    assert result.plan["unit"].tolist() == [unit for _, unit in INDICATORS]
    assert list(result.plan.columns[3:]) == ["2025", "2026", "2027"]
    path = tmp_path / "samara-law.csv"
    text = write_federal_file(result.plan, path)
    assert write_federal_file(read_federal_file(path)) == text


def test_tidy_federal_rows_concatenate_with_the_plan(tmp_path):
    path = tmp_path / "samara-law.csv"
    book = federal_xlsx(tmp_path / "p5.xlsx", {"samara-law": SAMARA})
    write_federal_file(read_federal_xlsx(book, "samara-law").plan, path)
    tidy = load_federal(path, "samara-law")
    assert list(tidy.columns) == TIDY_COLUMNS
    assert len(tidy) == 24 and set(tidy["family"]) == {"federal"}
    got = tidy.loc[tidy["indicator"] == "F7", ["year", "target_raw", "target_kind", "target_value", "unit"]]
    expected = pd.read_csv(
        StringIO(
            inspect.cleandoc("""
        year,target_raw,target_kind,target_value,unit
        2024,1.5,count,1.5,млн руб.
        2025,2,count,2.0,млн руб.
        2026,"2,5",count,2.5,млн руб.
    """)
        ),
        dtype={"target_raw": str},
    )
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    both = pd.concat([tidy_plan(read_plan_file(CANONICAL), "samara-law"), tidy], ignore_index=True)
    assert list(both.columns) == TIDY_COLUMNS and set(both["family"]) == {"plan", "federal"}
    assert tidy_federal(read_federal_file(path), "x")["cluster_id"].eq("x").all()


@pytest.mark.parametrize(
    ("cluster", "values", "message"),
    [
        ("kazan-it", SAMARA, r"нет строки кластера «kazan-it» \(«samara-law»\)"),
        (
            "samara-law",
            [*SAMARA[:4], "много", *SAMARA[5:]],
            r"строка 4, столбец «G»: федеральное значение — число",
        ),
        ("samara-law", [*SAMARA[:4], "да", *SAMARA[5:]], r"строка 4, столбец «G»"),
    ],
)
def test_malformed_workbooks_give_clear_errors(tmp_path, cluster, values, message):
    book = federal_xlsx(tmp_path / "p5.xlsx", {"samara-law": values})
    with pytest.raises(SourceError, match=message) as caught:
        read_federal_xlsx(book, cluster)
    assert "p5.xlsx, лист «Приложение 5»" in str(caught.value)


def test_a_title_without_a_unit_is_refused(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in (["cluster_id", "Численность обучающихся", None], [None, 2024, 2025], ["samara-law", 1, 2]):
        sheet.append(row)
    sheet.merge_cells("B1:C1")
    book.save(tmp_path / "p5.xlsx")
    with pytest.raises(SourceError, match="у показателя нет единицы измерения"):
        read_federal_xlsx(tmp_path / "p5.xlsx", "samara-law")


def test_import_plan_command_writes_the_federal_file_next_to_the_plans(tmp_path, capsys):
    book = federal_xlsx(tmp_path / "p5.xlsx", {"samara-law": SAMARA})
    raw = tmp_path / "raw"
    assert main(["import-plan", str(book), "--cluster", "samara-law", "--raw", str(raw)]) == 0
    out = capsys.readouterr().out
    assert "федеральных показателей: 8 (F1: чел." in out and "прочитано в документе 23" in out
    written = raw / "plans" / "federal" / "samara-law.csv"
    assert written.read_text(encoding="utf-8").startswith("code,title,unit,2024,2025,2026\nF1,")
    revised = federal_xlsx(tmp_path / "p5.xlsx", {"samara-law": [351, *SAMARA[1:]]})
    assert main(["import-plan", str(revised), "--cluster", "samara-law", "--raw", str(raw)]) == 0
    out = capsys.readouterr().out
    assert "изменено ячеек: 1" in out and "  F1 · 2024: 350 → 351\n" in out
    assert len(list((raw / "plans" / "federal" / "history" / "samara-law").iterdir())) == 1
