"""The regional report: every cluster of a region side by side for one year — plan fulfilment,
staffing from employers, and the state of each cluster's report — with a link to each cluster's
own report of the year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML

from analysis import settings
from analysis.metrics import completeness as c
from analysis.metrics import fulfilment as f
from analysis.reports import markup, provenance
from analysis.reports.charts import Chart, chart_text, set_margins, text_inches
from analysis.reports.labels import (
    DEMO_MARK,
    DEMO_NOTICE,
    NO_RATE,
    STATUS_COLOURS,
    met_text,
    percent,
    rate_text,
    state_text,
)
from analysis.sources.plan import FAMILY_PLAN
from analysis.tables import cluster_rows, read_table


@dataclass
class RegionYear:
    """Everything one region-year report needs, already computed."""

    region_code: str
    region_name: str
    year: int
    as_of: date
    deadline: tuple[int, int]  # (month, day) of the year after ``year`` its report is due
    clusters: pd.DataFrame  # one row per cluster: registry, fulfilment, staffing, state, link
    demo: bool
    sources: pd.DataFrame  # the input files behind the region's year (provenance.source_files)


def cluster_href(cluster_id: str, year: int) -> str:
    """The cluster report of the year, relative to the region report beside its clusters' folders:
    ``html/R/region-Y.html`` links ``html/R/C/Y.html`` as ``C/Y.html``."""
    return f"{cluster_id}/{int(year)}.html"


def load(
    data_dir: str | Path, region: str, year: int, as_of: str | date, deadline: str = f.DEFAULT_DEADLINE_TEXT
) -> RegionYear:
    """Read the processed tables and put the region's clusters of the year on one table.

    A relative ``data_dir`` is read under the project root (``analysis.settings``), whatever the
    working directory.
    """
    data_dir = settings.resolve(data_dir)
    as_of = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    due = f.parse_deadline(deadline)
    registry = read_table(data_dir, "clusters")
    mine = registry[registry["region_code"] == str(region)]
    if mine.empty:
        known = sorted(str(r) for r in registry["region_code"].unique())
        raise ValueError(f"no cluster of region {region!r} in the registry; its regions are {known}")
    ids = list(mine["cluster_id"])
    # Only the region's rows are taken from each table (``cluster_rows``), not the country's.
    plan = cluster_rows(data_dir, "plan", ids)
    plan = plan[(plan["year"] == int(year)) & (plan["family"] == FAMILY_PLAN)]
    own_facts = cluster_rows(data_dir, "facts", ids)
    facts = own_facts[own_facts["year"] == int(year)]
    summary = f.cluster_year_summary(f.cell_status(plan, facts, as_of, due)).drop(columns="year")
    staffing = cluster_rows(data_dir, "staffing", ids)
    staffing = staffing[staffing["year"] == int(year)]
    # With the files of no one cluster (a facts file of many): the sources may name them.
    submissions = cluster_rows(data_dir, "submissions", ids, unassigned=True)
    # A report is expected only of a cluster whose plan has the year; the others show «—».
    grid = plan[["cluster_id"]].drop_duplicates().assign(year=int(year))
    states = c.cluster_year_states(grid, submissions, facts, as_of, due)
    quality = cluster_rows(data_dir, "quality", ids)
    demo_facts = set(facts.loc[facts["demo"], "cluster_id"])
    table = (
        mine[["cluster_id", "name", "industry", "demo", "plan_version"]]
        .merge(summary, on="cluster_id", how="left")
        .merge(staffing, on=["cluster_id"], how="left", suffixes=("", "_staffing"))
        .merge(states[["cluster_id", "state", "rate_shown"]], on="cluster_id", how="left")
        .merge(
            quality[quality["year"] == int(year)][["cluster_id", "rows_rejected"]],
            on="cluster_id",
            how="left",
        )
    )
    table["demo"] = table["demo"] | table["cluster_id"].isin(demo_facts)
    table["rate_shown"] = table["rate_shown"].astype("boolean").fillna(False).astype(bool)
    with_plan = set(plan["cluster_id"])
    table["href"] = [cluster_href(i, year) if i in with_plan else None for i in table["cluster_id"]]
    # A cluster-year without a rate to show has none here either (NaN, never 0.0): the page,
    # the downloads and the API read the same frame.
    table[["rate", "weighted_rate"]] = table[["rate", "weighted_rate"]].where(table["rate_shown"])
    table.insert(table.columns.get_loc("state") + 1, "state_text", [state_text(s) for s in table["state"]])
    table["rate_sort"] = table["rate"]
    table = table.sort_values(["rate_sort", "cluster_id"], ascending=[False, True], na_position="last")
    return RegionYear(
        region_code=str(region),
        region_name=mine["region_name"].iloc[0],
        year=int(year),
        as_of=as_of,
        deadline=due,
        clusters=table.drop(columns="rate_sort").reset_index(drop=True),
        demo=bool(mine["demo"].any() or facts["demo"].any()),
        sources=provenance.source_files(submissions, own_facts, sorted(ids), int(year)),
    )


def _count(value) -> str:
    return "—" if pd.isna(value) else f"{int(value)}"


def short_name(name: str, region_name: str) -> str:
    """«Химическая промышленность» (демо) for «Образовательный кластер «Химическая промышленность»
    (Самарская область) (демо)»: the words every cluster of the region shares dropped."""
    return name.replace("Образовательный кластер ", "").replace(f" ({region_name})", "")


def label(name: str, region_name: str, demo: bool) -> str:
    """The short name, marked «(демо)» when the cluster's facts are demonstration data and its
    name does not say so already."""
    short = short_name(name, region_name)
    return f"{short} ({DEMO_MARK})" if demo and DEMO_MARK not in short.lower() else short


_HEADER = """
<h1>{{ code }} — {{ name }}</h1>
<h2>Образовательные кластеры региона: сводный отчёт за {{ year }} год</h2>
<ul>
<li>Кластеров в реестре: {{ count }}</li>
<li>{{ dates }}</li>
</ul>
{% if demo %}
<blockquote class="demo"><p><strong>Демонстрационные данные.</strong> {{ demo }}</p></blockquote>
{% endif %}
"""


def header(ry: RegionYear) -> HTML:
    return markup.fragment(
        _HEADER,
        code=ry.region_code,
        name=ry.region_name,
        year=ry.year,
        count=len(ry.clusters),
        dates=provenance.dates_line(
            ry.sources,
            ry.year,
            f.reporting_deadline(ry.year, ry.deadline),
            f.deadline_passed(ry.year, ry.as_of, ry.deadline),
        ),
        demo=DEMO_NOTICE.removeprefix("**Демонстрационные данные.** ") if ry.demo else "",
    )


def comparison_table(ry: RegionYear):
    """One row per cluster, linked to its report: fulfilment (or «нет данных» — never 0 % for a
    report not received), staffing from employers, the state of the year's report."""
    c = ry.clusters
    shown = c["rate_shown"].fillna(False).astype(bool)
    provisional = c["provisional"].astype("boolean").fillna(False).astype(bool)
    table = pd.DataFrame(
        {
            "Кластер": [label(n, ry.region_name, d) for n, d in zip(c["name"], c["demo"], strict=True)],
            "Выполнено": [
                met_text(m, p, r, a, bool(v)) if s else "—"
                for m, p, r, a, v, s in zip(
                    c[f.MET], c["planned"], c["received"], c["awaited"], provisional, shown, strict=True
                )
            ],
            "Уровень выполнения": [
                rate_text(v, s, p) for v, s, p in zip(c["rate"], shown, provisional, strict=True)
            ],
            "Взвешенный": [
                rate_text(v, s, p) for v, s, p in zip(c["weighted_rate"], shown, provisional, strict=True)
            ],
            "Преподаватели от работодателей": [_count(v) for v in c["employer_teachers"]],
            "их доля": [percent(v) for v in c["employer_teacher_share"]],
            "Пары наставничества": [_count(v) for v in c["pairs"]],
            "Преподаватели ПОО в парах": [percent(v) for v in c["college_teachers_in_pairs_share"]],
            "Отчёт за год": [_received(s, n) for s, n in zip(c["state"], c["rows_rejected"], strict=True)],
        }
    )
    return markup.table(
        table, "clusters", left=["Кластер"], labels=["Отчёт за год"], links={"Кластер": list(c["href"])}
    )


