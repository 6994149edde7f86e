"""Facts in the simple CSV form go through the same cleaning and suites as the Excel forms."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.sources.facts import read_facts_file
from conftest import run_ingest

BAD_ROWS = [
    ("nowhere,2024,1.1.4,,3", "cluster_id", "неизвестный код кластера"),
    ("tiny-law,2031,1.1.4,,3", "year", "год не входит в годы плана кластера"),
    ("tiny-law,20x4,1.1.4,,3", "year", "год — число"),
    ("tiny-law,2024,9.9.9,,3", "indicator", "неизвестный код показателя"),
    ("tiny-law,2024,1.1.1,44.02.01,1", "programme_code", "нет строки плана для этой программы"),
    ("tiny-law,2024,1.1.4,,много", "fact", "факт — число"),
    ("tiny-law,2024,1.1.4,,да", "fact", "в плане число"),
    ("tiny-law,2024,1.6.1,,да", "indicator", "уже указана в строке выше"),
]


@pytest.mark.parametrize(("line", "column", "rule"), BAD_ROWS, ids=[b[2] for b in BAD_ROWS])
def test_each_bad_row_is_rejected_with_its_rule_and_nothing_is_lost(raw_dir, line, column, rule):
    path = raw_dir / "facts" / "submitted.csv"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    result = run_ingest(raw_dir)
    rows_read = len(pd.read_csv(path))
    assert len(result.tables["facts"]) + len(result.rejects) == rows_read
    assert len(result.rejects) == 1, result.reject_lines()
    reject = result.rejects.iloc[0]
    assert (reject["column"], reject["source_row"]) == (column, rows_read + 1)
    assert rule in reject["rule"]
    assert result.reject_lines()[0].startswith(f"{path}, строка {rows_read + 1}, столбец «{column}»: ")


def test_accepted_facts_are_tidy(raw_dir):
    result = run_ingest(raw_dir)
    facts = result.tables["facts"]
    assert result.rejects.empty
    law = facts[facts["cluster_id"] == "tiny-law"].set_index("indicator")
    assert law.loc["1.1.4", ["fact_kind", "fact_value", "demo"]].tolist() == ["number", 7.0, True]
    assert law.loc["1.6.1", "fact_kind"] == "yes"
    assert not facts.loc[facts["cluster_id"] == "tiny-it", "demo"].any()
    assert sorted(facts["source_row"].tolist()) == [2, 3, 4, 5, 6]


def test_indicator_written_with_a_trailing_dot_is_read(raw_dir):
    path = raw_dir / "facts" / "submitted.csv"
    text = path.read_text(encoding="utf-8").replace("tiny-law,2024,1.1.4,", "tiny-law,2024,1.1.4.,")
    path.write_text(text, encoding="utf-8")
    result = run_ingest(raw_dir)
    assert result.rejects.empty and "1.1.4" in set(result.tables["facts"]["indicator"])


def test_a_facts_file_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("кластер,год\nx,2024\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"facts.csv, строка 1: нет столбцов «Код показателя» \(indicator\), .* — первая"
    ):
        read_facts_file(path)


def test_row_numbers_count_blank_lines_and_cp1251_semicolons_are_read(raw_dir):
    path = raw_dir / "facts" / "submitted.csv"
    text = "cluster_id;year;indicator;programme_code;fact\n\ntiny-law;2024;1.1.4;;7\n\ntiny-law;2024;9.9.9;;1,5\n"
    path.write_bytes(text.encode("cp1251"))
    result = run_ingest(raw_dir)
    assert result.tables["facts"]["source_row"].tolist() == [3]
    assert result.rejects[["source_row", "column"]].values.tolist() == [[5, "indicator"]]


def test_the_form_s_russian_headings_are_read_like_the_internal_names(raw_dir):
    path = raw_dir / "facts" / "submitted.csv"
    text = (
        "Кластер;Год;Код показателя;Код программы;Наименование;План;ФАКТ;Демонстрационные данные\n"
        "tiny-law;2024;1.1.4;;Осуществлен запуск;9;7;1\n"
        "tiny-law;2024;1.1.1;38.02.01;Сформированы группы;1;1;1\n"
    )
    path.write_bytes(text.encode("cp1251"))
    result = run_ingest(raw_dir)
    assert result.rejects.empty, result.reject_lines()
    facts = result.tables["facts"].sort_values("source_row")
    assert facts[["indicator", "programme_code", "fact_value", "demo", "source_row"]].values.tolist() == [
        ["1.1.4", "", 7.0, True, 2],
        ["1.1.1", "38.02.01", 1.0, True, 3],
    ]
