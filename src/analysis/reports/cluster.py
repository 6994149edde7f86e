"""What the cluster report notebook shows: data loading and Russian tables, text and charts.

The notebook only calls these functions; everything it displays is built and tested here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from analysis import settings
from analysis.metrics import fulfilment as f
from analysis.reports.charts import Chart, status_by_group_chart
from analysis.reports.labels import COMPLETENESS_RU, DEMO_NOTICE, STATUS_COLOURS, STATUS_RU, percent
from analysis.sources.plan import FAMILY_FEDERAL, FAMILY_PLAN
from analysis.sources.registry import cluster_info
from analysis.tables import read_table


@dataclass
class ClusterYear:
    """Everything one cluster-year report needs, already computed."""

    cluster: pd.Series
    year: int
    as_of: date
    deadline: tuple[int, int]  # (month, day) of the year after ``year`` its report is due
    cells: pd.DataFrame
    indicators: pd.DataFrame
    summary: pd.Series
    demo: bool
    staffing: pd.DataFrame  # every year of the cluster, for the trend
    staffing_programmes: pd.DataFrame  # the year, per programme
    fact_checks: pd.DataFrame  # the year's facts against rosters and enrolment
    federal: pd.DataFrame  # the year's federal indicator targets (tidy plan rows)
    target_checks: pd.DataFrame  # the year's federal targets against rosters and enrolment
    submission: pd.Series  # the year's submission: completeness status, date, rows accepted / rejected


def load(
    data_dir: str | Path, cluster: str, year: int, as_of: str | date, deadline: str = f.DEFAULT_DEADLINE_TEXT
) -> ClusterYear:
    """Read the processed tables and compute the statuses of one cluster-year.

    A relative ``data_dir`` is read under the project root (``analysis.settings``), whatever the
    working directory: the notebook's default ``"data/processed"`` works from ``notebooks/`` too.
    """
    data_dir = settings.resolve(data_dir)
    as_of = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    due = f.parse_deadline(deadline)
    info = cluster_info(read_table(data_dir, "clusters"), cluster)
    plan = read_table(data_dir, "plan")
    plan = plan[
        (plan["cluster_id"] == cluster) & (plan["year"] == int(year)) & (plan["family"] == FAMILY_PLAN)
    ]
    if plan.empty:
        years = sorted(read_table(data_dir, "plan").query("cluster_id == @cluster")["year"].unique())
        raise ValueError(f"the plan of {cluster!r} has no year {year}; its years are {years}")
    facts = read_table(data_dir, "facts")
    facts = facts[(facts["cluster_id"] == cluster) & (facts["year"] == int(year))]
    cells = f.cell_status(plan, facts, as_of, due).sort_values("order", kind="stable")

    def mine(name: str, every_year: bool = False) -> pd.DataFrame:
        table = read_table(data_dir, name)
        chosen = table["cluster_id"] == cluster
        if not every_year:
            chosen &= table["year"] == int(year)
        return table[chosen].reset_index(drop=True)

    federal = mine("plan")
    federal = federal[federal["family"] == FAMILY_FEDERAL]
    return ClusterYear(
        cluster=info,
        year=int(year),
        as_of=as_of,
        deadline=due,
        cells=cells.reset_index(drop=True),
        indicators=f.indicator_status(cells),
        summary=f.cluster_year_summary(cells).iloc[0],
        demo=bool(facts["demo"].any()),
        staffing=mine("staffing", every_year=True),
        staffing_programmes=mine("staffing_by_programme"),
        fact_checks=mine("fact_checks"),
        federal=federal.sort_values("order", kind="stable"),
        target_checks=mine("target_checks"),
        submission=_submission(data_dir, info, int(year), as_of, due),
    )


def _submission(data_dir, info: pd.Series, year: int, as_of: date, due: tuple[int, int]) -> pd.Series:
    """Whether the cluster-year's report arrived, when, and how many of its rows were accepted."""
    from analysis.metrics.completeness import completeness

    plan = read_table(data_dir, "plan")
    received = completeness(
        info.to_frame().T,
        plan[plan["cluster_id"] == info["cluster_id"]],
        read_table(data_dir, "submissions"),
        as_of,
        due,
    )
    row = received[received["year"] == year]
    quality = read_table(data_dir, "quality")
    quality = quality[(quality["cluster_id"] == info["cluster_id"]) & (quality["year"] == year)]
    out = row.iloc[0] if not row.empty else pd.Series({"status": "not_due", "submitted_on": pd.NaT})
    out["rows_accepted"] = int(quality["rows_accepted"].sum())
    out["rows_rejected"] = int(quality["rows_rejected"].sum())
    return out