def _received(state, rejected) -> str:
    """«представлен в срок; отклонено строк: 2» — the state and what validation refused."""
    return state_text(state) + (
        f"; отклонено строк: {int(rejected)}" if not pd.isna(rejected) and rejected else ""
    )


def comparison_chart(ry: RegionYear):
    """Fulfilment rate and the share of employer-teachers, cluster by cluster; a cluster without
    a rate to show is labelled «нет данных», not drawn as 0 %."""
    c = ry.clusters.iloc[::-1]
    labels = [chart_text(label(n, ry.region_name, d)) for n, d in zip(c["name"], c["demo"], strict=True)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.5 * len(c) + 1.6), sharey=True)
    shown = c["rate_shown"].fillna(False).astype(bool).to_numpy()
    rates = c["rate"].astype(float).where(shown)
    bars = left.barh(labels, rates.fillna(0), color=STATUS_COLOURS[f.MET])
    # A provisional rate (the year's deadline ahead) is drawn hatched and light: not final.
    for bar, provisional in zip(bars, c["provisional"].astype("boolean").fillna(False), strict=True):
        if provisional:
            bar.set(facecolor="white", edgecolor=STATUS_COLOURS[f.MET], hatch="///")
    for position, has_rate in enumerate(shown):
        if not has_rate:
            left.text(0.01, position, NO_RATE, va="center", fontsize=9, color="#555555")
    left.set_title("Уровень выполнения плана", loc="left", fontsize=10)
    shares = c["employer_teacher_share"].astype(float)
    right.barh(labels, shares.fillna(0), color="#1565c0")
    for position, share in enumerate(shares):
        if pd.isna(share):
            right.text(0.01, position, NO_RATE, va="center", fontsize=9, color="#555555")
    right.set_title("Доля преподавателей от работодателей", loc="left", fontsize=10)
    for ax in (left, right):
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.spines[["top", "right"]].set_visible(False)
    set_margins(fig, left=text_inches(labels, "medium") + 0.2, right=0.3, top=0.35, bottom=0.45, between=0.4)
    plt.close(fig)
    return Chart(
        fig,
        f"Диаграмма: уровень выполнения плана и доля преподавателей от работодателей по кластерам "
        f"региона, {ry.year} год",
    )


