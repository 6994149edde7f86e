"""Ingestion: every submission and facts file → tidy tables, or rejects that say why.

For each input file: read it (``analysis.workbook``), clean every cell (``analysis.normalise``;
a cell that cannot be read rejects its row), replace people's names by pseudonymous ids
(``analysis.pseudonym``), then validate each whole table once with great-expectations
(``analysis.validation``). Every row read ends up either in a tidy table or in ``rejects``
with its file, sheet, row, column, value and rule — rows read = accepted + rejected, per file.
A file that cannot be read at all is listed in ``submissions`` with the reason and skipped.
Personal data never reaches a table: names and СНИЛС are dropped after pseudonymisation and
masked in rejects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import forms, normalise, participants
from analysis.errors import InputError, Location
from analysis.facts import FACT_COLUMNS, RAW_COLUMNS, read_facts_file
from analysis.plan import FAMILY_PLAN
from analysis.pseudonym import person_id
from analysis.staffing import ENROLMENT_COLUMNS, ORGANISATION_COLUMNS, PAIR_COLUMNS, TEACHER_COLUMNS
from analysis.workbook import Submission, UnreadableSubmission, find_submissions, read_submission

logger = logging.getLogger(__name__)

# Enrolment as the staffing metrics read it, plus the students with an employer mentor (F5).
ENROLMENT_OUTPUT_COLUMNS = [*ENROLMENT_COLUMNS, "with_employer_mentor"]

PERSONAL_COLUMNS = {"full_name", "snils", "teacher_name", "specialist_name"}
MASKED = "(скрыто: персональные данные)"
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
SHEET_TABLE = {
    forms.INDICATORS.title: "facts",
    forms.TEACHERS.title: "teachers",
    forms.PAIRS.title: "pairs",
    forms.ENROLMENT.title: "enrolment",
}
SPEC = {
    "facts": forms.INDICATORS,
    "teachers": forms.TEACHERS,
    "pairs": forms.PAIRS,
    "enrolment": forms.ENROLMENT,
}


def _required(parse: Callable[[object], object]) -> Callable[[object], object]:
    def parse_required(value: object) -> object:
        if normalise.is_blank(value):
            raise ValueError("a value is required here")
        return parse(value)

    return parse_required


def _optional(parse: Callable[[object], object]) -> Callable[[object], object]:
    def parse_optional(value: object) -> object:
        return None if normalise.is_blank(value) else parse(value)

    return parse_optional


def _word(words: dict[str, str], hint: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        word = normalise.text(value).lower()
        if word not in words:
            raise ValueError(hint)
        return words[word]

    return parse


def _integer(value: object) -> int:
    number = normalise.number(value)
    if not number.is_integer():
        raise ValueError("a whole number is expected here")
    return int(number)


PARSERS: dict[str, dict[str, Callable[[object], object]]] = {
    "facts": {
        "indicator": _required(normalise.indicator_code),
        "programme_code": _optional(normalise.programme_code),
        "fact": normalise.fact,
    },
    "teachers": {
        "full_name": _required(normalise.person_name),
        "snils": normalise.snils,
        "organisation": _required(normalise.organisation),
        "employment": _required(_word(forms.EMPLOYMENT_WORDS, "write штатный or совместитель")),
        "programme_code": _required(normalise.programme_code),
        "hours": _required(normalise.number),
        "training_completed": normalise.day,
    },
    "pairs": {
        "teacher_name": _required(normalise.person_name),
        "specialist_name": _required(normalise.person_name),
        "specialist_organisation": _required(normalise.organisation),
        "programme_code": _required(normalise.programme_code),
        "start": _required(normalise.day),
        "end": normalise.day,
        "format": _required(lambda v: normalise.text(v).lower()),
    },
    "enrolment": {
        "programme_code": _required(normalise.programme_code),
        "enrolled": _required(_integer),
        "with_employer_mentor": _optional(_integer),
    },
}


@dataclass
class IngestResult:
    """The tidy tables, the rejects and the per-file log of one ingestion."""

    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    submissions: pd.DataFrame
    failures: list = field(default_factory=list)  # great-expectations failures, for the summary

    def reject_lines(self) -> list[str]:
        return [
            str(
                InputError(
                    Location(
                        file=r.source_file, sheet=r.sheet or None, row=int(r.source_row), column=r.column
                    ),
                    r.rule,
                    value=r.value,
                )
            )
            for r in self.rejects.itertuples(index=False)
        ]


@dataclass
class _Rows:
    """Rows of one table gathered from every file, before validation."""

    parsed: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


def load_organisations(raw_dir: Path) -> pd.DataFrame:
    """The participant organisations of every cluster (``analysis.participants``), each with the
    spelling-independent ``org_id`` roster rows are matched on."""
    frame = participants.load_participants(raw_dir)
    names = pd.Series(
        [normalise.organisation(n) for n in frame["organisation"]], index=frame.index, dtype="str"
    )
    frame = frame.assign(org_name=names, org_id=names)
    return frame[ORGANISATION_COLUMNS].drop_duplicates(["cluster_id", "org_id"]).reset_index(drop=True)


def _heading(table: str, column: str, sheet: str) -> str:
    """The form's heading of a column; a CSV facts file (no sheet) names its own columns."""
    if not sheet:
        return column
    headings = {name: heading for heading, name in SPEC[table].columns} if table in SPEC else {}
    return headings.get(column, column)


