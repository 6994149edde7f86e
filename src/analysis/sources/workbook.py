"""Reading one submission — an ``.xlsx`` form or a folder of CSV sheets — into raw sheet tables.

Values stay as the file holds them (text, numbers, datetimes); ``analysis.sources.normalise`` cleans
them later, cell by cell. Each row keeps its row number in the sheet (``source_row``) so every
message can point at it. A file that cannot be read at all raises ``UnreadableSubmission``
(``analysis.sources.xlsx`` reads workbooks within bounds).

Identity: a submission is the cluster-year named by its file name (``<cluster>_<year>``, a
suffix such as ``_v2`` allowed) and by its «Сведения» sheet. A blank «Кластер» or «Год» takes the
file name's; when the two disagree the file raises ``IdentityMismatch`` and nothing of it is read.

CSV submissions: a folder ``<cluster>_<year>/`` holding one ``<sheet title>.csv`` per sheet of
the form (e.g. ``Показатели.csv``), UTF-8 or cp1251, separated by ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, Location
from analysis.sources import dates, forms, normalise
from analysis.sources.entries import examine, open_regular, relative_to_root
from analysis.sources.lookalike import difference, to_cyrillic, to_latin
from analysis.sources.place import problem_line
from analysis.sources.xlsx import (
    LIMITS,
    CellProblem,
    Limits,
    UnreadableSubmission,
    read_limited,
    read_xlsx,
)

__all__ = [
    "IdentityMismatch",
    "RawSheet",
    "Submission",
    "UnreadableSubmission",
    "find_submissions",
    "read_submission",
    "untaken_files",
]

HEADER_SCAN_ROWS = 6
_SPACES = re.compile(r"\s+")
# «<cluster>_<year>», then optionally a suffix such as «_v2» or « (1)» that tells two files apart.
_NAME = re.compile(r"^(?P<cluster>[a-z0-9][a-z0-9-]*)[_ ](?P<year>\d{4})(?:[^0-9].*)?$")


class IdentityMismatch(UnreadableSubmission):
    """The file name and the «Сведения» sheet name different cluster-years: the file is
    rejected whole, so it can never stand in for another cluster-year's submission."""


@dataclass
class RawSheet:
    """One sheet as read: a record per non-blank row below the headings (internal column names,
    the values as found, ``source_row``) and the form's headings the sheet lacks."""

    title: str
    records: list[dict]
    missing_columns: list[str] = field(default_factory=list)

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.records, columns=[*self.records[0]] if self.records else None)


@dataclass
class Submission:
    path: str
    cluster_id: str
    year: int
    submitted_on: date | None
    sheets: dict[str, RawSheet]
    demo: bool = False
    notes: list[str] = field(default_factory=list)  # what was read with a caveat, one line each
    sha256: str = ""  # of the bytes read (a CSV folder: its sheets' names and bytes in name order)
    size_bytes: int = 0
    read_from: str = ""  # the file or folder read, relative to the raw folder (a link's target)
    modified: float = 0.0  # when the file read was last modified (seconds since the epoch)


def _heading_key(value: object) -> str:
    """A heading, label or sheet title as compared: any case, ё as е, Latin look-alike letters
    as Cyrillic, without invisible characters or trailing «:», «*», «.» (``Дата представления:``)."""
    key = to_cyrillic(normalise.text(value)).lower().replace("ё", "е")
    return _SPACES.sub(" ", key).strip().rstrip(":*.").strip()


