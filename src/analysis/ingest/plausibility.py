"""Bounds of what a submission can plausibly say (DOMAIN.md «A submission's identity and
plausibility»): the plan period dates begin with, and the shape a person's ФИО has.

The great-expectations suites check these (``analysis.ingest.validation``); a name reaches them
only as its *shape* — every letter written ``а`` — so no name is held in a validation result.
"""

from __future__ import annotations

import re
from datetime import date

PLAN_PERIOD_START = date(2024, 1, 1)  # the first year of the plans: no date of a submission is earlier
NAME_MAX_LENGTH = 100
NAME_WORDS = (2, 5)
_MARKS = ".'’ʼ`‐-"  # what a ФИО holds besides letters and spaces
# At most 100 characters; 2–5 words, each with at least one letter and otherwise only the marks above.
NAME_SHAPE = rf"^(?=.{{1,{NAME_MAX_LENGTH}}}$)[{_MARKS}]*а[а{_MARKS}]*(?: [{_MARKS}]*а[а{_MARKS}]*){{1,4}}$"
_NAME_SHAPE = re.compile(NAME_SHAPE)


def name_shape(name: str) -> str:
    """A ФИО with every letter replaced by ``а`` and every other character kept: what the
    suites check, without the name itself (``Анна-Мария О'Нил`` → ``аааа-аааа а'ааа``)."""
    return "".join("а" if char.isalpha() else char for char in name)


def plausible_name(name: str) -> bool:
    """2–5 words of letters, hyphens, apostrophes and dots, at most 100 characters."""
    return bool(_NAME_SHAPE.match(name_shape(name)))


def latest_date(submitted_on: date | None, as_of: date) -> date:
    """The last day a date in a submission may name: its submission date, and never after the
    build's as-of date."""
    return min(submitted_on, as_of) if submitted_on else as_of


# The dates of a roster row checked against ``latest_date`` (``ingest.validation``).
DATES_CHECKED = {"teachers": "training_completed", "pairs": "start"}


def dates_against_as_of(log: list[dict], tables: dict) -> list[str]:
    """Every input date the as-of date is compared with, ISO, sorted, distinct: each submission's
    date (one after the as-of date rejects the file) and the checked dates of rows from undated
    submissions (their last allowed day is the as-of date itself). Nothing else at ingestion
    depends on the as-of date, so these dates decide whether a later one changes anything."""
    import pandas as pd

    days = [e.get("submitted_on") for e in log]
    for table, column in DATES_CHECKED.items():
        frame = tables.get(table)
        if frame is None or frame.empty or column not in frame.columns:
            continue
        undated = frame["submitted_on"].isna() if "submitted_on" in frame.columns else True
        days += list(frame.loc[undated, column])
    parsed = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce").dropna()
    return sorted({d.date().isoformat() for d in parsed})