def header(cy: ClusterYear) -> Markdown:
    """Title block: cluster, region, year, as-of date, plan version, demo notice."""
    c = cy.cluster
    lines = [
        f"# {c['name']}",
        f"## Выполнение плана мероприятий за {cy.year} год",
        "",
        f"- Регион: {c['region_code']} — {c['region_name']}",
        f"- Отрасль: {c['industry']}",
        f"- Базовая образовательная организация: {c['base_college'] or 'не указана в программе'}",
        f"- Данные на дату: {cy.as_of:%d.%m.%Y}; срок отчёта за {cy.year} год — "
        f"{f.reporting_deadline(cy.year, cy.deadline):%d.%m.%Y}",
        f"- Версия плана (приложение № 2): `{c['plan_version']}`",
    ]
    if cy.demo:
        lines += ["", f"> {DEMO_NOTICE}"]
    return Markdown("\n".join(lines))


def summary_text(cy: ClusterYear) -> Markdown:
    """The headline in words: how many planned items are met and what the rates mean."""
    s = cy.summary
    planned = int(s["planned"])
    if planned == 0:
        return Markdown(f"На {cy.year} год в плане нет значений с целевыми показателями.")
    text = [
        f"**Выполнено {int(s[f.MET])} из {planned} плановых значений — {percent(s['rate'])}.**",
        "",
        f"- Частично выполнено: {int(s[f.PARTLY_MET])}; не выполнено: {int(s[f.NOT_MET])}; "
        f"ожидается отчёт: {int(s[f.PENDING])}; нет данных: {int(s[f.NO_DATA])}.",
        f"- Взвешенный уровень выполнения (частично выполненные засчитываются долей факт/план): "
        f"{percent(s['weighted_rate'])}.",
        f"- Сведения представлены по {percent(s['reported'])} плановых значений.",
        f"- Сверх плана (факт при отсутствии плана на год): {int(s[f.BEYOND_PLAN])}.",
        "",
        "Уровень выполнения — доля плановых значений, достигших плана; значения без отчёта "
        "(«ожидается отчёт», «нет данных») в него не засчитываются.",
    ]
    text += ["", _submission_text(cy)]
    return Markdown("\n".join(text))


def _submission_text(cy: ClusterYear) -> str:
    """One line on the year's report: on time or late, and what validation accepted."""
    sub = cy.submission
    status = COMPLETENESS_RU.get(sub["status"], sub["status"])
    when = "" if pd.isna(sub["submitted_on"]) else f" ({sub['submitted_on']:%d.%m.%Y})"
    line = f"Отчёт кластера за {cy.year} год: {status}{when}."
    if sub["rows_accepted"] or sub["rows_rejected"]:
        line += f" Проверка: строк принято — {sub['rows_accepted']}, отклонено — {sub['rows_rejected']}"
        line += (
            " (перечень замечаний — в выводе сборки, data/processed/rejects.parquet и отчёте проверки "
            "данных Data Docs)."
            if sub["rows_rejected"]
            else "."
        )
    return line


def summary_table(cy: ClusterYear) -> pd.io.formats.style.Styler:
    """Counts by status for the year, Russian labels, statuses with no cells left out."""
    counts = cy.cells["status"].value_counts().reindex(f.STATUSES, fill_value=0)
    table = pd.DataFrame({"Статус": [STATUS_RU[s] for s in counts.index], "Значений": counts.to_numpy()})
    return _status_style(table[table["Значений"] > 0])


