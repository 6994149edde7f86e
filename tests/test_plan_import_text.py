"""The text-layer importer: the seed gives the hand-checked plan; debris and errors are handled."""

from __future__ import annotations

import inspect
import textwrap
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from analysis.sources.plan import read_plan_file, write_plan_file
from analysis.sources.plan_import.assemble import SourceError, clean_name
from analysis.sources.plan_import.text import parse_text, read_text_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_4630c187282b80aa.txt"
CANONICAL = ROOT / "data" / "raw" / "plans" / "samara-law.csv"

needs_seed = pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside the repository")


def plan_text(body: str) -> str:
    """A small plan document: the table header, then the body."""
    return "Приложение № 2\n№\nп/п\nНаименование результата мероприятия\n2024 2025 2026\n" + inspect.cleandoc(
        body
    )


@needs_seed
def test_seed_imports_into_the_canonical_plan_byte_for_byte():
    result = read_text_file(SEED)
    assert write_plan_file(result.plan) == CANONICAL.read_text(encoding="utf-8")


@needs_seed
def test_seed_matches_the_canonical_plan_cell_by_cell():
    result = read_text_file(SEED)
    pd.testing.assert_frame_equal(result.plan, read_plan_file(CANONICAL), check_dtype=False)


@needs_seed
def test_seed_accounts_for_every_value_and_warns_about_the_blank_cell():
    result = read_text_file(SEED)
    cells = result.plan.loc[result.plan["kind"].isin(["indicator", "programme"]), ["2024", "2025", "2026"]]
    assert result.cells_read == int((cells != "").sum().sum()) == 95
    assert len(result.warnings) == 1
    assert "строка 285" in result.warnings[0] and "1.4.1 / 40.02.02" in result.warnings[0]


@needs_seed
def test_seed_with_page_debris_gives_the_same_plan():
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = ["№", "п/п", "Наименование результата мероприятия", "Значение по итогам года", "2024 2025 2026"]
    debris = []
    for number, line in enumerate(lines):
        # A page break with the table header repeated before every fifth code line.
        if number > 30 and number % 5 == 0 and line[:1].isdigit():
            debris += ["\f  " + header[0], *(f"   {h}" for h in header[1:]), "1 2 3 4 5"]
        debris.append("    " + line + "  ")
    text = "\r\n".join(debris) + "\r\n"
    assert write_plan_file(parse_text(text, "debris.txt").plan) == CANONICAL.read_text(encoding="utf-8")


def rewrap(canonical: pd.DataFrame, width: int) -> str:
    """Render the canonical plan as another extractor would: other widths, values on the first line."""
    years = list(canonical.columns[4:])
    header = "№ п/п Наименование результата мероприятия Значение по итогам года"
    out = ["ПЛАН МЕРОПРИЯТИЙ", header, " ".join(years)]
    for row in canonical.itertuples(index=False):
        code = row.programme_code or (row.code + "." if row.kind == "section" else row.code)
        wrapped = textwrap.wrap(f"{code} {row.title}", width=width, break_on_hyphens=True)
        cells = list(row[4:])
        if row.kind in ("indicator", "programme") and any(cells):
            if all(cells):
                wrapped[0] += "   " + " ".join(cells)
            else:  # a blank last cell: values on a line of their own, as in the seed
                wrapped.append(" ".join(c for c in cells if c))
        out += wrapped
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("width", [28, 45, 70, 400])
def test_rewrapped_plan_gives_the_same_plan(width):
    canonical = read_plan_file(CANONICAL)
    result = parse_text(rewrap(canonical, width), f"rewrapped-{width}.txt")
    assert write_plan_file(result.plan) == CANONICAL.read_text(encoding="utf-8")


def test_names_join_wrapped_lines_and_hyphenated_words():
    assert clean_name(["обеспечению организации научно-", " методической  работы"]) == (
        "обеспечению организации научно-методической работы"
    )
    assert clean_name(["гибкие, практико-ориентированные", "программы"]) == (
        "гибкие, практико-ориентированные программы"
    )
    assert clean_name(["организаций –", "участников"]) == "организаций – участников"
    assert clean_name(["переподго\xad", "товки"]) == "переподготовки"