def _table(title: str, rows: list[tuple], spec: forms.Sheet, where: str) -> RawSheet:
    """Find the heading row, map headings to internal names and keep the data rows below it."""
    wanted = {_heading_key(h): name for h, name in spec.columns}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [_heading_key(v) for v in row]
        if sum(k in wanted for k in keys) >= max(1, len(wanted) // 2):
            header_index = index
            break
    else:
        raise UnreadableSubmission(
            Location(file=where, sheet=title, row=1),
            "нет заголовков столбцов формы",
            "заполните форму, сделанную командой `python -m analysis template`",
        )
    positions = [
        (name, next((i for i, k in enumerate(keys) if wanted.get(k) == name), None)) for name in spec.names
    ]
    records = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if all(normalise.is_blank(v) for v in row):
            continue
        record = {name: (row[i] if i is not None and i < len(row) else None) for name, i in positions}
        record["source_row"] = offset
        records.append(record)
    missing = [h for h, name in spec.columns if dict(positions)[name] is None]
    return RawSheet(title, records, missing)


def read_csv_rows(path: Path, limits: Limits = LIMITS) -> list[tuple[int, tuple[str, ...]]]:
    """The non-blank lines of a CSV file as ``(line number, cells)``: UTF-8 (with or without a
    BOM) or cp1251, separated by ``;`` or ``,`` (whichever the first line uses more)."""
    raw = read_limited(path, limits)
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableSubmission(
            Location(file=str(path)),
            "текст не в кодировке UTF-8 и не в cp1251",
            "сохраните файл снова как «CSV UTF-8»",
        )
    first = content.splitlines()[0] if content else ""
    reader = csv.reader(io.StringIO(content), delimiter=";" if first.count(";") >= first.count(",") else ",")
    rows = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, tuple(cells)))
    except csv.Error as exc:
        raise UnreadableSubmission(
            Location(file=str(path), row=reader.line_num), f"строка CSV не читается ({exc})"
        ) from exc
    return rows


def read_csv_table(
    path: Path, columns: list[str], error: type[InputError] = InputError, hint: str = ""
) -> pd.DataFrame:
    """A small CSV input (registry, participants, facts): the ``columns`` as stripped text, an
    optional ``demo`` column read as a flag, and ``source_row``, the line of each row in the file.

    Any other column is ignored; a missing one raises ``error`` naming the header to write.
    """
    if not path.exists():
        raise error(Location(file=str(path)), "the file does not exist", hint)
    rows = read_csv_rows(path)
    header = [normalise.text(cell) for cell in rows[0][1]] if rows else []
    missing = [c for c in columns if c not in header]
    if missing:
        raise error(
            Location(file=str(path), row=1),
            f"missing columns {missing}",
            "the header must be " + ",".join(columns) + "[,demo]",
        )
    return csv_table(rows, header, columns)


def csv_table(rows: list[tuple[int, tuple[str, ...]]], header: list[str], columns: list[str]) -> pd.DataFrame:
    """The data rows of ``read_csv_rows`` under their ``header`` (internal names): ``columns`` as
    stripped text, ``demo`` as a flag, ``source_row`` the line in the file."""
    records = [dict(zip(header, cells, strict=False)) for _, cells in rows[1:]]
    frame = pd.DataFrame.from_records(records, columns=header).reindex(
        columns=[*columns, "demo"], fill_value=""
    )
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    frame["demo"] = frame["demo"].isin(normalise.FLAG_TRUE)
    frame["source_row"] = pd.Series([line for line, _ in rows[1:]], dtype="int64")
    return frame


def _csv_rows(folder: Path, limits: Limits, root: Path) -> dict[str, list[tuple]]:
    """Each sheet's rows so that ``rows[i]`` is the file's line ``i + 1`` (blank lines kept blank).
    Every ``*.csv`` of the folder must be a regular file inside the raw folder ``root``."""
    sheets = {}
    for path in sorted(folder.glob("*.csv")):
        entry = examine(path, root)
        if entry.kind != "file":
            reason = entry.reason or "папка, а не файл"
            raise UnreadableSubmission(Location(file=str(path)), reason)
        lines = read_csv_rows(path, limits)
        rows: list[tuple] = [()] * (lines[-1][0] if lines else 0)
        for number, cells in lines:
            rows[number - 1] = cells
        sheets[path.stem.strip()] = rows
    return sheets


def _meta(rows: list[tuple], path: Path) -> dict[str, object]:
    fields = {_heading_key(k): (k, v) for k, v in forms.META_FIELDS.items()}
    meta = {}
    for row in rows:
        if len(row) >= 2 and _heading_key(row[0]) in fields:
            label, name = fields[_heading_key(row[0])]
            if isinstance(row[1], CellProblem):
                raise UnreadableSubmission(
                    Location(file=str(path), sheet=forms.META.title, column=label), row[1].rule
                )
            meta[name] = row[1]
    return meta


