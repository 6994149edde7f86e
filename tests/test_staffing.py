"""Staffing metrics: every metric against an expected table written inline, edge cases included.

The roster below is one small cluster (c1) over two years plus two odd ones: c2 has a roster
whose hours are all zero, c4 reported a pair but sent no teacher roster. c3 has nothing at all.

People of c1: p1 a college teacher in two programmes; p2 an employer-teacher in two
programmes, trained in 2024 (the 2025 roster leaves the date blank); p3 employer staff on the
staff list (not part-time), zero hours, trained in 2025; p4 part-time from an organisation that
is not a participant; p5 an employer-teacher trained only in 2026.

Pairs of c1: A p1–p2, reported in 2024 and again in 2025 with an end date; B p1–s7, whose
specialist works for a college; C p1–p5, ended in May 2024; D p6–p3, p6 on no roster; E
p1–s8 from an organisation that is not a participant.
"""

from __future__ import annotations

import inspect
from io import StringIO

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.metrics import staffing

KEY_TYPES = {"cluster_id": "str", "programme_code": "str", "indicator": "str", "measure": "str"}


def read(text: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """An input table written inline; empty cells are missing values."""
    frame = pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=KEY_TYPES | {"org_id": "str"})
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def expected(text: str) -> pd.DataFrame:
    """An expected metrics table: counts nullable Int64, shares and hours float, NA when empty."""
    frame = pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=KEY_TYPES)
    types = {}
    for column in frame.columns:
        if column == "year":
            types[column] = "int64"
        elif column.endswith(("share", "hours", "share_change", "value")):
            types[column] = "float64"
        elif column not in KEY_TYPES:
            types[column] = "Int64"
    return frame.astype(types)


ORGANISATIONS = read("""
    cluster_id,org_id,org_name,org_type
    c1,K1,College one,college
    c1,K2,College two,college
    c1,E1,Employer one,employer
    c1,E2,Employer two,employer
    c2,K1,College one,college
    c2,E1,Employer one,employer
""")

TEACHERS = read(
    """
    cluster_id,year,person_id,org_id,employment,programme_code,hours,training_completed
    c1,2024,p1,K1,staff,38.02.01,100,
    c1,2024,p2,E1,part_time,38.02.01,40,2024-03-01
    c1,2025,p1,K1,staff,38.02.01,100,
    c1,2025,p1,K1,staff,38.02.04,50,
    c1,2025,p2,E1,part_time,38.02.01,30,
    c1,2025,p2,E1,part_time,38.02.04,30,
    c1,2025,p3,E2,staff,38.02.04,0,2025-06-01
    c1,2025,p4,X9,part_time,38.02.01,10,
    c1,2025,p5,E2,part_time,38.02.04,20,2026-02-01
    c2,2025,p9,K1,staff,40.02.02,0,
    """,
    dates=("training_completed",),
)

PAIRS = read(
    """
    cluster_id,year,teacher_id,specialist_id,specialist_org_id,programme_code,start,end,format
    c1,2024,p1,p2,E1,38.02.01,2023-09-01,,in person
    c1,2025,p1,p2,E1,38.02.01,2023-09-01,2025-06-30,in person
    c1,2025,p1,s7,K2,38.02.01,2025-03-01,,online
    c1,2025,p1,p5,E2,38.02.04,2023-01-10,2024-05-31,online
    c1,2025,p6,p3,E2,38.02.04,2025-02-01,,mixed
    c1,2025,p1,s8,X9,38.02.01,2025-01-01,,mixed
    c4,2025,t1,s1,E1,09.02.07,2025-01-01,,online
    """,
    dates=("start", "end"),
)


def check(result: pd.DataFrame, text: str) -> None:
    want = expected(text)
    pd.testing.assert_frame_equal(result[list(want.columns)], want, check_exact=False, rtol=1e-9)


def test_employer_teachers_per_cluster():
    # p2 counts once although they teach two programmes; p4's organisation is no participant;
    # p3 is employer staff but not part-time; c2's hours are all zero: no hours share, not 0 %.
    check(
        staffing.employer_teachers(TEACHERS, ORGANISATIONS),
        """
        cluster_id,year,teachers,employer_teachers,employer_teacher_share,hours,employer_hours,employer_hours_share
        c1,2024,2,1,0.5,140,40,0.2857142857142857
        c1,2025,5,2,0.4,240,80,0.3333333333333333
        c2,2025,1,0,0.0,0,0,
        """,
    )


