"""Finding and reading every input file: submissions (the latest per cluster-year), facts
CSVs and the participant organisations; every file read or skipped is logged."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.parse import SHEET_TABLE, SPEC, Rows, missing_columns_rejects, parse_rows
from analysis.sources import normalise, participants
from analysis.sources.facts import RAW_COLUMNS, read_facts_file
from analysis.sources.workbook import (
    Submission,
    UnreadableSubmission,
    find_submissions,
    fingerprint,
    read_submission,
)
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


def latest_submissions(submissions: list[Submission]) -> tuple[list[Submission], list[tuple]]:
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


def read_inputs(raw_dir: Path, demo_clusters: set[str]):
    """Read every submission and facts file; clean cells; return rows, raw records and the file log."""
    parts = {table: Rows() for table in SPEC}
    raw: dict[int, dict] = {}
    log = []
    submissions: list[Submission] = []
    for path in find_submissions(raw_dir / "submissions"):
        try:
            submissions.append(read_submission(path))
        except UnreadableSubmission as exc:
            logger.warning("skipped: %s", exc.line())
            log.append({"source_file": str(path), "status": "unreadable", "message": exc.line()})
    current, superseded = latest_submissions(submissions)
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
                missing_columns_rejects(table, sheet, context, parts[table], raw)
            else:
                parse_rows(table, sheet.frame, context, parts[table], raw)
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
        parse_rows("facts", frame[[*RAW_COLUMNS, "demo", "source_row"]], context, parts["facts"], raw)
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
    for entry in log:
        entry["sha256"], entry["size_bytes"] = fingerprint(entry["source_file"])
    return parts, raw, log
