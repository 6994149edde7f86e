from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook

from analysis.cli import main
from analysis.sources import forms
from analysis.sources.template import FormYearError, write_template
from conftest import SEED_PLAN, TINY_REGISTRY

PARTICIPANTS = '''\
cluster_id,organisation,org_type,demo
tiny-law,ГБПОУ «Колледж права»,college,
tiny-law,"ООО ""Право""",employer,
tiny-it,ГБПОУ «Колледж ИТ»,college,
'''


@pytest.fixture
def raw(raw_dir):
    (raw_dir / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    return raw_dir


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def validations(sheet):
    return {str(v.sqref): v for v in sheet.data_validations.dataValidation}


def test_template_has_the_sheets_and_headings_of_the_form(raw, tmp_path):
    path = write_template("tiny-law", 2024, raw, tmp_path / "form.xlsx")
    book = load_workbook(path)
    expected = [forms.META.title, *(s.title for s in forms.DATA_SHEETS), forms.INSTRUCTIONS_TITLE]
    assert book.sheetnames == expected
    for spec in (forms.META, *forms.DATA_SHEETS):
        sheet = book[spec.title]
        assert values(sheet)[0] == spec.headings
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
    instructions = " ".join(str(v[0]) for v in values(book[forms.INSTRUCTIONS_TITLE]) if v[0])
    assert "152-ФЗ" in instructions and "псевдонимиз" in instructions


def test_template_prefills_the_planned_cells_programmes_and_participants(raw, tmp_path):
    book = load_workbook(write_template("tiny-law", 2024, raw, tmp_path / "form.xlsx"))
    meta = {row[0]: row[1] for row in values(book[forms.META.title])[1:]}
    assert meta["Кластер"] == "tiny-law" and meta["Год"] == 2024
    assert meta["Заполнил"] is None
    indicators = [row[:5] for row in values(book[forms.INDICATORS.title])[1:]]
    assert [(r[0], r[1] or "", r[3], r[4]) for r in indicators] == [
        ("1.1.1", "38.02.01", "1", None),
        ("1.1.1", "40.02.02", "1", None),
        ("1.1.4", "", "9", None),
        ("1.6.1", "", "да", None),
    ]
    assert indicators[0][2].endswith("— Экономика и бухгалтерский учет (по отраслям)")
    enrolment = values(book[forms.ENROLMENT.title])[1:]
    assert [row[0] for row in enrolment] == ["38.02.01", "40.02.02"]
    assert values(book[forms.ORGANISATIONS.title])[1:] == [
        ["ГБПОУ «Колледж права»", "ПОО"],
        ['ООО "Право"', "работодатель"],
    ]


def test_template_carries_data_validation_in_russian(raw, tmp_path):
    book = load_workbook(write_template("tiny-law", 2025, raw, tmp_path / "form.xlsx"))
    fact = validations(book[forms.INDICATORS.title])
    (rule,) = [v for ref, v in fact.items() if ref.startswith("E2:")]
    assert rule.type == "custom" and '"да"' in rule.formula1 and "нет" in rule.error
    teachers = validations(book[forms.TEACHERS.title])
    kinds = {ref.split(":")[0]: (v.type, v.formula1) for ref, v in teachers.items()}
    assert kinds["D2"] == ("list", '"штатный,совместитель"')
    assert kinds["E2"] == ("list", '"38.02.01,40.02.02"')
    assert kinds["F2"][0] == "decimal" and kinds["G2"][0] == "date"
    pairs = {ref.split(":")[0]: v for ref, v in validations(book[forms.PAIRS.title]).items()}
    assert pairs["G2"].formula1 == '"' + ",".join(forms.PAIR_FORMATS) + '"'
    assert pairs["E2"].type == pairs["F2"].type == "date"
    assert pairs["C2"].errorStyle == "warning"
    assert all(v.error and v.showErrorMessage for v in teachers.values())


def test_template_is_the_same_bytes_twice_and_defaults_to_the_submission_name(raw, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = write_template("tiny-it", 2024, raw).read_bytes()
    assert (tmp_path / forms.submission_name("tiny-it", 2024)).exists()
    assert write_template("tiny-it", 2024, raw, tmp_path / "again.xlsx").read_bytes() == first


def test_template_command_and_its_errors(raw, tmp_path, capsys):
    out = tmp_path / "law.xlsx"
    assert (
        main(["template", "--cluster", "tiny-law", "--year", "2025", "--raw", str(raw), "--out", str(out)])
        == 0
    )
    assert out.exists() and str(out) in capsys.readouterr().out
    assert main(["template", "--cluster", "nope", "--year", "2025", "--raw", str(raw)]) != 0
    assert main(["template", "--cluster", "tiny-law", "--year", "2030", "--raw", str(raw)]) == 2
    with pytest.raises(FormYearError, match="2024, 2025"):
        write_template("tiny-law", 2030, raw, out)


def test_template_of_the_seed_plan_lists_its_yes_and_count_cells(tmp_path):
    raw = tmp_path / "raw"
    (raw / "plans").mkdir(parents=True)
    shutil.copy(SEED_PLAN, raw / "plans" / "samara-law.csv")
    header = TINY_REGISTRY.splitlines()[0]
    row = (
        "samara-law,Кластер,63,Самарская область,Правоохранительная сфера и управление,,plans/samara-law.csv"
    )
    (raw / "clusters.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    book = load_workbook(write_template("samara-law", 2026, raw, tmp_path / "f.xlsx"))
    rows = values(book[forms.INDICATORS.title])[1:]
    # 1.4.2 is planned per programme in 2026 (Да / Да / да); 1.4.1 / 40.02.02 is empty, not planned.
    assert [r[3] for r in rows if r[0] == "1.4.2"] == ["Да", "Да", "да"]
    assert not [r for r in rows if r[0] == "1.4.1"]
