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


def deadline_passed(year: int, as_of: date, deadline: tuple[int, int] = DEFAULT_DEADLINE) -> bool:
    """True when the report of ``year`` is overdue on ``as_of``: its deadline is before it (on the
    deadline day itself the report is still due in time)."""
    return reporting_deadline(int(year), deadline) < as_of


def last_year_due(as_of: date, deadline: tuple[int, int] = DEFAULT_DEADLINE) -> int:
    """The latest year whose reporting deadline has passed on ``as_of``.

    All that the as-of date decides about the calendar is this one number: a year's deadline has
    passed exactly when the year is at most it. Two as-of dates with the same number give every
    page the same states — a build uses it, not the date, to decide what changed."""
    return as_of.year - 1 if deadline_passed(as_of.year - 1, as_of, deadline) else as_of.year - 2
