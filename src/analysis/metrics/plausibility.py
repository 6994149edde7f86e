"""Plausibility of reported facts against their plan: a fact far above its target is kept but
flagged, since typing errors (1e9, an extra zero) are common (DOMAIN.md «plausibility»); and the
one warnings table the reports show, which also carries what ingest flagged (namesakes, a
submission date outside its window — ``analysis.ingest.output.INGEST_WARNING_COLUMNS``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.sources.plan import FAMILY_PLAN

CEILING_RATIO = 20.0  # a fact above this many times its count target is flagged

WARNING_COLUMNS = [
    "cluster_id",
    "year",
    "indicator",
    "programme_code",
    "fact",
    "target",
    "ratio",
    "rule",
    "kind",  # fact_ceiling here; ingest's kinds (namesakes, same_snils, submission_date …)
    "source_file",
]
FACT_CEILING = "fact_ceiling"


def fact_ceiling_warnings(
    facts: pd.DataFrame, plan: pd.DataFrame, ceiling: float = CEILING_RATIO
) -> pd.DataFrame:
    """Facts above ``ceiling`` × their count target, one row each, with the rule in Russian.

    Only numeric facts on cells whose target is a positive count are compared: a yes/no target,
    a cell with nothing planned or a target of 0 has no scale to be far above. The fact stays in
    the facts table and counts as reported; the warning only says to check it. ``ratio`` is
    fact / target.
    """
    keys = ["cluster_id", "year", "indicator", "programme_code"]
    targets = plan.loc[
        (plan["family"] == FAMILY_PLAN) & (plan["target_kind"] == "count") & (plan["target_value"] > 0),
        [*keys, "target_value"],
    ]
    numbers = facts.loc[facts["fact_kind"] == "number", [*keys, "fact_value"]]
    # Ingest refuses INF and NaN at the cell; should one still arrive, it is not a ratio to show.
    numbers = numbers[np.isfinite(numbers["fact_value"].astype("float64"))]
    merged = numbers.merge(targets, on=keys, how="inner")
    merged = merged[merged["fact_value"] > ceiling * merged["target_value"]]
    out = merged.rename(columns={"fact_value": "fact", "target_value": "target"})
    out["ratio"] = out["fact"] / out["target"]
    out["rule"] = [
        f"факт {_number(f)} больше плана {_number(t)} в {_number(round(r))} раз (порог — {ceiling:g}×): "
        "проверьте, нет ли опечатки"
        for f, t, r in zip(out["fact"], out["target"], out["ratio"], strict=True)
    ]
    out["kind"] = FACT_CEILING
    out["source_file"] = ""
    out = out[WARNING_COLUMNS].sort_values(keys).reset_index(drop=True)
    # «rule» a string column when there is no warning too: the table's dtypes are in the digest
    # every report depends on (``site.fingerprint.scope_digests``), so the first warning, or
    # the last one gone, would re-run every report.
    return out.astype(
        {"year": "int64", "fact": "float64", "target": "float64", "ratio": "float64", "rule": "str"}
    )


def _number(value: float) -> str:
    """``1000000000`` → ``1 000 000 000``; a fraction keeps its decimal comma (``1,5``)."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}".replace(".", ",")


def warnings_table(fact_warnings: pd.DataFrame, ingest_warnings: pd.DataFrame) -> pd.DataFrame:
    """The facts far above their target, then ingest's warnings (with no indicator, fact or
    target of their own), in the columns of ``WARNING_COLUMNS``."""
    other = ingest_warnings.reindex(columns=WARNING_COLUMNS)
    other["indicator"] = ""
    other["programme_code"] = ""
    other = other.dropna(subset=["cluster_id", "year"])
    frames = [f for f in (fact_warnings, other) if not f.empty]
    if not frames:
        return fact_warnings
    out = pd.concat(frames, ignore_index=True)
    return out.astype({"year": "int64", "fact": "float64", "target": "float64", "ratio": "float64"})
