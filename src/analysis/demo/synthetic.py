"""Deterministic synthetic rosters of national size, for benchmarks, tests and demo data.

``synthetic_rosters(seed=...)`` builds every table the staffing metrics read — organisations,
teachers, mentoring pairs, enrolment — plus reported facts and federal targets to reconcile
them with. The same arguments always give the same tables (a seeded ``numpy`` Generator, no
other source of randomness). Ids are made up (``C0001``, ``C0001-K1``, ``C0001-T17``): no real
person or organisation is in them.

Shape follows DOMAIN.md: 4–8 colleges, 5–25 employers and 3–6 programmes a cluster; about 30 %
of roster people come from employers, most of them part-time; a few rows and pairs break a rule
on purpose (an organisation that is not a participant, a specialist who works for a college, a
teacher missing from the roster, zero hours, a pair that ended before the year, pairs reported
again in later years) so that every branch of the metrics is exercised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metrics.staffing import FEDERAL_CODES, federal_staffing, staffing_metrics
from analysis.sources.plan import FAMILY_FEDERAL, TIDY_COLUMNS
from analysis.tables import ENROLMENT_COLUMNS, ORGANISATION_COLUMNS, PAIR_COLUMNS, TEACHER_COLUMNS

logger = logging.getLogger(__name__)

PROGRAMME_CODES = [
    "38.02.01", "38.02.04", "40.02.02", "40.02.04", "09.02.07", "15.02.16", "23.02.07", "08.02.01",
    "43.02.15", "35.02.16", "13.02.13", "22.02.06", "31.02.01", "44.02.01", "54.02.01", "19.02.12",
]  # fmt: skip
FORMATS = ["in person", "online", "mixed"]
FACT_COLUMNS = ["cluster_id", "year", "indicator", "programme_code", "fact_kind", "fact_value"]
# Plan indicators the synthetic clusters report on, with the staffing metric behind each.
REPORTED = {"1.5.1": "trained_employer_staff", "1.6.1": "employer_teachers", "1.6.2": "pairs"}


@dataclass(frozen=True)
class SyntheticData:
    """The tables of one synthetic country, in the processed tidy schemas."""

    organisations: pd.DataFrame
    teachers: pd.DataFrame
    pairs: pd.DataFrame
    enrolment: pd.DataFrame
    facts: pd.DataFrame
    federal_plan: pd.DataFrame


@dataclass(frozen=True)
class _Clusters:
    ids: np.ndarray
    colleges: np.ndarray
    employers: np.ndarray
    programmes: np.ndarray  # clusters × 6 programme codes; the first `n_programmes` are used
    n_programmes: np.ndarray
    college_pool: np.ndarray  # college people a cluster draws roster rows from
    employer_pool: np.ndarray


def _ids(prefix: np.ndarray, tag: str, number: np.ndarray) -> np.ndarray:
    return np.array([f"{p}-{tag}{n}" for p, n in zip(prefix, number, strict=True)], dtype=object)


def _clusters(rng: np.random.Generator, n_clusters: int) -> _Clusters:
    colleges = rng.integers(4, 9, n_clusters)
    employers = rng.integers(5, 26, n_clusters)
    n_programmes = rng.integers(3, 7, n_clusters)
    codes = np.array(PROGRAMME_CODES, dtype=object)
    programmes = np.stack([codes[rng.permutation(len(codes))[:6]] for _ in range(n_clusters)])
    return _Clusters(
        ids=np.array([f"C{i + 1:04d}" for i in range(n_clusters)], dtype=object),
        colleges=colleges,
        employers=employers,
        programmes=programmes,
        n_programmes=n_programmes,
        college_pool=colleges * 10,
        employer_pool=employers * 3,
    )


def _organisations(c: _Clusters) -> pd.DataFrame:
    records = [
        (cluster, f"{cluster}-{letter}{n}", kind)
        for cluster, colleges, employers in zip(c.ids, c.colleges, c.employers, strict=True)
        for letter, kind, count in (("K", "college", colleges), ("E", "employer", employers))
        for n in range(1, count + 1)
    ]
    frame = pd.DataFrame.from_records(records, columns=["cluster_id", "org_id", "org_type"])
    frame["org_name"] = frame["org_type"].str.capitalize() + " " + frame["org_id"]
    return frame[ORGANISATION_COLUMNS]


def _cluster_years(rng: np.random.Generator, c: _Clusters, years: list[int], size: int) -> np.ndarray:
    weights = np.repeat((c.colleges + c.employers).astype(float), len(years))
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _dates(rng: np.random.Generator, first_year: np.ndarray, span_days: int) -> np.ndarray:
    base = pd.to_datetime(first_year.astype(str), format="%Y").to_numpy()
    return base + rng.integers(0, span_days, len(first_year)).astype("timedelta64[D]")


def _teachers(rng: np.random.Generator, c: _Clusters, years: list[int], rows: int) -> pd.DataFrame:
    size = int(rows * 1.3) + 100
    cy = _cluster_years(rng, c, years, size)
    cluster, year = cy // len(years), np.array(years)[cy % len(years)]
    college_person = rng.random(size) < 0.7
    pool = np.where(college_person, c.college_pool[cluster], c.employer_pool[cluster])
    person = (rng.random(size) * pool).astype(int) + 1
    person_id = np.array(
        [
            f"{c.ids[k]}-{'T' if t else 'S'}{n}"
            for k, t, n in zip(cluster, college_person, person, strict=True)
        ],
        dtype=object,
    )
    org_number = np.where(
        college_person, (person - 1) % c.colleges[cluster], (person - 1) % c.employers[cluster]
    )
    org_id = np.array(
        [
            f"{c.ids[k]}-{'K' if t else 'E'}{n + 1}"
            for k, t, n in zip(cluster, college_person, org_number, strict=True)
        ],
        dtype=object,
    )
    # About 1 % of rows name an organisation that is not a participant of the cluster.
    org_id = np.where(rng.random(size) < 0.01, "X-outsider", org_id)
    part_time = np.where(college_person, rng.random(size) < 0.1, rng.random(size) < 0.92)
    programme = c.programmes[cluster, (rng.random(size) * c.n_programmes[cluster]).astype(int)]
    hours = np.round(rng.gamma(2.0, 60.0, size))
    hours[rng.random(size) < 0.03] = 0.0
    trained = rng.random(size) < np.where(college_person, 0.3, 0.5)
    completed = _dates(rng, year - 2, 3 * 365)
    frame = pd.DataFrame(
        {
            "cluster_id": c.ids[cluster],
            "year": year.astype("int64"),
            "person_id": person_id,
            "org_id": org_id,
            "employment": np.where(part_time, "part_time", "staff"),
            "programme_code": programme,
            "hours": hours,
            "training_completed": pd.Series(completed).where(trained),
        }
    )
    frame = frame.drop_duplicates(["cluster_id", "year", "person_id", "programme_code"]).head(rows)
    if len(frame) < rows:
        logger.warning("synthetic roster has %d rows, %d asked for: pools too small", len(frame), rows)
    return frame[TEACHER_COLUMNS].reset_index(drop=True)


def _pick(rng: np.random.Generator, groups: np.ndarray, wanted: np.ndarray, n_groups: int) -> np.ndarray:
    """For each wanted group, the position of a random row of that group (-1 when it has none)."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    size = counts[wanted]
    pick = starts[wanted] + (rng.random(len(wanted)) * size).astype(int)
    return np.where(size > 0, order[np.minimum(pick, max(len(order) - 1, 0))], -1)


