"""The staffing section of the cluster report: employer-teachers, trained staff, mentoring
pairs, the check of reported facts against rosters, and the federal indicators.

Takes the ``ClusterYear`` that ``analysis.reports.cluster.load`` builds; the metrics themselves are
computed once per build (``analysis.site.prepare.staffing_tables``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

from analysis.reports import markup
from analysis.reports.charts import Chart, legend_below, set_margins, text_inches
from analysis.reports.cluster import ClusterYear
from analysis.reports.labels import (
    CHECK_RU,
    MEASURE_RU,
    STAFFING_RU,
    STAFFING_SHARES,
    TARGET_CHECK_RU,
    change_points,
    number_text,
    percent,
)

NO_ROSTER = (
    "Списки преподавателей и пар наставничества за год не представлены: кадровые показатели — "
    "«нет данных» (это не 0 %)."
)


def _value(metric: str, value) -> str:
    if pd.isna(value):
        return "—"
    return percent(value) if metric in STAFFING_SHARES else number_text(value)


def _change(metric: str, value) -> str:
    if pd.isna(value):
        return "—"
    if metric in STAFFING_SHARES:
        return change_points(value)
    return f"{value:+g}" if value else "0"


def _number(metric: str, value) -> float | None:
    """A staffing value for the downloads: a count, or a share in percent."""
    if pd.isna(value):
        return None
    return round(float(value) * 100, 1) if metric in STAFFING_SHARES else float(value)


def _this_year(cy: ClusterYear) -> pd.Series | None:
    rows = cy.staffing[cy.staffing["year"] == cy.year]
    return None if rows.empty else rows.iloc[0]


def staffing_text(cy: ClusterYear) -> Markdown:
    """What the staffing figures rest on, or that there is no roster for the year."""
    row = _this_year(cy)
    if row is None:
        return Markdown(NO_ROSTER)
    return Markdown(
        "Показатели посчитаны по спискам, представленным кластером: преподаватели («Преподаватели»), "
        "пары наставничества («Наставничество»). Работник организации отрасли, ведущий занятия по "
        "совместительству, учитывается один раз, сколько бы программ он ни вёл; пара засчитывается, "
        "если она действует в году и состоит из преподавателя ПОО и специалиста организации-участника. "
        "ФИО в обработанных данных заменены обезличенными идентификаторами."
    )


def staffing_table(cy: ClusterYear) -> pd.io.formats.style.Styler | Markdown:
    """The year's staffing metrics with the change against the previous year."""
    row = _this_year(cy)
    if row is None:
        return Markdown("—")
    records = []
    for metric, label in STAFFING_RU.items():
        change = row.get(f"{metric}_change", float("nan"))
        records.append(
            {
                "Показатель": label,
                str(cy.year): _value(metric, row[metric]),
                f"Изменение к {cy.year - 1}": _change(metric, change),
            }
        )
    return markup.table(pd.DataFrame(records), "staffing", left=["Показатель"])


def programme_table(cy: ClusterYear) -> pd.io.formats.style.Styler | Markdown:
    """Employer-teachers and pairs per programme of the year."""
    rows = cy.staffing_programmes
    if rows.empty:
        return Markdown("—")
    table = pd.DataFrame(
        {
            "Программа": _programme_names(cy, rows["programme_code"]),
            "Преподавателей": [_value("teachers", v) for v in rows["teachers"]],
            "от работодателей": [_value("employer_teachers", v) for v in rows["employer_teachers"]],
            "доля": [_value("employer_teacher_share", v) for v in rows["employer_teacher_share"]],
            "Обучено": [_value("trained_employer_staff", v) for v in rows["trained_employer_staff"]],
            "Пар наставничества": [_value("pairs", v) for v in rows["pairs"]],
            IN_PAIRS_HEADING: [
                _value("college_teachers_in_pairs_share", v) for v in rows["college_teachers_in_pairs_share"]
            ],
        }
    )
    return markup.table(table, "programmes", left=["Программа"])


# The per-programme share of college teachers in pairs counts a pair of any programme of the
# cluster (DOMAIN.md, «Staffing»): the page says so under the table (PROGRAMME_NOTE).
IN_PAIRS_HEADING = "Преподавателей ПОО в парах*"
PROGRAMME_NOTE = (
    "\\* Доля преподавателей ПОО программы, состоящих в паре наставничества по любой программе "
    "кластера: преподаватель, ведущий занятия по нескольким программам, засчитывается в каждой из них. "
    "Поэтому у программы без собственных пар эта доля может быть больше нуля."
)


