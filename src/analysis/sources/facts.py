"""Facts reported against a plan in the simple CSV form (the Excel form is ``analysis.sources.forms``).

Raw facts file (CSV, UTF-8): ``cluster_id,year,indicator,programme_code,fact`` and optionally
``demo`` (``1`` marks demonstration rows). ``programme_code`` is empty for an indicator's own
cell. A fact is a number ≥ 0 (``1,5`` and ``1.5`` both read), a yes word (``да``, ``+``) or a
no word (``нет``), in any case. ``analysis.ingest.run`` cleans and validates these rows together
with the facts of the Excel submissions into one tidy ``facts`` table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def read_facts_file(path: str | Path) -> pd.DataFrame:
    """Read a raw facts CSV as text (UTF-8 or cp1251, ``,`` or ``;``), keeping each row's line
    number in the file in ``source_row`` and ``demo`` as a flag."""
    from analysis.sources.workbook import read_csv_table

    frame = read_csv_table(Path(path), RAW_COLUMNS)
    frame.insert(len(RAW_COLUMNS) + 1, "source_file", str(path))
    return frame
