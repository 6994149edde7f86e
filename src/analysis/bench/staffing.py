"""Benchmark of the staffing metrics on a national-size synthetic set, against a loop baseline.

``run_benchmark`` builds the synthetic country (``analysis.demo.synthetic``; not timed), times every
staffing metric — per cluster × year and per programme, with the federal indicators — and
times ``baseline_staffing_metrics``, a straightforward per-cluster loop over Python sets that
implements the same rules row by row. The two must give the same tables: the benchmark checks
it, so the baseline is also an independent reference implementation. Figures come back as an
ordered ``{name: value}`` dict; the ``bench`` command prints them as ``name: value`` lines.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.demo.synthetic import synthetic_rosters
from analysis.metrics.reconcile import (
    enrolment_evidence,
    reconcile_facts,
    reconcile_targets,
    staffing_evidence,
)
from analysis.metrics.staffing import (
    CHANGE_METRICS,
    COLLEGE,
    EMPLOYER,
    PART_TIME,
    PROGRAMME_KEYS,
    STAFFING_METRICS,
    active_pairs,
    federal_staffing,
    staffing_metrics_both,
    year_change,
)

logger = logging.getLogger(__name__)

_LAST = (1, 0)  # sorts after every present value, as missing values do in the fast version


def _sort_key(value) -> tuple:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return _LAST
    return (0, value)


def _year(value) -> float:
    return float("nan") if pd.isna(value) else float(pd.Timestamp(value).year)


def _org_types(organisations: pd.DataFrame) -> dict[tuple[str, str], str]:
    types: dict[tuple[str, str], str] = {}
    for row in organisations.itertuples(index=False):
        key = (row.cluster_id, row.org_id)
        if row.org_type == COLLEGE or (row.org_type == EMPLOYER and key not in types):
            types[key] = row.org_type
    return types


def _latest_pairs(pairs: pd.DataFrame) -> list:
    latest: dict[tuple, tuple] = {}
    for row in pairs.itertuples(index=False):
        identity = (row.teacher_id, row.specialist_id, row.programme_code)
        order = (
            row.year,
            _sort_key(row.start),
            _sort_key(row.end),
            _sort_key(row.specialist_org_id),
            _sort_key(row.format),
        )
        if identity not in latest or order >= latest[identity][0]:
            latest[identity] = (order, row)
    return [row for _, row in latest.values()]


def _cluster_rows(cluster, teachers, pairs, types) -> tuple[list[dict], list[dict]]:
    """Every metric of one cluster, year by year, with plain sets and loops."""
    first_training: dict[str, float] = {}
    for row in teachers.itertuples(index=False):
        year = _year(row.training_completed)
        if not math.isnan(year):
            first_training[row.person_id] = min(first_training.get(row.person_id, year), year)
    latest = _latest_pairs(pairs)
    per_cluster, per_programme = [], []
    for year in sorted(set(teachers["year"]) | set(pairs["year"])):
        rows = teachers[teachers["year"] == year]
        has_roster = len(rows) > 0
        annotated = []
        for row in rows.itertuples(index=False):
            kind = types.get((cluster, row.org_id))
            annotated.append(
                {
                    "person": row.person_id,
                    "programme": row.programme_code,
                    "hours": row.hours,
                    "college": kind == COLLEGE,
                    "employer": kind == EMPLOYER,
                    "employer_teacher": kind == EMPLOYER and row.employment == PART_TIME,
                    "trained": first_training.get(row.person_id, math.inf) <= year,
                }
            )
        college_people = {a["person"] for a in annotated if a["college"]}
        active = []
        for pair in latest:
            start, end = _year(pair.start), _year(pair.end)
            dated = start <= year and (math.isnan(end) or end >= year)
            if not (dated or (math.isnan(start) and pair.year == year)):
                continue
            kind = types.get((cluster, pair.specialist_org_id))
            valid = (
                not math.isnan(start)
                and not (pd.notna(pair.end) and pair.end < pair.start)
                and has_roster
                and pair.teacher_id in college_people
                and kind == EMPLOYER
            )
            active.append((pair, valid))
        paired_teachers = {p.teacher_id for p, ok in active if ok}
        paired_specialists = {p.specialist_id for p, ok in active if ok}

        def measure(
            selected,
            pair_list,
            has_roster=has_roster,
            paired_teachers=paired_teachers,
            paired_specialists=paired_specialists,
        ) -> dict:
            people: dict[str, dict] = {}
            for a in selected:
                flags = people.setdefault(
                    a["person"], dict.fromkeys(["college", "employer", "employer_teacher", "trained"], False)
                )
                for flag in flags:
                    flags[flag] = flags[flag] or a[flag]
            known = [a for a in selected if not math.isnan(a["hours"])]
            hours = sum(a["hours"] for a in known) if known else math.nan
            employer_hours = sum(a["hours"] for a in known if a["employer_teacher"]) if known else math.nan
            counts = {
                "teachers": len(people),
                "employer_teachers": sum(f["employer_teacher"] for f in people.values()),
                "employer_staff": sum(f["employer"] for f in people.values()),
                "trained_employer_staff": sum(f["employer"] and f["trained"] for f in people.values()),
                "employer_teachers_trained": sum(
                    f["employer_teacher"] and f["trained"] for f in people.values()
                ),
                "pairs": len({(p.teacher_id, p.specialist_id) for p, ok in pair_list if ok}),
                "college_teachers": sum(f["college"] for f in people.values()),
                "college_teachers_in_pairs": sum(
                    f["college"] and person in paired_teachers for person, f in people.items()
                ),
                "employer_teachers_in_pairs": sum(
                    f["employer_teacher"] and person in paired_specialists for person, f in people.items()
                ),
            }
            if not has_roster:
                counts = dict.fromkeys(counts, math.nan)
            reported = len({(p.teacher_id, p.specialist_id) for p, _ in pair_list})

            def share(a, b):
                return a / b if b > 0 else math.nan

            return {
                **counts,
                "hours": hours,
                "employer_hours": employer_hours,
                "pairs_reported": reported,
                "invalid_pairs": reported - counts["pairs"],
                "employer_teacher_share": share(counts["employer_teachers"], counts["teachers"]),
                "employer_hours_share": share(employer_hours, hours),
                "trained_share": share(counts["employer_teachers_trained"], counts["employer_teachers"]),
                "college_teachers_in_pairs_share": share(
                    counts["college_teachers_in_pairs"], counts["college_teachers"]
                ),
                "employer_teachers_in_pairs_share": share(
                    counts["employer_teachers_in_pairs"], counts["employer_teachers"]
                ),
            }

        per_cluster.append({"cluster_id": cluster, "year": year, **measure(annotated, active)})
        for programme in sorted({a["programme"] for a in annotated} | {p.programme_code for p, _ in active}):
            selected = [a for a in annotated if a["programme"] == programme]
            pair_list = [(p, ok) for p, ok in active if p.programme_code == programme]
            per_programme.append(
                {
                    "cluster_id": cluster,
                    "year": year,
                    "programme_code": programme,
                    **measure(selected, pair_list),
                }
            )
    return per_cluster, per_programme


def _table(records: list[dict], keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=keys + STAFFING_METRICS)
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True).astype({"year": "int64"})
    for column in STAFFING_METRICS:
        is_float = column.endswith(("share", "hours"))
        frame[column] = frame[column].astype("float64" if is_float else "Int64")
    return year_change(frame, CHANGE_METRICS, by_programme=len(keys) == 3)


def baseline_staffing_metrics(
    teachers: pd.DataFrame, organisations: pd.DataFrame, pairs: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The staffing metrics the straightforward way: a loop over clusters and years with sets.

    Same rules and output as ``staffing.staffing_metrics_both``; kept as the benchmark's
    baseline and as a reference for tests, not for production use.
    """
    types = _org_types(organisations)
    by_cluster_t = dict(tuple(teachers.groupby("cluster_id", sort=False)))
    by_cluster_p = dict(tuple(pairs.groupby("cluster_id", sort=False)))
    cluster_rows, programme_rows = [], []
    for cluster in sorted(set(by_cluster_t) | set(by_cluster_p)):
        per_cluster, per_programme = _cluster_rows(
            cluster,
            by_cluster_t.get(cluster, teachers.iloc[:0]),
            by_cluster_p.get(cluster, pairs.iloc[:0]),
            types,
        )
        cluster_rows += per_cluster
        programme_rows += per_programme
    return _table(cluster_rows, PROGRAMME_KEYS[:2]), _table(programme_rows, PROGRAMME_KEYS)


