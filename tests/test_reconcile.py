"""Reconciliation: reported facts and targets against roster and enrolment evidence."""

from __future__ import annotations

import inspect
from io import StringIO

import numpy as np
import pandas as pd

from analysis.metrics import reconcile
from analysis.sources.plan import TIDY_COLUMNS

TEXT = {"cluster_id": "str", "programme_code": "str", "indicator": "str", "measure": "str", "evidence": "str"}


def read(text: str, **types) -> pd.DataFrame:
    """A table written inline; empty cells are missing, except in text columns where they are ''."""
    frame = pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=TEXT | types)
    for column in ("programme_code", "evidence"):
        if column in frame.columns:
            frame[column] = frame[column].fillna("")
    return frame


def metrics(text: str) -> pd.DataFrame:
    frame = read(text)
    counts = [c for c in frame.columns if c not in ("cluster_id", "year", "programme_code")]
    return frame.astype(dict.fromkeys(counts, "Int64"))


PER_CLUSTER = metrics("""
    cluster_id,year,teachers,employer_teachers,employer_staff,trained_employer_staff,employer_teachers_trained,pairs,pairs_reported,invalid_pairs
    c1,2025,40,12,14,9,8,10,13,3
    c2,2025,,,,,,,2,
""")
PER_PROGRAMME = metrics("""
    cluster_id,year,programme_code,teachers,employer_teachers,employer_staff,trained_employer_staff,employer_teachers_trained,pairs,pairs_reported,invalid_pairs
    c1,2025,38.02.01,25,0,0,0,0,6,6,0
""")
ACTIVE = pd.DataFrame(
    {
        "cluster_id": ["c1"] * 4,
        "year": [2025] * 4,
        "programme_code": ["38.02.01", "38.02.04", "38.02.04", "38.02.04"],
        "valid": [True, False, False, False],
        "reason": ["", "specialist's organisation is a college", "specialist's organisation is a college",
                   "no start date"],
    }
)  # fmt: skip


def test_staffing_evidence_says_what_each_value_rests_on():
    federal = read("""
        cluster_id,year,indicator,measure,value
        c1,2025,F4,employer_staff_part_time,12
    """)
    evidence = reconcile.staffing_evidence(PER_CLUSTER, PER_PROGRAMME, federal, ACTIVE)
    expected = read("""
        cluster_id,year,indicator,programme_code,measure,roster_value,evidence
        c1,2025,1.5.1,,trained_employer_staff,9,9 of 14 employer staff on the roster trained by the end of the year (8 of 12 employer-teachers)
        c1,2025,1.5.1,38.02.01,trained_employer_staff,0,0 of 0 employer staff on the roster trained by the end of the year (0 of 0 employer-teachers)
        c1,2025,1.6.1,,employer_teachers,12,12 employer-teachers (part-time staff of employer participants) among 40 teachers on the roster
        c1,2025,1.6.1,38.02.01,employer_teachers,0,0 employer-teachers (part-time staff of employer participants) among 25 teachers on the roster
        c1,2025,1.6.2,,pairs,10,"10 valid mentoring pairs active in the year; 3 more reported but invalid (no start date ×1, specialist's organisation is a college ×2)"
        c1,2025,1.6.2,38.02.01,pairs,6,6 valid mentoring pairs active in the year
        c1,2025,F4,,employer_staff_part_time,12,12 employer-teachers (part-time staff of employer participants) on the roster
        c2,2025,1.5.1,,trained_employer_staff,,no teacher roster for the year
        c2,2025,1.6.1,,employer_teachers,,no teacher roster for the year
        c2,2025,1.6.2,,pairs,,no teacher roster for the year; 2 reported active pairs cannot be checked
    """)
    pd.testing.assert_frame_equal(evidence, expected, check_dtype=False)


