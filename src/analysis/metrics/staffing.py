"""Staffing metrics from rosters: employer-teachers, trained employer staff, mentoring pairs.

Inputs are the processed tidy tables (people already pseudonymised to ids upstream):

- organisations: ``cluster_id, org_id, org_name, org_type`` (``college`` or ``employer``) — the
  cluster's participant organisations;
- teachers: one row per person × programme × year of the roster — ``cluster_id, year,
  person_id, org_id, employment`` (``staff`` or ``part_time``), ``programme_code, hours,
  training_completed`` (a date or NaT);
- pairs: one row per mentoring pair as reported in a year's roster — ``cluster_id, year,
  teacher_id, specialist_id, specialist_org_id, programme_code, start, end, format``;
- enrolment: ``cluster_id, year, programme_code, enrolled`` and optionally
  ``with_employer_mentor``.

Every metric comes per cluster × year (``KEYS``) and per cluster × year × programme
(``PROGRAMME_KEYS``). A cluster-year with no roster at all is absent from the output (NA
once placed on a grid with ``on_grid``); one that reported pairs but no teacher roster has NA
in every roster-based column: no data, never 0 %. Counts are nullable ``Int64``; shares are
``float64`` in [0, 1], NaN when their denominator is 0 or unknown.

The work is done on integer codes with numpy (``_code`` once, then ``_metrics`` per level):
national-size rosters take well under a second (``python -m analysis bench``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError, Location
from analysis.tables import PAIR_COLUMNS, TEACHER_COLUMNS

logger = logging.getLogger(__name__)

KEYS = ["cluster_id", "year"]
PROGRAMME_KEYS = ["cluster_id", "year", "programme_code"]

COLLEGE, EMPLOYER = "college", "employer"
STAFF, PART_TIME = "staff", "part_time"


# The federal performance indicators computable from rosters and enrolment, by measure.
# The one place these codes live: change them here to follow the federal importer's codes.
FEDERAL_CODES = {
    "employer_staff_part_time": "F4",  # employer staff teaching part-time
    "students_with_employer_mentor": "F5",  # students whose practical training had an employer mentor
}

EMPLOYER_TEACHER_METRICS = [
    "teachers",
    "employer_teachers",
    "employer_teacher_share",
    "hours",
    "employer_hours",
    "employer_hours_share",
]
TRAINED_METRICS = [
    "employer_staff",
    "trained_employer_staff",
    "employer_teachers",
    "employer_teachers_trained",
    "trained_share",
]
MENTORING_METRICS = [
    "pairs_reported",
    "pairs",
    "invalid_pairs",
    "college_teachers",
    "college_teachers_in_pairs",
    "college_teachers_in_pairs_share",
    "employer_teachers",
    "employer_teachers_in_pairs",
    "employer_teachers_in_pairs_share",
]
STAFFING_METRICS = list(dict.fromkeys(EMPLOYER_TEACHER_METRICS + TRAINED_METRICS + MENTORING_METRICS))
# Metrics whose change against the previous year `staffing_metrics` adds as ``<name>_change``.
CHANGE_METRICS = [
    "employer_teachers",
    "employer_teacher_share",
    "employer_hours_share",
    "trained_employer_staff",
    "trained_share",
    "pairs",
    "college_teachers_in_pairs_share",
    "employer_teachers_in_pairs_share",
]
ACTIVE_PAIR_COLUMNS = [
    "cluster_id",
    "year",
    "programme_code",
    "teacher_id",
    "specialist_id",
    "specialist_org_id",
    "start",
    "end",
    "format",
    "submitted",
    "valid",
    "reason",
]
FEDERAL_COLUMNS = ["cluster_id", "year", "indicator", "measure", "value"]

# Why a pair is not valid, as bit flags; `reason` lists every flag that applies.
_PAIR_PROBLEMS = [
    (1, "no start date"),
    (2, "end before start"),
    (4, "no teacher roster for the year"),
    (8, "teacher not on a college's roster of the cluster for the year"),
    (16, "specialist's organisation is a college"),
    (32, "specialist's organisation is not a participant of the cluster"),
]


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            Location(file=f"<{name}>"),
            f"missing columns {missing}",
            "the table must have the columns " + ", ".join(columns),
        )


def _keys(by_programme: bool) -> list[str]:
    return PROGRAMME_KEYS if by_programme else KEYS


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float, NaN where the denominator is 0 or unknown."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _factorize(columns: list[pd.Series]) -> tuple[list[np.ndarray], np.ndarray]:
    """Integer codes for several columns over one sorted vocabulary; a missing value gets the
    last code (so codes sort like the values, missing last), decoded as NaN."""
    # Factorise each column in its own storage, then only the (small) vocabularies together.
    parts = [pd.factorize(pd.Series(column).reset_index(drop=True)) for column in columns]
    joined = pd.concat([pd.Series(uniques) for _, uniques in parts], ignore_index=True)
    joined_codes, vocabulary = pd.factorize(joined, sort=True)
    bounds = np.cumsum([0, *(len(uniques) for _, uniques in parts)])
    missing = len(vocabulary)
    codes = []
    for (column_codes, _), a, b in zip(parts, bounds[:-1], bounds[1:], strict=True):
        mapping = np.append(joined_codes[a:b], missing).astype("int64")
        codes.append(mapping[column_codes])  # code -1 (missing) picks the appended last entry
    return codes, np.append(np.asarray(vocabulary, dtype=object), np.nan)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int array (sort-based: numpy's hash-based ``unique`` is
    many times slower on large int64 keys)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


_DENSE = 1 << 24  # key spaces up to this size are looked up in a dense table, larger ones by search


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values ∈ sorted_set, elementwise, for int64 keys ≥ 0."""
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    top = int(max(sorted_set[-1], values.max())) + 1
    if top <= _DENSE:
        table = np.zeros(top, dtype=bool)
        table[sorted_set] = True
        return table[values]
    pos = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[pos] == values


