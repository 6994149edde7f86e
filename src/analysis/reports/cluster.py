"""What the cluster report notebook shows: data loading and Russian tables, text and charts.

The notebook only calls these functions; everything it displays is built and tested here. Text
from the input files reaches the page only through ``analysis.reports.markup`` (escaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from analysis import settings
from analysis.metrics import completeness as c
from analysis.metrics import fulfilment as f
from analysis.reports import markup, provenance
from analysis.reports.charts import Chart, status_by_group_chart
from analysis.reports.labels import (
    DEMO_NOTICE,
    NO_RATE,
    STATUS_COLOURS,
    STATUS_RU,
    UNDATED_NOTE,
    met_text,
    number_text,
    percent,
    rate_text,
    state_text,
)
from analysis.sources.plan import FAMILY_FEDERAL, FAMILY_PLAN
from analysis.sources.registry import cluster_info
from analysis.tables import cluster_rows, read_file, read_table

ROLL_UP = "итог по программам"  # the «Программа» cell of an indicator's roll-up row


@dataclass
class ClusterYear:
    """Everything one cluster-year report needs, already computed."""

    cluster: pd.Series
    year: int
    as_of: date
    deadline: tuple[int, int]  # (month, day) of the year after ``year`` its report is due
    cells: pd.DataFrame  # the year's target cells (an indicator's heading row left out)
    indicators: pd.DataFrame
    summary: pd.Series
    demo: bool
    staffing: pd.DataFrame  # the year's staffing figures (one row, or none without rosters)
    staffing_history: pd.DataFrame  # every year of the cluster up to this one, for the trend
    staffing_programmes: pd.DataFrame  # the year, per programme
    fact_checks: pd.DataFrame  # the year's facts against rosters and enrolment
    federal: pd.DataFrame  # the year's federal indicator targets (tidy plan rows)
    target_checks: pd.DataFrame  # the year's federal targets against rosters and enrolment
    submission: pd.Series  # the year's state (cluster_year_states), rows accepted / rejected
    sources: pd.DataFrame  # the input files behind the year (provenance.source_files)
    warnings: pd.DataFrame  # the year's facts far above their target (metrics.plausibility)
    # The year's cells and report as the last build kept them (data/history), None without one.
    previous: pd.DataFrame | None = None


def heading_rows(plan: pd.DataFrame) -> pd.Series:
    """True for an indicator's own row that only heads its programme rows: no value of its own
    (empty, not even «-») while the indicator has programme rows (1.1.1, 1.4.1 of the seed).
    Such a row is no target cell — «не запланировано» counts target cells only."""
    split = set(plan.loc[plan["programme_code"] != "", "indicator"])
    own = plan["programme_code"] == ""
    empty = plan["target_raw"].fillna("").str.strip() == ""
    return own & empty & plan["indicator"].isin(split)


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
    # Only this cluster's rows are taken from each table (``cluster_rows``): a report's cost
    # does not grow with the number of clusters in the country.
    own_plan = cluster_rows(data_dir, "plan", [cluster])
    plan = own_plan[(own_plan["year"] == int(year)) & (own_plan["family"] == FAMILY_PLAN)]
    if plan.empty:
        years = sorted(int(y) for y in own_plan["year"].unique())
        raise ValueError(f"the plan of {cluster!r} has no year {year}; its years are {years}")
    own_facts = cluster_rows(data_dir, "facts", [cluster])
    facts = own_facts[own_facts["year"] == int(year)]
    cells = f.cell_status(plan, facts, as_of, due).sort_values("order", kind="stable")
    cells = cells[~(heading_rows(cells) & (cells["status"] == f.NOT_PLANNED))].copy()
    cells.insert(cells.columns.get_loc("status"), "status_text", [STATUS_RU[s] for s in cells["status"]])

    def mine(name: str, every_year: bool = False) -> pd.DataFrame:
        table = cluster_rows(data_dir, name, [cluster])
        chosen = (table["year"] <= int(year)) if every_year else (table["year"] == int(year))
        return table[chosen].reset_index(drop=True)

    federal = own_plan[(own_plan["year"] == int(year)) & (own_plan["family"] == FAMILY_FEDERAL)]
    # With the files of no one cluster (a facts file of many): the sources may name them.
    submissions = cluster_rows(data_dir, "submissions", [cluster], unassigned=True)
    return ClusterYear(
        cluster=info,
        year=int(year),
        as_of=as_of,
        deadline=due,
        cells=cells.reset_index(drop=True),
        indicators=f.indicator_status(cells),
        summary=f.cluster_year_summary(cells).iloc[0],
        demo=bool(facts["demo"].any()),
        staffing=mine("staffing"),
        staffing_history=mine("staffing", every_year=True),
        staffing_programmes=mine("staffing_by_programme"),
        fact_checks=mine("fact_checks"),
        federal=federal.sort_values("order", kind="stable"),
        target_checks=mine("target_checks"),
        submission=_submission(data_dir, cluster, int(year), submissions, facts, as_of, due),
        sources=provenance.source_files(submissions, own_facts, [cluster], int(year)),
        warnings=mine("warnings"),
        previous=previous_version(data_dir, cluster, int(year)),
    )


HISTORY = "history"  # data/history beside data/processed: what each build published


def latest_history(data_dir: str | Path) -> Path | None:
    """The newest build's kept history (``data/history/*.parquet``), None when there is none."""
    folder = Path(data_dir).parent / HISTORY
    kept = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    return kept[-1] if kept else None


