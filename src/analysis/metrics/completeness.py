"""Completeness and quality of what clusters reported: the state of every cluster-year (on time,
late, not yet due, missing — one vocabulary for every page) and input rows accepted / rejected
per cluster-year."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analysis.sources.plan import FAMILY_PLAN

# States of a cluster-year (DOMAIN.md, «States of a cluster-year, one vocabulary»).
ON_TIME = "on_time"
LATE = "late"
NOT_DUE = "not_due"
MISSING = "missing"
REFUSED = "refused"  # a file came but none of it could be taken (named wrong, unreadable, …)
STATES = [ON_TIME, LATE, NOT_DUE, MISSING, REFUSED]
RECEIVED = (ON_TIME, LATE)

STATE_COLUMNS = [
    "cluster_id",
    "year",
    "deadline",
    "state",
    "received",
    "dated",
    "submitted_on",
    "source_file",
    "rate_shown",
]


def cluster_year_states(
    cluster_years: pd.DataFrame,
    submissions: pd.DataFrame,
    facts: pd.DataFrame,
    as_of: date,
    deadline: tuple[int, int] = (1, 20),
) -> pd.DataFrame:
    """The state of each cluster-year in ``cluster_years`` (``cluster_id``, ``year``) — the one
    vocabulary the index, the region report and the cluster report all show.

    A cluster-year is **received** when a submission of it was read (``submissions`` with status
    ``read``) or any fact of it was accepted (``facts``: the simple facts CSV carries no submission
    of its own). Its ``state``:

    - ``on_time`` — received, dated on or before the reporting deadline of the year;
    - ``late`` — received, dated after the deadline;
    - ``not_due`` — not received, the deadline is still ahead of ``as_of`` (or is ``as_of``);
    - ``missing`` — not received, the deadline has passed;
    - ``refused`` — not received, but a file of it came and was refused whole or could not be
      read (``submissions`` status ``rejected`` or ``unreadable`` under its cluster-year, which
      ingest takes from the file's name): «получен, не принят», whatever the deadline.

    **Decision — undated.** A received cluster-year without a submission date (a facts CSV, or a
    form whose «Дата представления» is blank) is ``on_time``: lateness is a finding we state only
    on evidence, and the file was in hand by ``as_of``. ``dated`` is false for it, so a page can say
    the date is not given. The rule itself is :func:`assign_states`.

    ``rate_shown`` — whether a fulfilment rate may be shown: only for a received cluster-year
    with at least one accepted fact. Otherwise pages show «нет данных»: a cluster-year with no
    submission past its deadline is «не представлен», never 0 %. ``submitted_on`` is the date of
    the submission that counts (NaT when undated or none), ``source_file`` its file as recorded
    (empty when none), ``deadline`` the reporting deadline of the year.
    """
    keys = ["cluster_id", "year"]
    grid = cluster_years[keys].drop_duplicates().astype({"cluster_id": "str", "year": "int64"})
    read = submissions[submissions["status"] == "read"].dropna(subset=["cluster_id"])
    read = read.astype({"cluster_id": "str", "year": "int64"})
    # The submission that counts is the latest dated one; an undated one only when it is alone.
    read = read.sort_values(["submitted_on", "source_file"], na_position="first", kind="stable")
    read = read.drop_duplicates(keys, keep="last")[[*keys, "submitted_on", "source_file"]]
    facts = facts.astype({"cluster_id": "str", "year": "int64"})
    reported = facts[facts["fact_kind"] != "none"][keys].drop_duplicates().assign(has_facts=True)
    any_fact = facts[keys].drop_duplicates().assign(any_fact=True)
    out = (
        grid.merge(read, on=keys, how="left")
        .merge(any_fact, on=keys, how="left")
        .merge(reported, on=keys, how="left")
    )
    out["source_file"] = out["source_file"].fillna("").astype("str")
    out["submitted_on"] = pd.to_datetime(out["submitted_on"])
    out["received"] = (out["source_file"] != "") | out["any_fact"].fillna(False).astype(bool)
    # A file refused whole still names its cluster-year: «получен, не принят».
    refused_files = submissions[submissions["status"].isin(["rejected", "unreadable"])].dropna(
        subset=["cluster_id", "year"]
    )
    refused_keys = set(
        zip(refused_files["cluster_id"].astype(str), refused_files["year"].astype("int64"), strict=True)
    )
    out["refused"] = [
        (c, int(y)) in refused_keys for c, y in zip(out["cluster_id"], out["year"], strict=True)
    ]
    out = assign_states(out, as_of, deadline)
    out["rate_shown"] = out["received"] & out["has_facts"].fillna(False).astype(bool)
    return out[STATE_COLUMNS].sort_values(keys).reset_index(drop=True)


def assign_states(receipts: pd.DataFrame, as_of: date, deadline: tuple[int, int] = (1, 20)) -> pd.DataFrame:
    """The states rule of :func:`cluster_year_states`, given what was received: ``receipts`` has
    ``year``, ``received``, ``submitted_on`` (NaT: undated) and optionally ``refused`` (a file of the
    cluster-year was refused whole); adds ``dated``, ``deadline`` and
    ``state``. Summaries computed once per build (the national report's) keep the receipts and
    take the states of the day from here, so that every page uses one rule."""
    from analysis.metrics.fulfilment import reporting_deadline

    out = receipts.copy()
    out["submitted_on"] = pd.to_datetime(out["submitted_on"])
    out["dated"] = out["submitted_on"].notna()
    out["deadline"] = pd.to_datetime(
        pd.Series([reporting_deadline(int(y), deadline) for y in out["year"]], index=out.index, dtype=object)
    )
    late = out["dated"] & (out["submitted_on"] > out["deadline"])
    overdue = out["deadline"] < pd.Timestamp(as_of)
    refused = (
        out["refused"].fillna(False).astype(bool)
        if "refused" in out.columns
        else pd.Series(False, index=out.index, dtype=bool)
    )
    out["state"] = np.select(
        [out["received"] & late, out["received"], refused, overdue],
        [LATE, ON_TIME, REFUSED, MISSING],
        default=NOT_DUE,
    )
    return out


def completeness(
    registry: pd.DataFrame,
    plan: pd.DataFrame,
    submissions: pd.DataFrame,
    as_of: date,
    deadline: tuple[int, int] = (1, 20),
    facts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected submissions — every cluster × plan year that has begun by ``as_of`` — with their
    state (``cluster_year_states``; ``status`` repeats ``state``) and the cluster's name.

    Without ``facts`` only submitted forms count as received; pass the facts table so that a
    cluster-year reported through the facts CSV is received too.
    """
    plan = plan[plan["family"] == FAMILY_PLAN]
    expected = plan[["cluster_id", "year"]].drop_duplicates()
    expected = expected[expected["year"] <= as_of.year]
    if facts is None:
        facts = pd.DataFrame({"cluster_id": [], "year": [], "fact_kind": []})
    states = cluster_year_states(expected, submissions, facts, as_of, deadline)
    states["status"] = states["state"]
    names = registry[["cluster_id", "name"]]
    return (
        states.merge(names, on="cluster_id", how="left")
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
