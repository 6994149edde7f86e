"""Finding and reading every input file: submissions (the latest per cluster-year), facts
CSVs and the participant organisations; every file read, skipped, rejected or ignored is logged.

Submissions are read in worker processes within a time limit (``analysis.ingest.workers``);
what is read is then checked as a whole file: its identity (``analysis.sources.workbook``), its
submission date against the plan period and the build's as-of date, and which of several files
of one cluster-year counts.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

import pandas as pd

from analysis.deadline import DEFAULT_DEADLINE, reporting_deadline
from analysis.errors import InputError, Location
from analysis.ingest.parse import (
    SHEET_TABLE,
    SPEC,
    Rows,
    missing_columns_rejects,
    missing_required,
    optional_headings,
    parse_rows,
)
from analysis.ingest.plausibility import PLAN_PERIOD_START
from analysis.ingest.workers import Failed, Reading
from analysis.sources import forms, normalise, participants
from analysis.sources.entries import examine, relative_to_root
from analysis.sources.facts import RAW_COLUMNS, read_facts_file
from analysis.sources.place import place
from analysis.sources.workbook import (
    IdentityMismatch,
    Submission,
    find_submissions,
    fingerprint,
    name_identity,
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


_VERSION = re.compile(r"(?:_v(?:ersion)?[ _-]?(\d+)|\s*\((\d+)\)|[ _-]копия)", re.IGNORECASE)


def version_number(path: str | Path) -> int:
    """The number a file's name gives it among copies of one submission: ``_v2`` → 2, Excel's
    ``(1)`` copy → 1 (and ``- копия`` → 1), the plain name → 0."""
    stem = Path(str(path).strip()).stem
    numbers = [int(a or b or 1) for a, b in _VERSION.findall(stem)]
    return max(numbers, default=0)


def latest_submissions(submissions: list[Submission]) -> tuple[list[Submission], list[tuple]]:
    """One submission per cluster-year: the one submitted last by its «Дата представления»; when
    the dates are equal or a file has none, the one modified last (the file's time), then the
    higher version in its name (``_v2``, Excel's ``(1)`` copy), then the name sorting last. The
    others as ``(set aside, the one that counts)``."""
    groups: dict[tuple[str, int], list[Submission]] = {}
    for submission in submissions:
        groups.setdefault((submission.cluster_id, submission.year), []).append(submission)
    latest = {}
    for key, group in groups.items():
        dated = all(s.submitted_on for s in group) and len({s.submitted_on for s in group}) > 1
        latest[key] = max(
            group,
            key=lambda s: (
                s.submitted_on if dated else date.min,
                s.modified,
                version_number(s.path),
                Path(s.path).name,
            ),
        )
    current = [s for s in submissions if latest[(s.cluster_id, s.year)] is s]
    superseded = [
        (s, latest[(s.cluster_id, s.year)]) for s in submissions if latest[(s.cluster_id, s.year)] is not s
    ]
    return current, superseded


def _when(s: Submission) -> str:
    return f"{s.submitted_on:%d.%m.%Y}" if s.submitted_on else "без даты"


def _why(old: Submission, new: Submission) -> str:
    """Why ``new`` counts rather than ``old`` (see ``latest_submissions``)."""
    if old.submitted_on and new.submitted_on and old.submitted_on != new.submitted_on:
        return f"он представлен позже ({_when(new)} против {_when(old)})"
    dates = (
        f"даты представления совпадают ({_when(new)})"
        if old.submitted_on == new.submitted_on
        else "у одного из файлов нет даты представления"
    )
    if new.modified != old.modified:
        changed = datetime.fromtimestamp(new.modified).strftime("%d.%m.%Y %H:%M")
        return f"{dates}, а он изменён позже ({changed})"
    if version_number(new.path) != version_number(old.path):
        return f"{dates}, а его имя называет более позднюю версию"
    return f"{dates}, учитывается файл, чьё имя стоит последним"


def superseded_message(old: Submission, new: Submission) -> str:
    """Which file of a cluster-year counts and why — both files are the cluster's own."""
    return (
        f"{old.path}: для {old.cluster_id} {old.year} учитывается {Path(new.path).name}, а не этот файл: "
        f"{_why(old, new)}; этот файл хранится, но не читается"
    )


def counted_note(new: Submission, old: list[Submission]) -> str:
    """The note on the file that counts: which files of its cluster-year were set aside."""
    names = ", ".join(Path(s.path).name for s in old)
    return f"{new.path}: для {new.cluster_id} {new.year} учитывается этот файл; отложен(ы): {names}"


def _entry(path: Path | str, status: str, message: str, **more) -> dict:
    return {"source_file": str(path), "status": status, "message": message, **more}


def _bytes_read(submission: Submission) -> dict:
    """The fingerprint of what the worker read (the same bytes it parsed) and where from."""
    if not submission.sha256:
        return {}
    return {
        "sha256": submission.sha256,
        "size_bytes": submission.size_bytes,
        "read_from": submission.read_from,
    }


def _date_problem(submission: Submission, as_of: date) -> str | None:
    """Why a submission's date is implausible, or None."""
    day = submission.submitted_on
    if day is None:
        return None
    where = place(Location(file=submission.path, sheet=forms.META.title, column="Дата представления"))
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


# Warnings on a submission's date (the warnings table's ``kind``).
UNDATED = "undated"
EARLY = "submitted_before_year"
LATE = "submitted_late"


def date_warnings(submission: Submission, deadline: tuple[int, int] = DEFAULT_DEADLINE) -> list[tuple]:
    """What a read submission's date deserves a word on, as ``(kind, sheet, sentence)``: no
    readable date; a date before the reporting year (a typing error — the rows' dates are then
    not compared with it); a date after the year's reporting deadline."""
    day = submission.submitted_on
    sheet = forms.META.title
    if day is None:
        return [
            (
                UNDATED,
                sheet,
                f"дата представления не указана или не читается (лист «{sheet}»): отчёт считается "
                "представленным в срок — укажите дату как дд.мм.гггг",
            )
        ]
    if day < date(submission.year, 1, 1):
        return [
            (
                EARLY,
                sheet,
                f"дата представления {day:%d.%m.%Y} раньше отчётного {submission.year} года — видимо, "
                "опечатка: проверьте дату; даты строк с ней не сравнивались",
            )
        ]
    due = reporting_deadline(submission.year, deadline)
    if day > due:
        return [
            (
                LATE,
                sheet,
                f"дата представления {day:%d.%m.%Y} позже срока {due:%d.%m.%Y}: "
                "отчёт представлен с опозданием",
            )
        ]
    return []


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


def read_and_clean(path: Path, limits: Limits = LIMITS, root: Path | None = None) -> Cleaned:
    """Read a submission and clean every cell of its sheets (``analysis.ingest.parse``); run in a
    worker process, so opening the file, reading and cleaning are all within its time limit."""
    submission = read_submission(path, limits, root)
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
        required = missing_required(table, sheet.missing_columns)
        if required:
            sheet.missing_columns = required
            missing_columns_rejects(table, sheet, context, parts[table], raw)
            continue
        parse_rows(table, sheet.records, context, parts[table], raw)
        optional = [h for h in sheet.missing_columns if h in optional_headings(table)]
        if optional and sheet.records:
            names = ", ".join(f"«{h}»" for h in optional)
            submission.notes.append(
                f"{place(Location(file=submission.path, sheet=title))}: нет столбца {names} — эти значения "
                "не учтены, строки приняты"
            )
    submission.sheets = {}  # what they held is in ``raw`` now
    return Cleaned(submission, parts, raw)


def start_reading(raw_dir: str | Path, limits: Limits = LIMITS) -> Reading:
    """Start reading every submission under ``raw_dir`` in worker processes; the build does other
    work meanwhile and hands the ``Reading`` to ``analysis.ingest.run.ingest``."""
    paths = find_submissions(Path(raw_dir) / "submissions")
    read = partial(read_and_clean, limits=limits, root=Path(raw_dir))
    return Reading(paths, read, limits.seconds, limits.workers)


def _named(path: Path | str) -> dict:
    """The cluster-year a refused file's name gives, so it still counts as received (not taken)."""
    named = name_identity(path)
    return {"cluster_id": named[0], "year": named[1]} if named else {}


def _unplanned(submission: Submission, plan_years: dict[str, set[int]] | None) -> str | None:
    """Why a submission's cluster-year is not one the project reports on, or None."""
    if plan_years is None:
        return None
    cluster, year = submission.cluster_id, submission.year
    if cluster not in plan_years:
        close = difflib.get_close_matches(cluster, sorted(plan_years), n=1)
        hint = f" (может быть, {close[0]}?)" if close else ""
        return (
            f"{submission.path}: кластера {cluster} нет в реестре кластеров{hint}: файл не загружен — "
            "исправьте код кластера в имени файла и на листе «Сведения» или добавьте кластер в реестр"
        )
    years = plan_years[cluster]
    if years and year not in years:
        listed = ", ".join(map(str, sorted(years)))
        return (
            f"{submission.path}: {year} год не входит в годы плана кластера {cluster} ({listed}): файл не "
            "загружен — исправьте «Год» и имя файла"
        )
    return None


def read_submissions(
    raw_dir: Path,
    limits: Limits,
    as_of: date,
    reading: Reading | None = None,
    plan_years: dict[str, set[int]] | None = None,
) -> tuple[list[Cleaned], list[dict]]:
    """Read every submission; the current one of each cluster-year and the log of every entry of
    the submissions folder (read, superseded, rejected, unreadable, ignored). A file refused
    whole carries the cluster-year its name gives. ``plan_years`` (cluster → the years of its
    plan; an empty set when its plan was not read) refuses a file of another cluster or year in
    one line instead of a rejection per row."""
    folder = raw_dir / "submissions"
    log = [
        _entry(path, status, f"{path}: {reason}", **(_named(path) if status != "ignored" else {}))
        for path, status, reason in untaken_files(folder)
    ]
    reading = reading or start_reading(raw_dir, limits)
    paths = reading.items
    results = reading.results()
    readable: dict[int, Cleaned] = {}
    for path in paths:
        result = results[path]
        if isinstance(result, Cleaned):
            submission = result.submission
            problem = _date_problem(submission, as_of) or _unplanned(submission, plan_years)
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
            log.append(_entry(path, "rejected", result.line(), **_named(path)))
        elif isinstance(result, InputError):
            log.append(_entry(path, "unreadable", result.line(), **_named(path)))
        elif isinstance(result, Failed):
            log.append(_entry(path, "unreadable", f"{path}: {result.reason}", **_named(path)))
        else:  # a reader's bug on a strange file: that file is skipped, the others go on
            logger.debug("reading %s failed", path, exc_info=result)
            log.append(
                _entry(
                    path,
                    "unreadable",
                    f"{path}: внутренняя ошибка программы при чтении этого файла "
                    f"({type(result).__name__}: {str(result)[:80]}): файл пропущен, остальные прочитаны — "
                    "пришлите файл разработчикам",
                    **_named(path),
                )
            )
    current, superseded = latest_submissions([c.submission for c in readable.values()])
    for counted in current:
        aside = [old for old, new in superseded if new is counted]
        if aside:
            counted.notes.append(counted_note(counted, aside))
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
                **_bytes_read(old),
            )
        )
    return [readable[id(s)] for s in current], log


