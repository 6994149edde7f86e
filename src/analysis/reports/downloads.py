"""A report's tables as files to download, linked from the report.

``write(tables, stem)`` writes, beside the report, ``<stem>.xlsx`` — one sheet per table, Russian
headings, numbers as numbers (shares in percent) — and ``<stem>.zip``, the same tables as CSV
files (UTF-8 with a byte-order mark, comma-separated, a point for decimals, every text quoted;
one file per table, named as its sheet), for tools other than Excel. It returns the links to
show, relative to the report (the file names alone), or nothing when ``stem`` is empty.

Every value goes through ``analysis.spreadsheet``: a text is stored as text, never as a formula
(a name starting with «=» stays a name), and a CSV field that starts like a formula carries a
leading apostrophe.

Both files are byte-identical for the same tables: their zip entries carry a fixed time and the
workbook a fixed creation date, so a rebuild of unchanged inputs changes no file.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
from IPython.display import HTML
from openpyxl import Workbook
from openpyxl.styles import Font

from analysis import spreadsheet
from analysis.reports import markup

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # zip entries' time: the same bytes for the same tables
FIXED_DATE = "2000-01-01T00:00:00Z"  # the workbook's created / modified properties
SHEET_NAME_LIMIT = 31  # Excel's limit

_LINKS = """
<p class="downloads">Таблицы отчёта для работы с данными:
<a href="{{ xlsx }}" download>Excel (.xlsx)</a> ·
<a href="{{ csv }}" download>CSV (архив .zip)</a></p>
"""


def sheet_names(titles) -> list[str]:
    """Excel sheet names for the tables' titles: no ``[]:*?/\\``, at most 31 characters, unique."""
    names: list[str] = []
    for title in titles:
        base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip().strip("'")[:SHEET_NAME_LIMIT] or "Таблица"
        name, n = base, 2
        while name.lower() in (x.lower() for x in names):
            suffix = f" ({n})"
            name, n = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def workbook_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The tables as one .xlsx: a sheet per table, headings in bold, the heading row frozen."""
    book = Workbook()
    book.remove(book.active)
    for name, (_, frame) in zip(sheet_names(tables), tables.items(), strict=True):
        sheet = book.create_sheet(name)
        spreadsheet.write_row(sheet, 1, [str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        rows = _rows(frame)
        for number, row in enumerate(rows, start=2):
            spreadsheet.write_row(sheet, number, row)
        sheet.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            longest = max(
                [len(str(column)), *(len(str(row[i - 1])) for row in rows if row[i - 1] is not None)]
            )
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(60, max(8, longest + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed(buffer.getvalue())


def _rows(frame: pd.DataFrame) -> list[list]:
    """The frame's rows as lists of Python values (what ``itertuples`` gives, column by column
    at once rather than one column lookup per column and table)."""
    return frame.to_numpy(dtype=object).tolist()


def _fixed(xlsx: bytes) -> bytes:
    """The same workbook with fixed entry times and a fixed created / modified date."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_DATE.encode() + rb"\3",
                    data,
                )
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_zip_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """The tables as CSV files in one zip, each named as its sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in zip(sheet_names(tables), tables.values(), strict=True):
            text = spreadsheet.csv_text([str(c) for c in frame.columns], _rows(frame))
            info = zipfile.ZipInfo(f"{name}.csv", FIXED_TIME)
            archive.writestr(info, text.encode("utf-8-sig"), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def write(tables: dict[str, pd.DataFrame], stem: str) -> HTML | None:
    """Write ``<stem>.xlsx`` and ``<stem>.zip`` and return the links to them (file names only,
    relative to a report written beside them); with an empty ``stem``, write nothing, show nothing."""
    if not stem:
        return None
    stem_path = Path(stem)
    xlsx = stem_path.with_name(stem_path.name + ".xlsx")
    csv = stem_path.with_name(stem_path.name + ".zip")
    _atomic_write(xlsx, workbook_bytes(tables))
    _atomic_write(csv, csv_zip_bytes(tables))
    return markup.fragment(_LINKS, xlsx=xlsx.name, csv=csv.name)
