"""People told apart by СНИЛС when the form gives it (``analysis.ingest.people``): namesakes with
different СНИЛС are two people, one СНИЛС under two spellings is one person, and without a СНИЛС
the ФИО decides as before. Counted through the whole ingest on forms written here."""

from __future__ import annotations

import copy

import pandas as pd
from test_hostile_inputs import IT_FORM, Run, clean, form_writer  # noqa: F401

from analysis.ingest.people import identify
from analysis.ingest.pseudonym import DEMO_KEY
from conftest import table

# Valid СНИЛС numbers (check numbers computed by the rule in analysis.sources.normalise.snils).
SNILS_A = "112-233-445 95"
SNILS_B = "123-456-789 64"


def _teacher(
    name, snils, organisation="АО «Софт»", employment="совместитель", programme="38.02.01", hours=36
):
    return [name, snils, organisation, employment, programme, hours, None]


def _run(clean, tmp_path, capsys, teachers, pairs=()):  # noqa: F811
    rows = copy.deepcopy(IT_FORM)
    rows["Преподаватели"] = teachers
    rows["Наставничество"] = list(pairs)
    return Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(rows, cluster="tiny-it", year=2025))


def _people(run) -> pd.DataFrame:
    """Teacher rows of the file, each person numbered by first appearance (ids stay hidden)."""
    mine = run.tables["teachers"].query("cluster_id == 'tiny-it' and year == 2025")
    order = {p: f"person {i + 1}" for i, p in enumerate(dict.fromkeys(mine["person_id"]))}
    out = mine.assign(person=mine["person_id"].map(order))[["person", "programme_code", "hours"]]
    return out.astype({"hours": "str"}).reset_index(drop=True)


def test_namesakes_with_different_snils_are_two_people_and_a_warning_notes_them(clean, tmp_path, capsys):  # noqa: F811
    run = _run(
        clean,
        tmp_path,
        capsys,
        [
            _teacher("Орлова Вера Павловна", SNILS_A, hours=72),
            _teacher("Орлова Вера Павловна", SNILS_B, hours=10),
            _teacher("Орлова Вера Павловна", SNILS_B, programme="38.02.04", hours=5),
        ],
    )
    expected = table(
        """
        person,programme_code,hours
        person 1,38.02.01,72.0
        person 2,38.02.01,10.0
        person 2,38.02.04,5.0
        """
    )
    rejected = run.rejects[run.rejects["source_file"] == str(run.path)]
    assert rejected["rule"].str.contains("программ").all()  # 38.02.04 is not in the tiny plan
    pd.testing.assert_frame_equal(_people(run), expected.iloc[:2])
    [warning] = run.warnings.query("kind == 'namesakes'").to_dict("records")
    assert warning["rule"].startswith(
        "тёзки: в строках 2, 3, 4 листа «Преподаватели» одно ФИО и 2 разных СНИЛС"
    )
    assert (warning["cluster_id"], warning["year"]) == ("tiny-it", 2025)
    staffing = pd.read_parquet(tmp_path / "processed" / "staffing.parquet")
    assert "Орлова" not in run.out + run.err + warning["rule"]
    assert len(staffing) >= 1


def test_one_snils_under_two_spellings_is_one_person_and_the_rows_are_named(clean, tmp_path, capsys):  # noqa: F811
    run = _run(
        clean,
        tmp_path,
        capsys,
        [
            _teacher("Орлова Вера Павловна", SNILS_A, hours=72),
            _teacher("Орлова-Сидорова Вера Павловна", SNILS_A, hours=10),
        ],
    )
    rejects = run.rejects[run.rejects["source_file"] == str(run.path)]
    # One person, one programme: the second row is the same person again.
    assert rejects["rule"].tolist() == [
        "этот человек уже указан для этой программы в строке выше: оставьте одну строку"
    ]
    [warning] = run.warnings.query("kind == 'same_snils'").to_dict("records")
    assert "один СНИЛС в строках 2, 3 листа «Преподаватели» при разном написании ФИО" in warning["rule"]
    assert any("один СНИЛС в строках 2, 3" in line for line in run.out.splitlines())


def test_without_snils_the_name_decides_and_a_row_without_snils_takes_its_namesake_s_only_snils(
    clean,  # noqa: F811
    tmp_path,
    capsys,
):
    run = _run(
        clean,
        tmp_path,
        capsys,
        [
            _teacher("Орлова Вера Павловна", SNILS_A, hours=72),
            _teacher(
                "ОРЛОВА  Вера Павловна", None, organisation="ГБПОУ «Тест»", employment="штатный", hours=3
            ),
            _teacher(
                "Белов Олег Петрович", None, organisation="ГБПОУ «Тест»", employment="штатный", hours=100
            ),
            _teacher("Белов Олег Петрович", None, organisation="ГБПОУ «Тест»", employment="штатный", hours=1),
        ],
    )
    rejects = run.rejects[run.rejects["source_file"] == str(run.path)]
    assert rejects["source_row"].tolist() == [3, 5]  # each the same person and programme again
    assert run.warnings.query("kind in ['namesakes', 'same_snils']").empty


def test_a_pair_naming_one_of_two_namesakes_is_rejected_with_the_reason(clean, tmp_path, capsys):  # noqa: F811
    run = _run(
        clean,
        tmp_path,
        capsys,
        [
            _teacher(
                "Белов Олег Петрович", SNILS_A, organisation="ГБПОУ «Тест»", employment="штатный", hours=100
            ),
            _teacher(
                "Белов Олег Петрович", SNILS_B, organisation="ГБПОУ «Тест»", employment="штатный", hours=90
            ),
            _teacher("Орлова Вера Павловна", None),
        ],
        [
            [
                "Белов Олег Петрович",
                "Орлова Вера Павловна",
                "АО «Софт»",
                "38.02.01",
                "01.02.2025",
                None,
                "очно",
            ]
        ],
    )
    [line] = [line for line in run.lines() if "Наставничество" in line]
    assert (
        "столбец «Преподаватель ПОО (ФИО)»: в листе «Преподаватели» двое с этим ФИО и разными СНИЛС" in line
    )
    assert run.tables["pairs"].query("cluster_id == 'tiny-it' and year == 2025").empty
    assert len(_people(run)) == 3


def test_identify_counts_people_by_the_rule():
    def row(row_id, name, snils=None, source_row=None):
        return {
            "row_id": row_id,
            "full_name": name,
            "snils": snils,
            "source_file": "f.xlsx",
            "source_row": source_row or row_id + 2,
            "cluster_id": "c",
            "year": 2025,
        }

    teachers = [
        row(0, "Иванов Иван Иванович", "11223344595"),
        row(1, "Иванов Иван Иванович", "12345678964"),
        row(2, "Иванов Иван Иванович"),  # which of the two?
        row(3, "Петров Пётр Петрович"),
        row(4, "петров петр петрович"),  # the same name, spelled with е and lowercase
        row(5, "Сидоров Сидор Сидорович", "11223344595"),  # row 0's СНИЛС, another name
    ]
    people = identify(teachers, [], DEMO_KEY)
    ids = [people.ids[(i, "full_name")] for i in range(6)]
    assert ids[0] != ids[1] and ids[2] == "" and ids[3] == ids[4] and ids[5] == ids[0]
    assert len({i for i in ids if i}) == 3
    assert sorted(w["kind"] for w in people.warnings) == ["namesakes", "same_snils"]
