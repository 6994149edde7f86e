"""Values written into spreadsheets and CSV so that a text is only ever text — core.

Every .xlsx and .csv the project writes for people (the reports' downloads, the collection form,
``show --format csv``) puts its values through this module; the safety lives here, not in each
caller. Text from the inputs can start like a formula (``=HYPERLINK(…)``, ``+7…``, ``-1``,
``@SUM(…)``): spreadsheet programs run such a cell when it is a formula (.xlsx) or when they
read it from a CSV (OWASP "CSV injection").

- **.xlsx** (``put``): a text cell is stored as a string cell (type ``s``), never as a formula,
  and one that starts with ``= + - @`` or a tab / carriage return carries Excel's quote prefix,
  so editing it in Excel keeps it text too. Characters XML cannot hold (control characters) are
  replaced by «�», and text is cut at Excel's limit of 32,767 characters per cell.
- **CSV** (``csv_text``): every text field is quoted, and one that starts with
  ``= + - @ \\t \\r`` gets a leading apostrophe (the OWASP recommendation), which spreadsheet
  programs show as text — but for a lone «-» or «+», the plan's mark for "not planned", which no
  program reads as a formula; numbers are written as numbers, an absent value as an empty field.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a text a formula to a spreadsheet
CELL_TEXT_LIMIT = 32_767  # Excel's limit of characters in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
REPLACEMENT = "\ufffd"


def plain(value):
    """A value as a spreadsheet should hold it: None for NaN / NA / NaT, Python numbers (a
    whole float as an int), «да» / «нет» for booleans, dates as dates, anything else as text."""
    if value is None or _missing(value):
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if hasattr(value, "item") and not isinstance(value, str | date):  # numpy scalars
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | date):
        return value
    return str(value)


def _missing(value) -> bool:
    """NaN, NA, NaT and the like (pandas' notion of a missing scalar); False for anything else."""
    if isinstance(value, str):
        return False
    try:
        import pandas as pd

        missing = pd.isna(value)
    except (ImportError, TypeError, ValueError):  # pragma: no cover - pandas is a dependency
        return False
    return bool(missing) if not hasattr(missing, "__len__") else False


def is_formula_like(text: str) -> bool:
    """True for a text a spreadsheet program would read as a formula; a lone «-» or «+» (the
    plan's mark for "not planned") is no formula and stays as it is."""
    return text.startswith(FORMULA_STARTS) and text not in ("-", "+")


def cell_text(text: str) -> str:
    """A text as an .xlsx cell may hold it: XML-illegal characters replaced, Excel's length kept."""
    text = _ILLEGAL.sub(REPLACEMENT, text)
    return text if len(text) <= CELL_TEXT_LIMIT else text[: CELL_TEXT_LIMIT - 1] + "…"


def put(cell, value) -> None:
    """Write ``value`` into an openpyxl cell: numbers as numbers, dates as dates, text as a
    string cell that is never a formula (with the quote prefix when it starts like one)."""
    value = plain(value)
    if not isinstance(value, str):
        cell.value = value
        return
    text = cell_text(value)
    cell.value = text
    cell.data_type = "s"  # openpyxl makes any text starting with «=» a formula; it is text
    if is_formula_like(text):
        cell.quotePrefix = True


def write_row(sheet, row: int, values: Iterable) -> None:
    """Row ``row`` (from 1) of ``sheet``, each value written by ``put``."""
    for column, value in enumerate(values, start=1):
        put(sheet.cell(row=row, column=column), value)


def csv_field(value) -> str:
    """One CSV field: a number as written, an empty field for nothing, a text in double quotes
    with a leading apostrophe when it starts like a formula."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    if is_formula_like(value):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def csv_text(header: Sequence, rows: Iterable[Sequence], newline: str = "\r\n") -> str:
    """A whole CSV: ``header`` then ``rows``, every field through ``csv_field``."""
    lines = [",".join(csv_field(v) for v in header)]
    lines += [",".join(csv_field(v) for v in row) for row in rows]
    return newline.join(lines) + newline
