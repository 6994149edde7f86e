"""One cell cannot stop a region: values no person types but files carry (INF, NaN, a date in the
year 3000) are refused at their cell with its place, and a fault met while one file's rows are
prepared rejects that file alone, by name. Each case sits beside good submissions."""

from __future__ import annotations

import copy

import pandas as pd
from test_hostile_inputs import IT_FORM, Run, clean, form_writer, sheet_edit  # noqa: F401

INF_FACT = (rb'<c r="E2" t="n"><v>11</v></c>', b'<c r="E2" t="n"><v>INF</v></c>')


def test_an_infinite_fact_is_refused_at_its_cell_and_the_region_is_built(clean, tmp_path, capsys):  # noqa: F811
    write = sheet_edit("Показатели", *INF_FACT, year=2025, submitted="15.01.2026")
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert "лист «Показатели», строка 2, столбец «Факт»: в ячейке сохранено не число, а INF" in line
    assert "(значение «INF»)" in line
    assert run.entry["status"] == "read" and run.entry["rows_rejected"] == 1
    facts = run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025")
    assert facts["indicator"].tolist() == ["1.6.1"]
    assert run.warnings.empty
    run.check_accounted()
    run.check_others_untouched(("tiny-it", 2025))


def test_a_stored_nan_is_refused_not_read_as_no_data(clean, tmp_path, capsys):  # noqa: F811
    write = sheet_edit("Показатели", INF_FACT[0], b'<c r="E2"><v>NaN</v></c>', year=2025)
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert "столбец «Факт»: в ячейке сохранено не число, а NaN" in line
    facts = run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025")
    assert "1.1.4" not in facts["indicator"].tolist()


def test_infinite_hours_reject_the_teacher_row(clean, tmp_path, capsys):  # noqa: F811
    write = sheet_edit(
        "Преподаватели", rb'<c r="F2" t="n"><v>72</v></c>', b'<c r="F2" t="n"><v>-INF</v></c>', year=2025
    )
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert "столбец «Часов в году»: в ячейке сохранено не число, а INF" in line
    assert run.tables["teachers"].query("cluster_id == 'tiny-it' and year == 2025").empty


def test_a_pair_starting_in_the_year_3000_is_refused_at_its_cell(clean, tmp_path, capsys):  # noqa: F811
    rows = copy.deepcopy(IT_FORM)
    rows["Преподаватели"].append(
        ["Белов Олег Петрович", None, "ГБПОУ «Тест»", "штатный", "38.02.01", 100, None]
    )
    rows["Наставничество"] = [
        ["Белов Олег Петрович", "Орлова Вера Павловна", "АО «Софт»", "38.02.01", "01.01.3000", None, "очно"]
    ]
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(rows, cluster="tiny-it", year=2025))
    [line] = run.lines()
    assert "столбец «Начало»: год даты 3000 — опечатка?" in line
    run.check_accounted()
    run.check_others_untouched(("tiny-it", 2025))


def test_a_fault_in_one_file_s_rows_rejects_that_file_by_name_and_loads_the_others(
    clean,  # noqa: F811
    tmp_path,
    capsys,
    monkeypatch,
):
    """Fault injection: the ФИО shape of one teacher raises, as a bug meeting an unforeseen value would."""
    from analysis.ingest import frames

    shape = frames.name_shape

    def fragile(name: str) -> str:
        if name == "Зуев Глеб Иванович":
            raise KeyError("boom")
        return shape(name)

    monkeypatch.setattr(frames, "name_shape", fragile)
    rows = copy.deepcopy(IT_FORM)
    rows["Преподаватели"].append(
        ["Зуев Глеб Иванович", None, "АО «Софт»", "совместитель", "38.02.01", 10, None]
    )
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(rows, cluster="tiny-it", year=2025))
    mine = run.rejects[run.rejects["source_file"] == str(run.path)]
    assert (
        len(mine) == 5
        and mine["rule"]
        .str.startswith("внутренняя ошибка программы при обработке этого файла (KeyError)")
        .all()
    )
    assert run.entry["rows_rejected"] == 5 == run.entry["rows_read"]
    assert any(
        str(run.path) in line and "пришлите файл разработчикам" in line for line in run.err.splitlines()
    )
    run.check_others_untouched(("tiny-it", 2025))
    assert run.tables["facts"].query("cluster_id == 'tiny-it' and year == 2025").empty


def test_the_fact_ceiling_leaves_a_non_finite_fact_alone():
    from analysis.metrics.plausibility import fact_ceiling_warnings

    keys = {"cluster_id": "c", "year": 2025, "indicator": "1.1.4", "programme_code": ""}
    facts = pd.DataFrame([{**keys, "fact_kind": "number", "fact_value": v} for v in (float("inf"), 500.0)])
    plan = pd.DataFrame([{**keys, "family": "plan", "target_kind": "count", "target_value": 10.0}])
    warnings = fact_ceiling_warnings(facts, plan)
    assert warnings["fact"].tolist() == [500.0]
