"""A generated region of national size for the ingest benchmark: many clusters, filled-in forms.

``write_national_region(raw_dir, seed_plan, n_clusters, years, seed)`` writes a complete raw
folder — registry, a canonical plan per cluster (the seed plan's tree, as the demonstration
region makes them), participants, and one filled-in collection form per cluster-year under
``submissions/`` — for ``make bench`` to ingest. 200 clusters × 3 years give 600 forms and about
34,000 rows, the size of a large federal district.

The forms hold what ``analysis.demo.region`` puts in a demonstration form (facts of the
planned cells, rosters of invented people, mentoring pairs, enrolment) without its styling,
validations and reference sheets: they are written with openpyxl's write-only mode so that
600 of them take seconds. Everything is invented; the same seed gives the same files.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from analysis.demo.region import (
    DEMO_CLUSTERS,
    DemoCluster,
    _active,
    _day,
    _enrolment,
    _pairs,
    _people,
    _rng,
    _teacher_rows,
    demo_plan,
    person_name,
)
from analysis.sources import forms
from analysis.sources.plan import tidy_plan, write_plan_file
from analysis.sources.registry import COLUMNS as REGISTRY_COLUMNS
from analysis.sources.template import planned_rows

logger = logging.getLogger(__name__)

YEARS = (2024, 2025, 2026)
_PROGRAMMES = tuple(dict.fromkeys(p for c in DEMO_CLUSTERS for p in c.programmes))
_INDUSTRIES = tuple(c.industry for c in DEMO_CLUSTERS)


def national_cluster(index: int, rng: np.random.Generator) -> DemoCluster:
    """The ``index``-th cluster: 3–5 programmes, 2–3 colleges, 4–6 employers."""
    count = int(rng.integers(3, 6))
    chosen = rng.choice(len(_PROGRAMMES), size=count, replace=False)
    programmes = tuple(_PROGRAMMES[i] for i in sorted(chosen))
    colleges = tuple(f"ГБПОУ «Колледж № {k} кластера {index}»" for k in range(1, int(rng.integers(2, 4)) + 1))
    employers = tuple(
        f'ООО "Предприятие № {k} кластера {index}"' for k in range(1, int(rng.integers(4, 7)) + 1)
    )
    industry = f"{_INDUSTRIES[index % len(_INDUSTRIES)]} ({index})"
    return DemoCluster(f"nat-{index:03d}", industry, programmes, colleges, employers)


def _facts(rng: np.random.Generator, rows: pd.DataFrame) -> list[object]:
    """A fact for each planned row: mostly met, sometimes partly, not met or left blank."""
    out: list[object] = []
    for plan in rows["plan"]:
        draw = rng.random()
        if plan.isdigit():
            target = int(plan)
            out.append(target if draw < 0.7 else (int(rng.integers(0, target + 1)) if draw < 0.9 else None))
        else:
            out.append("да" if draw < 0.75 else ("нет" if draw < 0.9 else None))
    return out


def form_workbook(
    cluster: DemoCluster, year: int, plan: pd.DataFrame, people: list, pairs: list[dict], seed: int
) -> Workbook:
    """A filled-in form of one cluster-year, written in openpyxl's write-only mode."""
    rng = _rng(seed, "national-form", cluster.cluster_id, year)
    book = Workbook(write_only=True)
    meta = book.create_sheet(forms.META.title)
    meta.append(forms.META.headings)
    submitted = _day(rng, date(year + 1, 1, 9), date(year + 1, 1, 19))
    for label, value in [
        ("Кластер", cluster.cluster_id),
        ("Год", year),
        ("Заполнил", f"{person_name(rng)} (демо)"),
        ("Дата представления", submitted),
        ("Демонстрационные данные", "да"),
    ]:
        meta.append([label, value])
    indicators = book.create_sheet(forms.INDICATORS.title)
    indicators.append(forms.INDICATORS.headings)
    rows = planned_rows(plan, year)
    for row, fact in zip(rows.itertuples(index=False), _facts(rng, rows), strict=True):
        indicators.append([row.indicator, row.programme_code or None, row.title, row.plan, fact, None])
    active = [p for p in pairs if _active(p, year)]
    teachers = _teacher_rows(rng, people, year, {p["teacher_name"] for p in active})
    codes = list(dict.fromkeys(code for code, _ in cluster.programmes))
    for spec, records in (
        (forms.TEACHERS, teachers),
        (forms.PAIRS, active),
        (forms.ENROLMENT, _enrolment(rng, codes)),
    ):
        sheet = book.create_sheet(spec.title)
        sheet.append(spec.headings)
        for record in records:
            sheet.append([record.get(name) for name in spec.names])
    return book


def write_national_region(
    raw_dir: str | Path,
    seed_plan: pd.DataFrame,
    n_clusters: int = 200,
    years: tuple[int, ...] = YEARS,
    seed: int = 0,
) -> list[Path]:
    """Write the generated region under ``raw_dir`` (see the module docstring); return the forms."""
    raw_dir = Path(raw_dir)
    (raw_dir / "plans").mkdir(parents=True, exist_ok=True)
    (raw_dir / "submissions").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    registry, participants, written = [], [], []
    for index in range(1, n_clusters + 1):
        cluster = national_cluster(index, rng)
        canonical = demo_plan(seed_plan, cluster, seed)
        write_plan_file(canonical, raw_dir / "plans" / f"{cluster.cluster_id}.csv")
        region = f"{index % 89 + 1:02d}"
        registry.append(
            [
                cluster.cluster_id,
                f"Кластер «{cluster.industry}» (демо)",
                region,
                f"Регион {region}",
                cluster.industry,
                cluster.colleges[0],
                f"plans/{cluster.cluster_id}.csv",
                "1",
            ]
        )
        participants += [(cluster.cluster_id, name, "college", "1") for name in cluster.colleges]
        participants += [(cluster.cluster_id, name, "employer", "1") for name in cluster.employers]
        plan = tidy_plan(canonical, cluster.cluster_id)
        people_rng = _rng(seed, "national-people", cluster.cluster_id)
        codes = [code for code, _ in cluster.programmes]
        people = _people(people_rng, list(cluster.colleges), list(cluster.employers), codes)
        pairs = _pairs(people_rng, people)
        for year in years:
            path = raw_dir / "submissions" / forms.submission_name(cluster.cluster_id, year)
            form_workbook(cluster, year, plan, people, pairs, seed).save(path)
            written.append(path)
    pd.DataFrame(registry, columns=[*REGISTRY_COLUMNS, "demo"]).to_csv(
        raw_dir / "clusters.csv", index=False, encoding="utf-8", lineterminator="\n"
    )
    pd.DataFrame(participants, columns=["cluster_id", "organisation", "org_type", "demo"]).to_csv(
        raw_dir / "participants.csv", index=False, encoding="utf-8", lineterminator="\n"
    )
    logger.debug("national region: %d clusters, %d forms under %s", n_clusters, len(written), raw_dir)
    return written
