"""Typed frames of the parsed rows: pseudonymous ids instead of names, and the key columns
and value sets the great-expectations suites check."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.ingest.parse import Rows
from analysis.ingest.people import AMBIGUOUS, People, identify
from analysis.ingest.plausibility import PLAN_PERIOD_START, latest_date, name_shape
from analysis.sources import forms
from analysis.sources.plan import FAMILY_PLAN


def _frame(rows: Rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows.parsed)
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return frame


def prepare_tables(
    parts: dict[str, Rows], plan: pd.DataFrame, key: bytes, as_of: date, people: People | None = None
) -> dict[str, pd.DataFrame]:
    """Typed frames with pseudonymous ids and the key columns the suites check: a name only as
    its shape (``*_shape``), whether the row's person can be told (``*_known``: not one of two
    namesakes, ``analysis.ingest.people``), the reporting year's bounds, the plan period's start
    and the last day a date of the row may name (``latest_date``: its submission date, never
    after ``as_of``). ``people`` are the ids of the rows (worked out here when not given)."""
    if people is None:
        people = identify(parts["teachers"].parsed, parts["pairs"].parsed, key)

    def ids(frame: pd.DataFrame, column: str) -> list[str]:
        return [people.ids[(row_id, column)] for row_id in frame["row_id"]]

    plan = plan[plan["family"] == FAMILY_PLAN]
    targets = dict(
        zip(
            plan["cluster_id"]
            + "|"
            + plan["year"].astype(str)
            + "|"
            + plan["indicator"]
            + "|"
            + plan["programme_code"],
            plan["target_kind"],
            strict=True,
        )
    )

    def year_bounds(frame: pd.DataFrame) -> pd.DataFrame:
        frame["year_start"] = pd.to_datetime(frame["year"].astype(str) + "-01-01")
        frame["year_end"] = pd.to_datetime(frame["year"].astype(str) + "-12-31")
        frame["period_start"] = pd.Timestamp(PLAN_PERIOD_START)
        frame["latest_date"] = pd.to_datetime(
            [latest_date(d if not pd.isna(d) else None, as_of) for d in frame["submitted_on"]]
        )
        return frame

    facts = _frame(parts["facts"], ["cluster_id", "year", "indicator", "programme_code", "fact"])
    if not facts.empty:
        facts["programme_code"] = facts["programme_code"].fillna("")
        facts["fact_kind"] = [k for k, _ in facts["fact"]]
        facts["fact_value"] = [v for _, v in facts["fact"]]
        facts = facts.drop(columns="fact")
        year = facts["year"].astype(str)
        facts["year_key"] = facts["cluster_id"] + "|" + year
        facts["indicator_key"] = facts["cluster_id"] + "|" + facts["indicator"]
        facts["cell_key"] = (
            facts["cluster_id"] + "|" + year + "|" + facts["indicator"] + "|" + facts["programme_code"]
        )
        facts["kind_pair"] = [
            f"{targets.get(k, 'unknown')}:{f}"
            for k, f in zip(facts["cell_key"], facts["fact_kind"], strict=True)
        ]

    teachers = _frame(
        parts["teachers"], ["cluster_id", "year", "full_name", "organisation", "programme_code"]
    )
    if not teachers.empty:
        teachers["full_name_shape"] = [name_shape(n) for n in teachers["full_name"]]
        teachers["person_id"] = ids(teachers, "full_name")
        teachers["full_name_known"] = teachers["person_id"] != AMBIGUOUS
        teachers = teachers.drop(columns="full_name")
        teachers = teachers.drop(columns="snils")
        teachers["org_id"] = teachers.pop("organisation")
        teachers["org_key"] = teachers["cluster_id"] + "|" + teachers["org_id"]
        teachers["year_key"] = teachers["cluster_id"] + "|" + teachers["year"].astype(str)
        teachers["programme_key"] = teachers["cluster_id"] + "|" + teachers["programme_code"]
        teachers["training_completed"] = pd.to_datetime(teachers["training_completed"])
        teachers = year_bounds(teachers)

    pairs = _frame(
        parts["pairs"],
        [
            "cluster_id",
            "year",
            "teacher_name",
            "specialist_name",
            "specialist_organisation",
            "programme_code",
        ],
    )
    if not pairs.empty:
        pairs["teacher_name_shape"] = [name_shape(n) for n in pairs["teacher_name"]]
        pairs["specialist_name_shape"] = [name_shape(n) for n in pairs["specialist_name"]]
        pairs["teacher_id"] = ids(pairs, "teacher_name")
        pairs["specialist_id"] = ids(pairs, "specialist_name")
        pairs["teacher_name_known"] = pairs["teacher_id"] != AMBIGUOUS
        pairs["specialist_name_known"] = pairs["specialist_id"] != AMBIGUOUS
        pairs = pairs.drop(columns=["teacher_name", "specialist_name"])
        pairs["specialist_org_id"] = pairs.pop("specialist_organisation")
        # a pair is two people: one whose two names are one person is no pair
        pairs["two_people"] = (pairs["teacher_id"] != pairs["specialist_id"]) | (
            pairs["teacher_id"] == AMBIGUOUS
        )
        pairs["teacher_key"] = (
            pairs["cluster_id"] + "|" + pairs["year"].astype(str) + "|" + pairs["teacher_id"]
        )
        pairs["specialist_org_key"] = pairs["cluster_id"] + "|" + pairs["specialist_org_id"]
        pairs["year_key"] = pairs["cluster_id"] + "|" + pairs["year"].astype(str)
        pairs["programme_key"] = pairs["cluster_id"] + "|" + pairs["programme_code"]
        pairs["start"] = pd.to_datetime(pairs["start"])
        pairs["end"] = pd.to_datetime(pairs["end"])
        pairs = year_bounds(pairs)

    enrolment = _frame(parts["enrolment"], ["cluster_id", "year", "programme_code", "enrolled"])
    if not enrolment.empty:
        enrolment["programme_key"] = enrolment["cluster_id"] + "|" + enrolment["programme_code"]
        enrolment["year_key"] = enrolment["cluster_id"] + "|" + enrolment["year"].astype(str)
        enrolment["with_employer_mentor"] = pd.array(enrolment["with_employer_mentor"], dtype="Int64")
        enrolment["enrolled"] = pd.array(enrolment["enrolled"], dtype="Int64")
    return {"facts": facts, "teachers": teachers, "pairs": pairs, "enrolment": enrolment}


def value_sets(
    registry: pd.DataFrame, plan: pd.DataFrame, organisations: pd.DataFrame, teachers: pd.DataFrame
) -> dict[str, set[str]]:
    plan = plan[plan["family"] == FAMILY_PLAN]
    cluster = plan["cluster_id"]
    programmes = plan[plan["programme_code"] != ""]
    college = set(
        organisations.loc[organisations["org_type"] == "college", "cluster_id"]
        + "|"
        + organisations.loc[organisations["org_type"] == "college", "org_id"]
    )
    employers = organisations[organisations["org_type"] == "employer"]
    college_teachers = set()
    if not teachers.empty:
        is_college = (teachers["cluster_id"] + "|" + teachers["org_id"]).isin(college)
        chosen = teachers[is_college]
        college_teachers = set(
            chosen["cluster_id"] + "|" + chosen["year"].astype(str) + "|" + chosen["person_id"]
        )
    kind_pairs = {f"{t}:{f}" for t in ("none", "yes", "unknown") for f in ("number", "yes", "no", "none")}
    # An indicator's own cell with no target while it has programme rows is a heading: the plan
    # sets its targets per programme, so a fact there has nothing to be measured against.
    own = plan[plan["programme_code"] == ""]
    with_rows = set(programmes["cluster_id"] + "|" + programmes["indicator"])
    heading_cells = own[
        (own["target_raw"].fillna("").str.strip() == "")
        & (own["cluster_id"] + "|" + own["indicator"]).isin(with_rows)
    ]
    return {
        "clusters": set(registry["cluster_id"]),
        "plan_years": set(cluster + "|" + plan["year"].astype(str)),
        "indicators": set(cluster + "|" + plan["indicator"]),
        "cells": set(
            cluster + "|" + plan["year"].astype(str) + "|" + plan["indicator"] + "|" + plan["programme_code"]
        ),
        "programmes": set(programmes["cluster_id"] + "|" + programmes["programme_code"]),
        "participants": set(organisations["cluster_id"] + "|" + organisations["org_id"]),
        "employers": set(employers["cluster_id"] + "|" + employers["org_id"]),
        "college_teachers": college_teachers,
        "kind_pairs": kind_pairs | {"count:number", "count:none"},
        "heading_cells": set(
            heading_cells["cluster_id"]
            + "|"
            + heading_cells["year"].astype(str)
            + "|"
            + heading_cells["indicator"]
            + "|"
        ),
        "pair_formats": set(forms.PAIR_FORMATS),
    }