def programme_note(cy: ClusterYear) -> Markdown:
    """The footnote under the per-programme table: what its «in pairs» share counts."""
    return Markdown(PROGRAMME_NOTE if not cy.staffing_programmes.empty else "")


def _programme_names(cy: ClusterYear, codes) -> list[str]:
    titles = cy.cells.drop_duplicates("programme_code").set_index("programme_code")["programme_title"]
    return [f"{c} {titles.get(c, '')}".strip() for c in codes]


def staffing_chart(cy: ClusterYear):
    """By programme (this year) and over the years: employer-teachers, trained staff, pairs."""
    if _this_year(cy) is None:
        return Markdown("")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    rows = cy.staffing_programmes.sort_values("programme_code")
    positions = range(len(rows))
    width = 0.38
    left.bar(
        [p - width / 2 for p in positions],
        rows["employer_teachers"].astype(float),
        width,
        label="преподаватели от работодателей",
        color="#1565c0",
    )
    left.bar(
        [p + width / 2 for p in positions],
        rows["pairs"].astype(float),
        width,
        label="пары наставничества",
        color="#f9a825",
    )
    left.set_xticks(list(positions), rows["programme_code"].tolist())
    left.set_title(f"По образовательным программам, {cy.year}", loc="left", fontsize=10)
    left.yaxis.get_major_locator().set_params(integer=True)
    trend = cy.staffing_history.sort_values("year")
    for metric, colour, label in [
        ("employer_teachers", "#1565c0", "преподаватели от работодателей"),
        ("trained_employer_staff", "#2e7d32", "обученные работники"),
        ("pairs", "#f9a825", "пары наставничества"),
    ]:
        right.plot(trend["year"], trend[metric].astype(float), marker="o", color=colour, label=label)
    right.set_xticks(trend["year"].tolist())
    right.set_title("По годам, кластер в целом", loc="left", fontsize=10)
    right.yaxis.get_major_locator().set_params(integer=True)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    handles = {}
    for ax in (left, right):
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    lines = legend_below(fig, list(handles.values()), list(handles.keys()))
    # The y axes count people: their widest tick label is no wider than the largest count's.
    counts = pd.concat(
        [rows[c] for c in ("employer_teachers", "pairs")]
        + [trend[c] for c in ("employer_teachers", "trained_employer_staff", "pairs")]
    ).astype(float)
    largest = int(counts.max()) if counts.notna().any() else 0
    ticks = text_inches([f"{largest}"], "medium")
    set_margins(fig, left=ticks + 0.2, right=0.25, top=0.35, bottom=0.4 + 0.22 * lines, between=ticks + 0.45)
    plt.close(fig)
    return Chart(
        fig,
        f"Диаграмма: преподаватели от работодателей, обученные работники и пары наставничества "
        f"по программам за {cy.year} год и по годам",
    )


def checks_table(cy: ClusterYear) -> pd.io.formats.style.Styler | Markdown:
    """Reported facts of 1.1.4, 1.5.1, 1.6.1 and 1.6.2 against rosters and enrolment; findings first."""
    checks = cy.fact_checks
    if checks.empty:
        return Markdown("Сверять нечего: нет ни отчёта по этим пунктам, ни списков.")
    checks = checks.sort_values(["finding", "indicator", "programme_code"], ascending=[False, True, True])

    def reported(row) -> str:
        if row.fact_kind == "yes":
            return "да"
        if row.fact_kind == "no":
            return "нет"
        return number_text(row.fact_value)

    table = pd.DataFrame(
        {
            "Пункт": checks["indicator"],
            "Программа": checks["programme_code"],
            "Что сверяется": [MEASURE_RU.get(m, m) for m in checks["measure"]],
            "В отчёте": [reported(r) for r in checks.itertuples()],
            "По спискам": [number_text(v) for v in checks["roster_value"]],
            "Результат сверки": [CHECK_RU.get(s, s) for s in checks["status"]],
        }
    )
    flagged = checks["finding"].to_numpy()

    def highlight(row):
        style = "background-color: #fff3e0" if flagged[row.name] else ""
        return [style] * len(row)

    return markup.table(
        table, "checks", left=list(table.columns), keep=["Пункт", "Программа"], labels=["Результат сверки"]
    ).apply(highlight, axis=1)