def _pairs(
    rng: np.random.Generator, c: _Clusters, years: list[int], rows: int, teachers: pd.DataFrame
) -> pd.DataFrame:
    first = int(rows * 0.75)
    cy = _cluster_years(rng, c, years, first)
    cluster, year = cy // len(years), np.array(years)[cy % len(years)]
    # Pairs are made of people on the year's roster: a college teacher (with the programme they
    # teach) and an employer's person with their organisation.
    roster_cy = pd.Index(c.ids).get_indexer(teachers["cluster_id"]) * len(years) + np.searchsorted(
        years, teachers["year"].to_numpy()
    )
    org = teachers["org_id"].to_numpy(dtype=object)
    on_college = teachers["org_id"].str.contains("-K").to_numpy()
    on_employer = teachers["org_id"].str.contains("-E").to_numpy()
    n_cy = len(c.ids) * len(years)
    college_rows = np.flatnonzero(on_college)
    employer_rows = np.flatnonzero(on_employer)
    teacher_row = _pick(rng, roster_cy[college_rows], cy, n_cy)
    specialist_row = _pick(rng, roster_cy[employer_rows], cy, n_cy)
    people = teachers["person_id"].to_numpy(dtype=object)
    programmes = teachers["programme_code"].to_numpy(dtype=object)
    fallback_programme = c.programmes[cluster, 0]
    teacher_id = np.where(
        teacher_row >= 0, people[college_rows][teacher_row], _ids(c.ids[cluster], "T", cluster * 0)
    )
    programme = np.where(teacher_row >= 0, programmes[college_rows][teacher_row], fallback_programme)
    specialist_id = np.where(
        specialist_row >= 0, people[employer_rows][specialist_row], _ids(c.ids[cluster], "S", cluster * 0)
    )
    specialist_org = np.where(
        specialist_row >= 0, org[employer_rows][specialist_row], [f"{k}-E1" for k in c.ids[cluster]]
    )
    # About 3 % of teachers are nobody on any roster; about 4 % of specialists work for a
    # college: invalid pairs on purpose.
    teacher_id = np.where(
        rng.random(first) < 0.03, _ids(c.ids[cluster], "T", np.full(first, 9999)), teacher_id
    )
    specialist_org = np.where(rng.random(first) < 0.04, [f"{k}-K1" for k in c.ids[cluster]], specialist_org)
    start = _dates(rng, year - 1, 2 * 365)
    ended = rng.random(first) < 0.4
    end = pd.Series(start + rng.integers(60, 720, first).astype("timedelta64[D]")).where(ended)
    frame = pd.DataFrame(
        {
            "cluster_id": c.ids[cluster],
            "year": year.astype("int64"),
            "teacher_id": teacher_id,
            "specialist_id": specialist_id,
            "specialist_org_id": specialist_org,
            "programme_code": programme,
            "start": pd.Series(start),
            "end": end,
            "format": np.array(FORMATS, dtype=object)[rng.integers(0, len(FORMATS), first)],
        }
    )
    # The rest are the same pairs reported again in a later year's roster.
    again = frame[frame["year"] < max(years)].sample(n=rows - first, replace=True, random_state=rng)
    again = again.assign(year=again["year"] + 1)
    return pd.concat([frame, again], ignore_index=True)[PAIR_COLUMNS]