def test_codes_with_trailing_dots_yes_words_and_values_on_their_own_lines():
    result = parse_text(
        plan_text("""
        1. Раздел
        1.1 Группа
        1.1.1. Показатель с
        длинным названием
        ДА
        Да
        да
        1.1.2 Второй показатель 9 10 10
        38.02.01 Экономика и бухгалтерский учет (по отраслям)
        1 - –
    """)
    )
    expected = pd.read_csv(
        StringIO(
            inspect.cleandoc("""
        kind,code,programme_code,title,2024,2025,2026
        section,1,,Раздел,,,
        group,1.1,,Группа,,,
        indicator,1.1.1,,Показатель с длинным названием,ДА,Да,да
        indicator,1.1.2,,Второй показатель,9,10,10
        programme,1.1.2,38.02.01,Экономика и бухгалтерский учет (по отраслям),1,-,-
    """)
        ),
        dtype=str,
        keep_default_na=False,
    )
    pd.testing.assert_frame_equal(result.plan, expected, check_dtype=False)
    assert result.warnings == []


def test_years_come_from_the_document_header():
    text = "№ п/п\nНаименование\n2025\n2026\n2027\n1. Раздел\n1.1 Группа\n1.1.1 Показатель\n- 3 4\n"
    result = parse_text(text)
    assert list(result.plan.columns[4:]) == ["2025", "2026", "2027"]
    assert result.plan.iloc[2, 4:].tolist() == ["-", "3", "4"]


def test_missing_trailing_cell_is_blank_with_a_warning_naming_the_line():
    """A programme row (checked against its namesakes) gets a warning; an indicator a problem."""
    result = parse_text(
        plan_text("""
        1. Раздел
        1.1 Группа
        1.1.1 Показатель
        38.02.01 Экономика
        - да
        1.1.2 Другой
        1 1
    """),
        "doc.txt",
    )
    assert result.plan.iloc[3, 4:].tolist() == ["-", "да", ""]
    assert result.plan.iloc[4, 4:].tolist() == ["1", "1", ""]
    assert (
        len(result.warnings) == 1
        and "doc.txt, строка 10: у 1.1.1 / 38.02.01 нет ячейки за 2026" in result.warnings[0]
    )
    assert (
        len(result.problems) == 1 and "doc.txt, строка 12: у 1.1.2 нет ячейки за 2026" in result.problems[0]
    )


@pytest.mark.parametrize(
    ("body", "where", "rule"),
    [
        (
            "1. Раздел\n1.1 Группа\nда да да",
            "строка 8",
            "не относящиеся к показателю (группа результатов 1.1)",
        ),
        ("1. Раздел\nда да да", "строка 7", "не относящиеся к показателю (раздел 1)"),
        (
            "1. Раздел\n1.1 Группа\n1.1.1 Показатель\nда да да\n4",
            "строка 10",
            "значений больше, чем столбцов",
        ),
        (
            "1. Раздел\n1.1 Группа\n1.2.1 Показатель\nда да да",
            "строка 8",
            "показатель 1.2.1 не на своём месте",
        ),
        ("1. Раздел\n38.02.01 Экономика\n1 1 1", "строка 7", "вне показателя"),
        ("Пояснение\n1. Раздел", "строка 6", "текст перед первой нумерованной строкой"),
        (
            "1. Раздел\n1.1 Группа\n1.1.1 Показатель 1 1 1\n1.1.1 Снова 1 1 1",
            "строка 9",
            "1.1.1 уже была (строка 8)",
        ),
    ],
)
def test_malformed_text_stops_with_the_line_and_its_text(body, where, rule):
    with pytest.raises(SourceError) as caught:
        parse_text(plan_text(body), "bad.txt")
    message = str(caught.value)
    assert f"bad.txt, {where}:" in message and rule in message
    assert caught.value.value  # the offending text is quoted


def test_a_text_without_the_year_header_is_refused():
    with pytest.raises(SourceError, match="нет заголовка таблицы со столбцами годов"):
        parse_text("1. Раздел\n1.1 Группа\n")


def test_a_repeated_header_with_other_years_is_refused():
    with pytest.raises(SourceError, match="другие годы"):
        parse_text(plan_text("1. Раздел\nЗначение по итогам года\n2025 2026 2027\n1.1 Группа"))


def test_a_number_wrapped_into_a_group_name_stays_in_the_name_with_a_warning():
    result = parse_text(plan_text("1. Раздел\n1.1 Группа по постановлению №\n387\n1.1.1 П\n1 1 1"), "doc.txt")
    assert result.plan.loc[1, "title"] == "Группа по постановлению № 387"
    assert result.notes == ["doc.txt, строка 8: '387' на отдельной строке под разделом или группой прочитано "
                            "как часть названия — сверьте с документом"]  # fmt: skip


def test_a_cp1251_text_file_is_read(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(plan_text("1. Раздел\n1.1 Группа\n1.1.1 Показатель\nда да Да").encode("cp1251"))
    assert read_text_file(path).plan.iloc[2, 4:].tolist() == ["да", "да", "Да"]
