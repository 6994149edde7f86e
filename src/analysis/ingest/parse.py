"""Cleaning every cell of an input row into a typed value, or a reject that names the rule.

Each table of the collection form has one parser per column (``PARSERS``); a cell that cannot be
read rejects its whole row with the first rule it breaks — except an optional value
(``OPTIONAL_VALUES``: the СНИЛС, the training date, the students with an employer mentor), which
is dropped and reported while the row stays; a sheet without an optional column keeps its rows
too (``missing_required``). A required cell whose value the file does not hold (a formula saved
without its value, an error value, INF or NaN) rejects its row with that reason. Personal values
are masked in rejects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.sources import dates, forms, normalise
from analysis.sources.xlsx import CellProblem

PERSONAL_COLUMNS = {"full_name", "snils", "teacher_name", "specialist_name"}


MASKED = "(скрыто: персональные данные)"

# Columns whose bad value is dropped (and reported) instead of rejecting the row.
OPTIONAL_VALUES = {"teachers": {"snils", "training_completed"}, "enrolment": {"with_employer_mentor"}}
DROPPED = "значение не учтено, строка принята"


SHEET_TABLE = {
    forms.INDICATORS.title: "facts",
    forms.TEACHERS.title: "teachers",
    forms.PAIRS.title: "pairs",
    forms.ENROLMENT.title: "enrolment",
}


SPEC = {
    "facts": forms.INDICATORS,
    "teachers": forms.TEACHERS,
    "pairs": forms.PAIRS,
    "enrolment": forms.ENROLMENT,
}


def _required(parse: Callable[[object], object]) -> Callable[[object], object]:
    def parse_required(value: object) -> object:
        if normalise.is_blank(value):
            raise ValueError("здесь нужно значение")
        return parse(value)

    return parse_required


def _optional(parse: Callable[[object], object]) -> Callable[[object], object]:
    def parse_optional(value: object) -> object:
        return None if normalise.is_blank(value) else parse(value)

    return parse_optional


def _word(words: dict[str, str], hint: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        word = normalise.text(value).lower()
        if word not in words:
            raise ValueError(hint)
        return words[word]

    return parse


def non_finite(value: object) -> CellProblem | None:
    """A number cell holding infinity or «not a number» (``INF``, ``NaN`` stored by a tool other
    than Excel): it passes «≥ 0» and breaks every sum, so it is refused at the cell."""
    if isinstance(value, float) and not math.isfinite(value):
        word = "NaN" if math.isnan(value) else "INF"
        return CellProblem(
            f"в ячейке сохранено не число, а {word} (бесконечность или «не число»): введите число"
        )
    return None


DAY_RANGE = (1900, 2100)  # a year outside is a typing error (and beyond what the tables can hold)


def _day(value: object):
    found = dates.day(value)
    if found is not None and not DAY_RANGE[0] <= found.year <= DAY_RANGE[1]:
        raise ValueError(f"год даты {found.year} — опечатка? дата пишется как дд.мм.гггг")
    return found


def _snils(value: object) -> str | None:
    """A СНИЛС as ``normalise.snils`` reads it, also with spaces between any digits
    (``112 233 445 95``) or with its leading zeros lost to a number cell (``12345678964`` written
    as ``1234567896``): what is left after taking out spaces and dashes is padded to 11 digits,
    and the check number still decides."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = re.sub(r"[\s\-‐‑–—]", "", normalise.text(value))
    if digits.isdigit() and 9 <= len(digits) <= 11:
        digits = digits.zfill(11)
        return normalise.snils(f"{digits[:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}")
    return normalise.snils(value)


def _integer(value: object) -> int:
    number = normalise.number(value)
    if not number.is_integer():
        raise ValueError("нужно целое число")
    return int(number)


PARSERS: dict[str, dict[str, Callable[[object], object]]] = {
    "facts": {
        "indicator": _required(normalise.indicator_code),
        "programme_code": _optional(normalise.programme_code),
        "fact": normalise.fact,
    },
    "teachers": {
        "full_name": _required(normalise.person_name),
        "snils": _snils,
        "organisation": _required(normalise.organisation),
        "employment": _required(_word(forms.EMPLOYMENT_WORDS, "напишите «штатный» или «совместитель»")),
        "programme_code": _required(normalise.programme_code),
        "hours": _required(normalise.number),
        "training_completed": _day,
    },
    "pairs": {
        "teacher_name": _required(normalise.person_name),
        "specialist_name": _required(normalise.person_name),
        "specialist_organisation": _required(normalise.organisation),
        "programme_code": _required(normalise.programme_code),
        "start": _required(_day),
        "end": _day,
        "format": _required(lambda v: normalise.text(v).lower()),
    },
    "enrolment": {
        "programme_code": _required(normalise.programme_code),
        "enrolled": _required(_integer),
        "with_employer_mentor": _optional(_integer),
    },
}


