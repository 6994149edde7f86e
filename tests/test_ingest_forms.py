"""Forms as people fill them in: dates typed in every usual way, labels with punctuation, an
optional value missing or mistyped, a submission date that does not fit its year. Each form is
written here with openpyxl, dropped beside the good submissions and ingested; a small defect in an
optional value never takes its row with it, and a date worth a word is a warning on the page."""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from test_hostile_inputs import AS_OF, IT_FORM, Run, clean, form_writer  # noqa: F401

from analysis.sources.dates import day

TRAINING = "Дата обучения педагогическим навыкам"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("18.04.25", date(2025, 4, 18)),
        ("18/04/2025", date(2025, 4, 18)),
        ("18.04.2025 г.", date(2025, 4, 18)),
        ("18.04.2025г", date(2025, 4, 18)),
        ("18-04-2025", date(2025, 4, 18)),
        (" 18 . 04 . 2025 ", date(2025, 4, 18)),
        ("18 апреля 2025 года", date(2025, 4, 18)),
        ("1 мая 2025 г.", date(2025, 5, 1)),
        ("2025-04-18", date(2025, 4, 18)),
        (45765, date(2025, 4, 18)),
    ],
)
def test_a_date_is_read_as_people_type_it(typed, read):
    assert day(typed) == read


@pytest.mark.parametrize("typed", ["31.02.2025", "весной", "18.04", "2025"])
def test_what_is_not_a_date_still_says_so(typed):
    with pytest.raises(ValueError):
        day(typed)


def _teachers(rows) -> dict:
    form = copy.deepcopy(IT_FORM)
    form["Преподаватели"] = rows
    return form


def _teacher(name, trained):
    return [name, None, "АО «Софт»", "совместитель", "38.02.01", 36, trained]


def _mine(run, table="teachers") -> pd.DataFrame:
    return run.tables[table].query("cluster_id == 'tiny-it' and year == 2025")


def test_training_dates_typed_the_usual_ways_are_read(clean, tmp_path, capsys):  # noqa: F811
    rows = _teachers(
        [
            _teacher("Орлова Вера Павловна", "18.04.25"),
            _teacher("Белов Олег Петрович", "18/04/2025"),
            _teacher("Зуев Глеб Иванович", "18.04.2025 г."),
        ]
    )
    write = form_writer(rows, cluster="tiny-it", year=2025, submitted="15.01.2026")
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.entry["rows_rejected"] == 0 and not run.lines()
    assert _mine(run)["training_completed"].dt.date.tolist() == [date(2025, 4, 18)] * 3


def test_a_mistyped_training_date_drops_the_date_not_the_teacher(clean, tmp_path, capsys):  # noqa: F811
    rows = _teachers([_teacher("Орлова Вера Павловна", "весной"), _teacher("Белов Олег Петрович", "=A1")])
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(rows, cluster="tiny-it", year=2025))
    assert run.entry["rows_rejected"] == 0
    assert len(_mine(run)) == 2 and _mine(run)["training_completed"].isna().all()
    lines = run.lines()
    assert len(lines) == 2 and all(line.startswith("значение не учтено: ") for line in lines)
    assert (
        f"столбец «{TRAINING}»: нужна дата в виде дд.мм.гггг: значение не учтено, строка принята" in lines[0]
    )
    staffing = pd.read_parquet(tmp_path / "processed" / "staffing.parquet")
    mine = staffing.query("cluster_id == 'tiny-it' and year == 2025")
    assert mine["employer_teachers"].tolist() == [2]


def test_a_form_without_the_training_date_column_keeps_every_teacher_and_says_so_once(
    clean,  # noqa: F811
    tmp_path,
    capsys,
):
    from analysis.sources import forms

    headings = {forms.TEACHERS.title: [h for h in forms.TEACHERS.headings if h != TRAINING]}
    rows = _teachers([_teacher(f"Учитель{'а' * i} Вера Павловна", None)[:6] for i in range(1, 6)])
    write = form_writer(rows, cluster="tiny-it", year=2025, headings=headings)
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.entry["rows_rejected"] == 0 and len(_mine(run)) == 5
    [note] = run.lines("out")
    assert f"лист «Преподаватели»: нет столбца «{TRAINING}» — эти значения не учтены, строки приняты" in note
    assert not run.lines()