def name_identity(path: str | Path) -> tuple[str, int] | None:
    """The cluster-year a file or folder name gives (``samara-law_2025_v2.xlsx``), or None; read
    in any case, spaces around it and Cyrillic look-alike letters folded (``SAMARA-LAW_2025.xlsx ``)."""
    named = _NAME.match(to_latin(Path(path).name.strip().lower()))
    return (named["cluster"], int(named["year"])) if named else None


_YEAR_WORD = re.compile(r"\s*(?:г\.?|года?|год\.?)\s*$", re.IGNORECASE)


def _suffix(path: Path) -> str:
    """A name's extension in lowercase, spaces after it left out (``.xlsx `` is ``.xlsx``)."""
    return Path(path.name.strip()).suffix.lower()


def read_submission(path: str | Path, limits: Limits = LIMITS, root: str | Path | None = None) -> Submission:
    """Read every sheet of a submission; its cluster-year is the one its file name and its
    «Сведения» sheet agree on (see the module docstring). ``root`` is the raw folder a link may
    lead into (default: the folder above the submissions folder)."""
    path = Path(path)
    root = Path(root) if root is not None else path.parent.parent
    entry = examine(path, root)
    if not entry.usable:
        raise UnreadableSubmission(Location(file=str(path)), entry.reason)
    named = name_identity(path)
    if named is None:
        raise UnreadableSubmission(
            Location(file=str(path)),
            "имя файла не начинается с «<кластер>_<год>»",
            "переименуйте файл, например в samara-law_2025.xlsx (суффикс вроде _v2 допустим)",
        )
    notes: list[str] = []
    if entry.kind == "folder":
        rows = _csv_rows(entry.resolved, limits, root)
        sha256, size = fingerprint(entry.resolved)
    else:
        data = read_limited(entry.resolved, limits)
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
        titles = {_heading_key(s.title) for s in (forms.META, *forms.INPUT_SHEETS)}
        book = read_xlsx(path, lambda title: _heading_key(title) in titles, limits, data)
        rows, notes = book.sheets, book.notes
    titles = {_heading_key(t): t for t in rows}
    missing = [s.title for s in (forms.META, *forms.INPUT_SHEETS) if _heading_key(s.title) not in titles]
    if missing:
        raise UnreadableSubmission(
            Location(file=str(path)),
            f"нет листов: {', '.join(missing)}",
            "используйте форму, сделанную командой `python -m analysis template`, не удаляя её листов",
        )
    meta = _meta(rows[titles[_heading_key(forms.META.title)]], path)
    cluster, year = _identity(path, named, meta)
    submitted = None
    if not normalise.is_blank(meta.get("submitted_on")):
        try:
            submitted = dates.day(meta.get("submitted_on"))
        except ValueError as exc:
            notes.append(
                problem_line(
                    Location(file=str(path), sheet=forms.META.title, column="Дата представления"),
                    str(exc),
                    "файл считается представленным без даты",
                    normalise.text(meta.get("submitted_on")),
                )
            )
    try:
        demo = normalise.yes_no(meta.get("demo")) if not normalise.is_blank(meta.get("demo")) else False
    except ValueError:
        demo = False
    sheets = {}
    for spec in forms.INPUT_SHEETS:
        title = titles[_heading_key(spec.title)]
        sheets[spec.title] = _table(spec.title, rows[title], spec, str(path))
    read_from = relative_to_root(entry.resolved, root)
    modified = os.stat(entry.resolved).st_mtime
    return Submission(
        str(path), cluster, year, submitted, sheets, demo, notes, sha256, size, read_from, modified
    )