@dataclass
class Rows:
    """Rows of one table gathered from every file, before validation."""

    parsed: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)  # optional values left out of accepted rows


# Columns a form sheet has not got: its rows take them from the «Сведения» sheet.
META_HEADINGS = {"cluster_id": "Кластер", "year": "Год"}


def heading(table: str, column: str, sheet: str) -> str:
    """The form's heading of a column; a CSV facts file (no sheet) names its own columns."""
    if not sheet:
        return column
    headings = {name: heading for heading, name in SPEC[table].columns} if table in SPEC else {}
    return headings.get(column, META_HEADINGS.get(column, column))


def shown(column: str, value: object) -> str:
    if column in PERSONAL_COLUMNS and not normalise.is_blank(value):
        return MASKED
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "INF"
    return "" if normalise.is_blank(value) else normalise.text(value)


def parse_rows(table: str, records: list[dict], context: dict, rows: Rows, raw: dict[int, dict]) -> None:
    """Clean every cell of every record (a row: column → value, ``source_row``); a cell that
    fails rejects its row (first failure named)."""
    parsers = PARSERS[table]
    optional = OPTIONAL_VALUES.get(table, set())
    where = {k: v for k, v in context.items() if k != "submitted_on"}
    for record in records:
        row_id = len(raw)
        raw[row_id] = record
        parsed = {"row_id": row_id, "source_row": record["source_row"], **context}
        if "demo" in record:  # facts files mark demonstration rows themselves
            parsed["demo"] = bool(record["demo"])
        problem = None
        dropped = []
        for column, parse in parsers.items():
            value = record.get(column)
            value = non_finite(value) or value
            try:
                if isinstance(value, CellProblem):
                    raise ValueError(value.rule)
                parsed[column] = parse(value)
            except ValueError as exc:
                if column in optional:
                    parsed[column] = None
                    dropped.append((column, f"{exc}: {DROPPED}"))
                    continue
                problem = (column, str(exc))
                break
        if problem is None and table == "facts" and "year" in record:
            try:
                parsed["year"] = int(normalise.number(record["year"]))
                parsed["cluster_id"] = normalise.text(record["cluster_id"])
            except ValueError:
                problem = ("year", "год — число, например 2025")
        if problem:
            dropped = []
        for column, rule in [problem] if problem else dropped:
            (rows.rejects if problem else rows.dropped).append(
                {
                    "row_id": row_id,
                    "table": table,
                    "column": heading(table, column, context.get("sheet", "")),
                    "value": shown(column, record.get(column)),
                    "rule": rule,
                    "source_row": record["source_row"],
                    **where,
                }
            )
        if not problem:
            rows.parsed.append(parsed)


def optional_headings(table: str) -> list[str]:
    """The form's headings of a table's optional columns."""
    return [h for h, name in SPEC[table].columns if name in OPTIONAL_VALUES.get(table, ())]


def missing_required(table: str, missing: list[str]) -> list[str]:
    """Of a sheet's missing headings, those its rows cannot do without: a column that is read
    (``PARSERS``) and not optional. The form's reading aids (name, plan, comment) are not needed."""
    names = dict(SPEC[table].columns)
    return [
        h for h in missing if names[h] in PARSERS[table] and names[h] not in OPTIONAL_VALUES.get(table, ())
    ]


def missing_columns_rejects(table: str, sheet, context: dict, rows: Rows, raw: dict[int, dict]) -> None:
    rule = f"на листе нет столбца «{sheet.missing_columns[0]}»: используйте заголовки формы"
    for record in sheet.records:
        row_id = len(raw)
        raw[row_id] = record
        rows.rejects.append(
            {
                "row_id": row_id,
                "table": table,
                "column": sheet.missing_columns[0],
                "value": "",
                "rule": rule,
                "source_row": record["source_row"],
                **{k: v for k, v in context.items() if k != "submitted_on"},
            }
        )