def previous_version(data_dir: Path, cluster: str, year: int) -> pd.DataFrame | None:
    """The cluster-year's plan cells and report as the latest build kept them (``site.history``),
    None when no build was kept. Not part of the report's recorded reads: the box it feeds says
    what changed since the page's previous version, which is the version built then."""
    kept = latest_history(data_dir)
    if kept is None:
        return None
    table = read_file(kept)
    chosen = (
        (table["cluster_id"] == cluster) & (table["year"] == year) & table["kind"].isin(["cell", "report"])
    )
    return table[chosen].reset_index(drop=True)


SINCE_TEMPLATE = """\
{% if rows or rate %}
<div class="since-last">
<p><strong>С прошлой версии отчёта</strong>
(<a href="../../../changes.html">что изменилось во всех отчётах</a>):</p>
<ul>
{% if rate %}<li>уровень выполнения: {{ rate }}</li>{% endif %}
{% for r in rows %}
<li>{{ r.item }}: {{ r.before }} → {{ r.after }}</li>
{% endfor %}
</ul>
</div>
{% endif %}"""


def _cell_text(status: str, fact: str) -> str:
    return f"{STATUS_RU.get(status, status or '—')}" + (f" (факт {fact})" if fact else "")


def since_last_version(cy: ClusterYear):
    """A short box: the cells whose status or fact moved since the page's previous version, and
    the rate before and now; nothing when there is no earlier version or nothing moved."""
    if cy.previous is None or cy.previous.empty:
        return markup.fragment(SINCE_TEMPLATE, rows=[], rate="")
    before = cy.previous[cy.previous["kind"] == "cell"].set_index(["indicator", "programme_code"])
    rows = []
    for row in cy.cells.itertuples(index=False):
        key = (row.indicator, row.programme_code)
        fact = "" if pd.isna(row.fact_raw) else str(row.fact_raw)
        old_status, old_fact = ("", "")
        if key in before.index:
            old = before.loc[key]
            old = old.iloc[0] if isinstance(old, pd.DataFrame) else old
            old_status, old_fact = old["status"], old["fact"]
        elif not row.planned:
            continue
        if (old_status, old_fact) != (row.status, fact):
            item = f"{row.indicator}{' / ' + row.programme_code if row.programme_code else ''}"
            rows.append(
                {
                    "item": item,
                    "before": _cell_text(old_status, old_fact),
                    "after": _cell_text(row.status, fact),
                }
            )
    report = cy.previous[cy.previous["kind"] == "report"]
    rate = ""
    if len(report) and bool(cy.submission["rate_shown"]):
        was = report["rate"].iloc[0]
        now = cy.summary["rate"]
        if pd.isna(was) or pd.isna(now) or abs(float(was) - float(now)) > 1e-9:
            rate = f"{percent(was)} → {rate_text(now, True, bool(cy.summary['provisional']))}"
    return markup.fragment(SINCE_TEMPLATE, rows=rows, rate=rate)