def test_employer_teachers_per_programme():
    # p1 and p2 count once in each programme they teach.
    check(
        staffing.employer_teachers(TEACHERS, ORGANISATIONS, by_programme=True),
        """
        cluster_id,year,programme_code,teachers,employer_teachers,employer_teacher_share,hours,employer_hours,employer_hours_share
        c1,2024,38.02.01,2,1,0.5,140,40,0.2857142857142857
        c1,2025,38.02.01,3,1,0.3333333333333333,140,30,0.21428571428571427
        c1,2025,38.02.04,4,2,0.5,100,50,0.5
        c2,2025,40.02.02,1,0,0.0,0,0,
        """,
    )


def test_trained_employer_staff():
    # p2's 2024 training still counts in 2025; p3 (staff, not part-time) is trained employer
    # staff but no employer-teacher; p5 trains only in 2026. No employer-teachers: no share.
    check(
        staffing.trained_employer_staff(TEACHERS, ORGANISATIONS),
        """
        cluster_id,year,employer_staff,trained_employer_staff,employer_teachers,employer_teachers_trained,trained_share
        c1,2024,1,1,1,1,1.0
        c1,2025,3,2,2,1,0.5
        c2,2025,0,0,0,0,
        """,
    )


def test_trained_employer_staff_per_programme():
    check(
        staffing.trained_employer_staff(TEACHERS, ORGANISATIONS, by_programme=True),
        """
        cluster_id,year,programme_code,employer_staff,trained_employer_staff,employer_teachers,employer_teachers_trained,trained_share
        c1,2024,38.02.01,1,1,1,1,1.0
        c1,2025,38.02.01,1,1,1,1,1.0
        c1,2025,38.02.04,3,2,2,1,0.5
        c2,2025,40.02.02,0,0,0,0,
        """,
    )


def test_active_pairs_are_deduplicated_dated_and_checked():
    result = staffing.active_pairs(PAIRS, TEACHERS, ORGANISATIONS)
    want = pd.read_csv(
        StringIO(
            inspect.cleandoc("""
        cluster_id,year,programme_code,teacher_id,specialist_id,submitted,valid,reason
        c1,2024,38.02.01,p1,p2,2025,True,
        c1,2024,38.02.04,p1,p5,2025,True,
        c1,2025,38.02.01,p1,p2,2025,True,
        c1,2025,38.02.01,p1,s7,2025,False,specialist's organisation is a college
        c1,2025,38.02.01,p1,s8,2025,False,specialist's organisation is not a participant of the cluster
        c1,2025,38.02.04,p6,p3,2025,False,teacher not on a college's roster of the cluster for the year
        c4,2025,09.02.07,t1,s1,2025,False,no teacher roster for the year and specialist's organisation is not a participant of the cluster
        """)
        ),
        dtype=KEY_TYPES,
        keep_default_na=False,
    )
    pd.testing.assert_frame_equal(result[list(want.columns)], want, check_dtype=False)
    # The latest report of pair A states its end.
    assert result.loc[1 + 1, "end"] == pd.Timestamp("2025-06-30")


def test_active_pairs_without_start_or_with_end_before_start():
    pairs = read(
        """
        cluster_id,year,teacher_id,specialist_id,specialist_org_id,programme_code,start,end,format
        c1,2025,p1,p2,E1,38.02.01,,,online
        c1,2024,p1,p3,E2,38.02.01,2024-09-01,2024-03-01,online
        """,
        dates=("start", "end"),
    )
    result = staffing.active_pairs(pairs, TEACHERS, ORGANISATIONS)
    assert result[["year", "specialist_id", "valid", "reason"]].values.tolist() == [
        [2024, "p3", False, "end before start"],
        [2025, "p2", False, "no start date"],
    ]


def test_mentoring_pairs_per_cluster():
    # c1 2024: A and C are active and valid. 2025: C ended before the year; B, D, E are invalid.
    # c2 has a roster and no pairs: 0, not missing. c4 has pairs and no roster: only the
    # reported count is known.
    check(
        staffing.mentoring_pairs(PAIRS, TEACHERS, ORGANISATIONS),
        """
        cluster_id,year,pairs_reported,pairs,invalid_pairs,college_teachers,college_teachers_in_pairs,college_teachers_in_pairs_share,employer_teachers,employer_teachers_in_pairs,employer_teachers_in_pairs_share
        c1,2024,2,2,0,1,1,1.0,1,1,1.0
        c1,2025,4,1,3,1,1,1.0,2,1,0.5
        c2,2025,0,0,0,1,0,0.0,0,0,
        c4,2025,1,,,,,,,,
        """,
    )


