"""Finding and reading every input file: submissions (the latest per cluster-year), facts
CSVs and the participant organisations; every file read, skipped, rejected or ignored is logged.

Submissions are read in worker processes within a time limit (``analysis.ingest.workers``);
what is read is then checked as a whole file: its identity (``analysis.sources.workbook``), its
submission date against the plan period and the build's as-of date, and which of several files
of one cluster-year counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, Location
from analysis.ingest.parse import SHEET_TABLE, SPEC, Rows, missing_columns_rejects, parse_rows
from analysis.ingest.plausibility import PLAN_PERIOD_START
from analysis.ingest.workers import Failed, Reading
from analysis.sources import forms, normalise, participants
from analysis.sources.facts import RAW_COLUMNS, read_facts_file
from analysis.sources.workbook import (
    IdentityMismatch,
    Submission,
    find_submissions,
    fingerprint,
    read_submission,
    untaken_files,
)
from analysis.sources.xlsx import LIMITS, Limits
from analysis.tables import ORGANISATION_COLUMNS

logger = logging.getLogger(__name__)


def load_organisations(raw_dir: Path) -> pd.DataFrame:
    """The participant organisations of every cluster (``analysis.sources.participants``), each with the
    spelling-independent ``org_id`` roster rows are matched on."""
    frame = participants.load_participants(raw_dir)
    names = pd.Series(
        [normalise.organisation(n) for n in frame["organisation"]], index=frame.index, dtype="str"
    )
    frame = frame.assign(org_name=names, org_id=names)
    return frame[ORGANISATION_COLUMNS].drop_duplicates(["cluster_id", "org_id"]).reset_index(drop=True)


def _order(s: Submission) -> tuple:
    return (s.submitted_on or date.min, Path(s.path).name)


def latest_submissions(submissions: list[Submission]) -> tuple[list[Submission], list[tuple]]:
    """One submission per cluster-year — the latest by its «Дата представления» (undated ones
    count as oldest; on a tie the file name sorting last); the others as ``(old, replacement)``."""
    latest: dict[tuple[str, int], Submission] = {}
    for submission in sorted(submissions, key=_order):
        latest[(submission.cluster_id, submission.year)] = submission
    current = [s for s in submissions if latest[(s.cluster_id, s.year)] is s]
    superseded = [
        (s, latest[(s.cluster_id, s.year)]) for s in submissions if latest[(s.cluster_id, s.year)] is not s
    ]
    return current, superseded


def superseded_message(old: Submission, new: Submission) -> str:
    """Which file of a cluster-year counts and why — both files are the cluster's own."""

    def when(s: Submission) -> str:
        return f"{s.submitted_on:%d.%m.%Y}" if s.submitted_on else "без даты"

    if old.submitted_on == new.submitted_on:
        why = f"даты представления совпадают ({when(new)}), учитывается файл, чьё имя стоит последним"
    else:
        why = f"он представлен позже ({when(new)} против {when(old)})"
    return (
        f"{old.path}: для {old.cluster_id} {old.year} учитывается {Path(new.path).name}, а не этот файл: "
        f"{why}; этот файл хранится, но не читается"
    )


def _entry(path: Path | str, status: str, message: str, **more) -> dict:
    return {"source_file": str(path), "status": status, "message": message, **more}


def _date_problem(submission: Submission, as_of: date) -> str | None:
    """Why a submission's date is implausible, or None."""
    day = submission.submitted_on
    if day is None:
        return None
    where = Location(file=submission.path, sheet=forms.META.title, column="Дата представления")
    if day > as_of:
        return (
            f"{where}: дата представления {day:%d.%m.%Y} позже даты сборки {as_of:%d.%m.%Y}: файл не "
            "загружен — исправьте дату"
        )
    if day < PLAN_PERIOD_START:
        return (
            f"{where}: дата представления {day:%d.%m.%Y} раньше начала периода плана "
            f"({PLAN_PERIOD_START:%d.%m.%Y}): файл не загружен — исправьте дату"
        )
    return None


@dataclass
class Cleaned:
    """A submission read and its cells cleaned: rows numbered from 0 within the file."""

    submission: Submission
    parts: dict[str, Rows]
    raw: dict[int, dict]

    def renumber(self, first: int) -> None:
        """Number this file's rows from ``first`` on, so that every row of the run has its own id."""
        for rows in self.parts.values():
            for row in (*rows.parsed, *rows.rejects, *rows.dropped):
                row["row_id"] += first
        self.raw = {first + i: record for i, record in self.raw.items()}


def read_and_clean(path: Path, limits: Limits = LIMITS) -> Cleaned:
    """Read a submission and clean every cell of its sheets (``analysis.ingest.parse``); run in a
    worker process, so the cleaning is done there too."""
    submission = read_submission(path, limits)
    parts = {table: Rows() for table in SPEC}
    raw: dict[int, dict] = {}
    for title, sheet in submission.sheets.items():
        table = SHEET_TABLE[title]
        context = {
            "source_file": submission.path,
            "sheet": title,
            "cluster_id": submission.cluster_id,
            "year": submission.year,
            "demo": submission.demo,
            "submitted_on": submission.submitted_on,
        }
        if sheet.missing_columns:
            missing_columns_rejects(table, sheet, context, parts[table], raw)
        else:
            parse_rows(table, sheet.records, context, parts[table], raw)
    submission.sheets = {}  # what they held is in ``raw`` now
    return Cleaned(submission, parts, raw)


