"""Reported facts and targets against what rosters and enrolment show.

Two steps. First the evidence: one row per cluster × year × indicator × programme row
(``programme_code`` ``""`` for an indicator's own cell) with the value the data support
(``roster_value``) and a sentence saying what that value rests on — ``staffing_evidence``
(1.5.1, 1.6.1, 1.6.2 and the federal F4 / F5 from ``staffing.federal_staffing``) and
``enrolment_evidence`` (1.1.4). Then the comparison: ``reconcile_facts`` sets each reported
fact (and, given a plan, each planned cell nobody reported) against the evidence;
``reconcile_targets`` sets the federal targets against it. Every mismatch stays in the output
with its status, a note and the evidence: a finding to show, not to hide.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.metrics.fulfilment import CELL_KEYS
from analysis.metrics.staffing import KEYS
from analysis.sources.plan import FAMILY_FEDERAL

logger = logging.getLogger(__name__)

# Plan indicators the rosters can check, with the staffing metric behind each.
STAFFING_INDICATORS = {"1.5.1": "trained_employer_staff", "1.6.1": "employer_teachers", "1.6.2": "pairs"}
LAUNCHED_INDICATOR = "1.1.4"  # programmes launched for the year's intake, checked against enrolment

EVIDENCE_COLUMNS = [*CELL_KEYS, "measure", "roster_value", "evidence"]
FACT_CHECK_COLUMNS = [
    *CELL_KEYS,
    "measure",
    "target_kind",
    "target_value",
    "fact_kind",
    "fact_value",
    "roster_value",
    "difference",
    "status",
    "finding",
    "note",
    "evidence",
]
TARGET_CHECK_COLUMNS = [
    *CELL_KEYS,
    "family",
    "measure",
    "target_kind",
    "target_value",
    "roster_value",
    "ratio",
    "status",
    "finding",
    "evidence",
]

# Statuses of a reported fact against the evidence.
AGREES = "agrees"
FACT_ABOVE_ROSTER = "fact_above_roster"  # reported more than the data support
FACT_BELOW_ROSTER = "fact_below_roster"  # the data show more than reported
YES_WITHOUT_EVIDENCE = "yes_without_evidence"
NO_CONTRADICTED = "no_contradicted"
NO_ROSTER = "no_roster"  # reported, but there is nothing to check it against
UNREPORTED_WITH_EVIDENCE = "unreported_with_evidence"  # planned, not reported, the data support it
UNREPORTED_NO_EVIDENCE = "unreported_no_evidence"
NO_DATA = "no_data"  # planned, not reported, no data either
FINDINGS = {
    FACT_ABOVE_ROSTER,
    FACT_BELOW_ROSTER,
    YES_WITHOUT_EVIDENCE,
    NO_CONTRADICTED,
    NO_ROSTER,
    UNREPORTED_WITH_EVIDENCE,
}
# Statuses of a target against the evidence.
ROSTER_MEETS_TARGET = "roster_meets_target"
ROSTER_BELOW_TARGET = "roster_below_target"

_FEDERAL_EVIDENCE = {
    "employer_staff_part_time": "{v} employer-teachers (part-time staff of employer participants) "
    "on the roster",
    "students_with_employer_mentor": "{v} students with an employer mentor in the enrolment data",
}


def _number(value: float) -> str:
    return "NA" if pd.isna(value) else f"{float(value):g}"


def _columns(frame: pd.DataFrame, names: list[str]) -> list[list]:
    """Columns as plain Python lists (ints for counts, None for NA): fast to loop over."""
    out = []
    for name in names:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            out.append([None if np.isnan(v) else int(v) for v in values])
        else:
            out.append(column.to_numpy(dtype=object).tolist())
    return out


def _invalid_reasons(active: pd.DataFrame, keys: list[str]) -> dict[tuple, str]:
    """Per group, the invalid active pairs counted by reason: ``reason ×n, …``."""
    invalid = active.loc[~active["valid"], [*keys, "reason"]]
    counts = invalid.groupby([*keys, "reason"], sort=True).size().rename("n").reset_index()
    texts: dict[tuple, list[str]] = {}
    *key_columns, reasons, numbers = _columns(counts, [*keys, "reason", "n"])
    for *key, reason, n in zip(*key_columns, reasons, numbers, strict=True):
        texts.setdefault(tuple(key), []).append(f"{reason} ×{n}")
    return {key: ", ".join(parts) for key, parts in texts.items()}


def _staffing_sentences(
    metrics: pd.DataFrame, keys: list[str], reason_of: dict[tuple, str]
) -> dict[str, list]:
    sentences: dict[str, list[str]] = {measure: [] for measure in STAFFING_INDICATORS.values()}
    names = ["teachers", "employer_teachers", "employer_staff", "trained_employer_staff",
             "employer_teachers_trained", "pairs", "pairs_reported", "invalid_pairs"]  # fmt: skip
    columns = dict(zip(names, _columns(metrics, names), strict=True))
    key_columns = _columns(metrics, keys)
    for i, key in enumerate(zip(*key_columns, strict=True)):
        row = {name: values[i] for name, values in columns.items()}
        if row["teachers"] is None:
            missing = "no teacher roster for the year"
            sentences["employer_teachers"].append(missing)
            sentences["trained_employer_staff"].append(missing)
            sentences["pairs"].append(
                f"{missing}; {row['pairs_reported']} reported active pairs cannot be checked"
            )
            continue
        sentences["employer_teachers"].append(
            f"{row['employer_teachers']} employer-teachers (part-time staff of employer participants) "
            f"among {row['teachers']} teachers on the roster"
        )
        sentences["trained_employer_staff"].append(
            f"{row['trained_employer_staff']} of {row['employer_staff']} employer staff on the roster "
            f"trained by the end of the year ({row['employer_teachers_trained']} of "
            f"{row['employer_teachers']} employer-teachers)"
        )
        text = f"{row['pairs']} valid mentoring pairs active in the year"
        if row["invalid_pairs"]:
            text += f"; {row['invalid_pairs']} more reported but invalid"
            if key in reason_of:
                text += f" ({reason_of[key]})"
        sentences["pairs"].append(text)
    return sentences


def staffing_evidence(
    per_cluster: pd.DataFrame,
    per_programme: pd.DataFrame | None = None,
    federal: pd.DataFrame | None = None,
    active: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What the rosters support for 1.5.1, 1.6.1, 1.6.2 (and the federal F4 / F5).

    ``per_cluster`` / ``per_programme`` are ``staffing.staffing_metrics`` tables; the
    indicator's own cell takes the cluster-year value, a programme row the programme's value.
    1.6.1 is ``employer_teachers``, 1.5.1 ``trained_employer_staff``, 1.6.2 ``pairs`` (valid
    active pairs). ``federal`` (``staffing.federal_staffing``) adds its indicators as own cells.
    ``active`` (``staffing.active_pairs``) adds to 1.6.2 why the invalid pairs are invalid.
    A cluster-year without a teacher roster has ``roster_value`` NaN: no evidence either way.

    Columns: ``cluster_id, year, indicator, programme_code, measure, roster_value, evidence``.
    """
    frames = []
    for metrics, keys in ((per_cluster, KEYS), (per_programme, [*KEYS, "programme_code"])):
        if metrics is None or metrics.empty:
            continue
        reasons = _invalid_reasons(active, keys) if active is not None else {}
        sentences = _staffing_sentences(metrics, keys, reasons)
        programme = metrics["programme_code"].to_numpy() if "programme_code" in keys else ""
        for indicator, measure in STAFFING_INDICATORS.items():
            frames.append(
                pd.DataFrame(
                    {
                        "cluster_id": metrics["cluster_id"].to_numpy(),
                        "year": metrics["year"].to_numpy(),
                        "indicator": indicator,
                        "programme_code": programme,
                        "measure": measure,
                        "roster_value": metrics[measure].astype("float64").to_numpy(),
                        "evidence": sentences[measure],
                    }
                )
            )
    if federal is not None and not federal.empty:
        frames.append(
            pd.DataFrame(
                {
                    "cluster_id": federal["cluster_id"].to_numpy(),
                    "year": federal["year"].to_numpy(),
                    "indicator": federal["indicator"].to_numpy(),
                    "programme_code": "",
                    "measure": federal["measure"].to_numpy(),
                    "roster_value": federal["value"].astype("float64").to_numpy(),
                    "evidence": [
                        _FEDERAL_EVIDENCE[m].format(v=_number(v))
                        for m, v in zip(federal["measure"], federal["value"], strict=True)
                    ],
                }
            )
        )
    return _evidence_frame(frames)