def _submission(data_dir, cluster: str, year: int, submissions, facts, as_of, due) -> pd.Series:
    """The cluster-year's state and how many of its rows validation accepted and rejected."""
    grid = pd.DataFrame({"cluster_id": [cluster], "year": [year]})
    out = c.cluster_year_states(grid, submissions, facts, as_of, due).iloc[0].copy()
    quality = cluster_rows(data_dir, "quality", [cluster])
    quality = quality[quality["year"] == year]
    out["rows_accepted"] = int(quality["rows_accepted"].sum())
    out["rows_rejected"] = int(quality["rows_rejected"].sum())
    return out


def deadline_date(cy: ClusterYear) -> date:
    return f.reporting_deadline(cy.year, cy.deadline)


_HEADER = """
<h1>{{ c.name }}</h1>
<h2>Выполнение плана мероприятий за {{ year }} год</h2>
<ul>
<li>Регион: {{ c.region_code }} — {{ c.region_name }}</li>
<li>Отрасль: {{ c.industry }}</li>
<li>Базовая образовательная организация: {{ c.base_college or "не указана в программе" }}</li>
<li>{{ dates }}</li>
<li>Отчёт кластера за год: <strong>{{ state }}</strong></li>
</ul>
{% if demo %}
<blockquote class="demo"><p><strong>Демонстрационные данные.</strong> {{ demo }}</p></blockquote>
{% endif %}
"""


def header(cy: ClusterYear) -> HTML:
    """Title block: cluster, region, year, as-of date, the state of the year's report, demo notice."""
    return markup.fragment(
        _HEADER,
        c={k: ("" if pd.isna(v) else v) for k, v in cy.cluster.items()},
        year=cy.year,
        dates=provenance.dates_line(cy.sources, cy.year, deadline_date(cy), deadline_date(cy) < cy.as_of),
        state=state_text(cy.submission["state"]),
        demo=DEMO_NOTICE.removeprefix("**Демонстрационные данные.** ") if cy.demo else "",
    )


def summary_text(cy: ClusterYear) -> Markdown:
    """The headline in words: how many planned items are met and what the rates mean — or, for a
    cluster-year without a rate to show, its state and «нет данных» (never 0 %)."""
    s = cy.summary
    planned = int(s["planned"])
    if planned == 0:
        return Markdown(f"На {cy.year} год в плане нет значений с целевыми показателями.")
    if not cy.submission["rate_shown"]:
        return Markdown(
            f"**Уровень выполнения: {NO_RATE}.** {_submission_text(cy)} "
            f"Плановых значений на год: {planned}; уровень выполнения не рассчитывается, пока нет "
            "сведений о фактическом выполнении (это не 0 %)."
        )
    if s["provisional"]:
        head = (
            f"**Предварительно: выполнено {met_text(s[f.MET], planned, s['received'], s['awaited'], True)} "
            f"— {percent(s['rate'])}.** Срок отчёта за {cy.year} год ещё не наступил: уровень "
            "выполнения считается по полученным значениям и может измениться."
        )
    else:
        head = f"**Выполнено {int(s[f.MET])} из {planned} плановых значений — {percent(s['rate'])}.**"
    text = [
        head,
        "",
        f"- Частично выполнено: {int(s[f.PARTLY_MET])}; не выполнено: {int(s[f.NOT_MET])}; "
        f"ожидается отчёт: {int(s[f.PENDING])}; нет данных: {int(s[f.NO_DATA])}.",
        f"- Взвешенный уровень выполнения (частично выполненные засчитываются долей факт/план): "
        f"{percent(s['weighted_rate'])}.",
        f"- Сведения представлены по {percent(s['reported'])} плановых значений.",
        f"- Сверх плана (факт при отсутствии плана на год): {int(s[f.BEYOND_PLAN])}.",
        "",
        "Уровень выполнения — доля плановых значений, достигших плана; до срока отчёта — доля среди "
        "полученных значений (предварительно), после срока значения без отчёта («нет данных») "
        "засчитываются как невыполненные."
        if s["provisional"]
        else "Уровень выполнения — доля плановых значений, достигших плана; значения без отчёта "
        "(«нет данных») засчитываются как невыполненные.",
        "",
        _submission_text(cy),
    ]
    return Markdown("\n".join(text))


