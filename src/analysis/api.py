"""The package's API for ad hoc work: what an analyst calls in JupyterLab, a script or a terminal.

```python
import analysis

t = analysis.load_tables()                    # every processed table, each read on first use
t.plan, t.facts, t["staffing"]                # tidy DataFrames (``analysis.tables`` lists them)
cy = analysis.load_cluster_year("samara-law", 2025, as_of="2026-01-21")  # what its report shows
ry = analysis.load_region("63", 2025, as_of="2026-01-21")                # what the region report shows
analysis.plan_cells(region="63", year=2025)   # every plan cell with its status
analysis.compare_clusters("1.6.1", 2025)      # one indicator (or staffing metric), cluster by cluster
analysis.cells_not_met("63", 2025)            # every planned cell of a region short of its target
analysis.findings(region="63")                # reconciliation: reported facts against rosters
analysis.cluster_history("samara-law")        # one cluster, year by year
```

Every function reads ``data/processed/`` of the project (``analysis.settings``: the project
root, or ``$PROFESSIONALITET_HOME``) unless given ``data_dir``; a relative ``data_dir`` is read
under the project root too, so the same call works from ``notebooks/``, the root or anywhere.
Statuses depend on ``as_of`` (default: today, as for the build) and the reporting ``deadline``
(``MM-DD`` of the next year, default ``01-20``), as DOMAIN.md's rules say. The report notebooks
call the same loaders (``load_cluster_year`` returns the ``ClusterYear`` that
``reports.cluster.load`` builds).

**One vocabulary.** The frames speak as the pages do: beside each stable code (``status``:
``met``, ``partly_met``, …; ``state``: ``on_time``, ``late``, ``not_due``, ``missing``) stands its
display column in the pages' Russian words (``status_text``: «выполнено», «сверх плана»…;
``state_text``: «представлен в срок», «не представлен»…), from the same functions
(``analysis.reports.labels``). A rate the pages show as «нет данных» (a report not received, or
with no fact) is NaN here, never 0.0. Filter on the codes; show the words.

Stable: the names in ``__all__`` and their keyword arguments change only with a note in the
README. Import cost is paid on first use: ``import analysis`` alone loads none of this.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import API, settings
from analysis.errors import AnalysisError
from analysis.metrics import fulfilment as f
from analysis.metrics.completeness import cluster_year_states
from analysis.reports import cluster as cluster_report
from analysis.reports import region as region_report
from analysis.reports.labels import check_note, check_text, state_text, status_text
from analysis.sources.plan import FAMILY_PLAN
from analysis.sources.registry import cluster_info
from analysis.tables import MissingDataError, missing_message, read_table, table_path

__all__ = list(API)  # the names the package offers at the top level, lazily

DateLike = str | date | None
# Statuses of a planned cell that did not reach its target (a pending cell may still do so).
SHORT_OF_TARGET = (f.PARTLY_MET, f.NOT_MET, f.NO_DATA)
# Staffing metrics compare_clusters accepts besides indicator codes (analysis.metrics.staffing).
STAFFING_METRICS = (
    "teachers",
    "employer_teachers",
    "employer_teacher_share",
    "employer_hours_share",
    "trained_employer_staff",
    "trained_share",
    "pairs",
    "invalid_pairs",
    "college_teachers_in_pairs_share",
    "employer_teachers_in_pairs_share",
)
CLUSTER_COLUMNS = ["cluster_id", "name", "region_code", "region_name"]


class NotInDataError(AnalysisError, LookupError):
    """A year, region or indicator the processed data do not hold; the message lists those they do."""


class Tables(Mapping):
    """The processed tables of one data folder by name, each read on first use and kept.

    ``t["plan"]`` or ``t.plan``; ``list(t)`` names the tables the folder holds. Tab completion in
    JupyterLab offers the names too.
    """

    def __init__(self, data_dir: str | Path | None = None):
        self.data_dir = _data_dir(data_dir)
        if not table_path(self.data_dir, "clusters").exists():
            raise MissingDataError(missing_message(table_path(self.data_dir, "clusters")))
        self._read: dict[str, pd.DataFrame] = {}

    def _names(self) -> list[str]:
        return sorted(p.stem for p in self.data_dir.glob("*.parquet"))

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._read:
            if not table_path(self.data_dir, name).exists():
                raise KeyError(f"no table {name!r} in {self.data_dir}; it holds {', '.join(self._names())}")
            self._read[name] = read_table(self.data_dir, name)
        return self._read[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(exc.args[0]) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and table_path(self.data_dir, name).exists()

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._names()]

    def __repr__(self) -> str:
        return f"Tables({str(self.data_dir)!r}: {', '.join(self._names())})"


def _data_dir(data_dir: str | Path | None) -> Path:
    return settings.processed_dir() if data_dir is None else settings.resolve(data_dir)


def _as_of(as_of: DateLike) -> date:
    if as_of is None:
        return date.today()
    return date.fromisoformat(as_of) if isinstance(as_of, str) else as_of


def load_tables(data_dir: str | Path | None = None) -> Tables:
    """Every processed table of ``data_dir`` (default: the project's ``data/processed/``).

    Raises ``MissingDataError`` naming the folder and what to run when nothing was built there.
    """
    return Tables(data_dir)


def _check_year(tables: Tables, cluster: str, year: int) -> None:
    """A clear error listing the plan's years when the cluster's plan has no such year."""
    info = cluster_info(tables.clusters, cluster)  # UnknownClusterError, naming the known ids
    if info.get("plan_error"):
        raise NotInDataError(f"the plan of {cluster!r} was set aside at ingestion: {info['plan_error']}")
    plan = tables.plan
    years = sorted(int(y) for y in plan.loc[plan["cluster_id"] == cluster, "year"].unique())
    if int(year) not in years:
        raise NotInDataError(f"the plan of {cluster!r} has no year {year}; its years are {years}")


def load_cluster_year(
    cluster: str,
    year: int,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
) -> cluster_report.ClusterYear:
    """One cluster-year as its report shows it: ``cy.cells`` (every plan cell with its status and
    fact / plan), ``cy.summary``, ``cy.indicators``, ``cy.staffing`` (every year),
    ``cy.staffing_programmes``, ``cy.fact_checks``, ``cy.federal``, ``cy.target_checks``,
    ``cy.submission``.

    Raises ``UnknownClusterError`` or ``NotInDataError`` naming the known clusters or years.
    """
    tables = Tables(data_dir)
    _check_year(tables, cluster, year)
    return cluster_report.load(tables.data_dir, cluster, int(year), _as_of(as_of), deadline)


def load_region(
    region: str,
    year: int,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
) -> region_report.RegionYear:
    """One region-year as the region report shows it: ``ry.clusters`` holds a row per cluster of
    the region with its fulfilment, staffing and whether it reported on time.

    Raises ``NotInDataError`` naming the known region codes.
    """
    tables = Tables(data_dir)
    known = sorted(tables.clusters["region_code"].unique())
    if str(region) not in known:
        raise NotInDataError(f"no cluster of region {region!r} in the registry; its regions are {known}")
    return region_report.load(tables.data_dir, str(region), int(year), _as_of(as_of), deadline)


def plan_cells(
    cluster: str | None = None,
    region: str | None = None,
    year: int | None = None,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Every cell of the plans of measures (cluster × indicator × programme row × year) with its
    fact, ``status``, ``planned`` and ``ratio`` (fact / plan, uncapped) — the rules of
    ``analysis.metrics.fulfilment.cell_status`` — and the cluster's name and region.

    Narrow it with ``cluster``, ``region`` (two-digit code) and ``year``; ``None`` keeps all.
    """
    tables = Tables(data_dir)
    clusters = tables.clusters[CLUSTER_COLUMNS]
    if cluster is not None:
        cluster_info(tables.clusters, cluster)
        clusters = clusters[clusters["cluster_id"] == cluster]
    if region is not None:
        clusters = clusters[clusters["region_code"] == str(region)]
    plan = tables.plan
    plan = plan[(plan["family"] == FAMILY_PLAN) & plan["cluster_id"].isin(clusters["cluster_id"])]
    if year is not None:
        plan = plan[plan["year"] == int(year)]
    cells = f.cell_status(plan, tables.facts, _as_of(as_of), f.parse_deadline(deadline))
    cells = clusters.merge(cells, on="cluster_id").sort_values(["cluster_id", "year", "order"], kind="stable")
    cells["status_text"] = [status_text(v) for v in cells["status"]]
    first = [*CLUSTER_COLUMNS, *f.CELL_KEYS[1:], "indicator_title", "target_raw", "fact_raw"]
    first += ["status_text", "status", "ratio"]
    return cells[first + [c for c in cells.columns if c not in first]].reset_index(drop=True)


def compare_clusters(
    indicator: str,
    year: int | None = None,
    region: str | None = None,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """One indicator, one row per cluster × year, best first.

    ``indicator`` is a plan code (``"1.6.1"``): the row holds its status rolled up over its own
    target and its programme rows (``fulfilment.indicator_status``: met when every planned cell
    is met) with the counts behind it and the weighted rate. Or a staffing metric
    (``"employer_teacher_share"``, ``"pairs"``, … — ``STAFFING_METRICS``): the row holds its
    value from the rosters; a cluster-year without rosters has no row, never a 0.
    """
    tables = Tables(data_dir)
    clusters = tables.clusters[CLUSTER_COLUMNS]
    if region is not None:
        clusters = clusters[clusters["region_code"] == str(region)]
    if indicator in STAFFING_METRICS:
        rows = tables.staffing[["cluster_id", "year", indicator]]
        if year is not None:
            rows = rows[rows["year"] == int(year)]
        rows = clusters.merge(rows, on="cluster_id")
        return rows.sort_values([indicator, "cluster_id"], ascending=[False, True]).reset_index(drop=True)
    cells = plan_cells(region=region, year=year, as_of=as_of, deadline=deadline, data_dir=tables.data_dir)
    cells = cells[cells["indicator"] == indicator]
    if cells.empty:
        codes = sorted(set(plan_cells(data_dir=tables.data_dir)["indicator"]), key=_code_order)
        raise NotInDataError(
            f"no plan cell of indicator {indicator!r} for the clusters and year asked; "
            f"indicators: {', '.join(codes)}; staffing metrics: {', '.join(STAFFING_METRICS)}"
        )
    rows = clusters.merge(f.indicator_status(cells), on="cluster_id")
    # Each cluster's plan names the indicator in its own words (its own industry).
    titles = cells.drop_duplicates(["cluster_id", "year"])[["cluster_id", "year", "indicator_title"]]
    rows = rows.merge(titles, on=["cluster_id", "year"], how="left")
    states = _states(tables, rows[["cluster_id", "year"]], as_of, deadline)
    rows = rows.merge(states, on=["cluster_id", "year"], how="left")
    rows["weighted_rate"] = rows["weighted_rate"].where(rows["rate_shown"])
    rows["status_text"] = [status_text(v) for v in rows["status"]]
    order = {s: i for i, s in enumerate(f.STATUSES)}
    rows = rows.assign(_rank=rows["status"].map(order))
    rows = rows.sort_values(
        ["year", "_rank", "weighted_rate", "cluster_id"],
        ascending=[True, True, False, True],
        na_position="last",
    )
    first = [*CLUSTER_COLUMNS, "year", "indicator", "indicator_title", "status_text", "status"]
    rows = rows[first + [c for c in rows.columns if c not in first and c != "_rank"]]
    return rows.reset_index(drop=True)


def _states(tables: Tables, cluster_years: pd.DataFrame, as_of: DateLike, deadline: str) -> pd.DataFrame:
    """The state of each cluster-year as every page shows it (``cluster_year_states``): ``state``,
    ``state_text``, ``rate_shown``, ``submitted_on``."""
    states = cluster_year_states(
        cluster_years, tables.submissions, tables.facts, _as_of(as_of), f.parse_deadline(deadline)
    )
    states["state_text"] = [state_text(v) for v in states["state"]]
    return states[["cluster_id", "year", "state_text", "state", "rate_shown", "submitted_on"]]


def _code_order(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in code.split("."))


def cells_not_met(
    region: str,
    year: int | None = None,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
    statuses: tuple[str, ...] = SHORT_OF_TARGET,
) -> pd.DataFrame:
    """Every planned cell of a region's clusters that has not reached its target as of ``as_of``:
    partly met, not met, or without a fact after the reporting deadline (``no_data``). A cell
    still ``pending`` (deadline ahead) is left out; pass ``statuses`` to choose others."""
    cells = plan_cells(region=region, year=year, as_of=as_of, deadline=deadline, data_dir=data_dir)
    return cells[cells["status"].isin(statuses)].reset_index(drop=True)


def findings(
    cluster: str | None = None,
    region: str | None = None,
    year: int | None = None,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Reconciliation findings: reported facts the rosters or enrolment do not support (or
    support unreported) and federal targets the rosters fall short of — every row of
    ``fact_checks`` and ``target_checks`` with ``finding`` set (``analysis.metrics.reconcile``).

    ``check`` says which: ``fact`` or ``federal target``; ``status_text`` and ``note_text`` say
    it in the report's Russian words («в отчёте больше, чем в списках»; «в отчёте: 10; по
    спискам: 3»), ``status``, ``note`` and ``evidence`` are the stable codes and details.
    """
    tables = Tables(data_dir)
    clusters = tables.clusters[CLUSTER_COLUMNS]
    if cluster is not None:
        cluster_info(tables.clusters, cluster)
        clusters = clusters[clusters["cluster_id"] == cluster]
    if region is not None:
        clusters = clusters[clusters["region_code"] == str(region)]
    facts = tables.fact_checks.assign(check="fact")
    targets = tables.target_checks.assign(check="federal target", note="")
    rows = pd.concat([facts, targets], ignore_index=True)
    rows = rows[rows["finding"].astype(bool)]
    if year is not None:
        rows = rows[rows["year"] == int(year)]
    rows = clusters.merge(rows, on="cluster_id")
    rows["status_text"] = [check_text(v) for v in rows["status"]]
    kinds = rows["fact_kind"] if "fact_kind" in rows else pd.Series(None, index=rows.index)
    rows["note_text"] = [
        check_note(k, fv, rv)
        for k, fv, rv in zip(kinds, rows["fact_value"], rows["roster_value"], strict=True)
    ]
    columns = [
        *CLUSTER_COLUMNS,
        "year",
        "check",
        "indicator",
        "programme_code",
        "measure",
        "status_text",
        "note_text",
        "status",
        "target_value",
        "fact_value",
        "roster_value",
        "note",
        "evidence",
    ]
    return rows[columns].sort_values(["cluster_id", "year", "check", "indicator"]).reset_index(drop=True)


def cluster_history(
    cluster: str,
    as_of: DateLike = None,
    deadline: str = f.DEFAULT_DEADLINE_TEXT,
    data_dir: str | Path | None = None,
) -> pd.DataFrame:
    """One cluster year by year: plan fulfilment (counts by status, ``rate``, ``weighted_rate``,
    ``reported``; before a year's deadline ``provisional`` is true and the rates are over the
    ``received`` cells, ``awaited`` counting those still expected), the state of the year's report
    as every page says it (``state_text`` — «представлен в срок», «представлен с опозданием»,
    «срок не наступил», «не представлен» — and its code ``state``: on_time, late, not_due,
    missing) and the staffing metrics. A year without a rate to show (no report, or no fact in
    it) has NaN rates, and a year without rosters no staffing figures (NaN, never 0)."""
    tables = Tables(data_dir)
    cluster_info(tables.clusters, cluster)
    cells = plan_cells(cluster=cluster, as_of=as_of, deadline=deadline, data_dir=tables.data_dir)
    history = f.cluster_year_summary(cells)
    states = _states(tables, history[["cluster_id", "year"]], as_of, deadline)
    staffing = tables.staffing[["cluster_id", "year", *STAFFING_METRICS]]
    history = history.merge(states, on=["cluster_id", "year"], how="left").merge(
        staffing, on=["cluster_id", "year"], how="left"
    )
    history[["rate", "weighted_rate"]] = history[["rate", "weighted_rate"]].where(history["rate_shown"])
    return history.sort_values("year").reset_index(drop=True)
