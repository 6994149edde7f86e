"""``reports/index.html``: every report of a build, by region and cluster, with its headline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import pandas as pd

from analysis.reports.labels import COMPLETENESS_RU, STATUS_COLOURS


@dataclass(frozen=True)
class IndexEntry:
    region: str
    cluster_id: str
    cluster_name: str
    year: int
    href: str | None  # relative link to the HTML report; None when it failed
    rate: float | None
    planned: int
    met: int
    answered: int  # planned cells with a fact
    pending: int  # planned cells without a fact, before the reporting deadline
    demo: bool
    error: str = ""


_BAR_COLOUR = STATUS_COLOURS["met"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.8em; text-align: left; }
td.num { text-align: right; }
.failed { color: #c62828; }
.demo { background: #fff8e1; border-left: 4px solid #f9a825; padding: 0.6em 1em; }
.bar { display: inline-block; height: 0.8em; vertical-align: middle; }
@media print { .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"""


def render_index(
    entries: list[IndexEntry],
    as_of: date,
    built_at: str,
    problems: list[str] | None = None,
    completeness: pd.DataFrame | None = None,
    data_docs: str | None = None,
    region_reports: dict[str, list[tuple[int, str | None, str]]] | None = None,
) -> str:
    """The index page as HTML text (Russian, self-contained, no scripts).

    ``problems`` are lines about clusters that have no reports at all; ``completeness`` is
    ``metrics.completeness.completeness`` joined with ``quality_summary``; ``data_docs`` links the
    great-expectations Data Docs; ``region_reports`` maps a region heading to its
    ``(year, href or None, error)`` region reports.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        "<title>Отчёты кластеров «Профессионалитета»</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Отчёты образовательных кластеров «Профессионалитета»</h1>",
        f"<p>Выполнение планов мероприятий (приложение № 2 к программе деятельности кластера). "
        f"Данные на {as_of:%d.%m.%Y}; отчёты собраны {escape(built_at)}.</p>",
    ]
    if any(e.demo for e in entries):
        parts.append(
            '<p class="demo"><strong>Демонстрационные данные.</strong> Отчёты, отмеченные '
            "«демо», построены по сгенерированным фактическим значениям, а не по отчётности "
            "кластеров.</p>"
        )
    for problem in problems or []:
        parts.append(f'<p class="failed">{escape(problem)}</p>')
    failed = [e for e in entries if e.href is None]
    if failed:
        parts.append(
            f'<p class="failed"><strong>Не удалось построить отчётов: {len(failed)}.</strong> '
            "Подробности — в выводе команды сборки.</p>"
        )
    for region in sorted({e.region for e in entries}):
        in_region = [e for e in entries if e.region == region]
        parts.append(f"<h2>{escape(region)}</h2>")
        links = sorted((region_reports or {}).get(region, []))
        if links:
            shown = [
                f'<a href="{escape(href)}">{year}</a>'
                if href
                else f'<span class="failed">{year}: не построен</span>'
                for year, href, _ in links
            ]
            parts.append(f"<p>Сводный отчёт по региону: {' · '.join(shown)}</p>")
        for cluster_id in sorted({e.cluster_id for e in in_region}):
            rows = sorted((e for e in in_region if e.cluster_id == cluster_id), key=lambda e: e.year)
            parts.append(f"<h3>{escape(rows[0].cluster_name)}</h3>")
            parts.append(
                "<table><thead><tr><th>Год</th><th>Выполнено</th><th>Уровень выполнения</th>"
                "<th></th></tr></thead><tbody>"
            )
            for e in rows:
                parts.append(_row(e))
            parts.append("</tbody></table>")
    if completeness is not None and not completeness.empty:
        parts.append(_completeness(completeness, data_docs))
    elif data_docs:
        parts.append(
            f'<p><a href="{escape(data_docs)}">Проверка данных (great-expectations Data Docs)</a></p>'
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _row(e: IndexEntry) -> str:
    demo = " <small>(демо)</small>" if e.demo else ""
    if e.href is None:
        return (
            f'<tr class="failed"><td>{e.year}</td><td colspan="3">отчёт не построен: '
            f"{escape(e.error)}</td></tr>"
        )
    link = f'<td><a href="{escape(e.href)}">{e.year} год</a>{demo}</td>'
    if e.answered == 0:
        state = "ожидается отчёт" if e.pending else "нет данных"
        return f'<tr>{link}<td colspan="3">{state}</td></tr>'
    rate = "—" if e.rate is None else f"{e.rate:.0%}"
    width = 0 if e.rate is None else round(8 * e.rate, 2)
    return (
        f'<tr>{link}<td class="num">{e.met} из {e.planned}</td><td class="num">{rate}</td>'
        f'<td><span class="bar" style="width:{width}em; background:{_BAR_COLOUR}"></span></td></tr>'
    )


def _completeness(table: pd.DataFrame, data_docs: str | None) -> str:
    rows = [
        "<h2>Полнота и качество отчётности</h2>",
        "<p>Ожидаемые отчёты кластеров (за каждый начавшийся год плана) и полученные файлы: срок — "
        "20 января следующего года; строки, принятые и отклонённые при проверке.</p>",
    ]
    if data_docs:
        rows.append(
            f'<p><a href="{escape(data_docs)}">Подробные результаты проверки '
            "(great-expectations Data Docs)</a></p>"
        )
    rows.append(
        "<table><thead><tr><th>Кластер</th><th>Год</th><th>Отчёт</th><th>Строк принято</th>"
        "<th>Строк отклонено</th></tr></thead><tbody>"
    )
    for r in table.itertuples(index=False):
        accepted = "—" if pd.isna(r.rows_accepted) else int(r.rows_accepted)
        rejected = "—" if pd.isna(r.rows_rejected) else int(r.rows_rejected)
        css = ' class="failed"' if r.status in ("missing", "late") or rejected not in ("—", 0) else ""
        rows.append(
            f"<tr{css}><td>{escape(str(r.name))}</td><td>{int(r.year)}</td>"
            f'<td>{COMPLETENESS_RU[r.status]}</td><td class="num">{accepted}</td>'
            f'<td class="num">{rejected}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)