def _enrolment(rng: np.random.Generator, c: _Clusters, years: list[int]) -> pd.DataFrame:
    cluster = np.repeat(np.arange(len(c.ids)), c.n_programmes * len(years))
    year = np.concatenate([np.repeat(years, k) for k in c.n_programmes])
    slot = np.concatenate([np.tile(np.arange(k), len(years)) for k in c.n_programmes])
    enrolled = rng.poisson(80, len(cluster))
    enrolled[rng.random(len(cluster)) < 0.08] = 0
    frame = pd.DataFrame(
        {
            "cluster_id": c.ids[cluster],
            "year": np.asarray(year, dtype="int64"),
            "programme_code": c.programmes[cluster, slot],
            "enrolled": enrolled.astype("int64"),
            "with_employer_mentor": rng.binomial(enrolled, 0.55).astype("int64"),
        }
    )
    return frame[[*ENROLMENT_COLUMNS, "with_employer_mentor"]]


def _facts(rng: np.random.Generator, metrics: pd.DataFrame, enrolment: pd.DataFrame) -> pd.DataFrame:
    """What clusters report: mostly the roster's figure, sometimes off by a little, or a yes."""
    launched = (
        enrolment.assign(launched=enrolment["enrolled"] > 0).groupby(["cluster_id", "year"])["launched"].sum()
    )
    cells = [
        metrics[["cluster_id", "year"]].assign(
            indicator=code, truth=metrics[measure].astype(float).to_numpy()
        )
        for code, measure in REPORTED.items()
    ]
    cells.append(launched.rename("truth").astype(float).reset_index().assign(indicator="1.1.4"))
    frame = pd.concat(cells, ignore_index=True).dropna(subset=["truth"])
    draw = rng.random(len(frame))
    noise = rng.integers(-3, 4, len(frame))
    value = np.where(draw < 0.75, frame["truth"], np.maximum(frame["truth"] + noise, 0))
    yes = (draw > 0.92) & (frame["indicator"] != "1.1.4").to_numpy()
    frame = frame.assign(
        programme_code="",
        fact_kind=np.where(yes, "yes", "number"),
        fact_value=np.where(yes, 1.0, value),
    )
    frame = frame[rng.random(len(frame)) < 0.9]  # some cells go unreported
    return frame[FACT_COLUMNS].sort_values(FACT_COLUMNS[:4]).reset_index(drop=True)


