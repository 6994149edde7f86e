"""The ingest outputs: tidy tables in their published columns, rejects and the per-file log."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.parse import SPEC, heading
from analysis.sources import normalise
from analysis.sources.facts import FACT_COLUMNS
from analysis.tables import ENROLMENT_COLUMNS

# Enrolment as the staffing metrics read it, plus the students with an employer mentor (F5).
ENROLMENT_OUTPUT_COLUMNS = [*ENROLMENT_COLUMNS, "with_employer_mentor"]


REJECT_COLUMNS = [
    "table",
    "cluster_id",
    "year",
    "source_file",
    "sheet",
    "source_row",
    "column",
    "value",
    "rule",
]


SUBMISSION_COLUMNS = [
    "source_file",
    "sha256",  # of the file's bytes; of a CSV folder, of its sheets' names and bytes in name order
    "size_bytes",
    "read_from",  # the file or folder read, relative to data/raw/ (a link's target, resolved)
    "cluster_id",
    "year",
    "submitted_on",
    "demo",
    "status",
    "message",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
]


def output_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    out = frame[columns].reset_index(drop=True)
    return out.astype({"year": "int64"})


def facts_output(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in FACT_COLUMNS})
        return out.astype({"year": "int64", "fact_value": "float64", "demo": "bool", "source_row": "int64"})
    out = frame.assign(fact_raw=[normalise.text(v) for v in frame["fact_value"]])
    out["fact_raw"] = [_fact_text(k, v) for k, v in zip(out["fact_kind"], out["fact_value"], strict=True)]
    out = out[FACT_COLUMNS].reset_index(drop=True)
    return out.astype({"year": "int64", "fact_value": "float64", "demo": "bool", "source_row": "int64"})


def _fact_text(kind: str, value: float) -> str:
    if kind == "number":
        return f"{value:g}"
    return {"yes": "да", "no": "нет"}.get(kind, "")


def submission_log(log: list[dict], rejected_ids: set[int]) -> pd.DataFrame:
    rows = []
    for entry in log:
        first, last = entry.pop("first_row_id", 0), entry.pop("last_row_id", 0)
        read = last - first
        rejected = sum(1 for i in range(first, last) if i in rejected_ids)
        rows.append({**entry, "rows_read": read, "rows_rejected": rejected, "rows_accepted": read - rejected})
    frame = pd.DataFrame.from_records(rows, columns=SUBMISSION_COLUMNS)
    frame["submitted_on"] = pd.to_datetime(frame["submitted_on"])
    # «demo» is unknown (None) for a file not read: a nullable dtype whatever the other files are,
    # or one refused file would change the dtype, so the digest, of every cluster's rows
    # (``site.fingerprint.scope_digests``) and every report would run again.
    return frame.astype(
        {
            "size_bytes": "int64",
            "demo": "boolean",
            "rows_read": "int64",
            "rows_accepted": "int64",
            "rows_rejected": "int64",
        }
    )


# One row per table × rule of the great-expectations run; what the validation page shows.
VALIDATION_COLUMNS = [
    "table",  # facts, teachers, pairs, enrolment
    "sheet",  # the form's sheet title
    "column",  # the form's heading of the column the rule concerns
    "rule",  # the rule in Russian words, as in rejects
    "expectation",  # the great-expectations class name
    "success",
    "rows_checked",
    "rows_failed",
]


def validation_table(outcomes: list) -> pd.DataFrame:
    """The outcome of every rule of every suite (``analysis.ingest.validation.Outcome``)."""
    rows = [
        {
            "table": o.table,
            "sheet": SPEC[o.table].title,
            "column": heading(o.table, o.rule.column, SPEC[o.table].title),
            "rule": o.rule.rule,
            "expectation": o.rule.kind,
            "success": o.success,
            "rows_checked": o.rows_checked,
            "rows_failed": len(o.row_ids),
        }
        for o in outcomes
    ]
    frame = pd.DataFrame.from_records(rows, columns=VALIDATION_COLUMNS)
    return frame.astype({"success": "bool", "rows_checked": "int64", "rows_failed": "int64"})


# What ingest read but flags for a look, one row each: namesakes, one СНИЛС under two spellings,
# a submission date outside its reporting year's window. ``kind`` tells them apart; ``rule`` is
# the sentence a reader sees (rows and sheets named, never a person).
INGEST_WARNING_COLUMNS = ["cluster_id", "year", "source_file", "sheet", "kind", "rule"]


def warning_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=INGEST_WARNING_COLUMNS)
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    return frame.sort_values(["source_file", "kind", "rule"], kind="stable").reset_index(drop=True)