def _same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9)
    except AssertionError as exc:
        logger.warning("fast and baseline staffing metrics differ: %s", exc)
        return False
    return True


def run_benchmark(
    n_clusters: int = 600,
    roster_rows: int = 200_000,
    pair_rows: int = 60_000,
    years: tuple[int, ...] = (2024, 2025, 2026),
    seed: int = 0,
    repeat: int = 5,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Time every staffing metric (best of ``repeat`` runs) and the loop baseline (one run).

    Figures: the data size, ``staffing_metrics_seconds`` (best) and
    ``staffing_metrics_median_seconds``, ``staffing_baseline_seconds``,
    ``staffing_metrics_speedup`` (baseline / best) and ``staffing_results_match`` (1 when both
    give the same tables, else 0), then ``staffing_reconcile_seconds``: evidence (with the
    invalid pairs' reasons) and reconciliation of the synthetic facts and federal targets, one run.
    """
    note = progress or (lambda _message: None)
    note(f"generating {n_clusters} clusters, {roster_rows} roster rows, {pair_rows} pairs (seed {seed})")
    data = synthetic_rosters(n_clusters, years, roster_rows, pair_rows, seed)
    timings = []
    for run in range(repeat):
        note(f"staffing metrics, run {run + 1}/{repeat}")
        began = time.perf_counter()
        per_cluster, per_programme = staffing_metrics_both(data.teachers, data.organisations, data.pairs)
        federal_staffing(per_cluster, data.enrolment)
        timings.append(time.perf_counter() - began)
    note("reconciliation")
    began = time.perf_counter()
    federal = federal_staffing(per_cluster, data.enrolment)
    active = active_pairs(data.pairs, data.teachers, data.organisations)
    evidence = pd.concat(
        [staffing_evidence(per_cluster, per_programme, federal, active), enrolment_evidence(data.enrolment)],
        ignore_index=True,
    )
    reconcile_facts(data.facts, evidence)
    reconcile_targets(data.federal_plan, evidence)
    reconciliation = time.perf_counter() - began
    note("baseline (per-cluster loop)")
    began = time.perf_counter()
    base_cluster, base_programme = baseline_staffing_metrics(data.teachers, data.organisations, data.pairs)
    baseline = time.perf_counter() - began
    match = _same(per_cluster, base_cluster) and _same(per_programme, base_programme)
    best = min(timings)
    return {
        "clusters": n_clusters,
        "cluster_years": len(per_cluster),
        "roster_rows": len(data.teachers),
        "pairs_rows": len(data.pairs),
        "staffing_metrics_seconds": round(best, 4),
        "staffing_metrics_median_seconds": round(statistics.median(timings), 4),
        "staffing_baseline_seconds": round(baseline, 4),
        "staffing_metrics_speedup": round(baseline / best, 1) if best > 0 else float(np.inf),
        "staffing_results_match": int(match),
        "staffing_reconcile_seconds": round(reconciliation, 4),
    }
