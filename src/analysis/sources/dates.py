"""Dates as people type them into a form: what ``analysis.sources.normalise.day`` reads, and also
``18.04.25``, ``18/04/2025``, ``18-04-2025``, ``18.04.2025 г.``, ``18 апреля 2025 года``.

Only an unambiguous reading is taken: the day comes first (as Russian forms write it), a two-digit
year is of this century (the plans begin in 2024), and anything else still fails with the rule
``normalise.day`` states.
"""

from __future__ import annotations

import re
from datetime import date

from analysis.sources import normalise

MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,  # мая, май
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
_YEAR_WORD = re.compile(r"\s*(?:г\.?|года?|год\.?)\s*$", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{2}|\d{4})$")
_NO_YEAR = re.compile(r"^\d{1,2}\s*[./\-]\s*\d{1,2}\.?$")
_WORDS = re.compile(r"^(\d{1,2})\s+([а-яё]+)\.?\s+(\d{4})$", re.IGNORECASE)


def day(value: object) -> date | None:
    """A date cell read as ``normalise.day`` reads it, or as people also write dates (above)."""
    if not isinstance(value, str):
        return normalise.day(value)
    cleaned = _YEAR_WORD.sub("", normalise.text(value)).strip().rstrip(",;")
    if _NO_YEAR.match(cleaned):
        raise ValueError("в дате нет года: пишите дд.мм.гггг")
    if match := _NUMERIC.match(cleaned):
        d, m, y = match.groups()
        year = int(y) + 2000 if len(y) == 2 else int(y)
        return _date(year, int(m), int(d))
    if match := _WORDS.match(cleaned):
        d, word, y = match.groups()
        month = next((n for stem, n in MONTHS.items() if word.lower().startswith(stem)), None)
        if month is not None and (month != 5 or word.lower() in ("мая", "май")):
            return _date(int(y), month, int(d))
    return normalise.day(cleaned)


def _date(year: int, month: int, day_: int) -> date:
    try:
        return date(year, month, day_)
    except ValueError:
        raise ValueError("такой даты нет в календаре") from None