def _shown(column: str, value: object) -> str:
    if column in PERSONAL_COLUMNS and not normalise.is_blank(value):
        return MASKED
    return "" if normalise.is_blank(value) else normalise.text(value)


def _parse_rows(table: str, frame: pd.DataFrame, context: dict, rows: _Rows, raw: dict[int, dict]) -> None:
    """Clean every cell of every row; a cell that fails rejects its row (first failure named)."""
    parsers = PARSERS[table]
    for record in frame.to_dict("records"):
        row_id = len(raw)
        raw[row_id] = record
        parsed = {"row_id": row_id, "source_row": record["source_row"], **context}
        if "demo" in record:  # facts files mark demonstration rows themselves
            parsed["demo"] = bool(record["demo"])
        problem = None
        for column, parse in parsers.items():
            try:
                parsed[column] = parse(record.get(column))
            except ValueError as exc:
                problem = (column, str(exc))
                break
        if problem is None and table == "facts" and "year" in record:
            try:
                parsed["year"] = int(normalise.number(record["year"]))
                parsed["cluster_id"] = normalise.text(record["cluster_id"])
            except ValueError:
                problem = ("year", "the year is a number such as 2025")
        if problem:
            column, rule = problem
            rows.rejects.append(
                {
                    "row_id": row_id,
                    "table": table,
                    "column": _heading(table, column, context.get("sheet", "")),
                    "value": _shown(column, record.get(column)),
                    "rule": rule,
                    "source_row": record["source_row"],
                    **context,
                }
            )
        else:
            rows.parsed.append(parsed)


def _missing_columns_rejects(table: str, sheet, context: dict, rows: _Rows, raw: dict[int, dict]) -> None:
    rule = f"the sheet has no column «{sheet.missing_columns[0]}»: use the form's headings"
    for record in sheet.frame.to_dict("records"):
        row_id = len(raw)
        raw[row_id] = record
        rows.rejects.append(
            {
                "row_id": row_id,
                "table": table,
                "column": sheet.missing_columns[0],
                "value": "",
                "rule": rule,
                "source_row": record["source_row"],
                **context,
            }
        )


def _value_sets(
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
        "pair_formats": set(forms.PAIR_FORMATS),
    }


def _frame(rows: _Rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows.parsed)
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    return frame


def _prepare_tables(parts: dict[str, _Rows], plan: pd.DataFrame, key: bytes) -> dict[str, pd.DataFrame]:
    """Typed frames with pseudonymous ids and the key columns the suites check."""
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
        teachers["person_id"] = [person_id(key, n) for n in teachers.pop("full_name")]
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
        pairs["teacher_id"] = [person_id(key, n) for n in pairs.pop("teacher_name")]
        pairs["specialist_id"] = [person_id(key, n) for n in pairs.pop("specialist_name")]
        pairs["specialist_org_id"] = pairs.pop("specialist_organisation")
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


def _latest_submissions(submissions: list[Submission]) -> tuple[list[Submission], list[tuple]]:
    """One submission per cluster-year — the latest by its «Дата представления» (undated ones
    count as oldest; on a tie the file name sorting last); the others as ``(old, replacement)``."""

    def order(s: Submission) -> tuple:
        return (s.submitted_on or date.min, Path(s.path).name)

    latest: dict[tuple[str, int], Submission] = {}
    for submission in sorted(submissions, key=order):
        latest[(submission.cluster_id, submission.year)] = submission
    current = [s for s in submissions if latest[(s.cluster_id, s.year)] is s]
    superseded = [
        (s, latest[(s.cluster_id, s.year)]) for s in submissions if latest[(s.cluster_id, s.year)] is not s
    ]
    return current, superseded


