"""Demonstration data: facts for the registry's clusters, made by a seeded generator.

Nothing here is real reporting. Every row it writes carries ``demo = 1`` so reports and the
index can label it as demonstration data. The same seed always gives the same files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo import DEFAULT_SEED
from analysis.sources.facts import RAW_COLUMNS

DEFAULT_YEARS = (2024, 2025)

# Chances of each outcome for a planned cell; the rest is left unreported.
P_MET, P_PARTLY, P_NOT_MET = 0.62, 0.14, 0.10
P_BEYOND = 0.12  # chance that a cell with nothing planned is reported anyway


def demo_facts(
    plan: pd.DataFrame, years: tuple[int, ...] = DEFAULT_YEARS, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Raw demo fact rows (the facts-file columns plus ``demo``) for every plan cell of ``years``.

    Planned cells are met (sometimes over plan), partly met, not met or left out; unplanned
    cells are mostly left out and sometimes reported beyond plan.
    """
    rng = np.random.default_rng(seed)
    cells = plan[plan["year"].isin(years)].sort_values(["cluster_id", "year", "order"], kind="stable")
    rows = []
    for cell in cells.itertuples(index=False):
        draw = rng.random()
        fact = None
        if cell.target_kind == "count" and cell.target_value > 0:
            target = int(cell.target_value)
            if draw < P_MET:
                fact = str(target + int(rng.integers(0, 3)) * (rng.random() < 0.3))
            elif draw < P_MET + P_PARTLY and target > 1:
                fact = str(int(rng.integers(1, target)))
            elif draw < P_MET + P_PARTLY + P_NOT_MET:
                fact = "0"
        elif cell.target_kind == "yes":
            if draw < P_MET + P_PARTLY:
                fact = "да"
            elif draw < P_MET + P_PARTLY + P_NOT_MET:
                fact = "нет"
        elif draw < P_BEYOND:
            fact = "да" if cell.indicator in _yes_indicators(plan, cell.cluster_id) else "1"
        if fact is not None:
            rows.append([cell.cluster_id, str(cell.year), cell.indicator, cell.programme_code, fact, "1"])
    return pd.DataFrame(rows, columns=[*RAW_COLUMNS, "demo"])


def _yes_indicators(plan: pd.DataFrame, cluster_id: str) -> set[str]:
    mine = plan[(plan["cluster_id"] == cluster_id) & (plan["target_kind"] == "yes")]
    return set(mine["indicator"])
