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
    cluster: DemoCluster,
    year: int,
    plan: pd.DataFrame,
    people: list,
    pairs: list[dict],
    seed: int,
    facts=_facts,
    submitted: object = "on_time",
) -> Workbook:
    """A filled-in form of one cluster-year, written in openpyxl's write-only mode. ``facts``
    draws a fact per planned row (``facts(rng, rows)``); ``submitted`` is a date, None (left
    blank) or ``"on_time"`` (a day between 9 and 19 January of the next year)."""
    rng = _rng(seed, "national-form", cluster.cluster_id, year)
    book = Workbook(write_only=True)
    meta = book.create_sheet(forms.META.title)
    meta.append(forms.META.headings)
    if submitted == "on_time":
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
    for row, fact in zip(rows.itertuples(index=False), facts(rng, rows), strict=True):
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


# The national demonstration: ≈ 400 clusters in ≈ 80 regions beside the real data
# (``python -m analysis demo --national``).
NATIONAL_REGISTRY = "clusters-national.csv"
NATIONAL_PARTICIPANTS = "participants-national.csv"
NATIONAL_RECORD = ".national-demo.json"  # every file the generator wrote, with its SHA-256
FORM_YEARS = (2024, 2025)  # years whose reports are due; the plans run to 2026
# Indicators whose generated targets are too low: most clusters over-fulfil them.
EASY_INDICATORS = ("1.2.2", "1.4.3", "1.4.4")
SILENT_SHARE = 0.025  # of the regions, those none of whose clusters reported (2 of 80)


def full_region_name(short: str) -> str:
    """«Самарская область» for the map's «Самарская обл.»."""
    name = short.replace(" обл.", " область").replace("Еврейская АО", "Еврейская автономная область")
    name = name.replace(" АО", " автономный округ")
    if name.startswith("Респ. "):
        return "Республика " + name.removeprefix("Респ. ")
    return name.replace(" Респ.", " Республика")


