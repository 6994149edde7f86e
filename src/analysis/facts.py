"""What clusters report against their plan: facts per plan cell, read, checked and made tidy.

Raw facts file (CSV, UTF-8): ``cluster_id,year,indicator,programme_code,fact`` and optionally
``demo`` (``1`` marks demonstration rows). ``programme_code`` is empty for an indicator's own
cell. A fact is a number ≥ 0 (``1,5`` and ``1.5`` both read), a yes word (``да``, ``+``) or a
no word (``нет``), in any case.

Tidy facts: ``cluster_id, year, indicator, programme_code, fact_kind`` (``number``, ``yes`` or
``no``), ``fact_value`` (the number; 1 for yes, 0 for no), ``fact_raw``, ``demo``,
``source_file``, ``source_row``. Rows that break a rule go to a rejects table instead, each with
its file, row, column, value and rule, so every input row is accounted for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, Location

RAW_COLUMNS = ["cluster_id", "year", "indicator", "programme_code", "fact"]
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
REJECT_COLUMNS = ["source_file", "sheet", "source_row", "column", "value", "rule"]
YES_WORDS = {"да", "+", "yes"}
NO_WORDS = {"нет", "no"}
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


def parse_fact(raw: str) -> tuple[str, float]:
    """Read one reported value as ``(kind, value)``; raise ``ValueError`` when it is none of
    a number ≥ 0, a yes word or a no word."""
    text = " ".join(str(raw).split()).lower()
    if text in YES_WORDS:
        return "yes", 1.0
    if text in NO_WORDS:
        return "no", 0.0
    if _NUMBER.match(text):
        return "number", float(text.replace(",", "."))
    raise ValueError(raw)


def read_facts_file(path: str | Path) -> pd.DataFrame:
    """Read a raw facts CSV as text, keeping each row's line number in ``source_row``."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            Location(file=str(path)),
            f"cannot read the facts file: {exc}",
            "save it as UTF-8 CSV with the header " + ",".join(RAW_COLUMNS),
        ) from exc
    missing = [c for c in RAW_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            Location(file=str(path), row=1),
            f"missing columns {missing}",
            "the header must be " + ",".join(RAW_COLUMNS) + "[,demo]",
        )
    if "demo" not in frame.columns:
        frame["demo"] = ""
    frame = frame[[*RAW_COLUMNS, "demo"]].apply(lambda col: col.str.strip())
    frame["source_file"] = str(path)
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def check_facts(raw: pd.DataFrame, plan: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split raw fact rows into tidy accepted facts and rejects, by these rules in order:

    the cluster is in the plan; the year is one of its plan years; the indicator and programme
    row exist in its plan; the fact is a number ≥ 0, a yes or a no word; a yes/no is not given
    for a count target; a plan cell is reported once per file set (later rows are rejected).
    """
    cells = plan[["cluster_id", "year", "indicator", "programme_code", "target_kind"]]
    kinds = {(c, int(y), i, p): k for c, y, i, p, k in cells.itertuples(index=False)}
    clusters = set(cells["cluster_id"])
    years = {(c, int(y)) for c, y in cells[["cluster_id", "year"]].itertuples(index=False)}
    items = {
        (c, i, p) for c, i, p in cells[["cluster_id", "indicator", "programme_code"]].itertuples(index=False)
    }
    accepted, rejects, seen = [], [], set()
    for row in raw.itertuples(index=False):

        def reject(column: str, value: str, rule: str, row=row) -> None:
            rejects.append(
                {
                    "source_file": row.source_file,
                    "sheet": "",
                    "source_row": row.source_row,
                    "column": column,
                    "value": value,
                    "rule": rule,
                }
            )

        indicator = row.indicator.rstrip(".")
        if row.cluster_id not in clusters:
            reject("cluster_id", row.cluster_id, "unknown cluster id: not in the registry")
            continue
        if not row.year.isdigit() or (row.cluster_id, int(row.year)) not in years:
            reject("year", row.year, "the year is not one of the cluster's plan years")
            continue
        year = int(row.year)
        if (row.cluster_id, indicator, "") not in items:
            reject("indicator", row.indicator, "unknown indicator code for this cluster's plan")
            continue
        if (row.cluster_id, indicator, row.programme_code) not in items:
            reject(
                "programme_code",
                row.programme_code,
                f"indicator {indicator} has no plan row for this programme",
            )
            continue
        try:
            kind, value = parse_fact(row.fact)
        except ValueError:
            reject("fact", row.fact, "a fact is a number ≥ 0, да or нет")
            continue
        key = (row.cluster_id, year, indicator, row.programme_code)
        if kind != "number" and kinds[key] == "count":
            reject("fact", row.fact, "the plan target is a number: report a number, not да/нет")
            continue
        if key in seen:
            reject("fact", row.fact, "this plan cell is already reported above: keep one row")
            continue
        seen.add(key)
        accepted.append(
            {
                "cluster_id": row.cluster_id,
                "year": year,
                "indicator": indicator,
                "programme_code": row.programme_code,
                "fact_kind": kind,
                "fact_value": value,
                "fact_raw": row.fact,
                "demo": row.demo in ("1", "true", "True"),
                "source_file": row.source_file,
                "source_row": row.source_row,
            }
        )
    facts = pd.DataFrame.from_records(accepted, columns=FACT_COLUMNS)
    facts = facts.astype({"year": "int64", "fact_value": "float64", "demo": "bool", "source_row": "int64"})
    return facts, pd.DataFrame.from_records(rejects, columns=REJECT_COLUMNS)


def load_facts(paths: list[Path], plan: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every facts file and check them together against the plan."""
    if not paths:
        raw = pd.DataFrame(columns=[*RAW_COLUMNS, "demo", "source_file", "source_row"], dtype=str)
    else:
        raw = pd.concat([read_facts_file(p) for p in sorted(paths)], ignore_index=True)
    return check_facts(raw, plan)


def reject_lines(rejects: pd.DataFrame) -> list[str]:
    """One readable line per rejected row: where, which value, which rule."""
    return [
        str(
            InputError(
                Location(file=r.source_file, sheet=r.sheet or None, row=int(r.source_row), column=r.column),
                r.rule,
                value=r.value,
            )
        )
        for r in rejects.itertuples(index=False)
    ]
