"""The ingest run: every submission and facts file → tidy tables, or rejects that say why.

A short sequence of steps: read every input file (``ingest.read``), clean every cell into typed
rows or rejects (``ingest.parse``), build typed frames with pseudonymous ids (``ingest.frames``,
``ingest.pseudonym``), validate each whole table once with great-expectations
(``ingest.validation``) and assemble the outputs (``ingest.output``). Every row read ends up
either in a tidy table or in ``rejects`` with its file, sheet, row, column, value and rule —
rows read = accepted + rejected, per file. A file that cannot be read at all is listed in
``submissions`` with the reason and skipped. Personal data never reaches a table: names and
СНИЛС are dropped after pseudonymisation and masked in rejects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.errors import Location
from analysis.ingest.frames import prepare_tables, value_sets
from analysis.ingest.output import (
    ENROLMENT_OUTPUT_COLUMNS,
    REJECT_COLUMNS,
    facts_output,
    output_frame,
    submission_log,
    validation_table,
    warning_frame,
)
from analysis.ingest.parse import DROPPED, OPTIONAL_VALUES, Rows, heading, shown
from analysis.ingest.people import People, identify
from analysis.ingest.plausibility import dates_against_as_of
from analysis.ingest.read import file_warnings, load_organisations, read_inputs
from analysis.ingest.workers import Reading
from analysis.sources.place import problem_line
from analysis.sources.plan import FAMILY_PLAN
from analysis.sources.xlsx import LIMITS, Limits
from analysis.tables import PAIR_COLUMNS, TEACHER_COLUMNS

logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """The tidy tables, the rejects and the per-file log of one ingestion."""

    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    submissions: pd.DataFrame
    validation: pd.DataFrame = field(default_factory=lambda: validation_table([]))
    # Optional values left out of accepted rows (an invalid СНИЛС), in the rejects' columns.
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    # What was read but deserves a look (namesakes, a submission date after the deadline …).
    warnings: pd.DataFrame = field(default_factory=lambda: warning_frame([]))
    # The input dates the as-of date was compared with (``plausibility.dates_against_as_of``).
    input_dates: list[str] = field(default_factory=list)

    def reject_lines(self) -> list[str]:
        return row_lines(self.rejects)

    def dropped_lines(self) -> list[str]:
        return row_lines(self.dropped)


def row_lines(frame: pd.DataFrame) -> list[str]:
    """One line per row of a rejects-like frame: file, лист, строка, столбец: rule (значение «…»)."""
    return [
        problem_line(
            Location(file=r.source_file, sheet=r.sheet or None, row=int(r.source_row), column=r.column),
            r.rule,
            value=r.value,
        )
        for r in frame.itertuples(index=False)
    ]


def _prepare_each_file(
    parts: dict[str, Rows], plan: pd.DataFrame, key: bytes, as_of: date, people: People
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """``prepare_tables`` of every row; should it fail (a bug meeting a value nobody foresaw),
    each file is tried alone, and the rows of a file it fails on are rejected with a line naming
    that file, so no file stops the others."""
    try:
        return prepare_tables(parts, plan, key, as_of, people), []
    except Exception:  # isolated below, file by file
        logger.debug("preparing the tables failed; trying file by file", exc_info=True)
    files = sorted({r["source_file"] for rows in parts.values() for r in rows.parsed})
    good, broken = [], []
    for file in files:
        try:
            prepare_tables(_only(parts, {file}), plan, key, as_of, people)
            good.append(file)
        except Exception as exc:  # the file is named, the others go on
            logger.debug("preparing the rows of %s failed", file, exc_info=True)
            rule = (
                f"внутренняя ошибка программы при обработке этого файла ({type(exc).__name__}): "
                "файл не загружен, остальные загружены — пришлите файл разработчикам"
            )
            for table, rows in parts.items():
                for row in rows.parsed:
                    if row["source_file"] == file:
                        broken.append(
                            {
                                "row_id": row["row_id"],
                                "table": table,
                                "column": "",
                                "value": "",
                                "rule": rule,
                                "source_file": file,
                                "sheet": row.get("sheet", ""),
                                "source_row": row["source_row"],
                                "cluster_id": row.get("cluster_id"),
                                "year": row.get("year"),
                            }
                        )
    return prepare_tables(_only(parts, set(good)), plan, key, as_of, people), broken


def _only(parts: dict[str, Rows], files: set[str]) -> dict[str, Rows]:
    return {
        t: Rows(parsed=[r for r in rows.parsed if r["source_file"] in files]) for t, rows in parts.items()
    }


def ingest(
    raw_dir: str | Path,
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    key_for: Callable[[bool], bytes],
    validator,
    limits: Limits = LIMITS,
    as_of: date | None = None,
    reading: Reading | None = None,
) -> IngestResult:
    """Read, clean, pseudonymise and validate every input under ``raw_dir``.

    ``key_for(demo_only)`` gives the pseudonymisation key; ``demo_only`` is true when every
    roster row read comes from a submission marked as demonstration data. ``limits`` bound the
    reading of each file; ``as_of`` (default today) is the last day a submission may name;
    ``reading`` is the reading of the submissions when it was started already
    (``analysis.ingest.read.start_reading``).
    """
    raw_dir = Path(raw_dir)
    as_of = as_of or date.today()
    organisations = load_organisations(raw_dir)
    demo_clusters = set(registry.loc[registry["demo"], "cluster_id"])
    plans = plan[plan["family"] == FAMILY_PLAN]
    plan_years = {c: set() for c in registry["cluster_id"]} | {
        c: set(g["year"].astype(int)) for c, g in plans.groupby("cluster_id")
    }
    parts, raw, log = read_inputs(raw_dir, demo_clusters, limits, as_of, reading, plan_years)
    roster = [r for t in ("teachers", "pairs") for r in parts[t].parsed]
    key = key_for(all(r.get("demo") for r in roster)) if roster else b""
    people = identify(parts["teachers"].parsed, parts["pairs"].parsed, key)
    tables, broken = _prepare_each_file(parts, plan, key, as_of, people)
    input_dates = dates_against_as_of(log, tables)
    values = value_sets(registry, plan, organisations, tables["teachers"])
    if not tables["facts"].empty:
        facts = tables["facts"]
        facts["fact_on_heading"] = facts["cell_key"].isin(values["heading_cells"]) & (
            facts["fact_kind"] != "none"
        )
    if not tables["teachers"].empty:
        teachers = tables["teachers"]
        teachers["teaches"] = ~(teachers["org_key"].isin(values["employers"]) & (teachers["hours"] <= 0))

    from analysis.ingest.validation import Outcome, suites

    rejected: list[dict] = [r for rows in parts.values() for r in rows.rejects] + broken
    # A suite's rule broken by an optional value (a training date after the reporting year)
    # drops that value, not the row.
    suite_dropped: list[dict] = []
    blanked: dict[str, dict[str, set[int]]] = {}
    outcomes = []
    for table, rules in suites(values).items():
        frame = tables[table]
        if frame.empty:
            outcomes += [Outcome(table, rule, 0, []) for rule in rules]
            continue
        by_id = frame.set_index("row_id")
        for outcome in validator.validate(table, frame, rules):
            outcomes.append(outcome)
            for row_id in outcome.row_ids:
                column = outcome.rule.column
                row = by_id.loc[row_id]
                value = raw[row_id].get(column, row.get(column))
                optional = column in OPTIONAL_VALUES.get(table, ())
                if optional:
                    blanked.setdefault(table, {}).setdefault(column, set()).add(row_id)
                (suite_dropped if optional else rejected).append(
                    {
                        "row_id": row_id,
                        "table": table,
                        "column": heading(table, column, row["sheet"]),
                        "value": shown(column, value),
                        "rule": f"{outcome.rule.rule}: {DROPPED}" if optional else outcome.rule.rule,
                        "source_file": row["source_file"],
                        "sheet": row["sheet"],
                        "source_row": row["source_row"],
                        "cluster_id": row["cluster_id"],
                        "year": row["year"],
                    }
                )
    # One line per rejected row: the first rule it breaks (cell reading first, then the suites in
    # order — an unknown cluster says so, not also "unknown indicator"). Data Docs keep them all.
    rejects = pd.DataFrame.from_records(rejected, columns=["row_id", *REJECT_COLUMNS])
    rejects = rejects.drop_duplicates("row_id", keep="first")
    rejects = rejects.sort_values(["source_file", "sheet", "source_row", "row_id"], kind="stable")
    rejected_ids = set(rejects["row_id"])
    accepted = {t: f[~f["row_id"].isin(rejected_ids)] if not f.empty else f for t, f in tables.items()}
    for table, columns in blanked.items():
        frame = accepted[table].copy()
        for column, row_ids in columns.items():
            frame.loc[frame["row_id"].isin(row_ids), column] = None
        accepted[table] = frame
    result_tables = {
        "facts": facts_output(accepted["facts"]),
        "teachers": output_frame(accepted["teachers"], TEACHER_COLUMNS),
        "pairs": output_frame(accepted["pairs"], PAIR_COLUMNS),
        "enrolment": output_frame(accepted["enrolment"], ENROLMENT_OUTPUT_COLUMNS),
        "organisations": organisations,
    }
    submissions = submission_log(log, rejected_ids)
    dropped = [
        r
        for r in [*(r for rows in parts.values() for r in rows.dropped), *suite_dropped]
        if r["row_id"] not in rejected_ids
    ]
    return IngestResult(
        result_tables,
        rejects.drop(columns="row_id").reset_index(drop=True),
        submissions,
        validation_table(outcomes),
        # one line per value dropped: the first rule it breaks
        pd.DataFrame.from_records(dropped, columns=["row_id", *REJECT_COLUMNS])
        .drop_duplicates(["row_id", "column"])
        .drop(columns="row_id")
        .reset_index(drop=True),
        warning_frame(people.warnings + file_warnings(log)),
        input_dates,
    )