def _vary_plan(canonical: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Plans of varied shapes: some clusters joined in 2025 (no 2024 column), some leave out an
    indicator, some count their employer-teachers and pairs instead of a yes target."""
    plan = canonical.copy()
    if rng.random() < 0.2:
        plan = plan.drop(columns="2024")
    droppable = [
        code
        for code in plan.loc[plan["kind"] == "indicator", "code"]
        if not code.startswith("1.6") and code not in EASY_INDICATORS
    ]
    dropped = {code for code in droppable if rng.random() < 0.08}
    plan = plan[~(plan["code"].isin(dropped) & plan["kind"].isin(["indicator", "programme"]))]
    years = [c for c in plan.columns[4:]]
    if rng.random() < 0.35:
        for code, low, high in (("1.6.1", 3, 12), ("1.6.2", 2, 8)):
            where = (plan["kind"] == "indicator") & (plan["code"] == code)
            base = int(rng.integers(low, high))
            for i, year in enumerate(years):
                plan.loc[where, year] = str(base + i)
    return plan.reset_index(drop=True)


def _national_facts(diligence: float):
    """Facts of a cluster: targets of :data:`EASY_INDICATORS` mostly over-fulfilled by a
    third or more; others mostly met, sometimes over, partly or not met; a cell left blank
    with probability ``1 - diligence``."""

    def draw(rng: np.random.Generator, rows: pd.DataFrame) -> list[object]:
        out: list[object] = []
        for indicator, plan in zip(rows["indicator"], rows["plan"], strict=True):
            if rng.random() > diligence:
                out.append(None)
                continue
            roll = rng.random()
            if plan.isdigit():
                target = int(plan)
                if indicator in EASY_INDICATORS and roll < 0.75:
                    out.append(int(np.ceil(target * rng.uniform(1.3, 2.4))))
                elif roll < 0.6:
                    out.append(target)
                elif roll < 0.75:
                    out.append(int(np.ceil(target * rng.uniform(1.05, 1.6))))
                elif roll < 0.95:
                    out.append(int(rng.integers(0, target)) if target > 1 else 0)
                else:
                    out.append(0)
            else:
                out.append("да" if roll < 0.82 else "нет")
        return out

    return draw


def _submission_day(rng: np.random.Generator, year: int, silent: bool) -> object:
    """When a cluster-year's report came: ``"missing"``, a date (on time or late) or None
    (the form's date left blank)."""
    roll = rng.random()
    if silent or roll < 0.07:
        return "missing"
    if roll < 0.17:
        return _day(rng, date(year + 1, 1, 21), date(year + 1, 3, 20))
    if roll < 0.21:
        return None
    return _day(rng, date(year + 1, 1, 9), date(year + 1, 1, 20))


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_national(raw_dir: str | Path) -> list[Path]:
    """Remove what the national demonstration wrote, as its record lists it — a file changed
    since (not the generator's any more) is left where it is, with a warning."""
    import json

    raw_dir = Path(raw_dir)
    record = raw_dir / NATIONAL_RECORD
    if not record.exists():
        return []
    removed = []
    for relative, sha in json.loads(record.read_text(encoding="utf-8")).items():
        path = raw_dir / relative
        if not path.exists():
            continue
        if _digest(path) != sha:
            logger.warning("national demo: %s changed since it was generated; left as it is", relative)
            continue
        path.unlink()
        removed.append(path)
    record.unlink()
    return removed


def write_national_demo(
    raw_dir: str | Path,
    seed_plan: pd.DataFrame,
    n_clusters: int = 400,
    n_regions: int = 80,
    seed: int = 0,
) -> list[Path]:
    """Write the national demonstration under ``raw_dir`` beside whatever is there: the registry
    ``clusters-national.csv`` (clusters ``nat-NNN`` in ``n_regions`` regions, 1 to ~20 each),
    their plans (the seed plan's tree in varied shapes), ``participants-national.csv`` and their
    forms of :data:`FORM_YEARS` with realistic gaps — reports missing, late or undated, cells left
    blank, a region in forty that sent nothing. Every file is marked as demonstration data; a file the
    generator did not write (a real submission) is never overwritten, and ``.national-demo.json``
    records what was written so that the next run removes exactly that. Return the paths."""
    import json

    from analysis.reports.tilemap import grid
    from analysis.sources.registry import load_registry

    raw_dir = Path(raw_dir)
    clean_national(raw_dir)
    for name in (NATIONAL_REGISTRY, NATIONAL_PARTICIPANTS):
        if (raw_dir / name).exists():
            raise FileExistsError(
                f"{raw_dir / name} was not written by the national demonstration: rename it, or move it "
                "away, before generating the national demonstration"
            )
    (raw_dir / "plans").mkdir(parents=True, exist_ok=True)
    (raw_dir / "submissions").mkdir(parents=True, exist_ok=True)
    taken = set()
    if (raw_dir / "clusters.csv").exists():
        taken = set(load_registry(raw_dir / "clusters.csv")["cluster_id"])
    rng = np.random.default_rng(seed)
    tiles = grid()
    chosen = sorted(rng.choice(len(tiles), size=min(n_regions, len(tiles)), replace=False))
    regions = [(tiles.at[i, "code"], full_region_name(tiles.at[i, "name"])) for i in chosen]
    weights = rng.lognormal(0.0, 0.8, len(regions))
    counts = rng.multinomial(max(n_clusters - len(regions), 0), weights / weights.sum()) + 1
    quiet = rng.choice(len(regions), size=round(SILENT_SHARE * len(regions)), replace=False)
    silent = {regions[i][0] for i in quiet}
    registry, participants, written = [], [], []
    index = 0
    for (code, region_name), count in zip(regions, counts, strict=True):
        for _ in range(int(count)):
            index += 1
            cluster = national_cluster(index, rng)
            if cluster.cluster_id in taken:
                logger.warning(
                    "national demo: %s is a real cluster; its demo twin left out", cluster.cluster_id
                )
                continue
            plan_path = raw_dir / "plans" / f"{cluster.cluster_id}.csv"
            if plan_path.exists():
                logger.warning("national demo: %s is not ours; cluster left out", plan_path.name)
                continue
            canonical = _vary_plan(
                demo_plan(seed_plan, cluster, seed), _rng(seed, "shape", cluster.cluster_id)
            )
            write_plan_file(canonical, plan_path)
            written.append(plan_path)
            name = f"Образовательный кластер «{cluster.industry}» ({region_name}) (демо)"
            registry.append(
                [
                    cluster.cluster_id,
                    name,
                    code,
                    region_name,
                    cluster.industry,
                    cluster.colleges[0],
                    f"plans/{cluster.cluster_id}.csv",
                    "1",
                ]
            )
            participants += [(cluster.cluster_id, n, "college", "1") for n in cluster.colleges]
            participants += [(cluster.cluster_id, n, "employer", "1") for n in cluster.employers]
            plan = tidy_plan(canonical, cluster.cluster_id)
            people_rng = _rng(seed, "national-people", cluster.cluster_id)
            codes = [c for c, _ in cluster.programmes]
            people = _people(people_rng, list(cluster.colleges), list(cluster.employers), codes)
            pairs = _pairs(people_rng, people)
            habits = _rng(seed, "habits", cluster.cluster_id)
            facts = _national_facts(float(habits.uniform(0.8, 1.0)))
            for year in FORM_YEARS:
                if year not in set(plan["year"]):
                    continue
                day = _submission_day(_rng(seed, "when", cluster.cluster_id, year), year, code in silent)
                if day == "missing":
                    continue
                path = raw_dir / "submissions" / forms.submission_name(cluster.cluster_id, year)
                if path.exists():
                    logger.warning("national demo: %s is not ours; left as it is", path.name)
                    continue
                form_workbook(cluster, year, plan, people, pairs, seed, facts, day).save(path)
                written.append(path)
    registry_path = raw_dir / NATIONAL_REGISTRY
    pd.DataFrame(registry, columns=[*REGISTRY_COLUMNS, "demo"]).to_csv(
        registry_path, index=False, encoding="utf-8", lineterminator="\n"
    )
    participants_path = raw_dir / NATIONAL_PARTICIPANTS
    pd.DataFrame(participants, columns=["cluster_id", "organisation", "org_type", "demo"]).to_csv(
        participants_path, index=False, encoding="utf-8", lineterminator="\n"
    )
    written += [registry_path, participants_path]
    record = {p.relative_to(raw_dir).as_posix(): _digest(p) for p in written}
    (raw_dir / NATIONAL_RECORD).write_text(json.dumps(record, indent=0, sort_keys=True), encoding="utf-8")
    logger.info(
        "national demo: %d clusters in %d regions, %d files under %s",
        len(registry),
        len(regions),
        len(written),
        raw_dir,
    )
    return written