def _evidence_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "roster_value" else object) for c in EVIDENCE_COLUMNS}
        )
    frame = pd.concat(frames, ignore_index=True)[EVIDENCE_COLUMNS].astype({"year": "int64"})
    return frame.sort_values(CELL_KEYS, kind="stable").reset_index(drop=True)


def enrolment_evidence(enrolment: pd.DataFrame) -> pd.DataFrame:
    """What enrolment supports for 1.1.4 (programmes launched for the year's intake).

    A programme counts as launched in a year when at least one student enrolled on it that
    year. The indicator's own cell gets the number of such programmes of the cluster-year; a
    programme row gets 1 (launched) or 0. Cluster-years without enrolment rows are absent.

    Columns: ``cluster_id, year, indicator, programme_code, measure, roster_value, evidence``.
    """
    rows = enrolment.assign(launched=pd.to_numeric(enrolment["enrolled"], errors="coerce").fillna(0) > 0)
    rows = rows.sort_values([*KEYS, "programme_code"], kind="stable")
    per_programme = pd.DataFrame(
        {
            "cluster_id": rows["cluster_id"].to_numpy(),
            "year": rows["year"].to_numpy(),
            "indicator": LAUNCHED_INDICATOR,
            "programme_code": rows["programme_code"].to_numpy(),
            "measure": "programmes_launched",
            "roster_value": rows["launched"].astype("float64").to_numpy(),
            "evidence": [f"{n} students enrolled in the year" for n in _columns(rows, ["enrolled"])[0]],
        }
    )
    launched: dict[tuple, list[str]] = {}
    empty: dict[tuple, list[str]] = {}
    clusters, years, programmes = _columns(rows, [*KEYS, "programme_code"])
    for cluster, year, programme, on in zip(
        clusters, years, programmes, rows["launched"].tolist(), strict=True
    ):
        launched.setdefault((cluster, year), [])
        (launched if on else empty).setdefault((cluster, year), []).append(programme)
    records = []
    for (cluster, year), codes in launched.items():
        text = f"students enrolled in {len(codes)} programmes"
        text += f" ({', '.join(codes)})" if codes else ""
        text += f"; none in {', '.join(empty[cluster, year])}" if (cluster, year) in empty else ""
        records.append(
            (cluster, year, LAUNCHED_INDICATOR, "", "programmes_launched", float(len(codes)), text)
        )
    per_cluster = pd.DataFrame.from_records(records, columns=EVIDENCE_COLUMNS)
    return _evidence_frame([per_cluster, per_programme])


