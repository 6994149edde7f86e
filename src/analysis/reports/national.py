"""The national report: every region side by side for one year — reports received, fulfilment,
staffing from employers — the tile-grid map, and whether the targets were ambitious.

It reads only summaries computed once per build when the processed tables are made
(``cluster_years``, ``ambition``, ``over_fulfilled``) and the registry — never every cluster's
plan cells — so its cost does not grow with the cells of the country.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML

import analysis
from analysis import settings
from analysis.metrics import ambition as a
from analysis.metrics import completeness as c
from analysis.metrics import fulfilment as f
from analysis.metrics.national import region_summary
from analysis.reports import markup, provenance
from analysis.reports.charts import Chart, set_margins, text_inches
from analysis.reports.labels import DEMO_NOTICE, NO_RATE, STATE_RU, percent
from analysis.reports.tilemap import Scale, tile_map
from analysis.tables import read_table


@dataclass
class Nation:
    """Everything the national report of a year needs, already computed."""

    year: int
    as_of: date
    deadline: tuple[int, int]
    regions: pd.DataFrame  # metrics.national.region_summary, ranked
    ambition: pd.DataFrame  # metrics.ambition.indicator_ambition, every year
    low: pd.DataFrame  # metrics.ambition.low_targets
    clusters: pd.DataFrame  # cluster-years of the year with names and regions (cluster_years + registry)
    over_fulfilled: pd.DataFrame  # every over-fulfilled cell of the year, with cluster names
    demo: bool


def region_href(region_code: str, year: int) -> str:
    """The region report of the year, relative to the national report ``html/national-Y.html``."""
    return f"{region_code}/region-{int(year)}.html"


def load(
    data_dir: str | Path, year: int, as_of: str | date, deadline: str = f.DEFAULT_DEADLINE_TEXT
) -> Nation:
    """Read the registry and the national summaries and put the regions of the year on one table.

    A relative ``data_dir`` is read under the project root (``analysis.settings``)."""
    data_dir = settings.resolve(data_dir)
    as_of = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    due = f.parse_deadline(deadline)
    registry = read_table(data_dir, "clusters")
    cluster_years = read_table(data_dir, "cluster_years")
    regions = region_summary(registry, cluster_years, int(year), as_of, due)
    per_indicator = read_table(data_dir, "ambition")
    names = registry[["cluster_id", "name", "region_code", "region_name"]]
    mine = cluster_years[cluster_years["year"] == int(year)].merge(names, on="cluster_id", how="left")
    over = read_table(data_dir, "over_fulfilled")
    over = over[over["year"] == int(year)].merge(names, on="cluster_id", how="left")
    return Nation(
        year=int(year),
        as_of=as_of,
        deadline=due,
        regions=regions,
        ambition=per_indicator,
        low=a.low_targets(per_indicator),
        clusters=mine.reset_index(drop=True),
        over_fulfilled=over.reset_index(drop=True),
        demo=bool(registry["demo"].any() or mine["demo"].any()),
    )


_HEADER = """
<h1>Профессионалитет: регионы страны</h1>
<h2>Сводный отчёт по образовательным кластерам за {{ year }} год</h2>
<ul>
<li>Регионов: {{ regions }}; кластеров в реестре: {{ clusters }};
отчёт за год ожидается от {{ expected }}</li>
<li>Отчётов: представлено в срок — {{ on_time }}, с опозданием — {{ late }}, не представлено — {{ missing }},
срок не наступил — {{ not_due }}</li>
<li>Данные на дату: {{ as_of }}; срок отчёта за {{ year }} год — {{ deadline }}</li>
</ul>
{% if demo %}
<blockquote class="demo"><p><strong>Демонстрационные данные.</strong> {{ demo }}</p></blockquote>
{% endif %}
"""


def header(nation: Nation) -> HTML:
    r = nation.regions
    return markup.fragment(
        _HEADER,
        year=nation.year,
        regions=len(r),
        clusters=int(r["clusters"].sum()),
        expected=int(r["expected"].sum()),
        on_time=int(r[c.ON_TIME].sum()),
        late=int(r[c.LATE].sum()),
        missing=int(r[c.MISSING].sum()),
        not_due=int(r[c.NOT_DUE].sum()),
        as_of=f"{nation.as_of:%d.%m.%Y}",
        deadline=f"{f.reporting_deadline(nation.year, nation.deadline):%d.%m.%Y}",
        demo=DEMO_NOTICE.removeprefix("**Демонстрационные данные.** ") if nation.demo else "",
    )


def _count(value) -> str:
    return "—" if pd.isna(value) else f"{int(value)}"


def _one(value) -> str:
    return "—" if pd.isna(value) else f"{float(value):.1f}".replace(".", ",")


def _spread(row) -> str:
    """«60–85 %»: the interquartile range of the rates, or «—» with fewer than two."""
    if row.rates < 2:
        return "—"
    return f"{row.rate_q25 * 100:.0f}–{row.rate_q75 * 100:.0f} %"


def region_table(nation: Nation):
    """The regions ranked by the median fulfilment rate of their clusters, each linked to its
    region report; regions with no rate to show last, «нет данных»."""
    r = nation.regions
    table = pd.DataFrame(
        {
            "Место": [_count(v) for v in r["rank"]],
            "Регион": [
                f"{code} — {name}" for code, name in zip(r["region_code"], r["region_name"], strict=True)
            ],
            "Кластеров": r["clusters"],
            STATE_RU[c.ON_TIME]: r[c.ON_TIME],
            STATE_RU[c.LATE]: r[c.LATE],
            STATE_RU[c.MISSING]: r[c.MISSING],
            STATE_RU[c.NOT_DUE]: r[c.NOT_DUE],
            "Медиана выполнения": [
                percent(v) if n else NO_RATE for v, n in zip(r["rate_median"], r["rates"], strict=True)
            ],
            "Разброс (межквартильный)": [_spread(row) for row in r.itertuples()],
            "Преподавателей от работодателей на кластер": [
                _one(v) for v in r["employer_teachers_per_cluster"]
            ],
            "Пар наставничества на кластер": [_one(v) for v in r["pairs_per_cluster"]],
        }
    )
    links = _links(nation, None)
    return markup.table(table, "regions", left=["Регион"], keep=["Место"], links={"Регион": links})


def _links(nation: Nation, none):
    """A link to each region's report of the year; ``none`` for a region with no report."""
    r = nation.regions
    return [
        region_href(code, nation.year) if e else none
        for code, e in zip(r["region_code"], r["expected"], strict=True)
    ]


