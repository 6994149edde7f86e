"""What an import read, in a few Russian lines a reviewer can check against the source document:
the sections, groups, indicators and programme rows, the cells per year by sort, the values read
against those written, and every warning, problem and note."""

from __future__ import annotations

import pandas as pd

from analysis.sources.plan import parse_target
from analysis.sources.plan_import.assemble import ImportResult

_KIND_WORDS = {"count": "чисел", "yes": "«да»", "-": "«-»", "": "пустых"}


def target_counts(frame: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Target cells per year by sort: numbers, да, '-', empty (rows that can carry targets only)."""
    if "kind" in frame.columns:
        frame = frame[frame["kind"].isin(["indicator", "programme"])]
    counts = {}
    for year in frame.columns[first_year:]:
        sorts = [parse_target(c)[0] if parse_target(c)[0] != "none" else c.strip() for c in frame[year]]
        counts[year] = {word: sorts.count(sort) for sort, word in _KIND_WORDS.items()}
    return pd.DataFrame.from_dict(counts, orient="index", columns=list(_KIND_WORDS.values()))


def summary_lines(result: ImportResult, accepted: bool = False) -> list[str]:
    """The summary the import command prints: rows by kind, cells per year, values, then the
    problems (accepted or not), warnings and notes, each on its own line."""
    frame = result.plan
    lines = [f"прочитано: {part}" for part in result.parts]
    if "kind" in frame.columns:
        kinds = frame["kind"].value_counts()
        own = int(frame[frame["kind"] == "indicator"].iloc[:, 4:].ne("").any(axis=1).sum())
        listed = frame[frame["kind"] == "programme"].groupby("code").size()
        lines.append(
            f"разделов: {kinds.get('section', 0)}, групп результатов: {kinds.get('group', 0)}, "
            f"показателей: {kinds.get('indicator', 0)} (со своими значениями: {own}), "
            f"строк программ: {kinds.get('programme', 0)}"
        )
        if len(listed):
            lines.append(
                "строки программ по показателям: " + ", ".join(f"{c}: {n}" for c, n in listed.items())
            )
        counts = target_counts(frame, 4)
    else:
        units = ", ".join(f"{c}: {u}" for c, u in zip(frame["code"], frame["unit"], strict=True))
        lines = [f"федеральных показателей: {len(frame)} ({units})"]
        counts = target_counts(frame, 3)
    for year, row in counts.iterrows():
        planned = int(row["чисел"] + row["«да»"])
        lines.append(f"{year}: с целью {planned} ({', '.join(f'{word} {n}' for word, n in row.items())})")
    written = int(counts.drop(columns="пустых").to_numpy().sum())
    lines.append(f"значений: прочитано в документе {result.cells_read}, записано в план {written}")
    if result.problems:
        head = "принято с --accept-warnings" if accepted else "остановит импорт"
        lines.append(f"требуют проверки ({head}): {len(result.problems)}")
        lines += [f"  {p}" for p in result.problems]
    lines.append(f"предупреждений: {len(result.warnings)}")
    lines += [f"  {w}" for w in result.warnings]
    if result.notes:
        lines.append(f"прочитано с пояснением: {len(result.notes)}")
        lines += [f"  {n}" for n in result.notes]
    return lines