def _read_inputs(raw_dir: Path, demo_clusters: set[str]):
    """Read every submission and facts file; clean cells; return rows, raw records and the file log."""
    parts = {table: _Rows() for table in SPEC}
    raw: dict[int, dict] = {}
    log = []
    submissions: list[Submission] = []
    for path in find_submissions(raw_dir / "submissions"):
        try:
            submissions.append(read_submission(path))
        except UnreadableSubmission as exc:
            logger.warning("skipped: %s", exc.line())
            log.append({"source_file": str(path), "status": "unreadable", "message": exc.line()})
    current, superseded = _latest_submissions(submissions)
    for old, new in superseded:
        message = (
            f"{old.path}: superseded by {new.path}, a later submission for {old.cluster_id} "
            f"{old.year}; only the latest one counts — remove the file it replaces"
        )
        logger.warning("skipped: %s", message)
        log.append(
            {
                "source_file": old.path,
                "cluster_id": old.cluster_id,
                "year": old.year,
                "submitted_on": old.submitted_on,
                "demo": old.demo,
                "status": "superseded",
                "message": message,
            }
        )
    for submission in current:
        first = len(raw)
        for title, sheet in submission.sheets.items():
            table = SHEET_TABLE[title]
            context = {
                "source_file": submission.path,
                "sheet": title,
                "cluster_id": submission.cluster_id,
                "year": submission.year,
                "demo": submission.demo,
            }
            if sheet.missing_columns:
                _missing_columns_rejects(table, sheet, context, parts[table], raw)
            else:
                _parse_rows(table, sheet.frame, context, parts[table], raw)
        log.append(
            {
                "source_file": submission.path,
                "cluster_id": submission.cluster_id,
                "year": submission.year,
                "submitted_on": submission.submitted_on,
                "demo": submission.demo,
                "status": "read",
                "message": "",
                "first_row_id": first,
                "last_row_id": len(raw),
            }
        )
    for path in sorted((raw_dir / "facts").glob("*.csv")):
        try:
            frame = read_facts_file(path)
        except InputError as exc:
            logger.warning("skipped: %s", exc.line())
            log.append({"source_file": str(path), "status": "unreadable", "message": exc.line()})
            continue
        frame["demo"] = frame["demo"] | frame["cluster_id"].isin(demo_clusters)
        first = len(raw)
        context = {"source_file": str(path), "sheet": ""}
        _parse_rows("facts", frame[[*RAW_COLUMNS, "demo", "source_row"]], context, parts["facts"], raw)
        log.append(
            {
                "source_file": str(path),
                "status": "read",
                "message": "",
                "first_row_id": first,
                "last_row_id": len(raw),
                "demo": False,
            }
        )
    return parts, raw, log