def _submission_text(cy: ClusterYear) -> str:
    """One line on the year's report: its state, its date, and what validation accepted."""
    sub = cy.submission
    if sub["received"] and not sub["dated"]:
        when = f" ({UNDATED_NOTE})"
    elif sub["dated"]:
        when = f" ({sub['submitted_on']:%d.%m.%Y})"
    else:
        when = ""
    line = f"Отчёт кластера за {cy.year} год: {state_text(sub['state'])}{when}."
    if sub["rows_accepted"] or sub["rows_rejected"]:
        line += f" Проверка: строк принято — {sub['rows_accepted']}, отклонено — {sub['rows_rejected']}"
        line += (
            " (перечень замечаний — на странице результатов проверки данных, ссылка на неё — "
            "на главной странице отчётов)."
            if sub["rows_rejected"]
            else "."
        )
    return line


WARNINGS_TEMPLATE = """\
{% if rows %}
<div class="data-warnings">
<p><strong>Проверьте данные.</strong> Фактические значения, намного превышающие план, учтены в
выполнении как есть, но похожи на опечатку (лишний ноль, не та единица):</p>
<ul>
{% for r in rows %}
<li>{{ r.indicator }}{% if r.programme_code %} / {{ r.programme_code }}{% endif %}: {{ r.rule }}</li>
{% endfor %}
</ul>
</div>
{% endif %}
{% if notes %}
<div class="data-warnings">
<p><strong>Замечания к отчёту.</strong> Данные прочитаны и учтены, но требуют проверки:</p>
<ul>
{% for r in notes %}
<li>{{ r.file }}: {{ r.rule }}</li>
{% endfor %}
</ul>
</div>
{% endif %}"""


def data_warnings(cy: ClusterYear):
    """The year's implausible facts (far above their count target), as a note to check them, and
    what ingest flagged on its submission (namesakes, a date outside its window); nothing when
    there are none."""
    rows = cy.warnings.to_dict("records")
    facts = [r for r in rows if r.get("kind", "fact_ceiling") == "fact_ceiling"]
    notes = [
        {"file": provenance.file_name(r.get("source_file")), "rule": r["rule"]}
        for r in rows
        if r.get("kind", "fact_ceiling") != "fact_ceiling"
    ]
    return markup.fragment(WARNINGS_TEMPLATE, rows=facts, notes=notes)


def _summary_frame(cy: ClusterYear) -> pd.DataFrame:
    counts = cy.cells["status"].value_counts().reindex(f.STATUSES, fill_value=0)
    table = pd.DataFrame({"Статус": [STATUS_RU[s] for s in counts.index], "Значений": counts.to_numpy()})
    return table[table["Значений"] > 0]


def summary_table(cy: ClusterYear):
    """Counts by status for the year, Russian labels, statuses with no cells left out."""
    return _status_style(_summary_frame(cy), "summary")