def _status_style(table: pd.DataFrame) -> pd.io.formats.style.Styler:
    """Hide the index and colour the «Статус» column by status."""
    colours = {STATUS_RU[s]: c for s, c in STATUS_COLOURS.items()}
    dark = {STATUS_RU[s] for s in (f.MET, f.NOT_MET, f.NO_DATA, f.BEYOND_PLAN)}

    def colour(value: str) -> str:
        text = "white" if value in dark else "black"
        return f"background-color: {colours[value]}; color: {text}" if value in colours else ""

    return (
        table.style.hide(axis="index").map(colour, subset=["Статус"]).set_properties(**{"text-align": "left"})
    )


def _target_text(row) -> str:
    if row.target_kind == "yes":
        return "да"
    if row.target_kind == "count":
        return f"{row.target_value:g}"
    return row.target_raw or "—"


def _fact_text(row) -> str:
    if pd.isna(row.fact_value):
        return "—"
    if row.fact_kind == "number":
        return f"{row.fact_value:g}"
    return "да" if row.fact_kind == "yes" else "нет"


def items_table(cy: ClusterYear, planned_only: bool = False) -> pd.io.formats.style.Styler:
    """Every plan item of the year with plan, fact, fact / plan and its status, coloured."""
    cells = cy.cells
    if planned_only:
        cells = cells[cells["planned"] | (cells["status"] == f.BEYOND_PLAN)]
    table = pd.DataFrame(
        {
            "Код": cells["indicator"],
            "Программа": [
                f"{c} {t}" if c else ""
                for c, t in zip(cells["programme_code"], cells["programme_title"], strict=True)
            ],
            "Мероприятие": [_shorten(t) for t in cells["indicator_title"]],
            "План": [_target_text(r) for r in cells.itertuples()],
            "Факт": [_fact_text(r) for r in cells.itertuples()],
            "Факт / план": [percent(v) for v in cells["ratio"]],
            "Статус": [STATUS_RU[s] for s in cells["status"]],
        }
    )
    return _status_style(table).set_properties(subset=["Мероприятие"], **{"max-width": "36em"})


def _group_label(code: str, title: str, limit: int) -> str:
    """«1.1 по разработке образовательных программ…»: the group titles' common opening dropped."""
    title = title.removeprefix("Результат мероприятий ")
    return f"{code} {_shorten(title, limit)}"


def _shorten(title: str, limit: int = 160) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


def group_table(cy: ClusterYear) -> pd.io.formats.style.Styler:
    """Per result group: planned values, met, and the rate; Russian column names."""
    counts = f.status_counts(cy.cells, ["section", "group"])
    titles = cy.cells.drop_duplicates("group").set_index("group")["group_title"]
    return (
        pd.DataFrame(
            {
                "Группа результатов": [_group_label(g, titles[g], 70) for g in counts["group"]],
                "Плановых значений": counts["planned"],
                "Выполнено": counts[f.MET],
                "Частично": counts[f.PARTLY_MET],
                "Не выполнено": counts[f.NOT_MET],
                "Без отчёта": counts[f.PENDING] + counts[f.NO_DATA],
                "Уровень выполнения": [percent(v) for v in counts["rate"]],
            }
        )
        .style.hide(axis="index")
        .set_properties(subset=["Группа результатов"], **{"text-align": "left"})
    )


def status_chart(cy: ClusterYear):
    """The chart of the report: plan cells of each result group by status."""
    counts = f.status_counts(cy.cells, ["group"])
    titles = cy.cells.drop_duplicates("group").set_index("group")["group_title"]
    counts["label"] = [_group_label(g, titles[g], 38) for g in counts["group"]]
    title = f"Статус плановых значений по группам результатов, {cy.year} год"
    return Chart(status_by_group_chart(counts, title), f"Диаграмма: {title.lower()}")
