"""An HTML page of an imported plan that an analyst opens beside the document to confirm it
(``import-plan --preview FILE.html``): the summary, what to check, and the plan as a table in
the document's order. Every value goes through a Jinja2 template with autoescape on."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from analysis.sources.plan_import.assemble import ImportResult
from analysis.sources.plan_import.summary import summary_lines

# As every page of the site: no script, no outside request, no <base>, no form.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_TEMPLATE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ policy }}">
<title>Проверка импорта: {{ source }}</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 2px 6px; vertical-align: top; }
tr.section td { font-weight: bold; background: #eee; }
tr.group td { font-style: italic; background: #f6f6f6; }
td.cell { text-align: center; min-width: 3em; }
td.empty { background: #fff3cd; }
.problem { color: #a00; }
</style></head><body>
<h1>План мероприятий: проверка импорта</h1>
<p>Документ: <code>{{ source }}</code>{% if cluster %}, кластер <code>{{ cluster }}</code>{% endif %}</p>
<ul>{% for line in summary %}<li>{{ line }}</li>{% endfor %}</ul>
{% if problems %}<h2 class="problem">Требуют проверки</h2>
<ul>{% for line in problems %}<li class="problem">{{ line }}</li>{% endfor %}</ul>{% endif %}
<table><thead><tr><th>№</th><th>Код программы</th><th>Наименование</th>
{% for year in years %}<th>{{ year }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr class="{{ row.kind }}"><td>{{ row.code }}</td><td>{{ row.programme_code }}</td>
<td>{{ row.title }}</td>{% for cell in row.cells %}
<td class="cell{% if row.takes and not cell %} empty{% endif %}">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></body></html>
"""


def render_preview(result: ImportResult, cluster: str = "") -> str:
    """The preview page of an imported plan of measures, escaped by construction."""
    plan = result.plan
    if "kind" not in plan.columns:  # the federal indicators: code, title, unit, years
        plan = plan.assign(kind="indicator", programme_code=plan["unit"])[
            ["kind", "code", "programme_code", "title", *plan.columns[3:]]
        ]
    years = list(plan.columns[4:])
    rows = [
        {
            "kind": row.kind,
            "code": row.code,
            "programme_code": row.programme_code,
            "title": row.title,
            "cells": list(row[4:]),
            "takes": row.kind in ("indicator", "programme"),
        }
        for row in plan.itertuples(index=False)
    ]
    summary = [line for line in summary_lines(result) if not line.startswith("  ")]
    template = Environment(autoescape=True).from_string(_TEMPLATE)
    return template.render(
        policy=POLICY,
        source=result.source,
        cluster=cluster,
        summary=summary,
        problems=result.problems,
        years=years,
        rows=rows,
    )


def write_preview(result: ImportResult, path: str | Path, cluster: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_preview(result, cluster), encoding="utf-8")
    return path
