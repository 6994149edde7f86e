"""The floor of a report's cost: the same tables and charts, rendered without notebook machinery.

A report template's code cells are run as plain Python in one namespace (no papermill, no
IPython shell, no nbclient, no nbconvert): each cell's displayed values — the value of its last
expression and whatever it passes to ``display`` — are turned into HTML the way a notebook would
show them (``_repr_html_``, a chart's PNG) and joined into one page by a Jinja2 template. What is
left between this and a built report is the notebook machinery's own cost.
"""

from __future__ import annotations

import ast
import base64
import json
import time
from pathlib import Path

_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>
{% for part in parts %}{{ part }}
{% endfor %}
</main></body></html>
"""


def _html(value) -> str:
    """A displayed value as a notebook's HTML export would show it (markup is ours: escaped)."""
    from markupsafe import Markup, escape

    if value is None:
        return ""
    if hasattr(value, "_repr_mimebundle_"):
        bundle, metadata = value._repr_mimebundle_()
        if "image/png" in bundle:
            data = base64.b64encode(bundle["image/png"]).decode("ascii")
            alt = escape(metadata.get("image/png", {}).get("alt", ""))
            return Markup(f'<img src="data:image/png;base64,{data}" alt="{alt}">')
    if hasattr(value, "_repr_html_"):
        return Markup(value._repr_html_())
    if hasattr(value, "to_html"):
        return Markup(value.to_html())
    return escape(str(value))


def render_floor(notebook: str | Path, parameters: dict, title: str = "") -> str:
    """Run ``notebook``'s code cells with ``parameters`` as plain Python; return the page."""
    import IPython.display
    import jinja2

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    parts: list[str] = []
    namespace: dict = {}
    shown = IPython.display.display
    # The cells' own ``from IPython.display import display`` picks this up while they run.
    IPython.display.display = lambda *values, **_: parts.extend(_html(v) for v in values)
    try:
        for cell in cells:
            if cell["cell_type"] == "markdown":
                parts.append(jinja2.utils.markupsafe.escape("".join(cell["source"])))
                continue
            if cell["cell_type"] != "code":
                continue
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                exec(compile("".join(cell["source"]), "<parameters>", "exec"), namespace)
                namespace.update(parameters)
                continue
            tree = ast.parse("".join(cell["source"]))
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                parts.append(_html(value))
    finally:
        IPython.display.display = shown
    environment = jinja2.Environment(autoescape=True)
    return environment.from_string(_PAGE).render(title=title, parts=parts)


def floor_seconds(jobs: list[tuple[str, dict]]) -> tuple[float, float]:
    """``(CPU, wall)`` seconds per report of rendering ``jobs`` (notebook, parameters) this way,
    after one untimed run that pays the imports."""
    render_floor(*jobs[0])
    cpu, wall = time.process_time(), time.perf_counter()
    for notebook, parameters in jobs:
        render_floor(notebook, parameters)
    return (time.process_time() - cpu) / len(jobs), (time.perf_counter() - wall) / len(jobs)
