from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from analysis.sources import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("да", ("yes", 1.0)),
        ("ДА", ("yes", 1.0)),
        (" + ", ("yes", 1.0)),
        ("Нет", ("no", 0.0)),
        (12, ("number", 12.0)),
        ("12", ("number", 12.0)),
        ("1,5", ("number", 1.5)),
        ("0.25", ("number", 0.25)),
        (" 3 ", ("number", 3.0)),
    ],
)
def test_fact(raw, expected):
    assert normalise.fact(raw) == expected


def test_blank_fact_is_not_reported():
    kind, value = normalise.fact("  ")
    assert kind == "none" and math.isnan(value)


@pytest.mark.parametrize("raw", ["-3", "девять", "1 000,5,5"])
def test_fact_refuses(raw):
    with pytest.raises(ValueError, match="факт — число ≥ 0, «да» или «нет»"):
        normalise.fact(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
        (45352, date(2024, 3, 1)),
        ("45352", date(2024, 3, 1)),
        ("01.03.2024", date(2024, 3, 1)),
        ("1.3.2024", date(2024, 3, 1)),
        ("2024-03-01", date(2024, 3, 1)),
        (None, None),
        ("", None),
    ],
)
def test_day(raw, expected):
    assert normalise.day(raw) == expected


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("31.02.2024", "такой даты нет"),
        ("весной", "нужна дата в виде дд.мм.гггг"),
        (-5, "вне диапазона дат Excel"),
    ],
)
def test_day_refuses(raw, rule):
    with pytest.raises(ValueError, match=rule):
        normalise.day(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('ПАО "Сбербанк"', "ПАО «Сбербанк»"),
        ("АО “Ромашка”", "АО «Ромашка»"),
        ("  ГБПОУ  «Тест» ", "ГБПОУ «Тест»"),
        ('ООО "Завод "Прогресс""', "ООО «Завод «Прогресс»»"),
        ("ИП\xa0Иванов", "ИП Иванов"),
    ],
)
def test_organisation_names_are_spelled_one_way(raw, expected):
    assert normalise.organisation(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("112-233-445 95", "11223344595"),
        ("11223344595", "11223344595"),
        ("001-001-998 00", "00100199800"),
        (None, None),
    ],
)
def test_snils(raw, expected):
    assert normalise.snils(raw) == expected


def test_snils_check_number_catches_a_typo():
    with pytest.raises(ValueError, match="контрольное число СНИЛС"):
        normalise.snils("112-233-445 59")


def test_number_reads_decimal_commas_and_refuses_negatives():
    assert normalise.number("1,5") == 1.5
    assert normalise.number(" 2 ") == 2.0
    with pytest.raises(ValueError, match="не может быть отрицательным"):
        normalise.number("-1")


def test_codes():
    assert normalise.indicator_code("1.1.4.") == "1.1.4"
    assert normalise.programme_code(" 38.02.01 ") == "38.02.01"
    with pytest.raises(ValueError, match=r"записывается как 38\.02\.01"):
        normalise.programme_code("38.2.1")


def test_name_key_ignores_case_spaces_and_yo():
    assert normalise.name_key(" Сидоров  Пётр Ильич") == normalise.name_key("СИДОРОВ ПЕТР ИЛЬИЧ")
