"""Read a plan from a Word document whose plan of measures is a table.

The table's header may span several rows and merged cells: its last row holds the years (one
column each, «2024» or «2024 год»); the column headed «№»/«п/п» holds the codes and the one
headed «Наименование…» the names (without such headings: the first column and the next one).
A line of column numbers («1 2 3 4 5») under the header and a header repeated further down are
skipped. Each body row gives one piece for :func:`analysis.sources.plan_import.assemble.assemble`:

- the code comes from the code column, or from the start of the name when that column is empty
  (``38.02.01 Экономика…`` in the name cell);
- a row without a code continues the row above (a programme name over two rows);
- a cell merged down from the row above is empty in the lower row, and a section or group name
  merged across the year columns is not a target;
- target cells are kept exactly as written; an empty cell is no target, with a warning.

Tables before the plan table (without a year header) are ignored; a later table with the same
number of columns continues the plan (Word documents often split a table at a page break).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import (
    PLAN_CODE,
    ImportResult,
    Piece,
    SourceError,
    assemble,
    clean_name,
    split_code,
    target_token,
)
from analysis.sources.plan_import.text import is_header_line

logger = logging.getLogger(__name__)

_YEAR_CELL = re.compile(r"^((?:19|20)\d{2})(?:\s*(?:г\.?|год|года))?$")


@dataclass(frozen=True)
class _Cell:
    text: str
    origin: tuple[int, int]  # (row, grid column) where the merged cell starts
    continued: bool  # merged down from the row above


@dataclass(frozen=True)
class _Layout:
    years: list[str]
    year_columns: list[int]
    code_column: int
    name_column: int
    width: int


def read_docx_file(path: str | Path) -> ImportResult:
    """Import a plan from the (first) table of a .docx that has a year header."""
    import docx  # python-docx; imported here so text and PDF imports do not need it

    path = Path(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises assorted errors for a file that is not a .docx
        raise SourceError(
            Location(file=str(path)), f"cannot open the Word document: {exc}", "is it a .docx file?"
        ) from exc
    source = str(path)
    layout: _Layout | None = None
    pieces: list[Piece] = []
    for number, table in enumerate(document.tables, start=1):
        grid = _grid(table)
        sheet = f"table {number}"
        header_end, found = _find_header(grid, source, sheet)
        if found is not None:
            if layout is not None and found.years != layout.years:
                raise SourceError(
                    Location(file=source, sheet=sheet, row=header_end + 1),
                    f"this table's years differ from the plan's {layout.years}",
                    value=found.years,
                )
            layout = layout or found
            body = range(header_end + 1, len(grid))
        elif layout is not None and len(grid[0]) == layout.width:
            body = range(len(grid))
        else:
            logger.info("%s, %s: not part of the plan table; skipped", source, sheet)
            continue
        for index in body:
            piece = _piece(grid, index, layout, Location(file=source, sheet=sheet, row=index + 1))
            if piece is not None:
                pieces.append(piece)
    if layout is None:
        raise SourceError(
            Location(file=source),
            "no table with a header of years (e.g. 2024 2025 2026)",
            "the plan of measures must be a Word table whose header names the years",
        )
    return assemble(pieces, layout.years, source)


def _grid(table) -> list[list[_Cell]]:
    """The table as a rectangle of cells, one per layout-grid column, merges made explicit."""
    from docx.table import _Cell as DocxCell

    rows: list[list[_Cell]] = []
    width = 0
    for r, tr in enumerate(table._tbl.tr_lst):
        cells: list[_Cell] = [_Cell("", (r, c), False) for c in range(tr.grid_before)]
        for tc in tr.tc_lst:
            column = len(cells)
            if tc.vMerge == "continue" and rows and column < len(rows[-1]):
                above = rows[-1][column]
                cells += [_Cell(above.text, above.origin, True)] * tc.grid_span
                continue
            text = "\n".join(p.text for p in DocxCell(tc, table).paragraphs)
            cells += [_Cell(text, (r, column), False)] * tc.grid_span
        rows.append(cells)
        width = max(width, len(cells))
    for r, cells in enumerate(rows):
        cells += [_Cell("", (r, c), False) for c in range(len(cells), width)]
    return rows


def _find_header(grid: list[list[_Cell]], source: str, sheet: str) -> tuple[int, _Layout | None]:
    for index, row in enumerate(grid):
        year_columns = [c for c, cell in enumerate(row) if _YEAR_CELL.match(cell.text.strip())]
        year_columns = [c for c in year_columns if c == 0 or row[c - 1].origin != row[c].origin]
        if not year_columns:
            continue
        years = [_YEAR_CELL.match(row[c].text.strip()).group(1) for c in year_columns]
        if years != sorted(set(years)):
            raise SourceError(
                Location(file=source, sheet=sheet, row=index + 1),
                "the header years must increase",
                value=years,
            )
        headings = {c: " ".join(grid[r][c].text.lower() for r in range(index + 1)) for c in range(len(row))}
        others = [c for c in range(len(row)) if c not in year_columns]
        code_column = next((c for c in others if "№" in headings[c] or "п/п" in headings[c]), others[0])
        name_column = next(
            (c for c in others if "наименование" in headings[c] and c != code_column),
            next((c for c in others if c > code_column), code_column),
        )
        return index, _Layout(years, year_columns, code_column, name_column, len(row))
    return len(grid), None


def _piece(grid: list[list[_Cell]], index: int, layout: _Layout, where: Location) -> Piece | None:
    row = grid[index]
    seen: list[tuple[int, int]] = []
    texts = []
    for cell in row:
        if cell.origin not in seen and not cell.continued and cell.text.strip():
            seen.append(cell.origin)
            texts.append(" ".join(cell.text.split()))
    if not texts or _is_column_numbers(texts) or _repeats_header(row, layout, texts):
        return None
    text = " | ".join(texts)
    code_cell, name_cell = row[layout.code_column], row[layout.name_column]
    code = "" if code_cell.continued else code_cell.text.strip()
    name = "" if name_cell.continued or name_cell.origin == code_cell.origin else name_cell.text
    name = clean_name(name.split("\n"))
    if code:
        head, rest = split_code(code)
        if not head and PLAN_CODE.match(code.rstrip(".")):
            head, rest = code.rstrip("."), ""  # a bare «1» in the code column is a section
        if not head:
            raise SourceError(
                Location(where.file, where.sheet, where.row, "code"),
                "not a plan code (1., 1.1, 1.1.1) or a programme code (38.02.01)",
                value=code,
            )
        code, name = head, clean_name([rest, name])
    elif name:
        code, name = split_code(name)
    owners = {code_cell.origin, name_cell.origin}
    cells = []
    for year, column in zip(layout.years, layout.year_columns, strict=True):
        cell = row[column]
        raw = "" if cell.continued or cell.origin in owners else " ".join(cell.text.split())
        value = target_token(raw) if raw else ""
        if value is None:
            raise SourceError(
                Location(where.file, where.sheet, where.row, year),
                "a target is a number, да, '-' or empty",
                value=raw,
            )
        cells.append(value)
    return Piece(where, text, code=code, name=name, cells=tuple(cells) if any(cells) else ())


def _is_column_numbers(texts: list[str]) -> bool:
    return len(texts) > 2 and texts == [str(i) for i in range(1, len(texts) + 1)]


def _repeats_header(row: list[_Cell], layout: _Layout, texts: list[str]) -> bool:
    """A header row repeated down the table: its years, or nothing but the header's phrases."""
    cells = [row[c].text.strip() for c in layout.year_columns]
    if [(_YEAR_CELL.match(c) or [None, None])[1] for c in cells] == layout.years:
        return True
    return all(is_header_line(t) for t in texts)