def _note(status: str, fact_kind, fact: float, roster: float, target_raw) -> str:
    reported = "yes" if fact_kind == "yes" else "no" if fact_kind == "no" else _number(fact)
    if status == AGREES:
        return f"reported {reported}; the data support it"
    if status == FACT_ABOVE_ROSTER:
        return (
            f"reported {reported}, the data support {_number(roster)} ({_number(fact - roster)} unsupported)"
        )
    if status == FACT_BELOW_ROSTER:
        more = _number(roster - fact)
        return f"reported {reported}, the data show {_number(roster)} ({more} more than reported)"
    if status == YES_WITHOUT_EVIDENCE:
        return "reported yes, the data show none"
    if status == NO_CONTRADICTED:
        return f"reported no, the data show {_number(roster)}"
    if status == NO_ROSTER:
        return f"reported {reported}; no data to check it against"
    target = f"target {target_raw}" if isinstance(target_raw, str) and target_raw else "planned"
    if status == UNREPORTED_WITH_EVIDENCE:
        return f"{target}, nothing reported, the data show {_number(roster)}"
    if status == UNREPORTED_NO_EVIDENCE:
        return f"{target}, nothing reported, the data show none"
    return f"{target}, nothing reported and no data"


def reconcile_facts(
    facts: pd.DataFrame, evidence: pd.DataFrame, plan: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each reported fact against the evidence; with a plan, also planned cells nobody reported.

    Only indicators the evidence covers are looked at. A number agrees when it equals the
    evidence, else it is ``fact_above_roster`` / ``fact_below_roster``; ``yes`` agrees when the
    evidence is above 0 (else ``yes_without_evidence``), ``no`` when it is 0 (else
    ``no_contradicted``); a fact with no evidence (no roster / enrolment for the cluster-year)
    is ``no_roster``. A planned cell with a target (``target_kind`` not ``none``) and no fact
    is ``unreported_with_evidence`` when the data support it, ``unreported_no_evidence`` when
    they show 0, ``no_data`` when there are none. ``finding`` marks every status in
    ``FINDINGS``: the ones a report should show. ``difference`` = fact − evidence for numbers.

    Columns: ``FACT_CHECK_COLUMNS``.
    """
    indicators = set(evidence["indicator"])
    reported = facts.loc[facts["indicator"].isin(indicators), [*CELL_KEYS, "fact_kind", "fact_value"]]
    cells = reported
    if plan is not None:
        planned = plan.loc[
            plan["indicator"].isin(indicators) & plan["target_kind"].ne("none"),
            [*CELL_KEYS, "target_raw", "target_kind", "target_value"],
        ]
        cells = reported.merge(planned, on=CELL_KEYS, how="outer")
    else:
        cells = cells.assign(target_raw=np.nan, target_kind=np.nan, target_value=np.nan)
    cells = cells.astype({"year": "int64"}).merge(evidence, on=CELL_KEYS, how="left")
    if cells["measure"].isna().any():
        cells["measure"] = cells["measure"].fillna(cells["indicator"].map(_measure_of(evidence)))

    kind = cells["fact_kind"]
    fact = cells["fact_value"].astype("float64")
    roster = cells["roster_value"].astype("float64")
    known, has_fact = roster.notna(), kind.notna()
    status = np.select(
        [
            ~has_fact & known & (roster > 0),
            ~has_fact & known,
            ~has_fact,
            ~known,
            kind.eq("yes") & (roster > 0),
            kind.eq("yes"),
            kind.eq("no") & (roster == 0),
            kind.eq("no"),
            fact == roster,
            fact > roster,
        ],
        [
            UNREPORTED_WITH_EVIDENCE,
            UNREPORTED_NO_EVIDENCE,
            NO_DATA,
            NO_ROSTER,
            AGREES,
            YES_WITHOUT_EVIDENCE,
            AGREES,
            NO_CONTRADICTED,
            AGREES,
            FACT_ABOVE_ROSTER,
        ],
        FACT_BELOW_ROSTER,
    )
    cells["status"] = status
    cells["finding"] = cells["status"].isin(FINDINGS)
    cells["difference"] = (fact - roster).where(kind.eq("number"))
    cells["note"] = [
        _note(*args) for args in zip(cells["status"], kind, fact, roster, cells["target_raw"], strict=True)
    ]
    cells["evidence"] = cells["evidence"].fillna("no data for the year")
    frame = cells[FACT_CHECK_COLUMNS].sort_values(CELL_KEYS, kind="stable").reset_index(drop=True)
    return frame.astype({"fact_value": "float64", "target_value": "float64", "roster_value": "float64"})


def _measure_of(evidence: pd.DataFrame) -> dict[str, str]:
    return evidence.drop_duplicates("indicator").set_index("indicator")["measure"].to_dict()


def reconcile_targets(
    plan: pd.DataFrame, evidence: pd.DataFrame, family: str | None = FAMILY_FEDERAL
) -> pd.DataFrame:
    """Targets of one plan family (the federal indicators by default) against the evidence.

    For each target cell of an indicator the evidence covers: ``roster_meets_target`` when the
    data reach a count target (or are above 0 for a yes target), ``roster_below_target`` when
    they do not, ``no_roster`` when there are no data. ``ratio`` = evidence / target for count
    targets (uncapped). ``finding`` marks the cells below target or without data. A plan with
    no rows of the family gives an empty table. ``family=None`` takes every family.

    Columns: ``TARGET_CHECK_COLUMNS``.
    """
    rows = plan if family is None else plan[plan["family"] == family]
    rows = rows[
        rows["indicator"].isin(set(evidence["indicator"])) & rows["target_kind"].isin(["count", "yes"])
    ]
    cells = rows[[*CELL_KEYS, "family", "target_kind", "target_value"]].astype({"year": "int64"})
    cells = cells.merge(evidence, on=CELL_KEYS, how="left")
    cells["measure"] = cells["measure"].fillna(cells["indicator"].map(_measure_of(evidence)))
    roster = cells["roster_value"].astype("float64")
    target = cells["target_value"].astype("float64")
    meets = np.where(cells["target_kind"].eq("yes"), roster > 0, roster >= target)
    cells["status"] = np.select(
        [roster.isna(), meets], [NO_ROSTER, ROSTER_MEETS_TARGET], ROSTER_BELOW_TARGET
    ).astype(object)
    cells["ratio"] = (roster / target.where(target > 0)).where(cells["target_kind"].eq("count"))
    cells["finding"] = cells["status"].ne(ROSTER_MEETS_TARGET)
    cells["evidence"] = cells["evidence"].fillna("no data for the year")
    frame = cells[TARGET_CHECK_COLUMNS].sort_values(CELL_KEYS, kind="stable").reset_index(drop=True)
    return frame.astype({"target_value": "float64", "roster_value": "float64", "ratio": "float64"})