def _status_style(table: pd.DataFrame, uuid: str, left=("Статус",), keep=()):
    """An escaped table with the «Статус» column coloured by status."""
    colours = {STATUS_RU[s]: c for s, c in STATUS_COLOURS.items()}
    dark = {STATUS_RU[s] for s in (f.MET, f.NOT_MET, f.NO_DATA, f.BEYOND_PLAN)}

    def colour(value: str) -> str:
        text = "white" if value in dark else "black"
        return f"background-color: {colours[value]}; color: {text}" if value in colours else ""

    return markup.table(table, uuid, left=left, keep=keep, labels=["Статус"]).map(colour, subset=["Статус"])


def _target_text(row) -> str:
    if row.target_kind == "yes":
        return "да"
    if row.target_kind == "count":
        return number_text(row.target_value)
    return row.target_raw or "—"


def _fact_text(row) -> str:
    if pd.isna(row.fact_value):
        return "—"
    if row.fact_kind == "number":
        return number_text(row.fact_value)
    return "да" if row.fact_kind == "yes" else "нет"


def _items(cy: ClusterYear, planned_only: bool) -> pd.DataFrame:
    """The plan items of the year in plan order, with a roll-up row before the programme rows of
    an indicator that has no target of its own (its status is that of all its planned rows)."""
    cells = cy.cells
    if planned_only:
        cells = cells[cells["planned"] | (cells["status"] == f.BEYOND_PLAN)]
    rolled = cy.indicators.set_index("indicator")
    own = set(cy.cells.loc[(cy.cells["programme_code"] == "") & cy.cells["planned"], "indicator"])
    records: list[dict] = []
    rolled_up: set[str] = set()
    for row in cells.itertuples(index=False):
        if row.programme_code and row.indicator not in own and row.indicator not in rolled_up:
            rolled_up.add(row.indicator)
            status = rolled.at[row.indicator, "status"] if row.indicator in rolled.index else f.NOT_PLANNED
            if status != f.NOT_PLANNED:
                records.append(
                    {
                        "indicator": row.indicator,
                        "programme": ROLL_UP,
                        "title": row.indicator_title,
                        "plan": "—",
                        "fact": "—",
                        "fact_value": None,
                        "ratio": None,
                        "status": status,
                    }
                )
        records.append(
            {
                "indicator": row.indicator,
                "programme": f"{row.programme_code} {row.programme_title}".strip()
                if row.programme_code
                else "",
                "title": row.indicator_title,
                "plan": _target_text(row),
                "fact": _fact_text(row),
                "fact_value": row.fact_value,
                "ratio": row.ratio,
                "status": row.status,
                "target_value": row.target_value,
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "indicator",
            "programme",
            "title",
            "plan",
            "fact",
            "fact_value",
            "ratio",
            "status",
            "target_value",
        ],
    )


def items_table(cy: ClusterYear, planned_only: bool = False):
    """Every plan item of the year with plan, fact, fact / plan and its status, coloured; an
    indicator split by programme shows its own roll-up row («итог по программам») first."""
    items = _items(cy, planned_only)
    table = pd.DataFrame(
        {
            "Код": items["indicator"],
            "Программа": items["programme"],
            "Мероприятие": [_shorten(t) for t in items["title"]],
            "План": items["plan"],
            "Факт": items["fact"],
            "Факт / план": [percent(v) for v in items["ratio"]],
            "Статус": [STATUS_RU[s] for s in items["status"]],
        }
    )
    return _status_style(table, "items", left=["Код", "Программа", "Мероприятие", "Статус"], keep=["Код"])


def _group_label(code: str, title: str, limit: int) -> str:
    """«1.1 по разработке образовательных программ…»: the group titles' common opening dropped."""
    title = title.removeprefix("Результат мероприятий ")
    return f"{code} {_shorten(title, limit)}"


def _shorten(title: str, limit: int = 160) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


def _groups(cy: ClusterYear) -> pd.DataFrame:
    counts = f.status_counts(cy.cells, ["section", "group"])
    titles = cy.cells.drop_duplicates("group").set_index("group")["group_title"]
    counts["title"] = [titles[g] for g in counts["group"]]
    return counts