def test_enrolment_evidence_counts_programmes_with_students():
    enrolment = read("""
        cluster_id,year,programme_code,enrolled
        c1,2025,38.02.04,0
        c1,2025,38.02.01,25
        c1,2025,40.02.02,3
        c2,2025,38.02.01,0
    """)
    expected = read("""
        cluster_id,year,indicator,programme_code,measure,roster_value,evidence
        c1,2025,1.1.4,,programmes_launched,2,"students enrolled in 2 programmes (38.02.01, 40.02.02); none in 38.02.04"
        c1,2025,1.1.4,38.02.01,programmes_launched,1,25 students enrolled in the year
        c1,2025,1.1.4,38.02.04,programmes_launched,0,0 students enrolled in the year
        c1,2025,1.1.4,40.02.02,programmes_launched,1,3 students enrolled in the year
        c2,2025,1.1.4,,programmes_launched,0,students enrolled in 0 programmes; none in 38.02.01
        c2,2025,1.1.4,38.02.01,programmes_launched,0,0 students enrolled in the year
    """)
    pd.testing.assert_frame_equal(reconcile.enrolment_evidence(enrolment), expected, check_dtype=False)


EVIDENCE = read("""
    cluster_id,year,indicator,programme_code,measure,roster_value,evidence
    c1,2025,1.1.4,,programmes_launched,2,two programmes
    c1,2025,1.5.1,,trained_employer_staff,9,nine trained
    c1,2025,1.6.1,,employer_teachers,12,twelve
    c1,2025,1.6.1,38.02.01,employer_teachers,0,none
    c1,2025,1.6.2,,pairs,10,ten pairs
    c1,2025,1.6.2,38.02.01,pairs,6,six pairs
    c2,2025,1.6.1,,employer_teachers,,no teacher roster for the year
    c2,2025,1.6.2,,pairs,0,no pairs
    c3,2025,1.6.1,,employer_teachers,4,four
""")


def test_each_reported_fact_against_the_evidence():
    facts = read("""
        cluster_id,year,indicator,programme_code,fact_kind,fact_value
        c1,2025,1.1.4,,number,3
        c1,2025,1.5.1,,number,9
        c1,2025,1.6.1,,number,10
        c1,2025,1.6.1,38.02.01,yes,1
        c1,2025,1.6.2,,yes,1
        c1,2025,1.6.2,38.02.01,no,0
        c1,2025,3.1.1,,number,1
        c2,2025,1.6.1,,yes,1
        c2,2025,1.6.2,,no,0
        c2,2025,1.6.2,40.02.02,number,2
    """)
    result = reconcile.reconcile_facts(facts, EVIDENCE)
    assert list(result.columns) == reconcile.FACT_CHECK_COLUMNS
    expected = read(
        """
        cluster_id,year,indicator,programme_code,fact_kind,fact_value,roster_value,difference,status,finding,note
        c1,2025,1.1.4,,number,3,2,1,fact_above_roster,True,"reported 3, the data support 2 (1 unsupported)"
        c1,2025,1.5.1,,number,9,9,0,agrees,False,reported 9; the data support it
        c1,2025,1.6.1,,number,10,12,-2,fact_below_roster,True,"reported 10, the data show 12 (2 more than reported)"
        c1,2025,1.6.1,38.02.01,yes,1,0,,yes_without_evidence,True,"reported yes, the data show none"
        c1,2025,1.6.2,,yes,1,10,,agrees,False,reported yes; the data support it
        c1,2025,1.6.2,38.02.01,no,0,6,,no_contradicted,True,"reported no, the data show 6"
        c2,2025,1.6.1,,yes,1,,,no_roster,True,reported yes; no data to check it against
        c2,2025,1.6.2,,no,0,0,,agrees,False,reported no; the data support it
        c2,2025,1.6.2,40.02.02,number,2,,,no_roster,True,reported 2; no data to check it against
        """,
        finding="bool",
    )
    pd.testing.assert_frame_equal(result[list(expected.columns)], expected, check_dtype=False)
    assert result.loc[0, "evidence"] == "two programmes"
    assert result.loc[8, "evidence"] == "no data for the year"


def plan_rows(text: str) -> pd.DataFrame:
    """Tidy plan rows from the cells that matter here; the rest of the model filled in."""
    frame = read(text, target_raw="str")
    frame["target_raw"] = frame["target_raw"].fillna("")
    for column in TIDY_COLUMNS:
        if column not in frame.columns:
            frame[column] = 0 if column == "order" else ""
    return frame[TIDY_COLUMNS]