def provenance_block(ry: RegionYear) -> HTML:
    """Where the report's figures come from (``analysis.reports.provenance``)."""
    plans = [
        (label(n, ry.region_name, False), v)
        for n, v in zip(ry.clusters["name"], ry.clusters["plan_version"], strict=True)
    ]
    deadline = f.reporting_deadline(ry.year, ry.deadline)
    return provenance.block(ry.sources, plans, ry.year, ry.as_of, deadline, "sources")


def download_tables(ry: RegionYear) -> dict[str, pd.DataFrame]:
    """The region's table for the downloads: numbers as numbers (shares in percent), rates empty
    where they may not be shown; and the source files."""
    c = ry.clusters
    shown = c["rate_shown"].fillna(False).astype(bool)

    def pct(values, only=None):
        return [
            None if pd.isna(v) or (only is not None and not o) else round(float(v) * 100, 1)
            for v, o in zip(values, only if only is not None else [True] * len(values), strict=True)
        ]

    return {
        "Кластеры": pd.DataFrame(
            {
                "Кластер": c["name"],
                "Код кластера": c["cluster_id"],
                "Демонстрационные данные": ["да" if d else "" for d in c["demo"]],
                "Плановых значений": c["planned"],
                "Выполнено": [m if s else None for m, s in zip(c[f.MET], shown, strict=True)],
                "Уровень выполнения, %": pct(c["rate"], shown),
                "Взвешенный уровень, %": pct(c["weighted_rate"], shown),
                "Преподаватели от работодателей": c["employer_teachers"],
                "их доля, %": pct(c["employer_teacher_share"]),
                "Пары наставничества": c["pairs"],
                "Преподаватели ПОО в парах, %": pct(c["college_teachers_in_pairs_share"]),
                "Отчёт за год": [state_text(s) for s in c["state"]],
                "Отклонено строк": c["rows_rejected"],
            }
        ),
        "Источники": provenance.download_table(ry.sources),
    }
