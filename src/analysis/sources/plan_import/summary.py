"""What an import read, in a few lines a reviewer can check against the source document."""

from __future__ import annotations

import pandas as pd

from analysis.sources.plan import parse_target
from analysis.sources.plan_import.assemble import ImportResult

_KIND_WORDS = {"count": "numbers", "yes": "да", "-": "'-'", "": "empty"}


def target_counts(frame: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Target cells per year by sort: numbers, да, '-', empty (rows that can carry targets only)."""
    if "kind" in frame.columns:
        frame = frame[frame["kind"].isin(["indicator", "programme"])]
    counts = {}
    for year in frame.columns[first_year:]:
        sorts = [parse_target(c)[0] if parse_target(c)[0] != "none" else c.strip() for c in frame[year]]
        counts[year] = {word: sorts.count(sort) for sort, word in _KIND_WORDS.items()}
    return pd.DataFrame.from_dict(counts, orient="index", columns=list(_KIND_WORDS.values()))


def summary_lines(result: ImportResult) -> list[str]:
    """The summary the import command prints: rows by kind, targets per year, values, warnings."""
    frame = result.plan
    if "kind" in frame.columns:
        kinds = frame["kind"].value_counts()
        own = frame[frame["kind"] == "indicator"].iloc[:, 4:].ne("").any(axis=1).sum()
        lines = [
            f"{kinds.get('section', 0)} sections, {kinds.get('group', 0)} result groups, "
            f"{kinds.get('indicator', 0)} indicators ({own} with targets of their own), "
            f"{kinds.get('programme', 0)} programme rows"
        ]
        counts = target_counts(frame, 4)
    else:
        units = ", ".join(f"{c}: {u}" for c, u in zip(frame["code"], frame["unit"], strict=True))
        lines = [f"{len(frame)} federal indicators ({units})"]
        counts = target_counts(frame, 3)
    for year, row in counts.iterrows():
        lines.append(f"{year}: " + ", ".join(f"{n} {word}" for word, n in row.items()))
    written = int(counts.drop(columns="empty").to_numpy().sum())
    lines.append(f"target values: {result.cells_read} read from the source, {written} in the plan")
    lines.append(f"{len(result.warnings)} warning(s)" + (":" if result.warnings else ""))
    lines += [f"  {w}" for w in result.warnings]
    return lines