def test_mentoring_pairs_per_programme():
    # In 2024 pair C names 38.02.04, where c1's roster has nobody: 0 teachers, no share.
    # p1 teaches 38.02.04 in 2025 and is in pair A (38.02.01): in a pair whatever the programme.
    check(
        staffing.mentoring_pairs(PAIRS, TEACHERS, ORGANISATIONS, by_programme=True),
        """
        cluster_id,year,programme_code,pairs_reported,pairs,invalid_pairs,college_teachers,college_teachers_in_pairs,college_teachers_in_pairs_share,employer_teachers,employer_teachers_in_pairs,employer_teachers_in_pairs_share
        c1,2024,38.02.01,1,1,0,1,1,1.0,1,1,1.0
        c1,2024,38.02.04,1,1,0,0,0,,0,0,
        c1,2025,38.02.01,3,1,2,1,1,1.0,1,1,1.0
        c1,2025,38.02.04,1,0,1,1,1,1.0,2,1,0.5
        c2,2025,40.02.02,0,0,0,1,0,0.0,0,0,
        c4,2025,09.02.07,1,,,,,,,,
        """,
    )


def test_staffing_metrics_change_against_previous_year():
    result = staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS)
    assert list(result.columns[2:]) == staffing.STAFFING_METRICS + [
        f"{c}_change" for c in staffing.CHANGE_METRICS
    ]
    check(
        result,
        """
        cluster_id,year,employer_teachers_change,employer_teacher_share_change,trained_share_change,pairs_change,employer_teachers_in_pairs_share_change
        c1,2024,,,,,
        c1,2025,1,-0.1,-0.5,-1,-0.5
        c2,2025,,,,,
        c4,2025,,,,,
        """,
    )


def test_staffing_metrics_both_matches_single_calls():
    per_cluster, per_programme = staffing.staffing_metrics_both(TEACHERS, ORGANISATIONS, PAIRS)
    pd.testing.assert_frame_equal(per_cluster, staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS))
    pd.testing.assert_frame_equal(
        per_programme, staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS, True)
    )


def test_no_roster_at_all_is_missing_not_zero():
    metrics = staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS)
    grid = pd.DataFrame({"cluster_id": ["c1", "c3"], "year": [2025, 2025]})
    check(
        staffing.on_grid(metrics, grid),
        """
        cluster_id,year,teachers,employer_teachers,employer_teacher_share,pairs,college_teachers_in_pairs_share
        c1,2025,5,2,0.4,1,1.0
        c3,2025,,,,,
        """,
    )


def test_empty_inputs_give_empty_tables():
    result = staffing.staffing_metrics(TEACHERS.iloc[:0], ORGANISATIONS, PAIRS.iloc[:0])
    assert result.empty
    assert list(result.columns[:2]) == ["cluster_id", "year"]


def test_missing_column_names_the_table():
    with pytest.raises(InputError, match=r"<teachers>.*missing columns \['hours'\]"):
        staffing.employer_teachers(TEACHERS.drop(columns="hours"), ORGANISATIONS)


def test_federal_staffing_with_and_without_mentor_data():
    metrics = staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS)
    enrolment = read("""
        cluster_id,year,programme_code,enrolled,with_employer_mentor
        c1,2025,38.02.01,25,10
        c1,2025,38.02.04,0,0
        c2,2025,40.02.02,30,
    """)
    check(
        staffing.federal_staffing(metrics, enrolment),
        """
        cluster_id,year,indicator,measure,value
        c1,2024,F4,employer_staff_part_time,1
        c1,2025,F4,employer_staff_part_time,2
        c1,2025,F5,students_with_employer_mentor,10
        c2,2025,F4,employer_staff_part_time,0
        """,
    )
    without = staffing.federal_staffing(metrics, enrolment.drop(columns="with_employer_mentor"))
    assert set(without["indicator"]) == {staffing.FEDERAL_CODES["employer_staff_part_time"]}
    with pytest.raises(ValueError, match="per cluster"):
        staffing.federal_staffing(staffing.staffing_metrics(TEACHERS, ORGANISATIONS, PAIRS, True))


def test_annotate_teachers_flags():
    rows = staffing.annotate_teachers(TEACHERS, ORGANISATIONS)
    flags = rows.loc[
        rows["cluster_id"].eq("c1") & rows["year"].eq(2025),
        ["person_id", "college", "employer", "employer_teacher", "trained"],
    ]
    assert flags.drop_duplicates().values.tolist() == [
        ["p1", True, False, False, False],
        ["p2", False, True, True, True],
        ["p3", False, True, False, True],
        ["p4", False, False, False, False],
        ["p5", False, True, True, False],
    ]