def test_planned_cells_nobody_reported():
    plan = plan_rows("""
        cluster_id,family,indicator,programme_code,year,target_raw,target_kind,target_value
        c1,plan,1.6.1,,2025,10,count,10
        c1,plan,1.6.2,,2025,да,yes,
        c2,plan,1.6.2,,2025,да,yes,
        c2,plan,1.6.1,,2025,5,count,5
        c3,plan,1.6.1,,2025,-,none,
    """)
    facts = read("""
        cluster_id,year,indicator,programme_code,fact_kind,fact_value
        c1,2025,1.6.1,,number,12
    """)
    result = reconcile.reconcile_facts(facts, EVIDENCE, plan)
    expected = read(
        """
        cluster_id,year,indicator,programme_code,target_kind,target_value,fact_kind,roster_value,status,finding,note
        c1,2025,1.6.1,,count,10,number,12,agrees,False,reported 12; the data support it
        c1,2025,1.6.2,,yes,,,10,unreported_with_evidence,True,"target да, nothing reported, the data show 10"
        c2,2025,1.6.1,,count,5,,,no_data,False,"target 5, nothing reported and no data"
        c2,2025,1.6.2,,yes,,,0,unreported_no_evidence,False,"target да, nothing reported, the data show none"
        """,
        finding="bool",
    )
    pd.testing.assert_frame_equal(result[list(expected.columns)], expected, check_dtype=False)


def test_federal_targets_against_the_evidence():
    plan = plan_rows("""
        cluster_id,family,indicator,programme_code,year,target_raw,target_kind,target_value
        c1,federal,F4,,2025,10,count,10
        c1,federal,F5,,2025,100,count,100
        c2,federal,F4,,2025,3,count,3
        c3,federal,F4,,2025,8,count,8
        c1,plan,1.6.1,,2025,20,count,20
    """)
    evidence = read("""
        cluster_id,year,indicator,programme_code,measure,roster_value,evidence
        c1,2025,F4,,employer_staff_part_time,12,twelve
        c1,2025,F5,,students_with_employer_mentor,80,eighty
        c1,2025,1.6.1,,employer_teachers,12,twelve
        c3,2025,F4,,employer_staff_part_time,8,eight
    """)
    result = reconcile.reconcile_targets(plan, evidence)
    assert list(result.columns) == reconcile.TARGET_CHECK_COLUMNS
    expected = read(
        """
        cluster_id,year,indicator,measure,target_value,roster_value,ratio,status,finding,evidence
        c1,2025,F4,employer_staff_part_time,10,12,1.2,roster_meets_target,False,twelve
        c1,2025,F5,students_with_employer_mentor,100,80,0.8,roster_below_target,True,eighty
        c2,2025,F4,employer_staff_part_time,3,,,no_roster,True,no data for the year
        c3,2025,F4,employer_staff_part_time,8,8,1.0,roster_meets_target,False,eight
        """,
        finding="bool",
    )
    pd.testing.assert_frame_equal(result[list(expected.columns)], expected, check_dtype=False)


def test_no_federal_rows_give_an_empty_federal_reconciliation():
    plan = plan_rows("""
        cluster_id,family,indicator,programme_code,year,target_raw,target_kind,target_value
        c1,plan,1.6.1,,2025,20,count,20
    """)
    result = reconcile.reconcile_targets(plan, EVIDENCE)
    assert result.empty
    assert list(result.columns) == reconcile.TARGET_CHECK_COLUMNS
    assert reconcile.reconcile_targets(plan, EVIDENCE, family=None)["status"].tolist() == [
        "roster_below_target"
    ]


def test_empty_evidence_and_facts():
    empty = reconcile.staffing_evidence(PER_CLUSTER.iloc[:0])
    assert empty.empty and list(empty.columns) == reconcile.EVIDENCE_COLUMNS
    facts = pd.DataFrame(
        columns=["cluster_id", "year", "indicator", "programme_code", "fact_kind", "fact_value"]
    )
    result = reconcile.reconcile_facts(facts.astype({"year": "int64", "fact_value": "float64"}), EVIDENCE)
    assert result.empty and list(result.columns) == reconcile.FACT_CHECK_COLUMNS
    assert np.isnan(reconcile.staffing_evidence(PER_CLUSTER)["roster_value"].iloc[-1])
