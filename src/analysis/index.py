"""``reports/index.html``: every report of a build, by region and cluster, with its headline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from analysis.labels import STATUS_COLOURS


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


def render_index(entries: list[IndexEntry], as_of: date, built_at: str) -> str:
    """The index page as HTML text (Russian, self-contained, no scripts)."""
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
    failed = [e for e in entries if e.href is None]
    if failed:
        parts.append(
            f'<p class="failed"><strong>Не удалось построить отчётов: {len(failed)}.</strong> '
            "Подробности — в выводе команды сборки.</p>"
        )
    for region in sorted({e.region for e in entries}):
        in_region = [e for e in entries if e.region == region]
        parts.append(f"<h2>{escape(region)}</h2>")
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
