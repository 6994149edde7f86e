"""The regional report: every cluster of a region side by side for one year — plan fulfilment,
staffing from employers, and whether each cluster reported on time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

from analysis import settings
from analysis.metrics import fulfilment as f
from analysis.metrics.completeness import completeness
from analysis.reports.charts import Chart
from analysis.reports.labels import COMPLETENESS_RU, DEMO_NOTICE, STATUS_COLOURS, percent
from analysis.sources.plan import FAMILY_PLAN
from analysis.tables import read_table


@dataclass
class RegionYear:
    """Everything one region-year report needs, already computed."""

    region_code: str
    region_name: str
    year: int
    as_of: date
    deadline: tuple[int, int]  # (month, day) of the year after ``year`` its report is due
    clusters: pd.DataFrame  # one row per cluster: registry, fulfilment, staffing, completeness
    demo: bool


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
        known = sorted(registry["region_code"].unique())
        raise ValueError(f"no cluster of region {region!r} in the registry; its regions are {known}")
    ids = set(mine["cluster_id"])
    plan = read_table(data_dir, "plan")
    plan = plan[plan["cluster_id"].isin(ids) & (plan["year"] == int(year)) & (plan["family"] == FAMILY_PLAN)]
    facts = read_table(data_dir, "facts")
    facts = facts[facts["cluster_id"].isin(ids) & (facts["year"] == int(year))]
    summary = f.cluster_year_summary(f.cell_status(plan, facts, as_of, due))
    staffing = read_table(data_dir, "staffing")
    staffing = staffing[staffing["cluster_id"].isin(ids) & (staffing["year"] == int(year))]
    received = completeness(
        registry, read_table(data_dir, "plan"), read_table(data_dir, "submissions"), as_of, due
    )
    received = received[received["cluster_id"].isin(ids) & (received["year"] == int(year))]
    quality = read_table(data_dir, "quality")
    table = (
        mine[["cluster_id", "name", "industry", "demo"]]
        .merge(summary, on="cluster_id", how="left")
        .merge(staffing, on=["cluster_id"], how="left", suffixes=("", "_staffing"))
        .merge(received[["cluster_id", "status"]], on="cluster_id", how="left")
        .merge(
            quality[quality["year"] == int(year)][["cluster_id", "rows_rejected"]],
            on="cluster_id",
            how="left",
        )
    )
    return RegionYear(
        region_code=str(region),
        region_name=mine["region_name"].iloc[0],
        year=int(year),
        as_of=as_of,
        deadline=due,
        clusters=table.sort_values("rate", ascending=False, na_position="last").reset_index(drop=True),
        demo=bool(mine["demo"].any() or facts["demo"].any()),
    )


def _count(value) -> str:
    return "—" if pd.isna(value) else f"{int(value)}"


def short_name(name: str, region_name: str) -> str:
    """«Химическая промышленность» (демо) for «Образовательный кластер «Химическая промышленность»
    (Самарская область) (демо)»: the words every cluster of the region shares dropped."""
    return name.replace("Образовательный кластер ", "").replace(f" ({region_name})", "")


def header(ry: RegionYear) -> Markdown:
    lines = [
        f"# {ry.region_code} — {ry.region_name}",
        f"## Образовательные кластеры региона: сводный отчёт за {ry.year} год",
        "",
        f"- Кластеров в реестре: {len(ry.clusters)}",
        f"- Данные на дату: {ry.as_of:%d.%m.%Y}; срок отчёта за {ry.year} год — "
        f"{f.reporting_deadline(ry.year, ry.deadline):%d.%m.%Y}",
    ]
    if ry.demo:
        lines += ["", f"> {DEMO_NOTICE}"]
    return Markdown("\n".join(lines))


def comparison_table(ry: RegionYear) -> pd.io.formats.style.Styler:
    """One row per cluster: fulfilment, staffing from employers, reporting."""
    c = ry.clusters
    reported = c["reported"].fillna(0)
    table = pd.DataFrame(
        {
            "Кластер": [short_name(n, ry.region_name) for n in c["name"]],
            "Выполнено": [f"{_count(m)} из {_count(p)}" for m, p in zip(c[f.MET], c["planned"], strict=True)],
            # Before anything is reported a rate of 0 % would read as failure: show «—».
            "Уровень выполнения": [
                percent(v) if r > 0 else "—" for v, r in zip(c["rate"], reported, strict=True)
            ],
            "Взвешенный": [
                percent(v) if r > 0 else "—" for v, r in zip(c["weighted_rate"], reported, strict=True)
            ],
            "Преподаватели от работодателей": [_count(v) for v in c["employer_teachers"]],
            "их доля": [percent(v) for v in c["employer_teacher_share"]],
            "Пары наставничества": [_count(v) for v in c["pairs"]],
            "Преподаватели ПОО в парах": [percent(v) for v in c["college_teachers_in_pairs_share"]],
            "Отчёт за год": [_received(s, n) for s, n in zip(c["status"], c["rows_rejected"], strict=True)],
        }
    )
    return table.style.hide(axis="index").set_properties(
        subset=["Кластер", "Отчёт за год"], **{"text-align": "left"}
    )


def _received(status, rejected) -> str:
    """«представлен в срок; отклонено строк: 2» — whether it came and what validation refused."""
    text = COMPLETENESS_RU.get(status, "—") if isinstance(status, str) else "—"
    return text + (f"; отклонено строк: {int(rejected)}" if not pd.isna(rejected) and rejected else "")


def comparison_chart(ry: RegionYear):
    """Fulfilment rate and the share of employer-teachers, cluster by cluster."""
    c = ry.clusters.iloc[::-1]
    labels = [short_name(n, ry.region_name) for n in c["name"]]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 0.5 * len(c) + 1.6), layout="constrained", sharey=True
    )
    left.barh(labels, c["rate"].astype(float).fillna(0), color=STATUS_COLOURS[f.MET])
    left.set_title("Уровень выполнения плана", loc="left", fontsize=10)
    right.barh(labels, c["employer_teacher_share"].astype(float).fillna(0), color="#1565c0")
    right.set_title("Доля преподавателей от работодателей", loc="left", fontsize=10)
    for ax in (left, right):
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.spines[["top", "right"]].set_visible(False)
    plt.close(fig)
    return Chart(
        fig,
        f"Диаграмма: уровень выполнения плана и доля преподавателей от работодателей по кластерам "
        f"региона, {ry.year} год",
    )
