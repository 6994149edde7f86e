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

from analysis.errors import InputError, Location
from analysis.ingest.frames import prepare_tables, value_sets
from analysis.ingest.output import (
    ENROLMENT_OUTPUT_COLUMNS,
    REJECT_COLUMNS,
    facts_output,
    output_frame,
    submission_log,
    validation_table,
)
from analysis.ingest.parse import heading, shown
from analysis.ingest.plausibility import dates_against_as_of
from analysis.ingest.read import load_organisations, read_inputs
from analysis.ingest.workers import Reading
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
    # The input dates the as-of date was compared with (``plausibility.dates_against_as_of``).
    input_dates: list[str] = field(default_factory=list)

    def reject_lines(self) -> list[str]:
        return row_lines(self.rejects)

    def dropped_lines(self) -> list[str]:
        return row_lines(self.dropped)


def row_lines(frame: pd.DataFrame) -> list[str]:
    """One line per row of a rejects-like frame: file, sheet, row, column: rule (value '…')."""
    return [
        str(
            InputError(
                Location(file=r.source_file, sheet=r.sheet or None, row=int(r.source_row), column=r.column),
                r.rule,
                value=r.value,
            )
        )
        for r in frame.itertuples(index=False)
    ]


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
    parts, raw, log = read_inputs(raw_dir, demo_clusters, limits, as_of, reading)
    people = [r for t in ("teachers", "pairs") for r in parts[t].parsed]
    key = key_for(all(r.get("demo") for r in people)) if people else b""
    tables = prepare_tables(parts, plan, key, as_of)
    input_dates = dates_against_as_of(log, tables)
    values = value_sets(registry, plan, organisations, tables["teachers"])

    from analysis.ingest.validation import Outcome, suites

    rejected: list[dict] = [r for rows in parts.values() for r in rows.rejects]
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
                rejected.append(
                    {
                        "row_id": row_id,
                        "table": table,
                        "column": heading(table, column, row["sheet"]),
                        "value": shown(column, value),
                        "rule": outcome.rule.rule,
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
    result_tables = {
        "facts": facts_output(accepted["facts"]),
        "teachers": output_frame(accepted["teachers"], TEACHER_COLUMNS),
        "pairs": output_frame(accepted["pairs"], PAIR_COLUMNS),
        "enrolment": output_frame(accepted["enrolment"], ENROLMENT_OUTPUT_COLUMNS),
        "organisations": organisations,
    }
    submissions = submission_log(log, rejected_ids)
    dropped = [r for rows in parts.values() for r in rows.dropped if r["row_id"] not in rejected_ids]
    return IngestResult(
        result_tables,
        rejects.drop(columns="row_id").reset_index(drop=True),
        submissions,
        validation_table(outcomes),
        pd.DataFrame.from_records(dropped, columns=["row_id", *REJECT_COLUMNS]).drop(columns="row_id"),
        input_dates,
    )