def test_a_missing_required_column_still_rejects_the_rows(clean, tmp_path, capsys):  # noqa: F811
    from analysis.sources import forms

    headings = {forms.TEACHERS.title: [h if h != "Часов в году" else "Часы" for h in forms.TEACHERS.headings]}
    write = form_writer(cluster="tiny-it", year=2025, headings=headings)
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert "на листе нет столбца «Часов в году»" in line and run.entry["rows_rejected"] == 1


def _meta_edit(label: str, value):
    """A good tiny-it 2025 form whose «Дата представления» row reads ``label`` / ``value``."""

    def write(path: Path) -> None:
        from openpyxl import load_workbook

        form_writer(cluster="tiny-it", year=2025)(path)
        book = load_workbook(path)
        for row in book["Сведения"].iter_rows():
            if row[0].value == "Дата представления":
                row[0].value, row[1].value = label, value
        book.save(path)

    return write


def _warnings(run) -> list[dict]:
    return run.warnings[run.warnings["source_file"] == str(run.path)].to_dict("records")


def test_a_labelled_date_after_the_deadline_is_read_and_warned(clean, tmp_path, capsys):  # noqa: F811
    run = Run(
        clean, tmp_path, capsys, "tiny-it_2025.xlsx", _meta_edit("Дата представления:", "25.01.2026 г.")
    )
    assert run.entry["submitted_on"] == pd.Timestamp("2026-01-25")
    [warning] = _warnings(run)
    assert warning["kind"] == "submitted_late"
    assert (
        warning["rule"]
        == "дата представления 25.01.2026 позже срока 20.01.2026: отчёт представлен с опозданием"
    )
    assert any("позже срока 20.01.2026" in line for line in run.lines("out"))
    from analysis.reports import cluster

    cy = cluster.load(tmp_path / "processed", "tiny-it", 2025, AS_OF)
    assert cy.submission["state"] == "late"
    page = re.sub(r"\s+", " ", cluster.data_warnings(cy).data)
    assert (
        "Замечания к отчёту" in page
        and "tiny-it_2025.xlsx: дата представления 25.01.2026 позже срока" in page
    )


def test_a_date_before_its_year_is_warned_and_the_rows_are_not_held_to_it(clean, tmp_path, capsys):  # noqa: F811
    rows = _teachers([_teacher("Орлова Вера Павловна", "10.03.2025")])
    write = form_writer(rows, cluster="tiny-it", year=2025, submitted="15.12.2024")
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.entry["rows_rejected"] == 0 and not run.lines()
    [warning] = _warnings(run)
    assert (
        warning["kind"] == "submitted_before_year"
        and "15.12.2024 раньше отчётного 2025 года" in warning["rule"]
    )
    assert _mine(run)["training_completed"].notna().all()


@pytest.mark.parametrize("label", ["Дата представления", " дата  представления* ", "Дата представления."])
def test_a_form_without_a_readable_date_says_so(clean, tmp_path, capsys, label):  # noqa: F811
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", _meta_edit(label, None))
    [warning] = _warnings(run)
    assert warning["kind"] == "undated" and warning["rule"].startswith(
        "дата представления не указана или не читается"
    )


def test_a_mistyped_mentor_count_drops_the_count_not_the_programme(clean, tmp_path, capsys):  # noqa: F811
    rows = copy.deepcopy(IT_FORM)
    rows["Набор"] = [["38.02.01", 40, "пять"]]
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(rows, cluster="tiny-it", year=2025))
    enrolment = _mine(run, "enrolment")
    assert enrolment["enrolled"].tolist() == [40] and enrolment["with_employer_mentor"].isna().all()
    [line] = run.lines()
    assert (
        line.startswith("значение не учтено: ") and "столбец «Из них с наставником от работодателя»" in line
    )
