"""The federal performance indicators' canonical file, beside the plan model.

``data/raw/plans/federal/<cluster>.csv``: UTF-8, LF, header ``code,title,unit,<year>,…``, one
row per indicator (F1, F2, …), cells a number, ``-`` or empty. :func:`load_federal` turns it
into rows with exactly :data:`analysis.sources.plan.TIDY_COLUMNS` and ``family="federal"``, so
they concatenate with the tidy plan of measures. ``plan_import.federal`` writes these files from
the operator's «Приложение 5» workbook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import Location, PlanError
from analysis.sources.plan import FAMILY_FEDERAL, TIDY_COLUMNS, canonical_csv, parse_target

FEDERAL_FIXED = ["code", "title", "unit"]

SECTION = "F"

SECTION_TITLE = "Показатели результативности федерального проекта «Профессионалитет» (Приложение 5)"

_CODE = re.compile(r"^F\d{1,2}$")

_YEAR = re.compile(r"^(19|20)\d{2}$")


def check_federal_rows(frame: pd.DataFrame, source: str = "<federal>") -> None:
    """Raise ``PlanError`` at the first row that breaks the canonical federal file format."""
    header = list(frame.columns)
    if header[:3] != FEDERAL_FIXED:
        raise PlanError(
            Location(file=source, row=1), f"the header must start with {FEDERAL_FIXED}", value=header
        )
    years = header[3:]
    if not years or any(not _YEAR.match(y) for y in years):
        raise PlanError(Location(file=source, row=1), "target columns must be years", value=years)
    seen = set()
    for index, row in enumerate(frame.itertuples(index=False), start=2):
        if not _CODE.match(row.code) or row.code in seen:
            raise PlanError(
                Location(file=source, row=index, column="code"),
                "codes are F1, F2, … once each",
                value=row.code,
            )
        seen.add(row.code)
        for column in ("title", "unit"):
            if not getattr(row, column).strip():
                raise PlanError(Location(file=source, row=index, column=column), f"the {column} is empty")
        for year, cell in zip(years, row[3:], strict=True):
            try:
                kind, _ = parse_target(cell)
            except ValueError:
                kind = "bad"
            if kind not in ("count", "none"):
                raise PlanError(
                    Location(file=source, row=index, column=year),
                    "a federal target is a number, '-' or empty",
                    value=cell,
                )


def write_federal_file(frame: pd.DataFrame, path: str | Path | None = None) -> str:
    """Write federal rows in the canonical format (same rows, same bytes); returns the text."""
    check_federal_rows(frame)
    return canonical_csv(frame, path)


def read_federal_file(path: str | Path) -> pd.DataFrame:
    """Read and check a canonical federal file; cells stay exactly as written."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise PlanError(Location(file=str(path)), f"cannot read the federal indicators: {exc}") from exc
    check_federal_rows(frame, str(path))
    return frame


def tidy_federal(frame: pd.DataFrame, cluster_id: str) -> pd.DataFrame:
    """Canonical federal rows → one row per indicator × year with :data:`TIDY_COLUMNS`."""
    records = []
    for order, row in enumerate(frame.itertuples(index=False)):
        for year, cell in zip(frame.columns[3:], row[3:], strict=True):
            kind, value = parse_target(cell)
            records.append(
                {
                    "cluster_id": cluster_id,
                    "family": FAMILY_FEDERAL,
                    "order": order,
                    "section": SECTION,
                    "section_title": SECTION_TITLE,
                    "group": SECTION,
                    "group_title": SECTION_TITLE,
                    "indicator": row.code,
                    "indicator_title": row.title,
                    "programme_code": "",
                    "programme_title": "",
                    "year": int(year),
                    "target_raw": cell,
                    "target_kind": kind,
                    "target_value": value,
                    "unit": row.unit,
                }
            )
    tidy = pd.DataFrame.from_records(records, columns=TIDY_COLUMNS)
    return tidy.astype({"year": "int64", "order": "int64", "target_value": "float64"})


def load_federal(path: str | Path, cluster_id: str) -> pd.DataFrame:
    """The tidy federal indicators of one cluster from its canonical file."""
    return tidy_federal(read_federal_file(path), cluster_id)