def _map_values(nation: Nation, column: str, present) -> pd.DataFrame:
    r = nation.regions
    return pd.DataFrame(
        {"region_code": r["region_code"], "name": r["region_name"], "value": r[column].where(present)}
    )


def fulfilment_map(nation: Nation) -> HTML:
    """The tile-grid map coloured by the median fulfilment rate of each region's clusters."""
    values = _map_values(nation, "rate_median", nation.regions["rates"] > 0)
    return tile_map(
        values,
        title=f"Карта-сетка регионов: медиана уровня выполнения плана кластерами, {nation.year} год",
        legend_title="Медиана уровня выполнения",
        caption="Каждый квадрат — регион (код региона и медиана уровня выполнения плана его кластерами). "
        "«Нет данных» — в регионе нет кластеров с полученным отчётом за год или кластеров в реестре.",
    )


def reporting_map(nation: Nation) -> HTML:
    """The same map coloured by the share of due reports received (on time or late)."""
    values = _map_values(nation, "received_share", nation.regions["received_share"].notna())
    return tile_map(
        values,
        title=f"Карта-сетка регионов: доля представленных отчётов за {nation.year} год",
        legend_title="Доля представленных отчётов",
        caption="Доля отчётов, представленных в срок или с опозданием, среди тех, срок которых наступил. "
        "«Нет данных» — срок отчётов ещё не наступил или отчёт не ожидается.",
        scale=Scale(bounds=(0.0, 0.5, 0.75, 0.9, 0.99, 1.0)),
    )


def _indicator_label(code: str, title: str) -> str:
    title = str(title or "")
    return f"{code} {title[:60]}…" if len(title) > 60 else f"{code} {title}".strip()


