"""What a re-imported plan changes against the current one, and the history of plan versions.

A canonical file that is replaced is first kept as ``history/<cluster>/<version>.csv`` beside
it (``data/raw/plans/history/samara-law/3f2a9c0d1e4b.csv``), where ``version`` is
:func:`analysis.sources.plan.plan_version` of that file — the version reports cite. So every version a
report ever cited can be found again.
"""

from __future__ import annotations

import difflib
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


def diff_records(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    """The changes as records for tools (``import-plan --format json``): the :func:`diff_plans`
    columns, plus ``targets`` (year → cell) of an added or removed row."""
    records = []
    for change in diff_plans(old, new).to_dict("records"):
        if change["change"] in ("added", "removed"):
            source = new if change["change"] == "added" else old
            change["targets"] = _targets(source, change["code"], change["programme_code"])
        records.append(change)
    return records


def diff_lines(old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """The changes as short Russian lines, one per changed cell, no padding:

    - ``1.1.4 · 2026: 10 → 12`` (an empty cell shows as «пусто»);
    - ``1.1.2 · название: Запуск [-программ-]{+образовательных программ+}`` — changed words marked;
    - ``+ 1.1.1 / 40.02.02 Право: 2024 1, 2025 -, 2026 -`` — an added row with its targets
      (``−`` for a removed one).
    """
    lines = []
    for change in diff_records(old, new):
        key = f"{change['code']} / {change['programme_code']}" if change["programme_code"] else change["code"]
        if change["change"] == "changed":
            if change["column"] in ("title", "unit"):
                column = "название" if change["column"] == "title" else "единица"
                lines.append(f"{key} · {column}: {marked_words(change['old'], change['new'])}")
            else:
                lines.append(f"{key} · {change['column']}: {_cell(change['old'])} → {_cell(change['new'])}")
            continue
        sign, title = ("+", change["new"]) if change["change"] == "added" else ("−", change["old"])
        cells = change["targets"]
        targets = ", ".join(f"{y} {_cell(c)}" for y, c in cells.items()) if any(cells.values()) else ""
        lines.append(f"{sign} {key} {title}" + (f": {targets}" if targets else ""))
    return lines


def marked_words(old: str, new: str) -> str:
    """The new text with the words that changed marked: ``[-removed-]{+added+}``."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out += b[j1:j2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _cell(value: str) -> str:
    return value if value.strip() else "пусто"


def _targets(frame: pd.DataFrame, code: str, programme_code: str) -> dict[str, str]:
    keyed = _keyed(frame)
    row = keyed.loc[(code, programme_code)]
    fixed = {"kind", "title", "unit"}
    return {c: str(row[c]) for c in keyed.columns if c not in fixed}


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
