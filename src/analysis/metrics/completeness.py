"""Completeness and quality of what clusters reported: expected submissions against those
received (on time, late, missing, not yet due) and input rows accepted / rejected per cluster-year."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.sources.plan import FAMILY_PLAN


def completeness(
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    submissions: pd.DataFrame,
    as_of: date,
    deadline: tuple[int, int] = (1, 20),
) -> pd.DataFrame:
    """Expected submissions (every cluster × plan year that has begun by ``as_of``) against those
    received: ``on_time`` (submitted by the deadline of that year), ``late``, ``undated``
    (received without a submission date), ``missing`` (not received, deadline passed) or
    ``not_due`` (not received, deadline still ahead)."""
    from analysis.metrics.fulfilment import reporting_deadline

    plan = plan[plan["family"] == FAMILY_PLAN]
    expected = plan[["cluster_id", "year"]].drop_duplicates()
    expected = expected[expected["year"] <= as_of.year]
    received = submissions[submissions["status"] == "read"].dropna(subset=["cluster_id"])
    received = received.sort_values("submitted_on").drop_duplicates(["cluster_id", "year"], keep="first")
    merged = expected.merge(
        received[["cluster_id", "year", "submitted_on", "source_file"]], on=["cluster_id", "year"], how="left"
    )
    due = [pd.Timestamp(reporting_deadline(int(y), deadline)) for y in merged["year"]]
    merged["deadline"] = due
    statuses = []
    for row, limit in zip(merged.itertuples(index=False), due, strict=True):
        if isinstance(row.source_file, str):
            statuses.append(
                "undated"
                if pd.isna(row.submitted_on)
                else ("on_time" if row.submitted_on <= limit else "late")
            )
        else:
            statuses.append("missing" if pd.Timestamp(as_of) > limit else "not_due")
    merged["status"] = statuses
    names = registry[["cluster_id", "name"]]
    return (
        merged.merge(names, on="cluster_id", how="left")
        .sort_values(["cluster_id", "year"])
        .reset_index(drop=True)
    )


def quality_summary(tables: dict[str, pd.DataFrame], rejects: pd.DataFrame) -> pd.DataFrame:
    """Per cluster-year: input rows accepted and rejected, and the rules that rejected them.

    Rows are counted once however many rules they break; rows whose cluster or year could not
    be read are not attributed to any cluster-year.
    """
    keys = ["cluster_id", "year"]
    accepted = pd.concat(
        [tables[t][keys] for t in ("facts", "teachers", "pairs", "enrolment")], ignore_index=True
    )
    accepted = accepted.astype({"cluster_id": "str", "year": "int64"}).value_counts().rename("rows_accepted")
    attributed = rejects.dropna(subset=keys).astype({"cluster_id": "str", "year": "int64"})
    rows = attributed.drop_duplicates(["source_file", "sheet", "source_row"])
    rejected = rows[keys].value_counts().rename("rows_rejected")
    rules = attributed.groupby(keys)["rule"].agg(lambda r: sorted(set(r))).rename("failed_rules")
    out = pd.concat([accepted, rejected, rules], axis=1).reset_index()
    out.columns = [*keys, "rows_accepted", "rows_rejected", "failed_rules"]
    out[["rows_accepted", "rows_rejected"]] = (
        out[["rows_accepted", "rows_rejected"]].fillna(0).astype("int64")
    )
    out["rows_read"] = out["rows_accepted"] + out["rows_rejected"]
    out["failed_rules"] = [r if isinstance(r, list) else [] for r in out["failed_rules"]]
    return out.sort_values(keys).reset_index(drop=True)