def _position(sorted_keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Index of each value in sorted_keys (every value must be there)."""
    if len(values) and sorted_keys[-1] < _DENSE:
        table = np.zeros(int(sorted_keys[-1]) + 1, dtype="int64")
        table[sorted_keys] = np.arange(len(sorted_keys))
        return table[values]
    return np.searchsorted(sorted_keys, values)


def _year_of(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column).dt.year.to_numpy(dtype="float64", na_value=np.nan)


@dataclass(frozen=True)
class _Roster:
    """Teacher rows and reported pairs with every id coded as an integer.

    Codes share one sorted vocabulary per kind (clusters, people, organisations, programmes),
    so integer order is the order of the ids. A cluster-year is ``cluster * n_years + year -
    year0``; a programme group is ``cluster_year * n_programmes + programme``.
    """

    clusters: np.ndarray
    programmes: np.ndarray
    year0: int
    n_years: int
    n_people: int
    n_programmes: int
    roster_years: np.ndarray  # sorted cluster-years that have a teacher roster
    looked_at: np.ndarray  # sorted cluster-years that have a teacher roster or a reported pair
    # teacher rows
    cy: np.ndarray
    programme: np.ndarray
    person: np.ndarray
    hours: np.ndarray
    college: np.ndarray
    employer: np.ndarray
    employer_teacher: np.ndarray
    trained: np.ndarray
    # active pairs: one row per pair (latest report) × year it is active in
    pair_row: np.ndarray  # position in the input pairs table
    pair_cy: np.ndarray
    pair_programme: np.ndarray
    pair_teacher: np.ndarray
    pair_specialist: np.ndarray
    pair_problems: np.ndarray

    def group(self, cy: np.ndarray, programme: np.ndarray, by_programme: bool) -> np.ndarray:
        return cy * self.n_programmes + programme if by_programme else cy

    def cluster_year(self, group: np.ndarray, by_programme: bool) -> np.ndarray:
        return group // self.n_programmes if by_programme else group

    def decode(self, group: np.ndarray, by_programme: bool) -> pd.DataFrame:
        cy = self.cluster_year(group, by_programme)
        frame = pd.DataFrame(
            {"cluster_id": self.clusters[cy // self.n_years], "year": cy % self.n_years + self.year0}
        )
        if by_programme:
            frame["programme_code"] = self.programmes[group % self.n_programmes]
        return frame.astype({"year": "int64"})


def _org_lookup(org_cluster: np.ndarray, org: np.ndarray, org_type: pd.Series, n_orgs: int):
    """A function (cluster, org) → 1 college, 2 employer, 0 not a participant; an organisation
    listed both ways counts as a college."""
    kind = np.select([org_type.eq(COLLEGE).to_numpy(), org_type.eq(EMPLOYER).to_numpy()], [1, 2], 0)
    keys = (org_cluster * n_orgs + org)[kind > 0]
    kind = kind[kind > 0]
    order = np.lexsort((kind, keys))
    keys, first = np.unique(keys[order], return_index=True)
    kinds = kind[order][first]

    def lookup(cluster: np.ndarray, org_codes: np.ndarray) -> np.ndarray:
        query = cluster * n_orgs + org_codes
        if len(keys) == 0:
            return np.zeros(len(query), dtype="int64")
        pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        return np.where(keys[pos] == query, kinds[pos], 0)

    return lookup


def _latest(identity: list[np.ndarray], order: list[np.ndarray]) -> np.ndarray:
    """Positions of the last row of each identity after sorting by identity, then order."""
    sort = np.lexsort([*reversed(order), *reversed(identity)])
    if len(sort) == 0:
        return sort
    ids = [column[sort] for column in identity]
    last = np.ones(len(sort), dtype=bool)
    last[:-1] = np.logical_or.reduce([column[1:] != column[:-1] for column in ids])
    return sort[last]


def _code(teachers: pd.DataFrame, organisations: pd.DataFrame, pairs: pd.DataFrame) -> _Roster:
    _require(teachers, TEACHER_COLUMNS, "teachers")
    _require(organisations, ["cluster_id", "org_id", "org_type"], "organisations")
    _require(pairs, PAIR_COLUMNS, "pairs")
    (t_cluster, p_cluster, o_cluster), clusters = _factorize(
        [teachers["cluster_id"], pairs["cluster_id"], organisations["cluster_id"]]
    )
    (t_person, p_teacher, p_specialist), people = _factorize(
        [teachers["person_id"], pairs["teacher_id"], pairs["specialist_id"]]
    )
    (t_org, p_org, o_org), orgs = _factorize(
        [teachers["org_id"], pairs["specialist_org_id"], organisations["org_id"]]
    )
    (t_programme, p_programme), programmes = _factorize([teachers["programme_code"], pairs["programme_code"]])
    (p_format,), _ = _factorize([pairs["format"]])
    t_year = teachers["year"].to_numpy(dtype="int64")
    p_year = pairs["year"].to_numpy(dtype="int64")
    all_years = np.concatenate([t_year, p_year])
    year0 = int(all_years.min()) if len(all_years) else 0
    n_years = int(all_years.max()) - year0 + 1 if len(all_years) else 1
    n_people, n_orgs = len(people), len(orgs)
    org_kind = _org_lookup(o_cluster, o_org, organisations["org_type"], n_orgs)

    # Teacher rows.
    cy = t_cluster * n_years + (t_year - year0)
    kind = org_kind(t_cluster, t_org)
    college, employer = kind == 1, kind == 2
    employer_teacher = employer & teachers["employment"].eq(PART_TIME).to_numpy()
    # Training is kept once done: the earliest date any of the cluster's rosters records.
    training = _year_of(teachers["training_completed"])
    person_key = t_cluster * n_people + t_person
    first = pd.Series(training).groupby(person_key).transform("min").to_numpy()
    trained = first <= t_year
    hours = pd.to_numeric(teachers["hours"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    roster_years = _unique(cy)
    college_keys = _unique(cy[college] * n_people + t_person[college])

    # Pairs: the latest report of each pair states its dates and organisation.
    start = pd.to_datetime(pairs["start"]).to_numpy(dtype="datetime64[ns]").view("int64")
    end = pd.to_datetime(pairs["end"]).to_numpy(dtype="datetime64[ns]").view("int64")
    nat = np.iinfo("int64").min
    last = np.iinfo("int64").max
    latest = _latest(
        [p_cluster, p_teacher, p_specialist, p_programme],
        [p_year, np.where(start == nat, last, start), np.where(end == nat, last, end), p_org, p_format],
    )
    start_year = _year_of(pairs["start"])[latest]
    end_year = _year_of(pairs["end"])[latest]
    submitted = p_year[latest]
    cluster = p_cluster[latest]
    # The years looked at: those in which the cluster sent a teacher roster or a pair.
    looked_at = _unique(np.concatenate([roster_years, p_cluster * n_years + (p_year - year0)]))
    rows, years = [], []
    for offset in range(n_years):
        year = year0 + offset
        active = (start_year <= year) & (np.isnan(end_year) | (end_year >= year))
        # An undated pair shows up (as invalid) in the year that reported it, not in every year.
        active |= np.isnan(start_year) & (submitted == year)
        active &= _member(cluster * n_years + offset, looked_at)
        rows.append(np.flatnonzero(active))
        years.append(np.full(int(active.sum()), offset))
    chosen = latest[np.concatenate(rows)] if rows else latest[:0]
    offset = np.concatenate(years) if years else np.zeros(0, dtype="int64")
    pair_cy = p_cluster[chosen] * n_years + offset
    has_roster = _member(pair_cy, roster_years)
    specialist_kind = org_kind(p_cluster[chosen], p_org[chosen])
    problems = (
        1 * (start[chosen] == nat)
        + 2 * ((end[chosen] != nat) & (start[chosen] != nat) & (end[chosen] < start[chosen]))
        + 4 * ~has_roster
        + 8 * (has_roster & ~_member(pair_cy * n_people + p_teacher[chosen], college_keys))
        + 16 * (specialist_kind == 1)
        + 32 * (specialist_kind == 0)
    )
    return _Roster(
        clusters=clusters,
        programmes=programmes,
        year0=year0,
        n_years=n_years,
        n_people=n_people,
        n_programmes=len(programmes),
        roster_years=roster_years,
        looked_at=looked_at,
        cy=cy,
        programme=t_programme,
        person=t_person,
        hours=hours,
        college=college,
        employer=employer,
        employer_teacher=employer_teacher,
        trained=trained,
        pair_row=chosen,
        pair_cy=pair_cy,
        pair_programme=p_programme[chosen],
        pair_teacher=p_teacher[chosen],
        pair_specialist=p_specialist[chosen],
        pair_problems=problems,
    )


def _count_distinct(group: np.ndarray, item: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Distinct items per group, for each of the sorted ``groups``."""
    if len(group) == 0:
        return np.zeros(len(groups), dtype="int64")
    _, item = np.unique(item, return_inverse=True)
    width = int(item.max()) + 1
    unique = _unique(group * width + item)
    return np.bincount(_position(groups, unique // width), minlength=len(groups))


def _metrics(roster: _Roster, by_programme: bool) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Every staffing metric per group: the decoded key columns and one float array per metric
    (NaN where unknown; ``_finish`` types them)."""
    r = roster
    row_group = r.group(r.cy, r.programme, by_programme)
    valid = r.pair_problems == 0
    pair_group = r.group(r.pair_cy, r.pair_programme, by_programme)
    # A cluster-year that reported pairs, none active, is still a row (0 active pairs).
    reported_years = r.looked_at[:0] if by_programme else r.looked_at
    groups = _unique(np.concatenate([row_group, pair_group, reported_years]))
    n = len(groups)

    # People: one per group × person, flagged when any of their rows is.
    person_key = row_group * r.n_people + r.person
    people, inverse = np.unique(person_key, return_inverse=True)
    people_group = people // r.n_people
    people_person = people % r.n_people
    people_cy = r.cluster_year(people_group, by_programme)
    where = _position(groups, people_group)

    def any_row(flag: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=flag, minlength=len(people)) > 0

    def per_group(flag: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(where, weights=flag, minlength=n)

    college = any_row(r.college)
    employer = any_row(r.employer)
    employer_teacher = any_row(r.employer_teacher)
    trained = any_row(r.trained)
    # Being in a pair is a person's status in the cluster-year, whatever the pair's programme.
    n_people = r.n_people
    paired_teachers = _unique(r.pair_cy[valid] * n_people + r.pair_teacher[valid])
    paired_specialists = _unique(r.pair_cy[valid] * n_people + r.pair_specialist[valid])
    in_pair = _member(people_cy * n_people + people_person, paired_teachers)
    specialist_in_pair = _member(people_cy * n_people + people_person, paired_specialists)

    row_where = _position(groups, row_group)
    known = ~np.isnan(r.hours)
    hours = np.bincount(row_where, weights=np.where(known, r.hours, 0.0), minlength=n)
    employer_hours = np.bincount(
        row_where, weights=np.where(known & r.employer_teacher, r.hours, 0.0), minlength=n
    )
    hours_known = np.bincount(row_where, weights=known, minlength=n) > 0

    couple = r.pair_teacher * n_people + r.pair_specialist
    reported = _count_distinct(pair_group, couple, groups)
    counted = _count_distinct(pair_group[valid], couple[valid], groups)

    table = {
        "teachers": per_group(),
        "employer_teachers": per_group(employer_teacher),
        "hours": np.where(hours_known, hours, np.nan),
        "employer_hours": np.where(hours_known, employer_hours, np.nan),
        "employer_staff": per_group(employer),
        "trained_employer_staff": per_group(employer & trained),
        "employer_teachers_trained": per_group(employer_teacher & trained),
        "pairs_reported": reported.astype("float64"),
        "pairs": counted.astype("float64"),
        "college_teachers": per_group(college),
        "college_teachers_in_pairs": per_group(college & in_pair),
        "employer_teachers_in_pairs": per_group(employer_teacher & specialist_in_pair),
    }
    # No teacher roster for the cluster-year: every roster-based count is unknown, not 0.
    has_roster = _member(r.cluster_year(groups, by_programme), r.roster_years)
    for name in table:
        if name not in ("pairs_reported", "hours", "employer_hours"):
            table[name] = np.where(has_roster, table[name], np.nan)
    table["invalid_pairs"] = table["pairs_reported"] - table["pairs"]
    table["employer_teacher_share"] = _share(table["employer_teachers"], table["teachers"])
    table["employer_hours_share"] = _share(table["employer_hours"], table["hours"])
    table["trained_share"] = _share(table["employer_teachers_trained"], table["employer_teachers"])
    table["college_teachers_in_pairs_share"] = _share(
        table["college_teachers_in_pairs"], table["college_teachers"]
    )
    table["employer_teachers_in_pairs_share"] = _share(
        table["employer_teachers_in_pairs"], table["employer_teachers"]
    )
    keys = r.decode(groups, by_programme)
    return keys, table


def _column(name: str, values: np.ndarray):
    """Counts as nullable Int64 (NA where NaN), shares and hours as float64."""
    if name.endswith(("share", "hours")):
        return np.asarray(values, dtype="float64")
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)


def _finish(computed: tuple[pd.DataFrame, dict[str, np.ndarray]], columns: list[str]) -> pd.DataFrame:
    """The key columns and the given metric columns, built once with their final types."""
    keys, table = computed
    data = {key: keys[key].to_numpy() for key in keys.columns}
    data.update({name: _column(name, table[name]) for name in columns})
    return pd.DataFrame(data).astype({"year": "int64"})


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in PAIR_COLUMNS})


def annotate_teachers(teachers: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """Roster rows with the flags every staffing metric is built from.

    Adds ``college`` (the row's organisation is a college of the cluster), ``employer`` (an
    employer participant of the cluster; an organisation listed both ways counts as a college,
    one not listed is neither), ``employer_teacher`` (an employer participant's person
    teaching **part-time**: the 1.6.1 rule) and ``trained`` (the person's earliest training
    completion recorded anywhere in the cluster's rosters falls in or before the row's year —
    training is kept once done, even if a later roster leaves the date blank).
    """
    r = _code(teachers, organisations, _empty_pairs())
    return teachers.assign(
        college=r.college, employer=r.employer, employer_teacher=r.employer_teacher, trained=r.trained
    )


def employer_teachers(
    teachers: pd.DataFrame, organisations: pd.DataFrame, by_programme: bool = False
) -> pd.DataFrame:
    """Employer-teachers (1.6.1) per cluster × year, or per cluster × year × programme.

    An employer-teacher is a distinct person on the year's roster who works for an employer
    participant of the cluster and teaches part-time; a person counts once per cluster-year
    (and once per programme) however many programmes they teach. ``teachers`` counts every
    distinct person on the roster, zero-hour rows included (the roster is the evidence of
    engagement; hours only weight the hours share). ``employer_teacher_share`` =
    employer_teachers / teachers. ``employer_hours_share`` = hours of employer-teacher rows /
    all hours, NaN when the roster's hours total 0 or are all missing.

    Columns: keys, ``teachers, employer_teachers, employer_teacher_share, hours,
    employer_hours, employer_hours_share``.
    """
    frame = _metrics(_code(teachers, organisations, _empty_pairs()), by_programme)
    return _finish(frame, EMPLOYER_TEACHER_METRICS)


def trained_employer_staff(
    teachers: pd.DataFrame, organisations: pd.DataFrame, by_programme: bool = False
) -> pd.DataFrame:
    """Trained employer staff (1.5.1) per cluster × year, or per programme.

    ``employer_staff``: distinct people on the year's roster from an employer participant (any
    employment). ``trained_employer_staff``: those whose teaching-skills training was completed
    in or before the year (the earliest date the cluster's rosters record for the person).
    ``employer_teachers_trained`` / ``employer_teachers`` = ``trained_share``, NaN when there are
    no employer-teachers.

    Columns: keys, ``employer_staff, trained_employer_staff, employer_teachers,
    employer_teachers_trained, trained_share``.
    """
    frame = _metrics(_code(teachers, organisations, _empty_pairs()), by_programme)
    return _finish(frame, TRAINED_METRICS)


def active_pairs(pairs: pd.DataFrame, teachers: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    """Mentoring pairs active in each roster year of their cluster, each checked for validity.

    A pair is one college teacher, one specialist and a programme within a cluster; the same
    pair reported in several yearly rosters counts once, with the dates and specialist
    organisation of its latest report. It is active in year Y when start ≤ 31 Dec Y and its end
    is empty or ≥ 1 Jan Y; a pair with no start date is listed only in the year that reported
    it. The years looked at are those in which the cluster sent a teacher roster or a pair.
    It is valid when the teacher is on the year's roster of a college of the cluster and the
    specialist's organisation is an employer participant of the cluster (and the dates are
    consistent); ``reason`` lists every rule an invalid pair breaks, ``""`` for a valid one.

    Columns: ``cluster_id, year, programme_code, teacher_id, specialist_id, specialist_org_id,
    start, end, format, submitted, valid, reason``, sorted.
    """
    r = _code(teachers, organisations, pairs)
    source = pairs.iloc[r.pair_row].reset_index(drop=True)
    names = {
        code: " and ".join(text for bit, text in _PAIR_PROBLEMS if code & bit)
        for code in np.unique(r.pair_problems)
    }
    frame = source.rename(columns={"year": "submitted"}).assign(
        year=r.pair_cy % r.n_years + r.year0,
        valid=r.pair_problems == 0,
        reason=pd.Series(r.pair_problems).map(names).to_numpy(dtype=object),
    )
    frame = frame.astype({"year": "int64", "submitted": "int64"})[ACTIVE_PAIR_COLUMNS]
    order = ["cluster_id", "year", "programme_code", "teacher_id", "specialist_id"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def mentoring_pairs(
    pairs: pd.DataFrame, teachers: pd.DataFrame, organisations: pd.DataFrame, by_programme: bool = False
) -> pd.DataFrame:
    """Mentoring pairs (1.6.2) per cluster × year, or per cluster × year × programme.

    ``pairs_reported``: distinct teacher–specialist couples among the pairs active in the year
    (see ``active_pairs``); per programme, couples of that programme. ``pairs``: those with a
    valid composition; ``invalid_pairs`` the rest. ``college_teachers``: distinct people on the
    year's roster of a college of the cluster (of the programme); ``college_teachers_in_pairs``:
    those who are the teacher of at least one valid active pair of the cluster-year, whatever
    its programme; the share is over college_teachers. ``employer_teachers_in_pairs``:
    employer-teachers who are the specialist of at least one valid active pair; the share is
    over employer_teachers. Without a teacher roster for the cluster-year every roster-based
    column is NA (the pairs cannot be checked), only ``pairs_reported`` is known.

    Columns: keys, ``pairs_reported, pairs, invalid_pairs, college_teachers,
    college_teachers_in_pairs, college_teachers_in_pairs_share, employer_teachers,
    employer_teachers_in_pairs, employer_teachers_in_pairs_share``.
    """
    frame = _metrics(_code(teachers, organisations, pairs), by_programme)
    return _finish(frame, MENTORING_METRICS)


def year_change(metrics: pd.DataFrame, columns: list[str], by_programme: bool = False) -> pd.DataFrame:
    """Add ``<column>_change``: the value minus the same row's value of the previous year.

    NA when the previous year is absent (no roster, or the first year) or either value is
    unknown. Shares change in fractions (0.05 = 5 percentage points).
    """
    keys = _keys(by_programme)
    rows = pd.MultiIndex.from_frame(metrics[keys])
    previous = pd.MultiIndex.from_frame(metrics[keys].assign(year=metrics["year"] - 1))
    position = rows.get_indexer(previous)  # -1 where the previous year has no row
    changes = {}
    for column in columns:
        values = metrics[column].array
        changes[f"{column}_change"] = values - values.take(position, allow_fill=True)
    return pd.concat([metrics, pd.DataFrame(changes, index=metrics.index)], axis=1)


def staffing_metrics(
    teachers: pd.DataFrame, organisations: pd.DataFrame, pairs: pd.DataFrame, by_programme: bool = False
) -> pd.DataFrame:
    """Every staffing metric in one table, with the change against the previous year.

    The columns of ``employer_teachers``, ``trained_employer_staff`` and ``mentoring_pairs``
    (same rules, computed once), then ``<metric>_change`` for ``CHANGE_METRICS``. Rows are the
    cluster-years (programmes) with a teacher roster or a reported pair.
    """
    return _staffing_table(_code(teachers, organisations, pairs), by_programme)


def _staffing_table(roster: _Roster, by_programme: bool) -> pd.DataFrame:
    metrics = _finish(_metrics(roster, by_programme), STAFFING_METRICS)
    return year_change(metrics, CHANGE_METRICS, by_programme)


def staffing_metrics_both(
    teachers: pd.DataFrame, organisations: pd.DataFrame, pairs: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``staffing_metrics`` per cluster × year and per programme, from one pass over the rosters.

    Returns ``(per_cluster, per_programme)``, the same tables the two calls of
    ``staffing_metrics`` give, in about half the time.
    """
    roster = _code(teachers, organisations, pairs)
    return _staffing_table(roster, False), _staffing_table(roster, True)


def on_grid(metrics: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Place metrics on a cluster × year grid: grid rows without a roster get NA, not 0.

    ``grid`` holds ``cluster_id, year`` (say, every cluster of the registry × its plan years).
    Rows of ``metrics`` outside the grid are dropped.
    """
    keys = [k for k in PROGRAMME_KEYS if k in grid.columns]
    frame = grid[keys].drop_duplicates().astype({"year": "int64"}).merge(metrics, on=keys, how="left")
    order = [k for k in PROGRAMME_KEYS if k in frame.columns]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def federal_staffing(metrics: pd.DataFrame, enrolment: pd.DataFrame | None = None) -> pd.DataFrame:
    """The federal indicators computable from rosters and enrolment, per cluster × year.

    ``F4`` (employer staff teaching part-time): the cluster-year's employer-teachers (1.6.1
    rule). ``F5`` (students whose practical training had an employer mentor): the sum of
    ``with_employer_mentor`` over the cluster-year's enrolment rows — only where the enrolment
    table carries that column and the cluster-year has a value; otherwise no F5 row. Codes come
    from ``FEDERAL_CODES``. Cluster-years without data are absent.

    Columns: ``cluster_id, year, indicator, measure, value`` (value float).
    """
    if "programme_code" in metrics.columns:
        raise ValueError("federal_staffing takes the per cluster × year metrics, not the per-programme ones")
    f4 = metrics[[*KEYS, "employer_teachers"]].rename(columns={"employer_teachers": "value"})
    frames = [f4.assign(measure="employer_staff_part_time")]
    if enrolment is not None and "with_employer_mentor" in enrolment.columns:
        f5 = (
            enrolment.groupby(KEYS, sort=False)["with_employer_mentor"]
            .sum(min_count=1)
            .rename("value")
            .reset_index()
            .assign(measure="students_with_employer_mentor")
        )
        frames.append(f5)
    frame = pd.concat(frames, ignore_index=True)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    frame = frame[frame["value"].notna()]
    frame["indicator"] = frame["measure"].map(FEDERAL_CODES)
    frame = frame.astype({"year": "int64"})[FEDERAL_COLUMNS]
    return frame.sort_values(["cluster_id", "year", "indicator"], kind="stable").reset_index(drop=True)