def ingest(
    raw_dir: str | Path,
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    key_for: Callable[[bool], bytes],
    validator,
) -> IngestResult:
    """Read, clean, pseudonymise and validate every input under ``raw_dir``.

    ``key_for(demo_only)`` gives the pseudonymisation key; ``demo_only`` is true when every
    roster row read comes from a submission marked as demonstration data.
    """
    raw_dir = Path(raw_dir)
    organisations = load_organisations(raw_dir)
    demo_clusters = set(registry.loc[registry["demo"], "cluster_id"])
    parts, raw, log = _read_inputs(raw_dir, demo_clusters)
    people = [r for t in ("teachers", "pairs") for r in parts[t].parsed]
    key = key_for(all(r.get("demo") for r in people)) if people else b""
    tables = _prepare_tables(parts, plan, key)
    values = _value_sets(registry, plan, organisations, tables["teachers"])

    from analysis.validation import suites

    rejected: list[dict] = [r for rows in parts.values() for r in rows.rejects]
    failures = []
    for table, rules in suites(values).items():
        frame = tables[table]
        if frame.empty:
            continue
        by_id = frame.set_index("row_id")
        for failure in validator.validate(table, frame, rules):
            failures.append(failure)
            for row_id in failure.row_ids:
                column = failure.rule.column
                row = by_id.loc[row_id]
                value = raw[row_id].get(column, row.get(column))
                rejected.append(
                    {
                        "row_id": row_id,
                        "table": table,
                        "column": _heading(table, column, row["sheet"]),
                        "value": _shown(column, value),
                        "rule": failure.rule.rule,
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
        "facts": _facts_output(accepted["facts"]),
        "teachers": _output(accepted["teachers"], TEACHER_COLUMNS),
        "pairs": _output(accepted["pairs"], PAIR_COLUMNS),
        "enrolment": _output(accepted["enrolment"], ENROLMENT_OUTPUT_COLUMNS),
        "organisations": organisations,
    }
    submissions = _submission_log(log, rejected_ids)
    return IngestResult(
        result_tables, rejects.drop(columns="row_id").reset_index(drop=True), submissions, failures
    )


def _output(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    out = frame[columns].reset_index(drop=True)
    return out.astype({"year": "int64"})


def _facts_output(frame: pd.DataFrame) -> pd.DataFrame:
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


def _submission_log(log: list[dict], rejected_ids: set[int]) -> pd.DataFrame:
    rows = []
    for entry in log:
        first, last = entry.pop("first_row_id", 0), entry.pop("last_row_id", 0)
        read = last - first
        rejected = sum(1 for i in range(first, last) if i in rejected_ids)
        rows.append({**entry, "rows_read": read, "rows_rejected": rejected, "rows_accepted": read - rejected})
    frame = pd.DataFrame.from_records(rows, columns=SUBMISSION_COLUMNS)
    frame["submitted_on"] = pd.to_datetime(frame["submitted_on"])
    return frame.astype({"rows_read": "int64", "rows_accepted": "int64", "rows_rejected": "int64"})


def completeness(
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    submissions: pd.DataFrame,
    as_of: date,
    deadline: tuple[int, int] = (1, 20),
) -> pd.DataFrame:
    """Expected submissions (every cluster × plan year that has begun by ``as_of``) against those
    received: ``on_time`` (submitted by the deadline of that year), ``late``, ``undated``
    (received without a submission date), ``missing`` (not received, deadline passed) or
    ``not_due`` (not received, deadline still ahead)."""
    from analysis.fulfilment import reporting_deadline

    plan = plan[plan["family"] == FAMILY_PLAN]
    expected = plan[["cluster_id", "year"]].drop_duplicates()
    expected = expected[expected["year"] <= as_of.year]
    received = submissions[submissions["status"] == "read"].dropna(subset=["cluster_id"])
    received = received.sort_values("submitted_on").drop_duplicates(["cluster_id", "year"], keep="first")
    merged = expected.merge(
        received[["cluster_id", "year", "submitted_on", "source_file"]], on=["cluster_id", "year"], how="left"
    )
    due = [pd.Timestamp(reporting_deadline(int(y), deadline)) for y in merged["year"]]
    merged["deadline"] = due
    statuses = []
    for row, limit in zip(merged.itertuples(index=False), due, strict=True):
        if isinstance(row.source_file, str):
            statuses.append(
                "undated"
                if pd.isna(row.submitted_on)
                else ("on_time" if row.submitted_on <= limit else "late")
            )
        else:
            statuses.append("missing" if pd.Timestamp(as_of) > limit else "not_due")
    merged["status"] = statuses
    names = registry[["cluster_id", "name"]]
    return (
        merged.merge(names, on="cluster_id", how="left")
        .sort_values(["cluster_id", "year"])
        .reset_index(drop=True)
    )


def quality_summary(tables: dict[str, pd.DataFrame], rejects: pd.DataFrame) -> pd.DataFrame:
    """Per cluster-year: input rows accepted and rejected, and the rules that rejected them.

    Rows are counted once however many rules they break; rows whose cluster or year could not
    be read are not attributed to any cluster-year.
    """
    keys = ["cluster_id", "year"]
    accepted = pd.concat(
        [tables[t][keys] for t in ("facts", "teachers", "pairs", "enrolment")], ignore_index=True
    )
    accepted = accepted.astype({"cluster_id": "str", "year": "int64"}).value_counts().rename("rows_accepted")
    attributed = rejects.dropna(subset=keys).astype({"cluster_id": "str", "year": "int64"})
    rows = attributed.drop_duplicates(["source_file", "sheet", "source_row"])
    rejected = rows[keys].value_counts().rename("rows_rejected")
    rules = attributed.groupby(keys)["rule"].agg(lambda r: sorted(set(r))).rename("failed_rules")
    out = pd.concat([accepted, rejected, rules], axis=1).reset_index()
    out.columns = [*keys, "rows_accepted", "rows_rejected", "failed_rules"]
    out[["rows_accepted", "rows_rejected"]] = (
        out[["rows_accepted", "rows_rejected"]].fillna(0).astype("int64")
    )
    out["rows_read"] = out["rows_accepted"] + out["rows_rejected"]
    out["failed_rules"] = [r if isinstance(r, list) else [] for r in out["failed_rules"]]
    return out.sort_values(keys).reset_index(drop=True)