def _labels(frame: pd.DataFrame) -> list[str]:
    pairs = zip(frame["indicator"], frame["indicator_title"], strict=True)
    return [_indicator_label(i, n) for i, n in pairs]


def ambition_table(nation: Nation):
    """Per indicator with numeric targets, this year: clusters and cells taking part, the share
    over-fulfilled (fact ≥ 125 % of plan), the median and quartiles of fact / plan."""
    t = nation.ambition[nation.ambition["year"] == nation.year]
    table = pd.DataFrame(
        {
            "Показатель": [
                _indicator_label(i, n) for i, n in zip(t["indicator"], t["indicator_title"], strict=True)
            ],
            "Кластеров с фактом": t["clusters"],
            "Значений": t["cells"],
            "Перевыполнено на 25 % и более": t["over_cells"],
            "их доля": [percent(v) for v in t["over_share"]],
            "Кластеров, перевыполнивших показатель": [
                f"{n} ({percent(s)})"
                for n, s in zip(t["clusters_over"], t["clusters_over_share"], strict=True)
            ],
            "Факт/план: медиана": [percent(v) for v in t["median"]],
            "квартили": [f"{percent(lo)} – {percent(hi)}" for lo, hi in zip(t["q25"], t["q75"], strict=True)],
        }
    )
    return markup.table(table, "ambition", left=["Показатель"])


