"""The federal performance indicators («Приложение 5»): import from .xlsx, canonical file, tidy rows.

Accepted .xlsx layout (the first sheet unless one is named), a row per cluster::

    | cluster_id | Численность обучающихся… | Количество программ… | … (eight indicators)
    |            | чел.                     | ед.                  | …     <- optional unit row
    |            | 2024 | 2025 | 2026      | 2024 | 2025 | 2026  | …     <- the year row
    | samara-law | 350  | 420  | 480       | 3    | 4    | 4     | …

- the year row is the first row with years (``2024`` or «2024 год»); the rows above it are the
  header: the top one with text over the year columns holds the indicator titles, merged (or
  repeated) over each indicator's years; a row between it and the year row holds the units;
- without a unit row, the unit is taken from the title's trailing parentheses («…, (млн руб.)»);
- the cluster id column is headed ``cluster_id`` (or «Код кластера», «ID кластера»); other
  columns before the first indicator (region, cluster name) are ignored;
- an indicator's code is ``F`` plus the number its title starts with («1.», «2)»), else its
  position in the sheet; a cell holds a number (decimal comma or point), ``-`` or nothing.

Canonical federal file ``data/raw/plans/federal/<cluster>.csv``: UTF-8, LF, header
``code,title,unit,<year>,…``, one row per indicator in sheet order, cells as the source gives
them (Excel numbers written without a trailing ``.0``). :func:`tidy_federal` turns it into rows
with exactly :data:`analysis.sources.plan.TIDY_COLUMNS` and ``family="federal"``, so they concatenate
with the tidy plan of measures.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from analysis.errors import Location
from analysis.sources.federal import (
    FEDERAL_FIXED,
    check_federal_rows,
)
from analysis.sources.plan_import.assemble import ImportResult, SourceError, target_token

logger = logging.getLogger(__name__)

ID_HEADINGS = {"cluster_id", "код кластера", "id кластера", "идентификатор кластера"}
_YEAR_CELL = re.compile(r"^((?:19|20)\d{2})(?:\s*(?:г\.?|год|года))?$")
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s+")
_TRAILING_UNIT = re.compile(r"^(.*?)[,\s]*\(([^()]+)\)\s*$")


def read_federal_xlsx(path: str | Path, cluster_id: str, sheet: str | None = None) -> ImportResult:
    """Import one cluster's federal indicators from the operator's .xlsx (layout: module docstring)."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        workbook = load_workbook(path, data_only=True, read_only=False)
    except Exception as exc:  # openpyxl raises assorted errors for a file that is not .xlsx
        raise SourceError(Location(file=str(path)), f"не удалось открыть книгу: {exc}", "это .xlsx?") from exc
    if sheet is not None and sheet not in workbook.sheetnames:
        raise SourceError(
            Location(file=str(path), sheet=sheet), "нет такого листа", value=workbook.sheetnames
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    grid = _values(worksheet)
    where = dict(file=str(path), sheet=f"лист «{worksheet.title}»")
    year_row = next((r for r, row in enumerate(grid) if any(_year(v) for v in row)), None)
    if year_row is None:
        raise SourceError(Location(**where), "нет строки заголовка с годами (2024, 2025, …)")
    id_column = next(
        (
            c
            for c in range(len(grid[0]))
            if any(_text(grid[r][c]).lower() in ID_HEADINGS for r in range(year_row))
        ),
        None,
    )
    if id_column is None:
        raise SourceError(
            Location(**where, row=1),
            "нет столбца с кодом кластера",
            f"озаглавьте его одним из: {', '.join(sorted(ID_HEADINGS))}",
        )
    year_cols = [c for c, v in enumerate(grid[year_row]) if _year(v)]
    title_row = next(r for r in range(year_row + 1) if any(_text(grid[r][c]) for c in year_cols))
    if title_row == year_row:
        raise SourceError(Location(**where, row=year_row + 1), "над годами нет названий показателей")
    unit_row = title_row + 1 if title_row + 1 < year_row else None
    data_row = _cluster_row(grid, year_row, id_column, cluster_id, where)
    indicators: dict[str, dict] = {}
    cells_read = 0
    for column in year_cols:
        title = " ".join(_text(grid[title_row][column]).split())
        if not title:
            raise SourceError(
                Location(**where, row=title_row + 1, column=_letter(column)), "год без названия показателя"
            )
        indicator = indicators.setdefault(title, {"first": column, "years": {}, "index": len(indicators) + 1})
        year = _year(grid[year_row][column])
        if year in indicator["years"]:
            raise SourceError(
                Location(**where, row=year_row + 1, column=_letter(column)),
                f"год {year} дважды у одного показателя",
                value=title,
            )
        raw = _cell(grid[data_row][column])
        if raw is None:
            raise SourceError(
                Location(**where, row=data_row + 1, column=_letter(column)),
                "федеральное значение — число, «-» или пусто",
                value=grid[data_row][column],
            )
        cells_read += bool(raw)
        indicator["years"][year] = raw
        indicator.setdefault("unit", _text(grid[unit_row][column]).strip() if unit_row is not None else "")
        logger.debug("column %s: %s %s = %r", _letter(column), title, year, raw)
    years = sorted({y for i in indicators.values() for y in i["years"]})
    records = []
    for title, indicator in indicators.items():
        number = _LEADING_NUMBER.match(title)
        code = f"F{number.group(1)}" if number else f"F{indicator['index']}"
        name = title[number.end() :] if number else title
        unit = indicator["unit"]
        if not unit:
            trailing = _TRAILING_UNIT.match(name)
            if not trailing:
                raise SourceError(
                    Location(**where, row=title_row + 1, column=_letter(indicator["first"])),
                    "у показателя нет единицы измерения",
                    "добавьте строку единиц под названиями или единицу в скобках в конце названия",
                    value=title,
                )
            name, unit = trailing.group(1), trailing.group(2).strip()
        records.append([code, name.strip(), unit, *(indicator["years"].get(y, "") for y in years)])
    frame = pd.DataFrame(records, columns=[*FEDERAL_FIXED, *years], dtype=object).astype(str)
    check_federal_rows(frame, str(path))
    warnings = [
        f"{path.name}: у {row.code} нет значения за {y}"
        for row in frame.itertuples(index=False)
        for y, v in zip(years, row[3:], strict=True)
        if not v
    ]
    for warning in warnings:
        logger.debug(warning)
    return ImportResult(plan=frame, source=str(path), warnings=warnings, cells_read=cells_read)


def _values(worksheet) -> list[list[object]]:
    """Cell values as a rectangle; a merged range repeats its top-left value over its cells."""
    grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
    width = max((len(r) for r in grid), default=0)
    grid = [r + [None] * (width - len(r)) for r in grid]
    for merged in worksheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                grid[r][c] = value
    return grid


def _cluster_row(grid, year_row: int, id_column: int, cluster_id: str, where: dict) -> int:
    rows = [r for r in range(year_row + 1, len(grid)) if _text(grid[r][id_column]).strip() == cluster_id]
    if not rows:
        known = sorted({_text(grid[r][id_column]).strip() for r in range(year_row + 1, len(grid))} - {""})
        raise SourceError(Location(**where), f"нет строки кластера «{cluster_id}»", value=known)
    if len(rows) > 1:
        raise SourceError(
            Location(**where, row=rows[1] + 1), f"у кластера «{cluster_id}» больше одной строки"
        )
    return rows[0]


def _year(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    match = _YEAR_CELL.match(_text(value).strip())
    return match.group(1) if match else None


def _cell(value: object) -> str | None:
    """An Excel cell as canonical text: numbers without a trailing ``.0``; None when not a target."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else format(value, ".10g")
    text = " ".join(str(value).split())
    if not text:
        return ""
    token = target_token(text)
    return token if token is not None and token.lower() != "да" else None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column + 1)