def start_reading(raw_dir: str | Path, limits: Limits = LIMITS) -> Reading:
    """Start reading every submission under ``raw_dir`` in worker processes; the build does other
    work meanwhile and hands the ``Reading`` to ``analysis.ingest.run.ingest``."""
    paths = find_submissions(Path(raw_dir) / "submissions")
    return Reading(paths, partial(read_and_clean, limits=limits), limits.seconds, limits.workers)


def read_submissions(
    raw_dir: Path, limits: Limits, as_of: date, reading: Reading | None = None
) -> tuple[list[Cleaned], list[dict]]:
    """Read every submission; the current one of each cluster-year and the log of every entry of
    the submissions folder (read, superseded, rejected, unreadable, ignored)."""
    folder = raw_dir / "submissions"
    log = [_entry(path, status, f"{path}: {reason}") for path, status, reason in untaken_files(folder)]
    reading = reading or start_reading(raw_dir, limits)
    paths = reading.items
    results = reading.results()
    readable: dict[int, Cleaned] = {}
    for path in paths:
        result = results[path]
        if isinstance(result, Cleaned):
            submission = result.submission
            problem = _date_problem(submission, as_of)
            if problem:
                log.append(
                    _entry(
                        path,
                        "rejected",
                        problem,
                        cluster_id=submission.cluster_id,
                        year=submission.year,
                        submitted_on=submission.submitted_on,
                    )
                )
            else:
                readable[id(submission)] = result
        elif isinstance(result, IdentityMismatch):
            log.append(_entry(path, "rejected", result.line()))
        elif isinstance(result, InputError):
            log.append(_entry(path, "unreadable", result.line()))
        elif isinstance(result, Failed):
            log.append(_entry(path, "unreadable", f"{path}: {result.reason}"))
        else:  # a reader's bug on a strange file: that file is skipped, the others go on
            logger.debug("reading %s failed", path, exc_info=result)
            log.append(
                _entry(path, "unreadable", f"{path}: файл не читается ({type(result).__name__}: {result})")
            )
    current, superseded = latest_submissions([c.submission for c in readable.values()])
    for old, new in superseded:
        log.append(
            _entry(
                old.path,
                "superseded",
                superseded_message(old, new),
                cluster_id=old.cluster_id,
                year=old.year,
                submitted_on=old.submitted_on,
                demo=old.demo,
            )
        )
    return [readable[id(s)] for s in current], log


def read_inputs(
    raw_dir: Path,
    demo_clusters: set[str],
    limits: Limits = LIMITS,
    as_of: date | None = None,
    reading: Reading | None = None,
) -> tuple[dict[str, Rows], dict[int, dict], list[dict]]:
    """Read every submission (``reading``, if started already) and facts file; clean cells;
    return rows, raw records and the file log."""
    as_of = as_of or date.today()
    parts = {table: Rows() for table in SPEC}
    raw: dict[int, dict] = {}
    current, log = read_submissions(raw_dir, limits, as_of, reading)
    for cleaned in current:
        submission = cleaned.submission
        first = len(raw)
        cleaned.renumber(first)
        raw.update(cleaned.raw)
        for table, rows in cleaned.parts.items():
            parts[table].parsed += rows.parsed
            parts[table].rejects += rows.rejects
            parts[table].dropped += rows.dropped
        log.append(
            _entry(
                submission.path,
                "read",
                "; ".join(submission.notes),
                cluster_id=submission.cluster_id,
                year=submission.year,
                submitted_on=submission.submitted_on,
                demo=submission.demo,
                first_row_id=first,
                last_row_id=len(raw),
            )
        )
    facts_dir = raw_dir / "facts"
    if facts_dir.exists():
        for path in sorted(p for p in facts_dir.iterdir() if p.suffix.lower() != ".csv"):
            status = "ignored" if path.name.startswith((".", "~$")) else "unreadable"
            log.append(_entry(path, status, f"{path}: не CSV-файл фактов (*.csv): не читается"))
    for path in sorted(facts_dir.glob("*.csv")) if facts_dir.exists() else []:
        try:
            frame = read_facts_file(path, limits)
        except InputError as exc:
            log.append(_entry(path, "unreadable", exc.line()))
            continue
        frame["demo"] = frame["demo"] | frame["cluster_id"].isin(demo_clusters)
        first = len(raw)
        context = {"source_file": str(path), "sheet": "", "submitted_on": None}
        records = frame[[*RAW_COLUMNS, "demo", "source_row"]].to_dict("records")
        parse_rows("facts", records, context, parts["facts"], raw)
        log.append(_entry(path, "read", "", first_row_id=first, last_row_id=len(raw), demo=False))
    for entry in log:
        try:
            entry["sha256"], entry["size_bytes"] = fingerprint(entry["source_file"])
        except OSError:
            entry["sha256"], entry["size_bytes"] = "", 0
    for entry in log:
        if entry["message"]:
            logger.debug("%s: %s", entry["status"], entry["message"])
    return parts, raw, log