def read_inputs(
    raw_dir: Path,
    demo_clusters: set[str],
    limits: Limits = LIMITS,
    as_of: date | None = None,
    reading: Reading | None = None,
    plan_years: dict[str, set[int]] | None = None,
) -> tuple[dict[str, Rows], dict[int, dict], list[dict]]:
    """Read every submission (``reading``, if started already) and facts file; clean cells;
    return rows, raw records and the file log."""
    as_of = as_of or date.today()
    parts = {table: Rows() for table in SPEC}
    raw: dict[int, dict] = {}
    current, log = read_submissions(raw_dir, limits, as_of, reading, plan_years)
    for cleaned in current:
        submission = cleaned.submission
        first = len(raw)
        cleaned.renumber(first)
        raw.update(cleaned.raw)
        warnings = date_warnings(submission)
        for table, rows in cleaned.parts.items():
            if any(kind == EARLY for kind, _, _ in warnings):
                # a date before its own year is a typing error: rows' dates are not held to it
                for row in rows.parsed:
                    row["submitted_on"] = None
            parts[table].parsed += rows.parsed
            parts[table].rejects += rows.rejects
            parts[table].dropped += rows.dropped
        log.append(
            _entry(
                submission.path,
                "read",
                "; ".join(submission.notes),
                warnings=warnings,
                cluster_id=submission.cluster_id,
                year=submission.year,
                submitted_on=submission.submitted_on,
                demo=submission.demo,
                first_row_id=first,
                last_row_id=len(raw),
                **_bytes_read(submission),
            )
        )
    facts_dir = raw_dir / "facts"
    facts_files = []
    for path in sorted(facts_dir.iterdir()) if facts_dir.is_dir() else []:
        entry = examine(path, raw_dir)
        if path.name.startswith((".", "~$")):
            log.append(_entry(path, "ignored", f"{path}: не CSV-файл фактов (*.csv): не читается"))
        elif not entry.usable:
            log.append(_entry(path, "unreadable", f"{path}: {entry.reason}"))
        elif entry.kind != "file" or path.suffix.lower() != ".csv":
            log.append(_entry(path, "unreadable", f"{path}: не CSV-файл фактов (*.csv): не читается"))
        else:
            facts_files.append(entry)
    for entry in facts_files:
        path = entry.path
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
        log.append(
            _entry(
                path,
                "read",
                "",
                first_row_id=first,
                last_row_id=len(raw),
                demo=False,
                read_from=relative_to_root(entry.resolved, raw_dir),
            )
        )
    for entry in log:
        if "sha256" in entry:
            continue
        examined = examine(entry["source_file"], raw_dir)
        entry["read_from"] = entry.get("read_from") or relative_to_root(examined.resolved, raw_dir)
        try:
            if not examined.usable:  # a pipe, a device, a link out of the raw folder: never opened
                raise OSError(examined.reason)
            entry["sha256"], entry["size_bytes"] = fingerprint(examined.path)
        except OSError:
            entry["sha256"], entry["size_bytes"] = "", 0
    for entry in log:
        if entry["message"]:
            logger.debug("%s: %s", entry["status"], entry["message"])
    return parts, raw, log


def file_warnings(log: list[dict]) -> list[dict]:
    """The warnings the file log carries (``warnings`` of an entry), as warnings-table rows."""
    return [
        {
            "cluster_id": entry.get("cluster_id"),
            "year": entry.get("year"),
            "source_file": entry["source_file"],
            "sheet": sheet,
            "kind": kind,
            "rule": rule,
        }
        for entry in log
        for kind, sheet, rule in entry.get("warnings", [])
    ]
