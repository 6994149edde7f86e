"""great-expectations suites for the tables clusters report, run once per build.

This is the only module that imports great-expectations (it takes seconds to import): the
build validates every table once here, never inside a notebook. Each expectation carries, in
its ``meta``, the rule in Russian words, and the form column it concerns; a failing row becomes
a reject naming that rule, and every rule's outcome a row of the ``validation`` table. Results
are also published as great-expectations Data Docs.

Rows are identified by ``row_id``. Key columns the suites check membership of (``cell_key``,
``org_key`` …) are built by ``analysis.ingest.frames`` from the registry, the plans and the
participants, and handed in as value sets.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.ingest.plausibility import NAME_MAX_LENGTH, NAME_SHAPE, PLAN_PERIOD_START

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no usage statistics: the machine is offline

logger = logging.getLogger(__name__)

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}
# A value set larger than this is checked through a membership column (see Validator.validate).
LARGE_VALUE_SET = 500


@dataclass(frozen=True)
class Rule:
    """One expectation with the words a user reads when a row breaks it."""

    kind: str  # a great_expectations.expectations class name
    kwargs: dict
    rule: str
    column: str  # the internal column it concerns (its heading comes from the form)
    keep_first: bool = False  # uniqueness: the first of the duplicates is kept


def _after(column_a: str, column_b: str, rule: str, column: str) -> Rule:
    """``column_a`` ≥ ``column_b`` (dates), rows missing either skipped."""
    return Rule(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": column_a,
            "column_B": column_b,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        rule,
        column,
    )


def _name_rule(column: str) -> Rule:
    """A ФИО, checked through its shape (letters written «а»): words, characters and length."""
    return Rule(
        "ExpectColumnValuesToMatchRegex",
        {"column": f"{column}_shape", "regex": NAME_SHAPE},
        f"ФИО — от 2 до 5 слов из букв, дефисов, апострофов и точек, не длиннее {NAME_MAX_LENGTH} знаков",
        column,
    )


def _known_person(column: str) -> Rule:
    """The row's person can be told apart from a namesake (``analysis.ingest.people``)."""
    return Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": f"{column}_known", "value_set": [True]},
        "в листе «Преподаватели» двое с этим ФИО и разными СНИЛС: по этой строке не понять, кто из них — "
        "укажите СНИЛС (в паре — уточните ФИО в обоих листах)",
        column,
    )


