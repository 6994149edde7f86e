"""Reading one submission — an ``.xlsx`` form or a folder of CSV sheets — into raw sheet tables.

Values stay as the file holds them (text, numbers, datetimes); ``analysis.sources.normalise`` cleans
them later, cell by cell. Each row keeps its row number in the sheet (``source_row``) so every
message can point at it. A file that cannot be read at all raises ``UnreadableSubmission``.

CSV submissions: a folder ``<cluster>_<year>/`` holding one ``<sheet title>.csv`` per sheet of
the form (e.g. ``Показатели.csv``), UTF-8 or cp1251, separated by ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, Location
from analysis.sources import forms, normalise

HEADER_SCAN_ROWS = 6
_NAME = re.compile(r"^(?P<cluster>[a-z0-9][a-z0-9-]*)_(?P<year>\d{4})(?:\.xlsx)?$")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class UnreadableSubmission(InputError):
    """A submission that cannot be read at all: not a workbook, corrupt, protected, or
    missing a sheet of the form. It is reported and skipped; the other files go on."""


@dataclass
class RawSheet:
    """One sheet as read: internal column names, the values as found, ``source_row``."""

    title: str
    frame: pd.DataFrame
    missing_columns: list[str] = field(default_factory=list)


@dataclass
class Submission:
    path: str
    cluster_id: str
    year: int
    submitted_on: date | None
    sheets: dict[str, RawSheet]
    demo: bool = False


def _heading_key(value: object) -> str:
    return normalise.text(value).lower().replace("ё", "е")


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
            "the column headings of the form are missing",
            "fill the form made by `python -m analysis template`",
        )
    positions = {wanted[k]: i for i, k in enumerate(keys) if k in wanted}
    records = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if all(normalise.is_blank(v) for v in row):
            continue
        record = {name: (row[i] if i < len(row) else None) for name, i in positions.items()}
        record["source_row"] = offset
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[*positions, "source_row"])
    missing = [h for h, name in spec.columns if name not in positions]
    for name in spec.names:
        if name not in frame.columns:
            frame[name] = None
    return RawSheet(title, frame[[*spec.names, "source_row"]], missing)


def _xlsx_rows(path: Path) -> dict[str, list[tuple]]:
    head = path.read_bytes()[:4]
    if head == _OLE_MAGIC:
        raise UnreadableSubmission(
            Location(file=str(path)),
            "the workbook is password-protected or an old .xls",
            "save it as .xlsx without a password",
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableSubmission(
            Location(file=str(path)),
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            "open it in Excel and save it again as .xlsx",
        ) from exc
    try:
        return {
            ws.title.strip(): [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets
        }
    finally:
        workbook.close()


def read_csv_rows(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """The non-blank lines of a CSV file as ``(line number, cells)``: UTF-8 (with or without a
    BOM) or cp1251, separated by ``;`` or ``,`` (whichever the first line uses more)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableSubmission(
            Location(file=str(path)), f"cannot read the file ({exc.strerror})"
        ) from exc
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            content = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableSubmission(
            Location(file=str(path)), "the text is neither UTF-8 nor cp1251", "save it again as «CSV UTF-8»"
        )
    first = content.splitlines()[0] if content else ""
    reader = csv.reader(io.StringIO(content), delimiter=";" if first.count(";") >= first.count(",") else ",")
    rows = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((reader.line_num, tuple(cells)))
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
    records = [dict(zip(header, cells, strict=False)) for _, cells in rows[1:]]
    frame = pd.DataFrame.from_records(records, columns=header).reindex(
        columns=[*columns, "demo"], fill_value=""
    )
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    frame["demo"] = frame["demo"].isin(normalise.FLAG_TRUE)
    frame["source_row"] = pd.Series([line for line, _ in rows[1:]], dtype="int64")
    return frame


def _csv_rows(folder: Path) -> dict[str, list[tuple]]:
    return {
        path.stem.strip(): [cells for _, cells in read_csv_rows(path)]
        for path in sorted(folder.glob("*.csv"))
    }


def _meta(rows: list[tuple]) -> dict[str, object]:
    fields = {_heading_key(k): v for k, v in forms.META_FIELDS.items()}
    meta = {}
    for row in rows:
        if len(row) >= 2 and _heading_key(row[0]) in fields:
            meta[fields[_heading_key(row[0])]] = row[1]
    return meta


def read_submission(path: str | Path) -> Submission:
    """Read every sheet of a submission; which cluster and year it is comes from «Сведения»,
    or else from the file name ``<cluster>_<year>``."""
    path = Path(path)
    rows = _csv_rows(path) if path.is_dir() else _xlsx_rows(path)
    titles = {_heading_key(t): t for t in rows}
    missing = [s.title for s in (forms.META, *forms.INPUT_SHEETS) if _heading_key(s.title) not in titles]
    if missing:
        raise UnreadableSubmission(
            Location(file=str(path)),
            f"sheets missing: {', '.join(missing)}",
            "use the form made by `python -m analysis template`, keeping its sheets",
        )
    meta = _meta(rows[titles[_heading_key(forms.META.title)]])
    named = _NAME.match(path.name.removesuffix(".xlsx"))
    cluster = normalise.text(meta.get("cluster_id")) or (named["cluster"] if named else "")
    year_text = normalise.text(meta.get("year")) or (named["year"] if named else "")
    if cluster and year_text and not year_text.isdigit():
        raise UnreadableSubmission(
            Location(file=str(path), sheet=forms.META.title),
            "the year must be a number such as 2025",
            value=year_text,
        )
    if not cluster or not year_text.isdigit():
        raise UnreadableSubmission(
            Location(file=str(path), sheet=forms.META.title),
            "the cluster id and the year are not filled in",
            "fill «Кластер» and «Год» on the «Сведения» sheet",
        )
    try:
        submitted = normalise.day(meta.get("submitted_on"))
    except ValueError:
        submitted = None
    try:
        demo = normalise.yes_no(meta.get("demo")) if not normalise.is_blank(meta.get("demo")) else False
    except ValueError:
        demo = False
    sheets = {}
    for spec in forms.INPUT_SHEETS:
        title = titles[_heading_key(spec.title)]
        sheets[spec.title] = _table(spec.title, rows[title], spec, str(path))
    return Submission(str(path), cluster, int(year_text), submitted, sheets, demo)


def fingerprint(path: str | Path) -> tuple[str, int]:
    """``(sha256 hex, size in bytes)`` of an input file; of a CSV folder, over its files in name
    order (each file's name, then its bytes) and their total size."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode("utf-8") + b"\0")
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return digest.hexdigest(), size


def find_submissions(folder: str | Path) -> list[Path]:
    """Every submission in a folder: ``*.xlsx`` files and ``<cluster>_<year>/`` CSV folders."""
    folder = Path(folder)
    if not folder.exists():
        return []
    found = [
        p
        for p in folder.iterdir()
        if (p.suffix.lower() == ".xlsx" and not p.name.startswith("~$"))
        or (p.is_dir() and any(p.glob("*.csv")))
    ]
    return sorted(found)
