"""Invariants of the staffing metrics on random small rosters (hypothesis).

Shares stay within [0, 1]; no count exceeds what the roster can hold; the result does not
depend on the order of the input rows; and the vectorised metrics equal the plain per-cluster
loop of ``bench.baseline_staffing_metrics``, an independent implementation of the same rules.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import tables
from analysis.bench.staffing import baseline_staffing_metrics
from analysis.metrics import staffing

NaT = pd.NaT
CLUSTERS = ["a", "b"]
PEOPLE = ["p0", "p1", "p2", "p3", "p4"]
ORGS = ["K1", "E1", "E2", "X"]
PROGRAMMES = ["01.01.01", "02.02.02"]
DATES = [NaT, pd.Timestamp("2023-05-01"), pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"),
         pd.Timestamp("2025-06-30")]  # fmt: skip

teacher_rows = st.lists(
    st.tuples(
        st.sampled_from(CLUSTERS),
        st.sampled_from([2024, 2025]),
        st.sampled_from(PEOPLE),
        st.sampled_from(ORGS),
        st.sampled_from(["staff", "part_time"]),
        st.sampled_from(PROGRAMMES),
        st.sampled_from([0.0, 12.5, 40.0, np.nan]),
        st.sampled_from(DATES),
    ),
    max_size=25,
)
pair_rows = st.lists(
    st.tuples(
        st.sampled_from(CLUSTERS),
        st.sampled_from([2024, 2025]),
        st.sampled_from(PEOPLE),
        st.sampled_from([*PEOPLE, "s9"]),
        st.sampled_from(ORGS),
        st.sampled_from(PROGRAMMES),
        st.sampled_from(DATES),
        st.sampled_from(DATES),
        st.sampled_from(["online", "mixed"]),
    ),
    max_size=12,
)
org_rows = st.lists(
    st.tuples(st.sampled_from(CLUSTERS), st.sampled_from(ORGS[:3]), st.sampled_from(["college", "employer"])),
    max_size=8,
)


def frames(teachers, pairs, orgs) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    teacher_frame = pd.DataFrame(teachers, columns=tables.TEACHER_COLUMNS)
    teacher_frame = teacher_frame.astype({"year": "int64", "hours": "float64"})
    teacher_frame["training_completed"] = pd.to_datetime(teacher_frame["training_completed"])
    pair_frame = pd.DataFrame(pairs, columns=tables.PAIR_COLUMNS).astype({"year": "int64"})
    pair_frame["start"] = pd.to_datetime(pair_frame["start"])
    pair_frame["end"] = pd.to_datetime(pair_frame["end"])
    org_frame = pd.DataFrame([(c, o, o, t) for c, o, t in orgs], columns=tables.ORGANISATION_COLUMNS)
    return teacher_frame, pair_frame, org_frame


SETTINGS = settings(max_examples=20, deadline=None, database=None)


@SETTINGS
@given(teacher_rows, pair_rows, org_rows)
def test_shares_are_fractions_and_counts_fit_the_roster(teachers, pairs, orgs):
    teacher_frame, pair_frame, org_frame = frames(teachers, pairs, orgs)
    both = staffing.staffing_metrics_both(teacher_frame, org_frame, pair_frame)
    for result, keys in zip(both, (staffing.KEYS, staffing.PROGRAMME_KEYS), strict=True):
        for column in result.columns:
            if column.endswith("share"):
                values = result[column].dropna()
                assert ((values >= 0) & (values <= 1)).all(), column
        roster_rows = teacher_frame.groupby(keys).size().rename("roster_rows")
        pair_counts = pair_frame.groupby("cluster_id").size().rename("pair_rows")
        joined = result.join(roster_rows, on=keys).join(pair_counts, on="cluster_id")
        known = joined["teachers"].notna()
        filled = joined.fillna({"roster_rows": 0, "pair_rows": 0})
        chains = [
            ["roster_rows", "teachers", "employer_staff", "trained_employer_staff"],
            ["teachers", "employer_staff", "employer_teachers", "employer_teachers_trained"],
            ["teachers", "college_teachers", "college_teachers_in_pairs"],
            ["employer_teachers", "employer_teachers_in_pairs"],
            ["pair_rows", "pairs_reported", "pairs"],
        ]
        for chain in chains:
            for bigger, smaller in itertools.pairwise(chain):
                rows = known if smaller != "pairs_reported" else slice(None)
                assert (filled.loc[rows, bigger] >= filled.loc[rows, smaller]).all(), (bigger, smaller)


@settings(max_examples=12, deadline=None, database=None)
@given(teacher_rows, pair_rows, org_rows, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(teachers, pairs, orgs, random):
    teacher_frame, pair_frame, org_frame = frames(teachers, pairs, orgs)
    shuffled = [random.sample(rows, len(rows)) for rows in (teachers, pairs, orgs)]
    other = frames(*shuffled)
    first = staffing.staffing_metrics_both(teacher_frame, org_frame, pair_frame)
    second = staffing.staffing_metrics_both(other[0], other[2], other[1])
    for left, right in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(left, right)
    pd.testing.assert_frame_equal(
        staffing.active_pairs(pair_frame, teacher_frame, org_frame).drop(columns=["format"]),
        staffing.active_pairs(other[1], other[0], other[2]).drop(columns=["format"]),
    )


@SETTINGS
@given(teacher_rows, pair_rows, org_rows)
def test_vectorised_metrics_equal_the_loop_baseline(teachers, pairs, orgs):
    teacher_frame, pair_frame, org_frame = frames(teachers, pairs, orgs)
    fast = staffing.staffing_metrics_both(teacher_frame, org_frame, pair_frame)
    slow = baseline_staffing_metrics(teacher_frame, org_frame, pair_frame)
    for got, want in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