def federal_table(cy: ClusterYear) -> pd.io.formats.style.Styler | Markdown:
    """The federal performance indicators of the year: target, unit, and what the data show."""
    if cy.federal.empty:
        return Markdown(
            "Федеральные показатели результативности (приложение № 5 к программе кластера) для "
            "кластера не загружены."
        )
    checks = cy.target_checks.set_index("indicator") if not cy.target_checks.empty else pd.DataFrame()
    rows = []
    for row in cy.federal.itertuples():
        check = checks.loc[row.indicator] if row.indicator in checks.index else None
        rows.append(
            {
                "Код": row.indicator,
                "Показатель": row.indicator_title,
                "Ед.": row.unit,
                "Цель": row.target_raw or "—",
                "По данным кластера": "—" if check is None else number_text(check["roster_value"]),
                "Оценка": "—" if check is None else TARGET_CHECK_RU.get(check["status"], check["status"]),
            }
        )
    return markup.table(
        pd.DataFrame(rows), "federal", left=["Код", "Показатель"], keep=["Код"], labels=["Оценка"]
    )


def download_tables(cy: ClusterYear) -> dict[str, pd.DataFrame]:
    """The staffing tables for the downloads: numbers as numbers, shares in percent."""
    tables: dict[str, pd.DataFrame] = {}
    row = _this_year(cy)
    if row is not None:
        tables["Кадры"] = pd.DataFrame(
            {
                "Показатель": list(STAFFING_RU.values()),
                "Единица": ["%" if m in STAFFING_SHARES else "человек или пар" for m in STAFFING_RU],
                str(cy.year): [_number(m, row[m]) for m in STAFFING_RU],
                f"Изменение к {cy.year - 1} (для долей — п. п.)": [
                    _number(m, row.get(f"{m}_change", float("nan"))) for m in STAFFING_RU
                ],
            }
        )
    rows = cy.staffing_programmes
    if not rows.empty:
        tables["Кадры по программам"] = pd.DataFrame(
            {
                "Программа": _programme_names(cy, rows["programme_code"]),
                "Преподавателей": [_number("teachers", v) for v in rows["teachers"]],
                "от работодателей": [_number("employer_teachers", v) for v in rows["employer_teachers"]],
                "доля, %": [_number("employer_teacher_share", v) for v in rows["employer_teacher_share"]],
                "Обучено": [_number("trained_employer_staff", v) for v in rows["trained_employer_staff"]],
                "Пар наставничества": [_number("pairs", v) for v in rows["pairs"]],
                "Преподавателей ПОО в парах (по любой программе), %": [
                    _number("college_teachers_in_pairs_share", v)
                    for v in rows["college_teachers_in_pairs_share"]
                ],
            }
        )
    if not cy.fact_checks.empty:
        checks = cy.fact_checks
        tables["Сверка со списками"] = pd.DataFrame(
            {
                "Пункт": checks["indicator"],
                "Программа": checks["programme_code"],
                "Что сверяется": [MEASURE_RU.get(m, m) for m in checks["measure"]],
                "В отчёте": [
                    {"yes": "да", "no": "нет"}.get(k, None if pd.isna(v) else v)
                    for k, v in zip(checks["fact_kind"], checks["fact_value"], strict=True)
                ],
                "По спискам": checks["roster_value"].astype(float),
                "Результат сверки": [CHECK_RU.get(s, s) for s in checks["status"]],
            }
        )
    if not cy.federal.empty:
        found = cy.target_checks.set_index("indicator") if not cy.target_checks.empty else pd.DataFrame()
        tables["Федеральные показатели"] = pd.DataFrame(
            {
                "Код": cy.federal["indicator"],
                "Показатель": cy.federal["indicator_title"],
                "Ед.": cy.federal["unit"],
                "Цель": [
                    r if pd.isna(v) else v
                    for v, r in zip(cy.federal["target_value"], cy.federal["target_raw"], strict=True)
                ],
                "По данным кластера": [
                    found.at[i, "roster_value"] if i in found.index else None for i in cy.federal["indicator"]
                ],
                "Оценка": [
                    TARGET_CHECK_RU.get(found.at[i, "status"], found.at[i, "status"])
                    if i in found.index
                    else None
                    for i in cy.federal["indicator"]
                ],
            }
        )
    return tables