def ambition_chart(nation: Nation):
    """The distribution of fact / plan per indicator (box: quartiles, whiskers: 10th–90th
    percentiles), with the 125 % line; drawn from the stored percentiles, not from the cells."""
    t = nation.ambition[nation.ambition["year"] == nation.year].iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.42 * max(len(t), 1) + 1.8))
    stats = [
        {"label": code, "med": m, "q1": q1, "q3": q3, "whislo": lo, "whishi": hi, "fliers": []}
        for code, m, q1, q3, lo, hi in zip(
            t["indicator"], t["median"], t["q25"], t["q75"], t["q10"], t["q90"], strict=True
        )
    ]
    if stats:
        ax.bxp(
            stats,
            orientation="horizontal",
            patch_artist=True,
            boxprops={"facecolor": "#c7e9c0", "edgecolor": "#212121"},
            medianprops={"color": "#212121", "linewidth": 2},
            showfliers=False,
        )
    else:
        ax.text(
            0.5,
            0.5,
            "Нет показателей с числовыми целевыми значениями и фактом",
            ha="center",
            transform=ax.transAxes,
        )
    ax.axvline(a.OVER_RATIO, color="#c62828", linestyle="--", linewidth=1.2, label="125 % плана")
    ax.axvline(1.0, color="#616161", linestyle=":", linewidth=1, label="100 % плана")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    ax.set_xlabel("Факт / план (ящик — квартили, усы — 10-й и 90-й процентили)")
    ax.set_title(f"Факт к плану по показателям, {nation.year} год", loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    set_margins(fig, left=text_inches(t["indicator"], "medium") + 0.2, right=0.3, top=0.35, bottom=0.7)
    plt.close(fig)
    return Chart(
        fig,
        f"Диаграмма: распределение отношения факта к плану по показателям с числовыми целевыми "
        f"значениями, {nation.year} год; линия — 125 % плана",
    )


_NO_LOW = """<p>Показателей, перевыполненных большинством кластеров два года подряд, нет.</p>"""


def low_targets_table(nation: Nation):
    """Indicators whose targets look too low (over-fulfilled by most clusters two years running),
    up to this year."""
    low = nation.low[nation.low["year"] <= nation.year]
    if low.empty:
        return markup.fragment(_NO_LOW)
    table = pd.DataFrame(
        {
            "Показатель": [
                _indicator_label(i, n) for i, n in zip(low["indicator"], low["indicator_title"], strict=True)
            ],
            "Годы": [f"{y - 1}–{y}" for y in low["year"]],
            "Кластеров с фактом": low["clusters"],
            "Доля перевыполнивших, первый год": [percent(v) for v in low["clusters_over_share_before"]],
            "второй год": [percent(v) for v in low["clusters_over_share"]],
        }
    )
    return markup.table(table, "low-targets", left=["Показатель"], keep=["Годы"])


_NO_OVER = """<p>Ни один кластер не перевыполнил числовые целевые значения на 25 % и более.</p>"""


def cluster_over_table(nation: Nation, top: int = 15):
    """The clusters with the most over-fulfilled cells this year (their full list is in the
    downloads): cells taking part, over-fulfilled, the share."""
    k = nation.clusters
    k = k[k["over_cells"] > 0].assign(share=lambda x: x["over_cells"] / x["ambition_cells"])
    if k.empty:
        return markup.fragment(_NO_OVER)
    k = k.sort_values(["over_cells", "share", "cluster_id"], ascending=[False, False, True]).head(top)
    table = pd.DataFrame(
        {
            "Кластер": k["name"],
            "Регион": k["region_code"],
            "Значений с числовой целью и фактом": k["ambition_cells"],
            "Перевыполнено на 25 % и более": k["over_cells"],
            "их доля": [percent(v) for v in k["share"]],
        }
    )
    return markup.table(table, "cluster-over", left=["Кластер"], keep=["Регион"])


_PROVENANCE = """
<section class="provenance">
<h2>Происхождение данных</h2>
<ul>
<li>Данные на дату: {{ as_of }}; срок отчёта за {{ year }} год — {{ deadline }}.</li>
<li>Сводка рассчитана по обработанным таблицам один раз при их подготовке: кластеров — {{ clusters }},
отчётов кластеров за год — {{ received }}. Исходные файлы каждого кластера перечислены в его отчёте.</li>
<li>Программа построения отчёта: analysis {{ package }}, коммит <code>{{ commit }}</code>.</li>
</ul>
</section>
"""


def provenance_block(nation: Nation) -> HTML:
    package, commit = provenance.code_version()
    return markup.fragment(
        _PROVENANCE,
        as_of=f"{nation.as_of:%d.%m.%Y}",
        year=nation.year,
        deadline=f"{f.reporting_deadline(nation.year, nation.deadline):%d.%m.%Y}",
        clusters=int(nation.regions["clusters"].sum()),
        received=int(nation.clusters["received"].fillna(False).astype(bool).sum()),
        package=package or analysis.__version__,
        commit=commit,
    )


def download_tables(nation: Nation) -> dict[str, pd.DataFrame]:
    """The regions, the indicators' ambition and every over-fulfilled cell, numbers as numbers."""
    r = nation.regions

    def pct(values):
        return [None if pd.isna(v) else round(float(v) * 100, 1) for v in values]

    t = nation.ambition[nation.ambition["year"] == nation.year]
    o = nation.over_fulfilled
    return {
        "Регионы": pd.DataFrame(
            {
                "Место": r["rank"],
                "Код региона": r["region_code"],
                "Регион": r["region_name"],
                "Кластеров": r["clusters"],
                "Отчёт ожидается": r["expected"],
                **{STATE_RU[s]: r[s] for s in c.STATES},
                "Доля представленных, %": pct(r["received_share"]),
                "Кластеров с уровнем выполнения": r["rates"],
                "Медиана выполнения, %": pct(r["rate_median"]),
                "Нижний квартиль, %": pct(r["rate_q25"]),
                "Верхний квартиль, %": pct(r["rate_q75"]),
                "Преподавателей от работодателей на кластер": r["employer_teachers_per_cluster"],
                "Пар наставничества на кластер": r["pairs_per_cluster"],
            }
        ),
        "Амбициозность": pd.DataFrame(
            {
                "Показатель": t["indicator"],
                "Наименование": t["indicator_title"],
                "Кластеров с фактом": t["clusters"],
                "Значений": t["cells"],
                "Перевыполнено на 25 % и более": t["over_cells"],
                "их доля, %": pct(t["over_share"]),
                "Кластеров, перевыполнивших": t["clusters_over"],
                "Медиана факт/план, %": pct(t["median"]),
            }
        ),
        "Перевыполненные значения": pd.DataFrame(
            {
                "Кластер": o["name"],
                "Код кластера": o["cluster_id"],
                "Регион": o["region_code"],
                "Показатель": o["indicator"],
                "Программа": o["programme_code"],
                "План": o["target_value"],
                "Факт": o["fact_value"],
                "Факт/план, %": pct(o["ratio"]),
            }
        ),
    }