def _federal_plan(rng: np.random.Generator, federal: pd.DataFrame) -> pd.DataFrame:
    """Targets of F4 / F5 near what the data show, as the tidy plan model's federal family."""
    titles = {
        "employer_staff_part_time": "Employer staff teaching part-time",
        "students_with_employer_mentor": "Students whose practical training had an employer mentor",
    }
    target = np.round(federal["value"].to_numpy() * rng.uniform(0.8, 1.2, len(federal)))
    frame = pd.DataFrame(
        {
            "cluster_id": federal["cluster_id"],
            "family": FAMILY_FEDERAL,
            "order": federal["indicator"].map({code: i for i, code in enumerate(FEDERAL_CODES.values())}),
            "section": "",
            "section_title": "",
            "group": "",
            "group_title": "",
            "indicator": federal["indicator"],
            "indicator_title": federal["measure"].map(titles),
            "programme_code": "",
            "programme_title": "",
            "year": federal["year"],
            "target_raw": pd.Series(target).astype(int).astype(str).to_numpy(),
            "target_kind": "count",
            "target_value": target,
            "unit": "persons",
        }
    )
    return frame[TIDY_COLUMNS].astype({"year": "int64", "order": "int64", "target_value": "float64"})


def synthetic_rosters(
    n_clusters: int = 600,
    years: tuple[int, ...] = (2024, 2025, 2026),
    roster_rows: int = 200_000,
    pair_rows: int = 60_000,
    seed: int = 0,
) -> SyntheticData:
    """A seeded synthetic country: ``n_clusters`` clusters over ``years``, ``roster_rows`` teacher
    rows (person × programme × year, unique) and ``pair_rows`` reported pairs (a quarter of them
    repeat an earlier year's pair). Deterministic for a given set of arguments."""
    rng = np.random.default_rng(seed)
    year_list = sorted(years)
    clusters = _clusters(rng, n_clusters)
    organisations = _organisations(clusters)
    teachers = _teachers(rng, clusters, year_list, roster_rows)
    pairs = _pairs(rng, clusters, year_list, pair_rows, teachers)
    enrolment = _enrolment(rng, clusters, year_list)
    metrics = staffing_metrics(teachers, organisations, pairs)
    federal = federal_staffing(metrics, enrolment)
    logger.debug("synthetic: %d clusters, %d roster rows, %d pairs", n_clusters, len(teachers), len(pairs))
    return SyntheticData(
        organisations=organisations,
        teachers=teachers,
        pairs=pairs,
        enrolment=enrolment,
        facts=_facts(rng, metrics, enrolment),
        federal_plan=_federal_plan(rng, federal),
    )