def group_table(cy: ClusterYear):
    """Per result group: planned values, met, and the rate (none without a rate to show)."""
    counts = _groups(cy)
    shown = bool(cy.submission["rate_shown"])
    table = pd.DataFrame(
        {
            "Группа результатов": [
                _group_label(g, t, 70) for g, t in zip(counts["group"], counts["title"], strict=True)
            ],
            "Плановых значений": counts["planned"],
            "Выполнено": counts[f.MET],
            "Частично": counts[f.PARTLY_MET],
            "Не выполнено": counts[f.NOT_MET],
            "Без отчёта": counts[f.PENDING] + counts[f.NO_DATA],
            "Уровень выполнения": [
                rate_text(v, shown, p) for v, p in zip(counts["rate"], counts["provisional"], strict=True)
            ],
        }
    )
    return markup.table(table, "groups", left=["Группа результатов"])


def status_chart(cy: ClusterYear):
    """The chart of the report: plan cells of each result group by status."""
    counts = f.status_counts(cy.cells, ["group"])
    titles = cy.cells.drop_duplicates("group").set_index("group")["group_title"]
    counts["label"] = [_group_label(g, titles[g], 38) for g in counts["group"]]
    title = f"Статус плановых значений по группам результатов, {cy.year} год"
    return Chart(status_by_group_chart(counts, title), f"Диаграмма: {title.lower()}")


def provenance_block(cy: ClusterYear) -> HTML:
    """Where the report's figures come from (``analysis.reports.provenance``)."""
    plans = [(cy.cluster["name"], cy.cluster.get("plan_version", ""))]
    return provenance.block(cy.sources, plans, cy.year, cy.as_of, deadline_date(cy), "sources")


def download_tables(cy: ClusterYear) -> dict[str, pd.DataFrame]:
    """The report's tables for the downloads: one per sheet, Russian headings, numbers as numbers
    (shares in percent), «нет данных» rates left empty."""
    from analysis.reports import staffing

    shown = bool(cy.submission["rate_shown"])
    s = cy.summary
    overview = pd.DataFrame(
        {
            "Показатель": [
                "Кластер",
                "Год",
                "Отчёт кластера за год",
                "Плановых значений",
                "Выполнено",
                "Уровень выполнения, %",
                "Взвешенный уровень выполнения, %",
                "Уровень выполнения предварительный (срок отчёта не наступил)",
            ],
            "Значение": [
                cy.cluster["name"],
                cy.year,
                state_text(cy.submission["state"]),
                int(s["planned"]),
                int(s[f.MET]) if shown else None,
                _percent_number(s["rate"]) if shown else None,
                _percent_number(s["weighted_rate"]) if shown else None,
                "да" if s["provisional"] else "нет",
            ],
        }
    )
    items = _items(cy, planned_only=False)
    groups = _groups(cy)
    tables = {
        "Сводка": overview,
        "Статусы": _summary_frame(cy),
        "Группы результатов": pd.DataFrame(
            {
                "Группа": groups["group"],
                "Название": groups["title"],
                "Плановых значений": groups["planned"],
                "Выполнено": groups[f.MET],
                "Частично": groups[f.PARTLY_MET],
                "Не выполнено": groups[f.NOT_MET],
                "Без отчёта": groups[f.PENDING] + groups[f.NO_DATA],
                "Уровень выполнения, %": [_percent_number(v) if shown else None for v in groups["rate"]],
            }
        ),
        "Плановые значения": pd.DataFrame(
            {
                "Код": items["indicator"],
                "Программа": items["programme"],
                "Мероприятие": items["title"],
                "План": items["plan"],
                "План, число": items["target_value"],
                "Факт": items["fact"],
                "Факт, число": items["fact_value"],
                "Факт / план, %": [_percent_number(v) for v in items["ratio"]],
                "Статус": [STATUS_RU[s] for s in items["status"]],
            }
        ),
        **staffing.download_tables(cy),
        "Источники": provenance.download_table(cy.sources),
    }
    return tables


def _percent_number(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value) * 100, 1)
