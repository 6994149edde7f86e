from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.errors import PlanError
from analysis.sources.plan import (
    check_plan_rows,
    parse_target,
    plan_warnings,
    read_plan_file,
    tidy_plan,
    write_plan_file,
)
from conftest import SEED_PLAN, SEED_TEXT, TINY_PLAN, table

# Every target of the seed plan as the document gives it (checked against
# ../shared/seeds/000_4630c187282b80aa.txt line by line). Changing one cell fails the test.
SEED_TARGETS = """
    code,programme_code,2024,2025,2026
    1.1.1,,,,
    1.1.1,38.02.01,1,-,-
    1.1.1,38.02.04,1,-,-
    1.1.1,40.02.02,1,-,-
    1.1.2,,да,-,-
    1.1.3,,,,
    1.1.3,38.02.01,да,-,-
    1.1.3,38.02.04,да,-,-
    1.1.3,40.02.02,да,-,-
    1.1.4,,9,10,10
    1.2.1,,-,9,10
    1.2.1,38.02.01,-,1,1
    1.2.1,38.02.04,-,1,1
    1.2.1,40.02.02,-,1,1
    1.2.2,,3,5,6
    1.3.1,,да,да,да
    1.3.2,,да,да,да
    1.3.3,,-,да,да
    1.4.1,,,,
    1.4.1,38.02.01,-,да,-
    1.4.1,38.02.04,-,да,-
    1.4.1,40.02.02,-,да,
    1.4.2,,,,
    1.4.2,38.02.01,-,-,Да
    1.4.2,38.02.04,-,-,Да
    1.4.2,40.02.02,-,-,да
    1.4.3,,4,4,4
    1.4.4,,-,1,1
    1.5.1,,да,да,-
    1.6.1,,да,да,да
    1.6.2,,да,да,да
    2.1.1,,да,-,-
    2.1.2,,да,да,да
    2.2.1,,да,-,-
    2.2.2,,да,да,да
    3.1.1,,да,-,-
"""

SEED_TREE = """
    kind,code
    section,1
    group,1.1
    group,1.2
    group,1.3
    group,1.4
    group,1.5
    group,1.6
    section,2
    group,2.1
    group,2.2
    section,3
    group,3.1
"""


def test_seed_plan_targets_are_exactly_the_documents():
    plan = read_plan_file(SEED_PLAN)
    targets = plan[plan["kind"].isin(["indicator", "programme"])]
    result = targets[["code", "programme_code", "2024", "2025", "2026"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(result, table(SEED_TARGETS))


def test_seed_plan_keeps_the_tree():
    plan = read_plan_file(SEED_PLAN)
    tree = plan[plan["kind"].isin(["section", "group"])][["kind", "code"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(tree, table(SEED_TREE))


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="../shared/seeds is not beside the project")
def test_seed_plan_titles_are_clean_and_from_the_document():
    plan = read_plan_file(SEED_PLAN)
    seed_words = set(re.sub(r"-\s*\n\s*", "-", SEED_TEXT.read_text(encoding="utf-8")).split())
    for title in plan["title"]:
        assert title == " ".join(title.split()), f"stray whitespace in {title!r}"
        assert "- " not in title.replace(" – ", ""), f"line-break hyphen left in {title!r}"
        missing = [w for w in title.split() if w not in seed_words]
        assert not missing, f"words not in the seed: {missing} in {title!r}"
    titles = dict(zip(plan["code"] + "/" + plan["programme_code"], plan["title"], strict=True))
    assert titles["1.4/"].startswith("Результат мероприятий по обеспечению организации научно-методической")
    assert titles["1.1.1/40.02.02"] == "Правоохранительная деятельность"


def test_seed_plan_file_is_canonical():
    text = SEED_PLAN.read_text(encoding="utf-8")
    assert write_plan_file(read_plan_file(SEED_PLAN)) == text


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("9", "count", 9.0),
        ("да", "yes", None),
        ("Да", "yes", None),
        ("ДА", "yes", None),
        ("-", "none", None),
        ("", "none", None),
        ("1,5", "count", 1.5),
    ],
)
def test_parse_target(raw, kind, value):
    got_kind, got_value = parse_target(raw)
    assert got_kind == kind
    assert pd.isna(got_value) if value is None else got_value == value


def test_parse_target_refuses_other_text():
    with pytest.raises(ValueError, match="not a target"):
        parse_target("девять")


def test_tidy_plan_has_a_row_per_cell_with_the_tree():
    tidy = tidy_plan(read_plan_file(SEED_PLAN), "samara-law")
    assert len(tidy) == 36 * 3
    cell = tidy[
        (tidy["indicator"] == "1.4.1") & (tidy["programme_code"] == "40.02.02") & (tidy["year"] == 2026)
    ]
    assert cell[["section", "group", "target_raw", "target_kind"]].values.tolist() == [
        ["1", "1.4", "", "none"]
    ]
    count = tidy[(tidy["indicator"] == "1.1.4") & (tidy["year"] == 2025)].iloc[0]
    assert (count["target_kind"], count["target_value"]) == ("count", 10.0)
    yes = tidy[
        (tidy["indicator"] == "1.4.2") & (tidy["programme_code"] == "38.02.01") & (tidy["year"] == 2026)
    ]
    assert yes["target_kind"].tolist() == ["yes"]


def test_plan_warnings_name_the_one_empty_cell_of_the_seed():
    warnings = plan_warnings(read_plan_file(SEED_PLAN), "samara-law.csv")
    assert len(warnings) == 1
    assert "row 28" in warnings[0] and "'2026'" in warnings[0] and "1.4.1 / 40.02.02" in warnings[0]


def _tiny(replace: tuple[str, str]) -> pd.DataFrame:
    from io import StringIO

    return pd.read_csv(StringIO(TINY_PLAN.replace(*replace)), dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        (("indicator,1.1.4,", "indicator,1.2.4,"), "row 7, column 'code': indicator outside group 1.1"),
        (
            ("programme,1.1.1,40.02.02", "programme,1.1.4,40.02.02"),
            "a programme row must follow its indicator",
        ),
        (("40.02.02,Право", "40.2.2,Право"), "programme codes look like 38.02.01"),
        (("да,да", "да,девять"), "row 9, column '2025': a target is a number, да, '-' or empty"),
        (
            ("group,1.1,,Результат мероприятий по разработке,,", "group,1.1,,Результат,5,"),
            "a group carries no targets",
        ),
        (("2024,2025", "2024,итого"), "target columns must be years"),
        (("indicator,1.6.1", "measure,1.6.1"), "kind must be one of"),
    ],
)
def test_malformed_plans_give_a_located_error(replace, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_plan_rows(_tiny(replace), "tiny.csv")


def test_duplicate_plan_row_is_refused():
    frame = _tiny(("programme,1.1.1,40.02.02", "programme,1.1.1,38.02.01"))
    with pytest.raises(PlanError, match="appears twice"):
        check_plan_rows(frame, "tiny.csv")