def suites(values: dict[str, set[str]]) -> dict[str, list[Rule]]:
    """The suite of every table, given the known value sets (clusters, plan cells …)."""
    between0 = {"min_value": 0}
    period = f"{PLAN_PERIOD_START:%d.%m.%Y}"
    known_cluster = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "cluster_id", "value_set": values["clusters"]},
        "неизвестный код кластера: его нет в реестре",
        "cluster_id",
    )
    plan_year = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "year_key", "value_set": values["plan_years"]},
        "год не входит в годы плана кластера",
        "year",
    )
    known_programme = Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": "programme_key", "value_set": values["programmes"]},
        "неизвестный код программы: его нет среди программ плана кластера",
        "programme_code",
    )
    return {
        "facts": [
            known_cluster,
            plan_year,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "indicator_key", "value_set": values["indicators"]},
                "неизвестный код показателя для плана этого кластера",
                "indicator",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "cell_key", "value_set": values["cells"]},
                "у показателя нет строки плана для этой программы",
                "programme_code",
            ),
            Rule(
                "ExpectColumnValuesToBeBetween",
                {"column": "fact_value", **between0},
                "факт — число ≥ 0",
                "fact",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "fact_on_heading", "value_set": [False]},
                "у показателя нет своего плана, только по программам: укажите факт в строках программ",
                "fact",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "kind_pair", "value_set": values["kind_pairs"]},
                "в плане число: укажите число, а не да/нет",
                "fact",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "indicator", "programme_code"]},
                "эта ячейка плана уже указана в строке выше: оставьте одну строку",
                "indicator",
                True,
            ),
        ],
        "teachers": [
            known_cluster,
            plan_year,
            _name_rule("full_name"),
            _known_person("full_name"),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "org_key", "value_set": values["participants"]},
                "организация не участник кластера: исправьте название или добавьте её в "
                "data/raw/participants.csv",
                "organisation",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "employment", "value_set": ["staff", "part_time"]},
                "вид занятости — «штатный» или «совместитель»",
                "employment",
            ),
            known_programme,
            Rule(
                "ExpectColumnValuesToBeBetween",
                {"column": "hours", "min_value": 0, "max_value": 2000},
                "часов в году — от 0 до 2000",
                "hours",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "teaches", "value_set": [True]},
                "у работника организации-работодателя 0 часов: преподаватель от работодателя ведёт занятия — "
                "укажите его часы или удалите строку",
                "hours",
            ),
            _after(
                "training_completed",
                "period_start",
                f"дата обучения раньше начала периода плана ({period})",
                "training_completed",
            ),
            _after(
                "year_end", "training_completed", "дата обучения позже отчётного года", "training_completed"
            ),
            _after(
                "latest_date",
                "training_completed",
                "дата обучения позже даты представления формы (или даты сборки)",
                "training_completed",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "person_id", "programme_code"]},
                "этот человек уже указан для этой программы в строке выше: оставьте одну строку",
                "full_name",
                True,
            ),
        ],
        "pairs": [
            known_cluster,
            plan_year,
            _name_rule("teacher_name"),
            _name_rule("specialist_name"),
            _known_person("teacher_name"),
            _known_person("specialist_name"),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "two_people", "value_set": [True]},
                "преподаватель и специалист — один и тот же человек: пара — это два разных человека",
                "specialist_name",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "teacher_key", "value_set": values["college_teachers"]},
                "преподавателя нет среди преподавателей ПОО с принятой строкой на листе «Преподаватели» "
                "этой формы: сначала добавьте его туда (или исправьте его отклонённую строку)",
                "teacher_name",
            ),
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "specialist_org_key", "value_set": values["employers"]},
                "организация специалиста — не работодатель-участник кластера (пара — это преподаватель "
                "ПОО и специалист работодателя)",
                "specialist_organisation",
            ),
            known_programme,
            Rule(
                "ExpectColumnValuesToBeInSet",
                {"column": "format", "value_set": values["pair_formats"]},
                "формат — одно из: " + ", ".join(sorted(values["pair_formats"])),
                "format",
            ),
            _after(
                "start", "period_start", f"пара начинается раньше начала периода плана ({period})", "start"
            ),
            _after("year_end", "start", "пара начинается после отчётного года", "start"),
            _after(
                "latest_date",
                "start",
                "пара начинается позже даты представления формы (или даты сборки)",
                "start",
            ),
            _after("end", "year_start", "пара закончилась до отчётного года", "end"),
            _after("end", "start", "пара заканчивается раньше, чем начинается", "end"),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "teacher_id", "specialist_id", "programme_code"]},
                "эта пара уже указана в строке выше: оставьте одну строку",
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
                "принято обучающихся — от 0 до 5000",
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
                "обучающихся с наставником от работодателя не может быть больше принятых",
                "with_employer_mentor",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["cluster_id", "year", "programme_code"]},
                "эта программа уже указана в строке выше: оставьте одну строку",
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
    """An ephemeral great-expectations context holding the build's suites and results.

    A suite runs first for each rule's outcome only (``BOOLEAN_ONLY``: the rows breaking a rule
    are not listed); the rules it finds broken run again, alone, listing those rows. Most rules
    hold, and listing rows costs great-expectations about as much again as the outcome, however
    few rows there are. ``complete`` runs every rule in full detail once, for Data Docs.
    """

    def __init__(self, complete: bool = False) -> None:
        gx = _import_great_expectations()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        # This module of great-expectations pins its logger to INFO; let it follow the package's level.
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.NOTSET)
        self.gx = gx
        self.complete = complete
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.source = self.context.data_sources.add_pandas("submissions")

    def validate(self, table: str, frame: pd.DataFrame, rules: list[Rule]) -> list[Outcome]:
        """Run one table's suite over all its rows at once; the outcome of every rule, in order.

        great-expectations copies an expectation's arguments many times while it plans a run, so
        a value set of national size (20,000 plan cells) took seconds per rule. Such a set is
        checked as ``<column>_known`` — whether the value is in the set, worked out by pandas —
        expected to be ``True``; rows with no value pass, as they do in a set expectation.
        """
        frame = frame.copy(deep=False)
        checks = []
        for rule in rules:
            kwargs = rule.kwargs
            values = kwargs.get("value_set")
            if rule.kind == "ExpectColumnValuesToBeInSet" and len(values) > LARGE_VALUE_SET:
                known = f"{kwargs['column']}_known"
                column = frame[kwargs["column"]]
                frame[known] = column.isin(values) | column.isna()
                kwargs = {**kwargs, "column": known, "value_set": [True]}
            checks.append((rule, kwargs))
        if self.complete:
            detailed = dict(enumerate(self._run(table, frame, checks, RESULT_FORMAT)))
            results = [detailed[n] for n in range(len(checks))]
        else:
            results = self._run(table, frame, checks, {"result_format": "BOOLEAN_ONLY"})
            self._raise_any(table, rules, results)
            broken = [n for n, result in enumerate(results) if not result.success]
            again = self._run(f"{table}-rows", frame, [checks[n] for n in broken], RESULT_FORMAT)
            detailed = dict(zip(broken, again, strict=True))
        self._raise_any(table, [rules[n] for n in detailed], list(detailed.values()))
        outcomes = []
        for n, (rule, result) in enumerate(zip(rules, results, strict=True)):
            ids: list[int] = []
            if not result.success:
                listed = detailed[n].result.get("unexpected_index_list", [])
                ids = sorted(int(item["row_id"]) for item in listed)
                if rule.keep_first:
                    ids = _later_duplicates(frame, rule.kwargs["column_list"], set(ids))
            outcomes.append(Outcome(table, rule, len(frame), ids))
        return outcomes

    def _run(self, name: str, frame: pd.DataFrame, checks: list[tuple[Rule, dict]], result_format: dict):
        """One suite of ``checks`` (a rule and its expectation's arguments) over ``frame``: the
        result of each, in order."""
        if not checks:
            return []
        gx = self.gx
        suite = gx.ExpectationSuite(name=name)
        for rule, kwargs in checks:
            suite.add_expectation(getattr(gx.expectations, rule.kind)(**kwargs, meta={"rule": rule.rule}))
        suite = self.context.suites.add(suite)
        batch = self.source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("build")
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=name)
        )
        result = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format)
        return list(result.results)

    @staticmethod
    def _raise_any(table: str, rules: list[Rule], results: list) -> None:
        for rule, outcome in zip(rules, results, strict=True):
            if outcome.exception_info and outcome.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"great-expectations could not run {rule.kind} on {table}: "
                    f"{outcome.exception_info.get('exception_message')}"
                )

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


def _import_great_expectations():
    """great-expectations, imported without ``rfc3987_syntax``: jsonschema (through altair)
    compiles that package's IRI grammar at import — 1.2 s of the build's 3 s import — for an
    ``iri`` format check nothing here uses. jsonschema treats the package as optional; it is
    hidden only while great-expectations is imported."""
    hidden = "rfc3987_syntax" not in sys.modules
    if hidden:
        sys.modules["rfc3987_syntax"] = None  # an import of it raises ImportError
    try:
        import great_expectations
    finally:
        if hidden and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]
    return great_expectations


def _later_duplicates(frame: pd.DataFrame, columns: list[str], flagged: set[int]) -> list[int]:
    """Of rows flagged as duplicates, all but the first (lowest row_id) of each group."""
    rows = frame[frame["row_id"].isin(flagged)].sort_values("row_id")
    return sorted(rows.loc[rows.duplicated(columns, keep="first"), "row_id"].astype(int).tolist())
