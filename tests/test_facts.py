from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.facts import load_facts, parse_fact, read_facts_file, reject_lines
from analysis.plan import load_plans
from analysis.registry import load_registry


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("да", ("yes", 1.0)),
        ("ДА", ("yes", 1.0)),
        (" + ", ("yes", 1.0)),
        ("Нет", ("no", 0.0)),
        ("12", ("number", 12.0)),
        ("1,5", ("number", 1.5)),
        ("0.25", ("number", 0.25)),
    ],
)
def test_parse_fact(raw, expected):
    assert parse_fact(raw) == expected


@pytest.mark.parametrize("raw", ["-3", "девять", "", "1 000"])
def test_parse_fact_refuses(raw):
    with pytest.raises(ValueError):
        parse_fact(raw)


BAD_ROWS = [
    ("nowhere,2024,1.1.4,,3", "cluster_id", "unknown cluster id"),
    ("tiny-law,2031,1.1.4,,3", "year", "not one of the cluster's plan years"),
    ("tiny-law,20x4,1.1.4,,3", "year", "not one of the cluster's plan years"),
    ("tiny-law,2024,9.9.9,,3", "indicator", "unknown indicator code"),
    ("tiny-law,2024,1.1.1,44.02.01,1", "programme_code", "no plan row for this programme"),
    ("tiny-law,2024,1.1.4,,много", "fact", "a fact is a number"),
    ("tiny-law,2024,1.1.4,,да", "fact", "the plan target is a number"),
    ("tiny-law,2024,1.6.1,,да", "fact", "already reported above"),
]


@pytest.mark.parametrize(("line", "column", "rule"), BAD_ROWS, ids=[b[2] for b in BAD_ROWS])
def test_each_bad_row_is_rejected_with_its_rule_and_nothing_is_lost(raw_dir, line, column, rule):
    path = raw_dir / "facts" / "submitted.csv"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    plan = load_plans(load_registry(raw_dir / "clusters.csv"))
    facts, rejects = load_facts([path], plan)
    rows_read = len(pd.read_csv(path))
    assert len(facts) + len(rejects) == rows_read
    assert len(rejects) == 1
    reject = rejects.iloc[0]
    assert (reject["column"], reject["source_row"]) == (column, rows_read + 1)
    assert rule in reject["rule"]
    line_text = reject_lines(rejects)[0]
    assert line_text.startswith(f"{path}, row {rows_read + 1}, column {column!r}: ")


def test_accepted_facts_are_tidy(raw_dir):
    plan = load_plans(load_registry(raw_dir / "clusters.csv"))
    facts, rejects = load_facts([raw_dir / "facts" / "submitted.csv"], plan)
    assert rejects.empty
    law = facts[facts["cluster_id"] == "tiny-law"].set_index("indicator")
    assert law.loc["1.1.4", ["fact_kind", "fact_value", "demo"]].tolist() == ["number", 7.0, True]
    assert law.loc["1.6.1", "fact_kind"] == "yes"
    assert not facts.loc[facts["cluster_id"] == "tiny-it", "demo"].any()
    assert facts["source_row"].tolist() == [2, 3, 4, 5, 6]


def test_indicator_written_with_a_trailing_dot_is_read(raw_dir):
    path = raw_dir / "facts" / "submitted.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("tiny-law,2024,1.1.4,", "tiny-law,2024,1.1.4.,"),
        encoding="utf-8",
    )
    plan = load_plans(load_registry(raw_dir / "clusters.csv"))
    facts, rejects = load_facts([path], plan)
    assert rejects.empty and "1.1.4" in set(facts["indicator"])


def test_a_facts_file_without_its_columns_is_refused(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("кластер,год\nx,2024\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"facts.csv, row 1: missing columns .* the header must be"):
        read_facts_file(path)
