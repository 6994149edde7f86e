"""Facts reported against a plan in the simple CSV form (the Excel form is ``analysis.sources.forms``).

Raw facts file (CSV, UTF-8 or cp1251, ``,`` or ``;``): ``cluster_id,year,indicator,programme_code,fact``
and optionally ``demo`` (``1`` marks demonstration rows) — or the same columns under the
collection form's Russian headings «Кластер», «Год», «Код показателя», «Код программы», «Факт»,
«Демонстрационные данные» (any case; ё or е). Other columns («Наименование», «План» …) are
ignored. ``programme_code`` is empty for an indicator's own cell. A fact is a number ≥ 0 (``1,5``
and ``1.5`` both read), a yes word (``да``, ``+``) or a no word (``нет``), in any case.
``analysis.ingest.run`` cleans and validates these rows together with the facts of the Excel
submissions into one tidy ``facts`` table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import Location
from analysis.sources import forms, normalise
from analysis.sources.place import SubmissionProblem
from analysis.sources.workbook import csv_table, read_csv_rows
from analysis.sources.xlsx import LIMITS, Limits

RAW_COLUMNS = ["cluster_id", "year", "indicator", "programme_code", "fact"]
# The tidy facts table: one row per reported plan cell; fact_kind is number, yes, no or none
# (the row is there, its fact is blank), fact_value the number (yes 1, no 0, none NaN).
FACT_COLUMNS = [
    "cluster_id",
    "year",
    "indicator",
    "programme_code",
    "fact_kind",
    "fact_value",
    "fact_raw",
    "demo",
    "source_file",
    "source_row",
]
# The form's Russian heading of every column («Сведения» names the cluster and the year).
FORM_HEADINGS = {
    "cluster_id": "Кластер",
    "year": "Год",
    "indicator": next(h for h, n in forms.INDICATORS.columns if n == "indicator"),
    "programme_code": next(h for h, n in forms.INDICATORS.columns if n == "programme_code"),
    "fact": next(h for h, n in forms.INDICATORS.columns if n == "fact"),
    "demo": "Демонстрационные данные",
}


def _key(text: str) -> str:
    return normalise.text(text).lower().replace("ё", "е")


_NAMES = {_key(h): n for n, h in FORM_HEADINGS.items()} | {n: n for n in FORM_HEADINGS}


def read_facts_file(path: str | Path, limits: Limits = LIMITS) -> pd.DataFrame:
    """Read a raw facts CSV as text, keeping each row's line number in the file in
    ``source_row`` and ``demo`` as a flag; the headings may be internal names or the form's."""
    path = Path(path)
    rows = read_csv_rows(path, limits)
    header = [_NAMES.get(_key(cell), normalise.text(cell)) for cell in rows[0][1]] if rows else []
    missing = [c for c in RAW_COLUMNS if c not in header]
    if missing:
        raise SubmissionProblem(
            Location(file=str(path), row=1),
            "нет столбцов " + ", ".join(f"«{FORM_HEADINGS[c]}» ({c})" for c in missing),
            "первая строка — заголовки " + ",".join(RAW_COLUMNS) + "[,demo] или "
            "«" + ";".join(FORM_HEADINGS[c] for c in RAW_COLUMNS) + "»",
        )
    frame = csv_table(rows, header, RAW_COLUMNS)
    frame.insert(len(RAW_COLUMNS) + 1, "source_file", str(path))
    return frame
