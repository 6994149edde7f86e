"""The reporting calendar: a year's report is due on a day of the following year.

20 January by default (the usual rule of Russian grant agreements), configurable as ``MM-DD``.
Kept apart from the metrics so the command line can check a ``--deadline`` without loading
pandas.
"""

from __future__ import annotations

from datetime import date

DEFAULT_DEADLINE = (1, 20)  # (month, day) of the year after the reporting year
DEFAULT_DEADLINE_TEXT = "01-20"


def parse_deadline(text: str) -> tuple[int, int]:
    """``"01-20"`` → ``(1, 20)``; raises ``ValueError`` for anything that is not a day of a year."""
    month, _, day = text.partition("-")
    deadline = (int(month), int(day))
    date(2001, *deadline)  # a non-leap year: 02-29 is refused too
    return deadline


def reporting_deadline(year: int, deadline: tuple[int, int] = DEFAULT_DEADLINE) -> date:
    """The last day a year's report is due: by default 20 January of the following year."""
    month, day = deadline
    return date(year + 1, month, day)
