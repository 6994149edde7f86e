"""great-expectations suites for the tables clusters report, run once per build.

This is the only module that imports great-expectations (it takes seconds to import): the
build validates every table once here, never inside a notebook. Each expectation carries, in
its ``meta``, the rule in words and the form column it concerns; a failing row becomes a
reject naming that rule. Results are published as great-expectations Data Docs.

Rows are identified by ``row_id``. Key columns the suites check membership of (``cell_key``,
``org_key`` …) are built by ``analysis.ingest.frames`` from the registry, the plans and the
participants, and handed in as value sets.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no usage statistics: the machine is offline

logger = logging.getLogger(__name__)

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}


@dataclass(frozen=True)
class Rule:
    """One expectation with the words a user reads when a row breaks it."""

    kind: str  # a great_expectations.expectations class name
    kwargs: dict
    rule: str
    column: str  # the internal column it concerns (its heading comes from the form)
    keep_first: bool = False  # uniqueness: the first of the duplicates is kept


def suites(values: dict[str, set[str]]) -> dict[str, list[Rule]]:
    """The suite of every table, given the known value sets (clusters, plan cells …)."""
    between0 = {"min_value": 0}
    known_cluster = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "cluster_id", "value_set": values["clusters"]},
        "unknown cluster id: it is not in the registry",
        "cluster_id",
    )
    plan_year = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "year_key", "value_set": values["plan_years"]},
        "the year is not one of the cluster's plan years",
        "year",
    )
    known_programme = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "programme_key", "value_set": values["programmes"]},
        "unknown programme code: not among the cluster's plan programmes",
        "programme_code",
    )
    return {
        "facts": [
            known_cluster,
            plan_year,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "indicator_key", "value_set": values["indicators"]},
                "unknown indicator code for this cluster's plan",
                "indicator",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "cell_key", "value_set": values["cells"]},
                "the indicator has no plan row for this programme",
                "programme_code",
            ),
            Rule(
                "ExpectColumnValuesToBeBetween",
                {"column": "fact_value", **between0},
                "a fact is a number ≥ 0",
                "fact",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "kind_pair", "value_set": values["kind_pairs"]},
                "the plan target is a number: report a number, not да/нет",
                "fact",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "indicator", "programme_code"]},
                "this plan cell is already reported in an earlier row: keep one row",
                "indicator",
                True,
            ),
        ],
        "teachers": [
            known_cluster,
            plan_year,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "org_key", "value_set": values["participants"]},
                "the organisation is not a participant of the cluster: fix the name or add it to "
                "data/raw/participants.csv",
                "organisation",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "employment", "value_set": ["staff", "part_time"]},
                "employment type is штатный or совместитель",
                "employment",
            ),
            known_programme,
            Rule(
                "ExpectColumnValuesToBeBetween",
                {"column": "hours", "min_value": 0, "max_value": 2000},
                "teaching hours in a year are between 0 and 2000",
                "hours",
            ),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "year_end",
                    "column_B": "training_completed",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "the training date is after the reporting year",
                "training_completed",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "person_id", "programme_code"]},
                "this person is already listed for this programme in an earlier row: keep one row",
                "full_name",
                True,
            ),
        ],
        "pairs": [
            known_cluster,
            plan_year,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "teacher_key", "value_set": values["college_teachers"]},
                "the teacher is not a college teacher with an accepted row on the «Преподаватели» sheet of "
                "this submission: add them there (or fix their rejected row) first",
                "teacher_name",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "specialist_org_key", "value_set": values["employers"]},
                "the specialist's organisation is not an employer participant of the cluster (a pair is a "
                "college teacher and an employer's specialist)",
                "specialist_organisation",
            ),
            known_programme,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "format", "value_set": values["pair_formats"]},
                "the format is one of: " + ", ".join(sorted(values["pair_formats"])),
                "format",
            ),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "year_end",
                    "column_B": "start",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "the pair starts after the reporting year",
                "start",
            ),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "end",
                    "column_B": "year_start",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "the pair ended before the reporting year",
                "end",
            ),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "end",
                    "column_B": "start",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "the pair ends before it starts",
                "end",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "teacher_id", "specialist_id", "programme_code"]},
                "this pair is already listed in an earlier row: keep one row",
                "teacher_name",
                True,
            ),
        ],
        "enrolment": [
            known_cluster,
            plan_year,
            known_programme,
            Rule(
                "ExpectColumnValuesToBeBetween",
                {"column": "enrolled", "min_value": 0, "max_value": 5000},
                "students enrolled are between 0 and 5000",
                "enrolled",
            ),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "enrolled",
                    "column_B": "with_employer_mentor",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "students with an employer mentor cannot outnumber those enrolled",
                "with_employer_mentor",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "programme_code"]},
                "this programme is already listed in an earlier row: keep one row",
                "programme_code",
                True,
            ),
        ],
    }


@dataclass
class Outcome:
    """One rule of one table's suite as the run found it: the rows it checked and those that
    broke it (for a uniqueness rule, the later duplicates only — the first is kept)."""

    table: str
    rule: Rule
    rows_checked: int
    row_ids: list[int]

    @property
    def success(self) -> bool:
        return not self.row_ids


class Validator:
    """An ephemeral great-expectations context holding the build's suites and results."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("submissions")

    def validate(self, table: str, frame: pd.DataFrame, rules: list[Rule]) -> list[Outcome]:
        """Run one table's suite over all its rows at once; the outcome of every rule, in order."""
        gx = self.gx
        suite = gx.ExpectationSuite(name=table)
        for rule in rules:
            expectation = getattr(gx.expectations, rule.kind)(**rule.kwargs, meta={"rule": rule.rule})
            suite.add_expectation(expectation)
        suite = self.context.suites.add(suite)
        batch = self.source.add_dataframe_asset(name=table).add_batch_definition_whole_dataframe("build")
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=table)
        )
        result = definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
        outcomes = []
        for rule, outcome in zip(rules, result.results, strict=True):
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"great-expectations could not run {rule.kind} on {table}: "
                    f"{outcome.exception_info.get('exception_message')}"
                )
            ids: list[int] = []
            if not outcome.success:
                ids = sorted(int(item["row_id"]) for item in outcome.result.get("unexpected_index_list", []))
                if rule.keep_first:
                    ids = _later_duplicates(frame, rule.kwargs["column_list"], set(ids))
            outcomes.append(Outcome(table, rule, len(frame), ids))
        return outcomes

    def publish(self, folder: Path) -> Path:
        """Write Data Docs of this build's suites and results into ``folder``; return its index."""
        shutil.rmtree(folder, ignore_errors=True)
        self.context.add_data_docs_site(
            site_name="build",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(folder.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self.context.build_data_docs(site_names=["build"])
        return folder / "index.html"


def _later_duplicates(frame: pd.DataFrame, columns: list[str], flagged: set[int]) -> list[int]:
    """Of rows flagged as duplicates, all but the first (lowest row_id) of each group."""
    rows = frame[frame["row_id"].isin(flagged)].sort_values("row_id")
    return sorted(rows.loc[rows.duplicated(columns, keep="first"), "row_id"].astype(int).tolist())
