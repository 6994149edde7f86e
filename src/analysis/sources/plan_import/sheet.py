"""Read Appendix 2 retyped in a spreadsheet: ``.xlsx``/``.xlsm`` or ``.csv`` (``;``, ``,`` or tab
separated; UTF-8, UTF-8 with a BOM or cp1251).

The sheet is read as a table by :mod:`.table` (merged cells made explicit), so the same column
roles apply as in Word: «№ п/п», «Наименование…», one column per year, optionally a programme-code
or a result-group column. Excel numbers are written without a trailing ``.0``; a formula without
a stored value (a file saved by a tool other than Excel) is not a mark and is named.

The operator's federal indicators («Приложение 5», a row per cluster) come as ``.xlsx`` too; a
sheet with a cluster id column («cluster_id», «Код кластера») is that layout
(:func:`is_federal_sheet`), read by :mod:`.federal`.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import ImportResult, SourceError, assemble
from analysis.sources.plan_import.federal import ID_HEADINGS
from analysis.sources.plan_import.table import Cell, read_tables

logger = logging.getLogger(__name__)

_SPREADSHEETS = {".xlsx", ".xlsm"}


def is_federal_sheet(path: str | Path, sheet: str | None = None) -> bool:
    """Whether a spreadsheet holds the federal indicators: a cluster id column in its header."""
    _, grid = _grid(Path(path), sheet)
    return any(cell.text.strip().lower() in ID_HEADINGS for row in grid[:10] for cell in row)


def read_sheet_file(path: str | Path, sheet: str | None = None) -> ImportResult:
    """Import Appendix 2 from a spreadsheet (see the module docstring)."""
    path = Path(path)
    name, grid = _grid(path, sheet)
    read = read_tables([(name, grid)], str(path))
    if read is None:
        raise SourceError(
            Location(file=str(path), sheet=name),
            "нет строки заголовка с годами (2024, 2025, …)",
            "в заголовке таблицы плана должны стоять годы, по столбцу на год",
        )
    result = assemble(read.pieces, read.years, str(path), read.notes)
    result.parts = read.parts
    return result


def _grid(path: Path, sheet: str | None) -> tuple[str, list[list[Cell]]]:
    if path.suffix.lower() in _SPREADSHEETS:
        return _workbook_grid(path, sheet)
    return "CSV", _csv_grid(path)


def _workbook_grid(path: Path, sheet: str | None) -> tuple[str, list[list[Cell]]]:
    from openpyxl import load_workbook

    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises assorted errors for a file that is not .xlsx
        raise SourceError(Location(file=str(path)), f"не удалось открыть книгу: {exc}", "это .xlsx?") from exc
    if sheet is not None and sheet not in values.sheetnames:
        raise SourceError(Location(file=str(path), sheet=sheet), "нет такого листа", value=values.sheetnames)
    ws = values[sheet] if sheet else values.worksheets[0]
    raw = formulas[ws.title]
    height, width = ws.max_row, ws.max_column
    texts = [
        [_text(ws.cell(r, c).value, raw.cell(r, c).value) for c in range(1, width + 1)]
        for r in range(1, height + 1)
    ]
    origin = {}
    for merged in ws.merged_cells.ranges:
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                origin[(r - 1, c - 1)] = (merged.min_row - 1, merged.min_col - 1)
    grid = []
    for r in range(height):
        row = []
        for c in range(width):
            start = origin.get((r, c), (r, c))
            row.append(Cell(texts[start[0]][start[1]], start, start[0] < r))
        grid.append(row)
    return f"лист «{ws.title}»", grid


def _text(value: object, formula: object) -> str:
    if value is None:
        if isinstance(formula, str) and formula.startswith("="):
            return "формула без значения"
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else format(value, ".10g")
    return str(value)


def _csv_grid(path: Path) -> list[list[Cell]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")
    sample = text[:5000]
    delimiter = max([";", ",", "\t"], key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    return [
        [Cell(row[c] if c < len(row) else "", (r, c)) for c in range(width)] for r, row in enumerate(rows)
    ]