def _identity(path: Path, named: tuple[str, int], meta: dict[str, object]) -> tuple[str, int]:
    """The cluster-year of the file name, checked against «Сведения» (a blank field agrees)."""
    where = Location(file=str(path), sheet=forms.META.title)
    cluster = to_latin(normalise.text(meta.get("cluster_id")).lower()) or named[0]
    year_text = _YEAR_WORD.sub("", normalise.text(meta.get("year"))) or str(named[1])
    if not year_text.isdigit():
        raise UnreadableSubmission(where, "год записывается числом, например 2025", value=year_text)
    if (cluster, int(year_text)) != named:
        shown_name, shown_sheet = f"{named[0]} {named[1]}", f"{cluster} {year_text}"
        different = difference(shown_name, shown_sheet)
        raise IdentityMismatch(
            where,
            f"имя файла называет {shown_name}, а лист «Сведения» — {shown_sheet} (различие — {different}): "
            "файл не загружен, чтобы не подменить чужие данные",
            "исправьте имя файла или «Кластер» и «Год» на листе «Сведения»",
        )
    return named


def fingerprint(path: str | Path) -> tuple[str, int]:
    """``(sha256 hex, size in bytes)`` of an input file; of a CSV folder, over its files in name
    order (each file's name, then its bytes) and their total size."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    folder = os.path.isdir(path)
    files = sorted(p for p in path.iterdir() if stat.S_ISREG(os.lstat(p).st_mode)) if folder else [path]
    for file in files:
        if folder:
            digest.update(file.name.encode("utf-8") + b"\0")
        # never a pipe or a device: opened without blocking and checked to be a regular file
        with os.fdopen(open_regular(file), "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def survey(
    folder: str | Path, root: str | Path | None = None
) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """Every entry of a submissions folder, looked at with ``lstat`` and never opened
    (``analysis.sources.entries``): the submissions to read (``*.xlsx`` files and
    ``<cluster>_<year>/`` CSV folders, links to them inside the raw folder ``root`` included), and
    every other entry as ``(path, status, reason)`` — ``ignored`` for Excel's lock files
    (``~$…``), ``unreadable`` for the rest (an old ``.xls``, an empty folder, a pipe, a device, a
    link leading out of ``root`` or nowhere, any other file)."""
    folder = Path(folder)
    if not os.path.isdir(folder):
        return [], []
    root = Path(root) if root is not None else folder.parent
    taken, untaken = [], []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("~$"):
            untaken.append((path, "ignored", "файл блокировки Excel (книга была открыта), не представление"))
            continue
        entry = examine(path, root)
        if not entry.usable:
            untaken.append((path, "unreadable", entry.reason))
        elif entry.kind == "folder":
            if _suffix(path) in (".xlsx", *_UNTAKEN):
                untaken.append((path, "unreadable", f"папка, а не файл {_suffix(path)}: не представление"))
            elif any(entry.resolved.glob("*.csv")):
                taken.append(path)
            else:
                untaken.append((path, "unreadable", "папка без CSV-файлов листов формы: не представление"))
        elif _suffix(path) == ".xlsx":
            taken.append(path)
        else:
            reason = _UNTAKEN.get(_suffix(path), "не книга .xlsx и не папка CSV: представлением не считается")
            untaken.append((path, "unreadable", reason))
    return taken, untaken


def find_submissions(folder: str | Path) -> list[Path]:
    """Every submission in a folder: ``*.xlsx`` files and ``<cluster>_<year>/`` CSV folders."""
    return survey(folder)[0]


# What a file that is not a submission is, by its name: (status, reason). Lock files are
# Excel's own while a workbook is open; the other kinds are named so nobody thinks they were read.
_UNTAKEN = {
    ".xls": "старый формат .xls не читается: откройте файл в Excel и сохраните его как .xlsx",
    ".xlsm": "книга с макросами (.xlsm) не читается: сохраните её как .xlsx",
    ".xlsb": "двоичная книга (.xlsb) не читается: сохраните её как .xlsx",
    ".ods": "формат .ods не читается: сохраните файл как .xlsx",
    ".csv": "отдельный CSV не читается: CSV-представление — папка <кластер>_<год>/ с файлом на каждый лист",
}


def untaken_files(folder: str | Path) -> list[tuple[Path, str, str]]:
    """Every entry of a submissions folder that is not read as a submission (``survey``)."""
    return survey(folder)[1]
