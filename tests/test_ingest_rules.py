"""Rules that keep nonsense out of the counts, each on a form written here beside the good
submissions: no one paired with themselves, no employer-teacher without hours, no fact on a
heading that has no target of its own, and a СНИЛС read however Excel mangled it."""

from __future__ import annotations

import copy

import pytest
from test_hostile_inputs import IT_FORM, Run, clean, form_writer  # noqa: F401

from analysis.ingest.parse import _snils


def _run(clean, tmp_path, capsys, rows):  # noqa: F811
    write = form_writer(rows, cluster="tiny-it", year=2025, submitted="15.01.2026")
    return Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)


def _form(**sheets) -> dict:
    rows = copy.deepcopy(IT_FORM)
    rows.update(sheets)
    return rows


COLLEGE = ["Белов Олег Петрович", None, "ГБПОУ «Тест»", "штатный", "38.02.01", 100, None]
EMPLOYER = ["Орлова Вера Павловна", None, "АО «Софт»", "совместитель", "38.02.01", 72, "10.10.2024"]


def test_a_person_paired_with_themselves_is_rejected(clean, tmp_path, capsys):  # noqa: F811
    pair = [
        "Белов Олег Петрович",
        "белов  олег петрович",
        "АО «Софт»",
        "38.02.01",
        "01.02.2025",
        None,
        "очно",
    ]
    run = _run(clean, tmp_path, capsys, _form(Преподаватели=[EMPLOYER, COLLEGE], Наставничество=[pair]))
    [line] = run.lines()
    assert "столбец «Специалист (ФИО)»: преподаватель и специалист — один и тот же человек" in line
    assert run.tables["pairs"].query("cluster_id == 'tiny-it' and year == 2025").empty


def test_an_employer_teacher_with_no_hours_is_rejected_a_college_one_is_kept(clean, tmp_path, capsys):  # noqa: F811
    idle_employer = [*EMPLOYER[:5], 0, None]
    idle_college = [*COLLEGE[:5], 0, None]
    run = _run(clean, tmp_path, capsys, _form(Преподаватели=[idle_employer, idle_college]))
    [line] = run.lines()
    assert "строка 2, столбец «Часов в году»: у работника организации-работодателя 0 часов" in line
    teachers = run.tables["teachers"].query("cluster_id == 'tiny-it' and year == 2025")
    assert teachers["org_id"].tolist() == ["ГБПОУ «Тест»"]
    import pandas as pd

    staffing = pd.read_parquet(tmp_path / "processed" / "staffing.parquet")
    assert staffing.query("cluster_id == 'tiny-it' and year == 2025")["employer_teachers"].tolist() == [0]


def test_a_fact_on_a_heading_without_a_target_is_rejected(clean, tmp_path, capsys):  # noqa: F811
    facts = [
        ["1.1.1", None, "Сформированы экспертные группы", "", 3],  # the heading: targets are per programme
        ["1.1.1", "38.02.01", "Сформированы", "-", 1],  # not planned, done anyway: beyond plan
        ["1.1.4", None, "Осуществлен запуск", "10", 11],
    ]
    run = _run(clean, tmp_path, capsys, _form(Показатели=facts))
    [line] = run.lines()
    assert "строка 2, столбец «Факт»: у показателя нет своего плана, только по программам" in line
    kept = run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025")
    assert sorted(zip(kept["indicator"], kept["programme_code"], kept["fact_kind"], strict=True)) == [
        ("1.1.1", "38.02.01", "number"),
        ("1.1.4", "", "number"),
    ]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("112-233-445 95", "11223344595"),
        ("112 233 445 95", "11223344595"),
        ("112-233-44595", "11223344595"),
        (11223344595, "11223344595"),
        (11223344595.0, "11223344595"),
        ("012-345-678 64", None),  # check number wrong: still refused
        (1234567896, None),
    ],
)
def test_a_snils_is_read_with_spaces_and_lost_zeros(written, read):
    if read is None:
        with pytest.raises(ValueError, match="контрольное число"):
            _snils(written)
    else:
        assert _snils(written) == read


def test_a_snils_that_lost_its_leading_zero_is_restored():
    # 001-234-567 ..: a number the rule computes; written as a number, Excel drops the zeros.
    body = "001234567"
    check = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True)) % 101 % 100
    full = f"{body}{check:02d}"
    assert _snils(int(full)) == full and len(str(int(full))) < 11
