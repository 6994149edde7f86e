"""What a re-imported plan changes against the current one, and the history of plan versions.

A canonical file that is replaced is first kept as ``history/<cluster>/<version>.csv`` beside
it (``data/raw/plans/history/samara-law/3f2a9c0d1e4b.csv``), where ``version`` is
:func:`analysis.sources.plan.plan_version` of that file — the version reports cite. So every version a
report ever cited can be found again.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd

from analysis.sources.plan import plan_version

logger = logging.getLogger(__name__)

DIFF_COLUMNS = ["change", "code", "programme_code", "column", "old", "new"]
_KEYS = ["code", "programme_code"]
_IGNORED = {"kind"}  # follows from the code


def diff_plans(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The changes from one canonical plan (or federal) frame to another, one row per change.

    ``change`` is ``added`` or ``removed`` for a whole row (``old``/``new`` give its title) and
    ``changed`` for one cell (``column`` is ``title``, ``unit`` or a year; a year column the
    other version lacks reads as an empty cell). Rows are matched by code and programme code;
    changes are listed in the new plan's order, removed rows last.
    """
    old, new = _keyed(old), _keyed(new)
    columns = [c for c in dict.fromkeys([*new.columns, *old.columns]) if c not in _IGNORED]
    records = []
    for key, row in new.iterrows():
        if key not in old.index:
            records.append(["added", *key, "", "", row.get("title", "")])
            continue
        before = old.loc[key]
        for column in columns:
            was, now = str(before.get(column, "")), str(row.get(column, ""))
            if was != now:
                records.append(["changed", *key, column, was, now])
    for key, row in old.iterrows():
        if key not in new.index:
            records.append(["removed", *key, "", row.get("title", ""), ""])
    return pd.DataFrame(records, columns=DIFF_COLUMNS, dtype=object).astype(str)


def history_path(target: str | Path, cluster_id: str, version: str) -> Path:
    """Where the version ``version`` of a cluster's canonical file is kept once replaced."""
    return Path(target).parent / "history" / cluster_id / f"{version}.csv"


def replace_file(target: str | Path, text: str, cluster_id: str) -> Path | None:
    """Write ``text`` to ``target``, first keeping the file it replaces in the history.

    Returns the history copy, or None when nothing was replaced (a new file, or the same bytes).
    """
    target = Path(target)
    kept = None
    if target.exists():
        if target.read_bytes() == text.encode("utf-8"):
            logger.debug("%s is unchanged", target)
            return None
        kept = history_path(target, cluster_id, plan_version(target))
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, kept)
        logger.debug("kept the previous version of %s as %s", target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="")
    return kept


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for key in _KEYS:
        if key not in frame.columns:
            frame[key] = ""
    return frame.set_index(_KEYS, drop=True)
